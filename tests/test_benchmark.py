"""The benchmark suite's quick mode (issue #7): it completes and every request gets the answer it expects.

No timing is checked: CI machines are shared and the numbers are only meaningful from a full run.
Every operation, a small watch fan-out, the dashboard's cost, snapshot delays (500 jobs) and issue #20's
in-process sections (benchmarks/inprocess.py, small counts) run (about 90 s); start-up and the 100,000-job scale section are
timing measures only and are left to the full run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import seed_examples

REPO = Path(__file__).resolve().parent.parent
SMALL = ["--watchers", "10", "--watch-patches", "50", "--watch-deadline", "60"]
SECTIONS = ["dashboard", "snapshot", "running_jobs", "advance_cost", "mrs_executions", "mrs_filter", "plugin_cost",
            "follow_logs", "cos_manifest"]


def run_quick(out: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
               "--only", ",".join(["ops", "watch", *SECTIONS]),
               "--out", str(out), *SMALL]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def only_stalled(out: Path) -> bool:
    """Whether every failed run of the report got only the answers it expects (so it failed by wrk's socket
    errors, such as its 5 s timeout), with every watch event delivered."""
    if not out.exists():
        return False
    report = json.loads(out.read_text())
    failed = [(row, row[server]) for row in report["operations"] for server in ("baseline", "default", "logging_off")
              if not row[server]["ok"]]
    return bool(failed) and report["watch"]["ok"] and all(
        set(run["statuses"]) <= {"200", str(row["expect"])} for row, run in failed)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="the benchmark drives its load with wrk (apt-get install wrk)")
def test_quick_benchmark_completes_and_every_request_succeeds(tmp_path):
    out = tmp_path / "results.json"
    done = run_quick(out)
    if done.returncode == 1 and only_stalled(out):  # a wrk timeout with every answer right: once more, to tell
        done = run_quick(out)                       # a hiccup of the shared machine from a defect
    if done.returncode == 2:
        pytest.skip(f"the machine lacks what the benchmark needs: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["ok"]
    names = {row["operation"] for row in report["operations"]}
    assert {"k8s_get_status", "k8s_patch_status", "mrs_get_job", "cos_update_status", "cos_404", "k8s_get_pod",
            "k8s_pod_log", "k8s_get_protobuf", "k8s_table_500"} <= names
    for row in report["operations"]:
        for server in ("baseline", "default", "logging_off"):
            assert row[server]["ok"] and row[server]["requests"] > 0, (row["operation"], server, row[server])
        assert set(row["default"]["statuses"]) == {str(row["expect"])}, row["operation"]
    watch = report["watch"]
    assert watch["ok"] and watch["events_received"] == watch["events_expected"]
    for section in SECTIONS:  # each ran and got the answers it expects (its timing is not checked)
        assert report[section]["ok"], (section, report[section])
    assert report["running_jobs"]["complete"] == report["running_jobs"]["jobs"]
    assert report["mrs_executions"]["states"] == {"FINISHED": report["mrs_executions"]["executions"]}
    assert report["follow_logs"]["complete"] == report["follow_logs"]["streams"]
    assert all(count > 0 for count in report["dashboard"]["journal_events_delivered"])
    assert report["snapshot"]["snapshots_back_to_back"]["snapshots"] > 0
    assert report["machine"]["cpu"] != "unknown"


def load_baseline_server():
    spec = importlib.util.spec_from_file_location("baseline_server", REPO / "benchmarks" / "baseline_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_baseline_serves_the_emulators_bytes_for_seed_003(aiohttp_client, make_app):
    """The speed reference answers seed 003's example, byte for byte what the emulator answers a client there."""
    baseline = load_baseline_server()
    [documented] = seed_examples.seed(3)
    reference = await aiohttp_client(baseline.make_app(baseline.seed_003_body()))
    emulator = await aiohttp_client(make_app())
    answers = []
    for client in (reference, emulator):
        response = await client.get(baseline.PATH)
        assert response.status == 200 and response.content_type == "application/json"
        answers.append(await response.read())
    assert json.loads(answers[0]) == documented
    assert answers[0] == answers[1]
