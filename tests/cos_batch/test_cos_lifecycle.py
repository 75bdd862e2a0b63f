"""The job state machine on a frozen clock: automatic steps, confirmation, progress, and reset."""
from __future__ import annotations

from datetime import datetime, timezone

from cos_support import ACTIVE_ID, APPID, STEP_SECONDS, Cos, error_of, request_tree, xml

from emulator.runtime.emulator import EMULATOR
from emulator.core.clock import Clock
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.services.protocol import Core
from emulator.services.cos_batch.service import CosBatchService
from emulator.services.cos_batch.fixtures import create_job_request
from emulator.settings import Settings


def progress(job: dict) -> tuple[int, int, int]:
    summary = job["ProgressSummary"]
    return (int(summary["NumberOfTasksFailed"]), int(summary["NumberOfTasksSucceeded"]),
            int(summary["TotalNumberOfTasks"]))


async def test_confirmed_job_lives_to_complete_then_refuses_cancel(cos: Cos) -> None:
    """The issue's lifecycle: create with ConfirmationRequired, advance to Suspended, confirm with
    Ready, advance to Complete, then a Cancelled request is InvalidRequest."""
    job_id = await cos.create(ConfirmationRequired="true")
    job = await cos.describe(job_id)
    assert (job["Status"], job["CreationTime"], progress(job)) == ("New", "2026-01-01T00:00:00Z", (0, 0, 0))
    assert job["ConfirmationRequired"] == "true"

    await cos.advance(STEP_SECONDS)
    assert await cos.status_of(job_id) == "Preparing"
    await cos.advance(STEP_SECONDS)
    job = await cos.describe(job_id)
    assert (job["Status"], job["SuspendedDate"], progress(job)) == ("Suspended", "2026-01-01T00:00:04Z", (0, 0, 10))
    assert job["SuspendedCause"]
    await cos.advance(100 * STEP_SECONDS)
    assert await cos.status_of(job_id) == "Suspended"  # waits for the user, however long

    code, body, _ = await cos.update_status(job_id, "Ready", "looks right")
    assert (code, xml(body)["UpdateJobStatusResult"]["Status"]) == (200, "Ready")

    seen = []
    for _ in range(3):
        await cos.advance(STEP_SECONDS)
        seen.append(await cos.status_of(job_id))
    assert seen == ["Active", "Completing", "Complete"]
    job = await cos.describe(job_id)
    assert job["TerminationDate"] == "2026-01-01T00:03:30Z"  # 4 s + 200 s waiting + 3 steps
    assert job["StatusUpdateReason"] == "Job complete"
    assert progress(job) == (0, 10, 10)

    code, body, _ = await cos.update_status(job_id, "Cancelled")
    assert (code, error_of(body)) == (400, ("InvalidRequest", "The specified job has already been completed"))
    assert await cos.status_of(job_id) == "Complete"


async def test_unconfirmed_job_runs_through_every_step(cos: Cos) -> None:
    job_id = await cos.create()
    seen = []
    for _ in range(5):
        await cos.advance(STEP_SECONDS)
        seen.append(await cos.status_of(job_id))
    assert seen == ["Preparing", "Ready", "Active", "Completing", "Complete"]
    job = await cos.describe(job_id)
    assert "SuspendedDate" not in job and "SuspendedCause" not in job
    assert job["TerminationDate"] == "2026-01-01T00:00:10Z"


async def test_one_advance_applies_every_due_step_at_its_own_time(cos: Cos) -> None:
    job_id = await cos.create()
    await cos.advance(3600)
    job = await cos.describe(job_id)
    assert job["Status"] == "Complete"
    assert job["TerminationDate"] == "2026-01-01T00:00:10Z"  # when it was due, not where the clock went


async def test_reading_never_moves_a_job(cos: Cos) -> None:
    job_id = await cos.create()
    for _ in range(5):
        assert await cos.status_of(job_id) == "New"
        status, body, _ = await cos.call("GET", "/jobs")
        assert status == 200 and job_id.encode() in body
    await cos.advance(STEP_SECONDS - 1)
    assert await cos.status_of(job_id) == "New"


async def test_priority_change_does_not_disturb_the_schedule(cos: Cos) -> None:
    job_id = await cos.create()
    await cos.advance(STEP_SECONDS)
    status, _, _ = await cos.call("POST", f"/jobs/{job_id}/priority", params={"priority": "99"})
    assert status == 200
    await cos.advance(STEP_SECONDS)
    job = await cos.describe(job_id)
    assert (job["Status"], job["Priority"]) == ("Ready", "99")


async def test_reset_reloads_fixtures_and_reschedules_mid_lifecycle_jobs(cos: Cos) -> None:
    created = await cos.create()
    await cos.advance(3600)
    assert await cos.status_of(ACTIVE_ID) == "Completing"  # the fixture's hour in Active is over
    response = await cos.client.post("/_emulator/reset")
    assert response.status == 200
    assert (await cos.call("GET", f"/jobs/{created}"))[0] == 404
    assert await cos.status_of(ACTIVE_ID) == "Active"
    await cos.advance(3599)
    assert await cos.status_of(ACTIVE_ID) == "Active"
    await cos.advance(1)
    job = await cos.describe(ACTIVE_ID)
    assert (job["Status"], progress(job)) == ("Completing", (0, 10, 10))
    await cos.advance(STEP_SECONDS)
    assert (await cos.describe(ACTIVE_ID))["TerminationDate"] == "2026-01-01T01:00:02Z"


def test_step_time_is_configurable() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    core = Core(Store(), Clock(start, frozen=True), Ids(1), Settings())
    service = CosBatchService(core, step_seconds=7)
    job = service.jobs.create(APPID, create_job_request({"CreateJobRequest": request_tree()}))
    core.clock.advance(6)
    assert service.jobs.get(APPID, job["JobId"])["Status"] == "New"
    core.clock.advance(1)
    assert service.jobs.get(APPID, job["JobId"])["Status"] == "Preparing"
    core.clock.advance(7 * 4)
    assert service.jobs.get(APPID, job["JobId"])["TerminationDate"] == "2026-01-01T00:00:35Z"


def test_step_time_comes_from_the_setting() -> None:
    settings = Settings(cos_step_seconds=11.0)
    core = Core(Store(), Clock(datetime(2026, 1, 1, tzinfo=timezone.utc), frozen=True), Ids(1), settings)
    assert CosBatchService(core).jobs.step_seconds == 11.0
    assert CosBatchService(core, step_seconds=3).jobs.step_seconds == 3


async def test_a_step_scheduled_before_a_cancel_does_not_fire_after_it(cos: Cos) -> None:
    """Active -> Completing was due one second after the cancel; only the Cancelling step may run."""
    job_id = await cos.create()
    await cos.advance(3 * STEP_SECONDS)
    assert await cos.status_of(job_id) == "Active"
    await cos.advance(STEP_SECONDS / 2)
    assert (await cos.update_status(job_id, "Cancelled"))[0] == 200
    await cos.advance(STEP_SECONDS / 2)
    assert await cos.status_of(job_id) == "Cancelling"
    await cos.advance(STEP_SECONDS / 2)
    job = await cos.describe(job_id)
    assert (job["Status"], job["TerminationDate"]) == ("Cancelled", "2026-01-01T00:00:09Z")
    assert int(job["ProgressSummary"]["NumberOfTasksSucceeded"]) == 0


async def test_jobs_cancelled_or_deleted_leave_no_step_on_a_frozen_clock(cos: Cos, client) -> None:
    """One scheduled step per unfinished job, never one per change or per deleted job."""
    clock = client.app[EMULATOR].core.clock
    before = clock.pending()
    ids = [await cos.create(ClientRequestToken=f"token-{n}") for n in range(40)]
    assert clock.pending() == before + 40
    for job_id in ids[::2]:  # a new job cancelled is finished at once: it has no next step
        assert (await cos.update_status(job_id, "Cancelled"))[0] == 200
        assert await cos.status_of(job_id) == "Cancelled"
    assert clock.pending() == before + 20
    for job_id in ids[1::2]:
        assert (await cos.call("DELETE", f"/jobs/{job_id}"))[0] == 204
    assert clock.pending() == before
