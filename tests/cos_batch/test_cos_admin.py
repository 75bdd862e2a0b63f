"""COS jobs through the shared admin API: transitions to any status along the state machine, and restarts."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import xmltodict

from emulator.runtime.emulator import Emulator
from emulator.settings import Settings

APPID = "1250000000"
SUSPENDED = "f6b885a7-4312-455e-ac70-05d1d5be4cb7"
ACTIVE = "006c1698-bbf3-4ccf-aa23-12aeec330857"
COMPLETE = "53dc6228-c50b-46f7-8ad7-65e7159f1aae"


async def describe(client, job_id: str) -> dict:
    response = await client.get(f"/jobs/{job_id}", headers={"x-cos-appid": APPID})
    return xmltodict.parse(await response.read())["DescribeJobResult"]["Job"]


async def transition(client, job_id: str, status: str):
    return await client.post("/_emulator/transitions", json={
        "service": "cos_batch", "appid": APPID, "job_id": job_id, "status": status})


async def test_a_transition_walks_the_state_machine_with_each_steps_effects(client):
    response = await transition(client, SUSPENDED, "Complete")
    assert (response.status, await response.json()) == (200, {"service": "cos_batch", "id": SUSPENDED,
                                                              "status": "Complete"})
    job = await describe(client, SUSPENDED)
    assert job["Status"] == "Complete"
    assert job["StatusUpdateReason"] == "Job complete"
    assert job["TerminationDate"] == "2026-01-01T00:00:00Z"
    assert job["ProgressSummary"]["NumberOfTasksSucceeded"] == job["ProgressSummary"]["TotalNumberOfTasks"]


async def test_a_transition_can_fail_an_active_job(client):
    assert (await transition(client, ACTIVE, "Failed")).status == 200
    assert (await describe(client, ACTIVE))["Status"] == "Failed"


@pytest.mark.parametrize(("job_id", "status"), [(COMPLETE, "Active"), (SUSPENDED, "New")])
async def test_an_impossible_move_is_409_with_a_reason(client, job_id, status):
    before = await describe(client, job_id)
    response = await transition(client, job_id, status)
    assert response.status == 409 and "never takes it to" in (await response.json())["message"]
    assert await describe(client, job_id) == before


async def test_unknown_status_or_job_is_refused(client):
    assert (await transition(client, ACTIVE, "Finished")).status == 400
    assert (await transition(client, "00000000-0000-4000-8000-000000000000", "Complete")).status == 404


def history(emulator: Emulator, seconds: int) -> list[tuple[str, str, str | None]]:
    """Each second for `seconds`: the clock, the job's status and its TerminationDate."""
    book, seen = emulator.services["cos_batch"].jobs, []
    for _ in range(seconds):
        emulator.core.clock.advance(1)
        job = book.get(APPID, SUSPENDED)
        seen.append((emulator.core.clock.now().isoformat(), job["Status"], job["TerminationDate"]))
    return seen


def test_a_restart_from_a_snapshot_continues_the_jobs_steps_at_their_due_times():
    settings = Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True, cos_step_seconds=2)
    before = Emulator(settings)
    before.services["cos_batch"].jobs.update_status(APPID, SUSPENDED, "Ready", None)  # Active is due 2 s later
    before.core.clock.advance(1)
    snapshot = json.loads(json.dumps(before.core.store.snapshot()))  # as the state file keeps it
    now = before.core.clock.now()

    after = Emulator(Settings(**{**vars(settings), "load_fixtures": False}))
    after.core.store.restore(snapshot)
    after.core.clock.set(now)
    after.services["cos_batch"].restored()
    steps = history(before, 8)
    assert history(after, 8) == steps  # the same times as without the restart, not a step after it
    assert [status for _, status, _ in steps[:3]] == ["Active", "Active", "Completing"]
    assert steps[-1][1:] == ("Complete", "2026-01-01T00:00:06Z")


def test_a_snapshot_from_before_steps_were_kept_still_moves_its_jobs_on():
    settings = Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True, cos_step_seconds=2,
                        load_fixtures=False)
    before = Emulator(Settings(**{**vars(settings), "load_fixtures": True}))
    before.services["cos_batch"].jobs.update_status(APPID, SUSPENDED, "Ready", None)
    snapshot = before.core.store.snapshot()
    del snapshot["collections"]["cos_job_steps"]
    after = Emulator(settings)
    after.core.store.restore(snapshot)
    after.services["cos_batch"].restored()
    assert [status for _, status, _ in history(after, 2)] == ["Ready", "Active"]  # a step after the restart
