"""The log tells the story: automatic job changes, clock moves, resets, snapshots, and why a 4xx (issue #18)."""
from __future__ import annotations

import logging
import re

from emulator.runtime.emulator import Emulator
from emulator.settings import Settings

JOBS = "/apis/batch/v1/namespaces/default/jobs"
JOB = {"metadata": {"name": "nightly"}, "spec": {"template": {"spec": {
    "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}


def messages(caplog, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


async def test_each_automatic_kubernetes_change_is_one_info_line(client, caplog):
    caplog.set_level(logging.INFO, logger="emulator")
    assert (await client.post(JOBS, json=JOB)).status == 201
    await client.post("/_emulator/clock", json={"advance_seconds": 11})  # 10 s of its container, which starts at 1 s
    assert messages(caplog, "emulator.transitions") == [
        "kubernetes job default/nightly: Pending -> Running (clock 2026-01-01T00:00:00Z)",  # due at creation
        "kubernetes job default/nightly: Running -> Complete (clock 2026-01-01T00:00:11Z)",
    ]
    assert "clock advanced by 11 s to 2026-01-01T00:00:11Z" in messages(caplog, "emulator")
    history = await (await client.get("/_emulator/collections/job_transitions",
                                      params={"scope": "kubernetes", "name": "default/nightly"})).json()
    assert history["items"][0]["object"]["steps"] == [
        {"at": "2026-01-01T00:00:00Z", "from": "Pending", "to": "Running"},
        {"at": "2026-01-01T00:00:11Z", "from": "Running", "to": "Complete"}]


async def test_each_automatic_cos_change_is_one_info_line(client, caplog):
    """The bundled Active COS job completes an hour after the start, a step apart."""
    caplog.set_level(logging.INFO, logger="emulator")
    await client.post("/_emulator/clock", json={"advance_seconds": 3600 + 2})
    job = "1250000000/006c1698-bbf3-4ccf-aa23-12aeec330857"
    assert messages(caplog, "emulator.transitions") == [
        f"cos_batch job {job}: Active -> Completing (clock 2026-01-01T01:00:00Z)",
        f"cos_batch job {job}: Completing -> Complete (clock 2026-01-01T01:00:02Z)"]


async def test_clock_moves_resets_and_snapshots_are_logged(aiohttp_client, make_app, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="emulator")
    client = await aiohttp_client(make_app(state_file=tmp_path / "state.json"))
    await client.post("/_emulator/clock", json={"set": "2026-01-02T00:00:00Z"})
    await client.post("/_emulator/clock", json={"frozen": False})
    await client.post("/_emulator/clock", json={"frozen": True})
    await client.post("/_emulator/reset", json={"fixtures": False})
    await client.post("/_emulator/snapshot")
    lines = messages(caplog, "emulator")
    assert "clock set: 2026-01-01T00:00:00Z -> 2026-01-02T00:00:00Z" in lines
    assert any(line.startswith("clock running at 2026-01-02T00:00:0") for line in lines)
    assert any(line.startswith("clock frozen at 2026-01-02T00:00:0") for line in lines)
    assert "reset: empty, clock 2026-01-01T00:00:00Z (frozen)" in lines
    assert any(re.fullmatch(rf"state saved to {re.escape(str(tmp_path / 'state.json'))} \(revision \d+, "
                            r"clock 2026-01-01T00:00:00Z\)", line) for line in lines)


async def test_debug_says_why_a_4xx_was_answered(client, caplog):
    caplog.set_level(logging.DEBUG, logger="emulator")
    assert (await client.get(JOBS + "/nope")).status == 404
    assert (await client.post("/_emulator/clock", json={"advance_seconds": -1})).status == 400
    lines = messages(caplog, "emulator")
    assert f"GET {JOBS}/nope answered 404 NotFound: jobs.batch \"nope\" not found" in lines
    assert 'POST /_emulator/clock answered 400 BadRequest: "advance_seconds" must be a number of seconds, 0 or more' \
        in lines


async def test_debug_says_why_for_every_service_and_for_an_injected_answer(client, caplog):
    caplog.set_level(logging.DEBUG, logger="emulator")
    project = "5a3314075bfa49b9ae360f4ecd333695"
    assert (await client.get(f"/v1.1/{project}/jobs/nope", headers={"X-Auth-Token": "any"})).status == 404
    assert (await client.get("/jobs/nope", headers={"x-cos-appid": "1250000000"})).status == 404
    await client.post("/_emulator/faults", json={"service": "kubernetes", "status": 429, "error_code": "TooMany"})
    assert (await client.get(JOBS)).status == 429
    lines = [line for line in messages(caplog, "emulator") if " answered 4" in line]
    assert lines[0].startswith(f"GET /v1.1/{project}/jobs/nope answered 404 ")
    assert lines[1].startswith("GET /jobs/nope answered 404 NoSuchJob")
    assert lines[2] == f"GET {JOBS} answered 429 TooMany: fault rule 1"
    assert len(lines) == 3


async def test_info_says_nothing_of_4xx(client, caplog):
    caplog.set_level(logging.INFO, logger="emulator")
    await client.get(JOBS + "/nope")
    assert not [line for line in messages(caplog, "emulator") if "answered 404" in line]


def test_a_jobs_history_keeps_its_newest_steps_and_the_jobs_with_history_are_bounded():
    from datetime import datetime, timedelta, timezone

    from emulator.core import transitions
    from emulator.core.store import Store

    store, start = Store(), datetime(2026, 1, 1, tzinfo=timezone.utc)
    for step in range(transitions.STEPS_PER_JOB + 5):
        transitions.report(store, "cos_batch", "a/one", f"S{step}", f"S{step + 1}", start + timedelta(seconds=step))
    steps = store.collection(transitions.HISTORY).get("cos_batch", "a/one")["steps"]
    assert len(steps) == transitions.STEPS_PER_JOB and steps[-1]["to"] == f"S{transitions.STEPS_PER_JOB + 5}"
    for number in range(transitions.JOBS_WITH_HISTORY):
        transitions.report(store, "cos_batch", f"a/{number:05d}", "New", "Preparing", start + timedelta(seconds=number))
    history = store.collection(transitions.HISTORY)
    assert len(history) <= transitions.JOBS_WITH_HISTORY
    assert history.get("cos_batch", "a/09999") is not None and history.get("cos_batch", "a/00000") is None


def test_an_empty_fixture_folder_is_a_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="emulator")
    Emulator(Settings(fixtures=tmp_path))
    assert messages(caplog, "emulator") == [f"the fixture folder {tmp_path} holds no fixture documents: starting empty"]


async def test_each_automatic_mrs_change_is_one_info_line(client, caplog):
    """A v2 job execution walks NEW -> ... -> RUNNING -> FINISHED on the clock, a line per step."""
    caplog.set_level(logging.INFO, logger="emulator")
    project, cluster = "5a3314075bfa49b9ae360f4ecd333695", "bc134369-294c-42b7-a707-b2036ba38524"
    submitted = await client.post(f"/v2/{project}/clusters/{cluster}/job-executions",
                                  json={"job_type": "SparkSubmit", "job_name": "story", "arguments": ["x"]},
                                  headers={"X-Auth-Token": "any"})
    assert submitted.status == 200, await submitted.text()
    job_id = (await submitted.json())["job_submit_result"]["job_id"]
    await client.post("/_emulator/clock", json={"advance_seconds": 60})
    lines = messages(caplog, "emulator.transitions")
    assert [line.split(": ", 1)[1].split(" (")[0] for line in lines if job_id in line] == [
        "NEW -> NEW_SAVING", "NEW_SAVING -> SUBMITTED", "SUBMITTED -> ACCEPTED", "ACCEPTED -> RUNNING",
        "RUNNING -> FINISHED"]
    assert all(line.startswith(f"mrs job {project}/{job_id}: ") for line in lines if job_id in line)
