"""UpdateJobStatus (seed 004): the decision table row by row, the seed's result shape, limits and check order."""
from __future__ import annotations

import pytest
import seed_examples
from cos_support import (ACTIVE_ID, ALL_STATUSES, CANCELLED_ID, COMPLETE_ID, OTHER_APPID, STEP_SECONDS,
                         SUSPENDED_ID, Cos, error_of, status_job_id, xml)

ALREADY_COMPLETED = "The specified job has already been completed"
STATUS_CHANGE = "Error with the job status change"
REQUESTED_INVALID = "The value of the requestedJobStatus parameter must be Cancelled or Ready"
NO_SUCH_JOB = "The specified job does not exist or has already been completed"

# The decision table of the spec (6.4), written out here rather than imported so it can disagree.
CONFIRMED = {"Suspended": "Ready"}
CANCELLED = {"New": "Cancelled", "Preparing": "Cancelled", "Suspended": "Cancelled", "Ready": "Cancelled",
             "Active": "Cancelling", "Pausing": "Cancelling", "Paused": "Cancelling"}
FINISHED = {"Complete", "Cancelled", "Failed"}


def expected(status: str, requested: str) -> tuple[int, str | None, str | None]:
    """(HTTP status, error code, message) or (200, new status, None)."""
    if status in FINISHED:
        return 400, "InvalidRequest", ALREADY_COMPLETED
    moved = (CONFIRMED if requested == "Ready" else CANCELLED).get(status)
    if moved is None:
        return 400, "InvalidRequest", STATUS_CHANGE
    return 200, moved, None


@pytest.mark.parametrize("requested", ["Ready", "Cancelled"])
@pytest.mark.parametrize("status", ALL_STATUSES)
async def test_decision_table_row(every_status: Cos, status: str, requested: str) -> None:
    job_id = status_job_id(status)
    before = await every_status.describe(job_id)
    code, body, _ = await every_status.update_status(job_id, requested, "row under test")
    want_status, want_code_or_status, want_message = expected(status, requested)
    assert code == want_status, body
    after = await every_status.describe(job_id)
    if want_status == 200:
        assert xml(body)["UpdateJobStatusResult"] == {
            "JobId": job_id, "Status": want_code_or_status, "StatusUpdateReason": "row under test"}
        assert after["Status"] == want_code_or_status
        assert after["StatusUpdateReason"] == "row under test"
        assert ("TerminationDate" in after) == (want_code_or_status == "Cancelled")
    else:
        assert error_of(body) == (want_code_or_status, want_message)
        assert after == before  # a refused change leaves the job exactly as it was


def seed_result_example() -> dict:
    """The UpdateJobStatusResult of seed 004's response body, parsed."""
    examples = seed_examples.seed(4)
    assert examples, "seed 004 has no UpdateJobStatusResult example"
    return xml(examples[-1])


async def test_result_has_the_seed_example_shape(cos: Cos) -> None:
    code, body, headers = await cos.update_status(SUSPENDED_ID, "Ready", "to do")
    assert code == 200
    seed = seed_result_example()
    ours = xml(body)
    assert list(ours) == list(seed) == ["UpdateJobStatusResult"]
    assert list(ours["UpdateJobStatusResult"]) == list(seed["UpdateJobStatusResult"])
    filled = {key: "string" for key in ours["UpdateJobStatusResult"]}
    assert {"UpdateJobStatusResult": filled} == seed
    assert ours["UpdateJobStatusResult"] == {"JobId": SUSPENDED_ID, "Status": "Ready", "StatusUpdateReason": "to do"}
    assert headers["Content-Type"] == "application/xml"


async def test_result_byte_layout(cos: Cos) -> None:
    code, body, _ = await cos.update_status(SUSPENDED_ID, "Cancelled", "no")
    assert code == 200
    assert body == (b"<UpdateJobStatusResult>\n\t<JobId>f6b885a7-4312-455e-ac70-05d1d5be4cb7</JobId>\n"
                    b"\t<Status>Cancelled</Status>\n\t<StatusUpdateReason>no</StatusUpdateReason>\n"
                    b"</UpdateJobStatusResult>")


async def test_every_bundled_branch_at_start_up(cos: Cos) -> None:
    """The four bundled jobs answer the four kinds of outcome seed 004 documents."""
    assert (await cos.update_status(SUSPENDED_ID, "Ready"))[0] == 200
    code, body, _ = await cos.update_status(ACTIVE_ID, "Cancelled")
    assert code == 200 and xml(body)["UpdateJobStatusResult"]["Status"] == "Cancelling"
    for finished in (COMPLETE_ID, CANCELLED_ID):
        code, body, _ = await cos.update_status(finished, "Cancelled")
        assert (code, error_of(body)) == (400, ("InvalidRequest", ALREADY_COMPLETED))
    code, body, _ = await cos.update_status("00000000-0000-4000-8000-000000000000", "Cancelled")
    assert (code, error_of(body)) == (404, ("NoSuchJob", NO_SUCH_JOB))


async def test_cancelling_an_active_job_finishes_one_step_later(cos: Cos) -> None:
    code, body, _ = await cos.update_status(ACTIVE_ID, "Cancelled", "stop")
    assert xml(body)["UpdateJobStatusResult"]["Status"] == "Cancelling"
    assert "TerminationDate" not in await cos.describe(ACTIVE_ID)
    await cos.advance(STEP_SECONDS - 1)
    assert await cos.status_of(ACTIVE_ID) == "Cancelling"
    await cos.advance(1)
    job = await cos.describe(ACTIVE_ID)
    assert (job["Status"], job["TerminationDate"], job["StatusUpdateReason"]) == (
        "Cancelled", "2026-01-01T00:00:02Z", "stop")
    assert job["ProgressSummary"]["NumberOfTasksSucceeded"] == "4"  # what had run before the cancel


async def test_cancelling_a_ready_job_stops_its_pending_step(cos: Cos) -> None:
    assert (await cos.update_status(SUSPENDED_ID, "Ready"))[0] == 200
    assert (await cos.update_status(SUSPENDED_ID, "Cancelled"))[0] == 200
    await cos.advance(10 * STEP_SECONDS)
    job = await cos.describe(SUSPENDED_ID)
    assert (job["Status"], job["TerminationDate"]) == ("Cancelled", "2026-01-01T00:00:00Z")


async def test_confirming_keeps_suspended_date_and_cause(cos: Cos) -> None:
    before = await cos.describe(SUSPENDED_ID)
    await cos.update_status(SUSPENDED_ID, "Ready")
    after = await cos.describe(SUSPENDED_ID)
    assert after["Status"] == "Ready"
    assert (after["SuspendedDate"], after["SuspendedCause"]) == (before["SuspendedDate"], before["SuspendedCause"])


async def test_reason_is_optional_and_the_previous_one_stays(cos: Cos) -> None:
    code, body, _ = await cos.update_status(SUSPENDED_ID, "Ready")
    assert xml(body)["UpdateJobStatusResult"] == {"JobId": SUSPENDED_ID, "Status": "Ready",
                                                  "StatusUpdateReason": None}
    assert b"<StatusUpdateReason/>" in body
    await cos.update_status(SUSPENDED_ID, "Cancelled", "first")
    assert (await cos.describe(SUSPENDED_ID))["StatusUpdateReason"] == "first"


async def test_reason_is_decoded_from_the_query(cos: Cos) -> None:
    code, body, _ = await cos.call(
        "POST", f"/jobs/{SUSPENDED_ID}/status?requestedJobStatus=Cancelled"
                "&statusUpdateReason=no+longer+needed+%26+ok%2F100%25")
    assert code == 200
    assert xml(body)["UpdateJobStatusResult"]["StatusUpdateReason"] == "no longer needed & ok/100%"


@pytest.mark.parametrize("reason, accepted", [
    ("", True),
    ("r" * 256, True),
    ("r" * 257, False),
    ("é" * 128, True),   # 256 bytes in UTF-8
    ("é" * 128 + "r", False),
    ("bell\x07", False),  # would make the XML answer invalid
])
async def test_reason_limit_in_bytes(cos: Cos, reason: str, accepted: bool) -> None:
    code, body, _ = await cos.update_status(SUSPENDED_ID, "Ready", reason)
    if accepted:
        assert code == 200, body
        assert (xml(body)["UpdateJobStatusResult"]["StatusUpdateReason"] or "") == reason
    else:
        assert (code, error_of(body)[0]) == (400, "InvalidArgument")
        assert await cos.status_of(SUSPENDED_ID) == "Suspended"


@pytest.mark.parametrize("query", ["", "?requestedJobStatus=", "?requestedJobStatus=ready",
                                   "?requestedJobStatus=Complete", "?requestedJobStatus=Cancelling",
                                   "?requestedJobStatus=Ready%20", "?requestedjobstatus=Ready"])
async def test_requested_status_must_be_ready_or_cancelled(cos: Cos, query: str) -> None:
    code, body, _ = await cos.call("POST", f"/jobs/{SUSPENDED_ID}/status{query}")
    assert (code, error_of(body)) == (400, ("InvalidArgument", REQUESTED_INVALID))
    assert await cos.status_of(SUSPENDED_ID) == "Suspended"


async def test_checks_run_in_the_spec_order(cos: Cos) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    long_reason = "r" * 257
    # 1. the APPID before anything else
    response = await cos.client.post(f"/jobs/{unknown}/status?requestedJobStatus=bad")
    assert (response.status, error_of(await response.read())) == (
        400, ("InvalidArgument", "x-cos-appid cannot be empty"))
    # 2. the JobId before the parameters
    code, body, _ = await cos.call("POST", "/jobs//status?requestedJobStatus=bad")
    assert (code, error_of(body)) == (400, ("InvalidRequest", "No job ID is provided"))
    # 3. requestedJobStatus before the reason and before looking the job up
    code, body, _ = await cos.update_status(unknown, "bad", long_reason)
    assert (code, error_of(body)) == (400, ("InvalidArgument", REQUESTED_INVALID))
    # 4. the reason before looking the job up
    code, body, _ = await cos.update_status(unknown, "Ready", long_reason)
    assert (code, error_of(body)[0]) == (400, "InvalidArgument")
    # 5. an unknown job before any transition rule
    code, body, _ = await cos.update_status(unknown, "Ready")
    assert (code, error_of(body)) == (404, ("NoSuchJob", NO_SUCH_JOB))
    # 6. finished before "status change"
    code, body, _ = await cos.update_status(COMPLETE_ID, "Ready")
    assert (code, error_of(body)) == (400, ("InvalidRequest", ALREADY_COMPLETED))


async def test_a_job_of_another_appid_does_not_exist(client) -> None:
    other = Cos(client, OTHER_APPID)
    code, body, _ = await other.update_status(SUSPENDED_ID, "Ready")
    assert (code, error_of(body)[0]) == (404, "NoSuchJob")
    assert await Cos(client).status_of(SUSPENDED_ID) == "Suspended"
