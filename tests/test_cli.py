"""The command line (`python -m emulator`) as a real process: start-up line, signals, options, environment,
and the one-line errors for bad options and bad fixtures. Every process is stopped before its test ends."""
from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from emulator import __version__
from emulator.cli import parse_settings
from emulator.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 20


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without any EMULATOR_* setting, plus `extra`."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
    return {**clean, "PYTHONUNBUFFERED": "1", **extra}


def start(*args: str, **env: str) -> subprocess.Popen:
    """`python -m emulator` with these arguments and EMULATOR_* variables, its output piped."""
    return subprocess.Popen([sys.executable, "-m", "emulator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=environment(**env))


@contextmanager
def running(*args: str, **env: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """A started emulator and the base URL it printed; killed on the way out if it is still running."""
    process = start(*args, **env)
    try:
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
        line = process.stdout.readline() if ready else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, f"no base URL in {line!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        assert line.count("http://") == 1 and line.endswith("\n")
        yield process, match.group(0)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=TIMEOUT)


def stop(process: subprocess.Popen, signum: int) -> tuple[int, str, str]:
    """Send a signal; the exit status and what was left on stdout and stderr."""
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    return process.returncode, stdout, stderr


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        assert response.status == 200
        return json.loads(response.read())


def post(url: str, body: bytes = b"{}") -> dict:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


def error_line(process: subprocess.Popen) -> str:
    """The single stderr line of an emulator that had to refuse to start."""
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode != 0, process.args
    assert stdout == "" and "Traceback" not in stderr, (process.args, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, (process.args, stderr)
    return lines[0]


def fails(*args: str, **env: str) -> str:
    return error_line(start(*args, **env))


# --- start and stop ------------------------------------------------------------------------------

def test_port_zero_prints_one_line_with_the_url_and_serves_health():
    with running("--port", "0", "--log-level", "warning") as (process, url):
        assert int(url.rsplit(":", 1)[1]) > 0
        health = get_json(f"{url}/_emulator/health")
        assert health["version"] == __version__ and "kubernetes" in health["services"]
        job = get_json(f"{url}/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
        assert job["metadata"]["name"] == "pi"
        code, stdout, stderr = stop(process, signal.SIGTERM)
    assert code == 0
    assert stdout == ""  # the URL line was the only one
    assert "Traceback" not in stderr


def test_sigint_stops_it_cleanly_with_status_0():
    with running("--port", "0") as (process, url):
        get_json(f"{url}/_emulator/health")
        code, _, stderr = stop(process, signal.SIGINT)
    assert code == 0
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_frozen_clock_option_shows_in_the_clock():
    with running("--port", "0", "--frozen-clock", "2030-01-01T00:00:00Z") as (process, url):
        assert get_json(f"{url}/_emulator/clock") == {"now": "2030-01-01T00:00:00Z", "frozen": True}
        stop(process, signal.SIGTERM)


def test_without_frozen_clock_the_clock_is_live():
    with running("--port", "0") as (process, url):
        assert get_json(f"{url}/_emulator/clock")["frozen"] is False
        stop(process, signal.SIGTERM)


def test_environment_variables_set_port_no_fixtures_and_frozen_clock():
    with running(EMULATOR_PORT="0", EMULATOR_NO_FIXTURES="1", EMULATOR_FROZEN_CLOCK="2031-05-05T05:05:05Z") as (
            process, url):
        health = get_json(f"{url}/_emulator/health")
        assert health["services"]["kubernetes"]["jobs"] == 0
        assert get_json(f"{url}/apis/batch/v1/jobs")["items"] == []
        assert get_json(f"{url}/_emulator/clock") == {"now": "2031-05-05T05:05:05Z", "frozen": True}
        stop(process, signal.SIGTERM)


def test_options_win_over_environment_variables():
    with running("--port", "0", EMULATOR_PORT="1", EMULATOR_NO_FIXTURES="0") as (process, url):
        assert get_json(f"{url}/_emulator/health")["services"]["kubernetes"]["jobs"] == 2
        stop(process, signal.SIGTERM)


def test_fixtures_option_loads_another_folder(tmp_path):
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n")
    with running("--port", "0", "--fixtures", str(tmp_path)) as (process, url):
        names = [ns["metadata"]["name"] for ns in get_json(f"{url}/api/v1/namespaces")["items"]]
        assert "mine" in names and "namespace-test" not in names
        stop(process, signal.SIGTERM)


# --- refusing to start ---------------------------------------------------------------------------

@pytest.mark.slow
def test_bad_options_exit_non_zero_with_one_line():
    bad = [["--bogus"], ["--port", "abc"], ["--port", "70000"], ["--log-level", "loud"],
           ["--frozen-clock", "yesterday"], ["--frozen-clock", "2030-01-01T00:00:00"],
           ["--job-duration", "inf"], ["--job-duration", "-1"], ["--cos-step-seconds", "nan"]]
    processes = [start(*args) for args in bad]  # side by side: each start costs an interpreter
    for args, process in zip(bad, processes):
        assert error_line(process).startswith("cloud-job-emulator: error: "), args


def test_bad_environment_variable_exits_with_one_line_naming_it():
    assert fails(EMULATOR_PORT="abc") == "cloud-job-emulator: error: EMULATOR_PORT=abc: not a port (0 to 65535)"


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("EMULATOR_PORT", "70000", "EMULATOR_PORT=70000: not a port (0 to 65535)"),
    ("EMULATOR_JOURNAL_SIZE", "0", "EMULATOR_JOURNAL_SIZE=0: not a whole number, 1 or more"),
    ("EMULATOR_MAX_WATCHES", "many", "EMULATOR_MAX_WATCHES=many: not a whole number, 1 or more"),
    ("EMULATOR_JOB_DURATION", "-1", "EMULATOR_JOB_DURATION=-1: not a number of seconds, 0 or more"),
    ("EMULATOR_SNAPSHOT_INTERVAL", "soon", "EMULATOR_SNAPSHOT_INTERVAL=soon: not a number of seconds"),
    ("EMULATOR_LOG_LEVEL", "loud", "EMULATOR_LOG_LEVEL=loud: not a log level (debug, info, warning, error)"),
    ("EMULATOR_NO_FIXTURES", "2", "EMULATOR_NO_FIXTURES=2: not a boolean; give one of 1, true, yes, on or 0, "
                                  "false, no, off"),
    ("EMULATOR_QUIET", "maybe", "EMULATOR_QUIET=maybe: not a boolean"),
    ("EMULATOR_COS_FAILURE_RATIO", "1.5", "EMULATOR_COS_FAILURE_RATIO=1.5: not a ratio above 0 and at most 1"),
    ("EMULATOR_COS_FAILURE_MIN_TASKS", "0", "EMULATOR_COS_FAILURE_MIN_TASKS=0: not a whole number, 1 or more"),
    ("EMULATOR_COS_RESTORE_SCALE", "-1", "EMULATOR_COS_RESTORE_SCALE=-1: not a number, 0 or more"),
])
def test_a_bad_variable_is_named_in_its_own_error(monkeypatch, capsys, variable, value, said):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit):
        parse_settings([])
    assert capsys.readouterr().err.startswith(f"cloud-job-emulator: error: {said}")


def test_the_cos_failure_threshold_and_restore_scale_options():
    assert (Settings.cos_failure_min_tasks, Settings.cos_failure_ratio, Settings.cos_restore_scale) == (1000, 0.5, 1.0)
    given = parse_settings(["--cos-failure-min-tasks", "10", "--cos-failure-ratio", "0.25",
                            "--cos-restore-scale", "0.001"])
    assert (given.cos_failure_min_tasks, given.cos_failure_ratio, given.cos_restore_scale) == (10, 0.25, 0.001)
    defaults = parse_settings([])
    assert (defaults.cos_failure_min_tasks, defaults.cos_failure_ratio, defaults.cos_restore_scale) == (1000, 0.5, 1.0)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), ("yes", True), ("On", True),
                                                 ("0", False), ("false", False), ("No", False), ("OFF", False),
                                                 ("", False)])
def test_boolean_variables_take_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("EMULATOR_NO_FIXTURES", value)
    assert parse_settings([]).load_fixtures is not expected


@pytest.mark.parametrize(("file_name", "content", "reason"), [
    ("broken.yaml", b"apiVersion: v1\nkind: Namespace\nmetadata: [unclosed\n", "not valid YAML"),
    ("job.json", b'{"apiVersion": "batch/v1", ', "not valid JSON"),
    ("binary.yaml", b"\xff\xfe\x00not text", "cannot be read"),
])
def test_unparsable_fixture_file_exits_with_one_line_naming_it(tmp_path, file_name, content, reason):
    (tmp_path / file_name).write_bytes(content)
    line = fails("--port", "0", "--fixtures", str(tmp_path))
    assert str(tmp_path / file_name) in line and reason in line


def test_invalid_fixture_job_exits_with_one_line_naming_the_file_and_reason(tmp_path):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "neg", "namespace": "default"},
           "spec": {"parallelism": -1, "selector": {"matchLabels": {"a": "b"}}, "template": {
               "metadata": {"labels": {"a": "b"}},
               "spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}
    (tmp_path / "neg.json").write_text(json.dumps(job))
    line = fails("--port", "0", "--fixtures", str(tmp_path))
    assert str(tmp_path / "neg.json") in line
    assert "spec.parallelism: Invalid value: -1: must be greater than or equal to 0" in line


def test_missing_fixture_folder_exits_with_one_line_naming_it(tmp_path):
    missing = tmp_path / "nowhere"
    assert str(missing) in fails("--port", "0", "--fixtures", str(missing))


def test_port_in_use_exits_with_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = fails("--port", str(port), "--no-fixtures")
    assert str(port) in line


# --- logs ----------------------------------------------------------------------------------------

def request_id(url: str, **headers: str) -> str:
    """Call `url`; the request id its answer carries (the one the journal keeps)."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT) as response:
        return response.headers.get("x-cos-request-id") or response.headers["X-Request-Id"]


def test_start_up_logs_services_source_and_url_and_each_request_with_its_id():
    with running("--port", "0") as (process, url):
        job_path = "/apis/batch/v1/namespaces/namespace-test/jobs/pi"
        kubernetes_id = request_id(url + job_path)
        cos_path = "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae"
        cos_id = request_id(url + cos_path, **{"x-cos-appid": "1250000000"})
        _, stdout, stderr = stop(process, signal.SIGTERM)
    assert stdout == ""
    assert "emulator: services: kubernetes, mrs, cos_batch" in stderr
    assert f"emulator: started from fixtures {ROOT / 'fixtures'}" in stderr
    assert "listening" not in stderr  # said once, on stdout
    assert re.search(rf"INFO emulator.access: GET {re.escape(job_path)} 200 [\d.]+ms {kubernetes_id} "
                     r"kubernetes\.readBatchV1NamespacedJob$", stderr, re.M)
    assert re.search(rf"INFO emulator.access: GET {re.escape(cos_path)} 200 [\d.]+ms {cos_id} cos_batch\.DescribeJob$",
                     stderr, re.M)
    assert re.search(r"INFO emulator: stopped; the state was kept in memory only$", stderr, re.M)


def test_the_log_tells_the_story_of_a_run(tmp_path):
    state = tmp_path / "state.json"
    with running("--port", "0", "--frozen-clock", "2026-01-01T00:00:00Z", "--state-file", str(state)) as (process, url):
        body = json.dumps({"metadata": {"name": "nightly"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}).encode()
        post(f"{url}/apis/batch/v1/namespaces/default/jobs", body)
        post(f"{url}/_emulator/clock", b'{"advance_seconds": 11}')  # 10 s of its container, which starts at 1 s
        post(f"{url}/_emulator/snapshot")
        post(f"{url}/_emulator/reset")
        _, stdout, stderr = stop(process, signal.SIGTERM)
    story = [line.split(" ", 3)[3] for line in stderr.splitlines()
             if " emulator" in line and "emulator.access" not in line]
    assert story[:4] == ["emulator: services: kubernetes, mrs, cos_batch",
                         f"emulator: started from fixtures {ROOT / 'fixtures'}",
                         f"emulator: state is saved to {state} on stop",
                         f"emulator: dashboard: {url}/_emulator/ui; OpenAPI document: {url}/_emulator/openapi.json"]
    assert story[4:7] == [
        "emulator.transitions: kubernetes job default/nightly: Pending -> Running (clock 2026-01-01T00:00:00Z)",
        "emulator.transitions: kubernetes job default/nightly: Running -> Complete (clock 2026-01-01T00:00:11Z)",
        "emulator: clock advanced by 11 s to 2026-01-01T00:00:11Z"]
    assert re.fullmatch(rf"emulator: state saved to {re.escape(str(state))} "
                        r"\(revision \d+, clock 2026-01-01T00:00:11Z\)",
                        story[7])
    assert re.fullmatch(r"emulator: reset: \d+ fixture documents loaded, clock 2026-01-01T00:00:00Z \(frozen\)",
                        story[8])
    assert story[-2].startswith(f"emulator: state saved to {state} ")  # on stop
    assert story[-1] == f"emulator: stopped; the state is in {state}"
    assert "listening" not in stderr and stdout == ""


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_quiet_turns_the_access_log_off_but_not_the_start_up_lines(how):
    args, env = (["--quiet"], {}) if how == "flag" else ([], {"EMULATOR_QUIET": "1"})
    with running("--port", "0", *args, **env) as (process, url):
        get_json(f"{url}/apis/batch/v1/namespaces/namespace-test/jobs/pi")
        _, _, stderr = stop(process, signal.SIGTERM)
    assert "emulator: services: " in stderr
    assert "emulator.access" not in stderr and "namespace-test" not in stderr


# --- every option: a flag, a variable, in --help and in the README's table ---------------------------

def readme_options() -> dict[str, str]:
    """The README's Options table: flag -> variable."""
    section = (ROOT / "README.md").read_text().split("\n## Options\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `--")]
    return {flag.strip().strip("`").split()[0]: variable.strip().strip("`").split("=")[0] for flag, variable in rows}


def test_every_option_has_a_variable_and_a_row_in_the_readme():
    from emulator.cli import build_parser

    parser = build_parser()
    options = {action.option_strings[0]: action.help for action in parser._actions
               if action.option_strings[0] not in ("-h", "--version")}
    table = readme_options()
    assert set(table) == set(options)
    for flag, text in options.items():
        assert f"({table[flag]}" in text, (flag, text)  # the help names the same variable as the README
        assert table[flag] == "EMULATOR_" + flag[2:].upper().replace("-", "_")
