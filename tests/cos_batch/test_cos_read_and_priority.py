"""DescribeJob, ListJobs, UpdateJobPriority and DeleteJob: shapes, paging, limits and errors."""
from __future__ import annotations

from pathlib import Path

import pytest
from cos_support import (ACTIVE_ID, CANCELLED_ID, COMPLETE_ID, OTHER_APPID, STEP_SECONDS, SUSPENDED_ID, Cos,
                         error_of, xml)

# The real DescribeJob response printed in Tencent's docs (spec 3.1): 1555 bytes, no final newline.
CAPTURE = Path(__file__).parent / "data" / "describe_job_capture.xml"
FIXTURE_ORDER = [COMPLETE_ID, SUSPENDED_ID, ACTIVE_ID, CANCELLED_ID]  # by CreationTime
NO_SUCH_JOB_OR_FINISHED = "The specified job does not exist or has already been completed"


def members(body: bytes) -> list[dict]:
    jobs = xml(body)["ListJobsResult"]["Jobs"]
    if jobs is None:
        return []
    found = jobs["member"]
    return found if isinstance(found, list) else [found]


def ids(body: bytes) -> list[str]:
    return [member["JobId"] for member in members(body)]


# --- DescribeJob ---------------------------------------------------------------------------------

async def test_describe_reproduces_the_real_capture_byte_for_byte(cos: Cos) -> None:
    status, body, headers = await cos.call("GET", f"/jobs/{COMPLETE_ID}")
    expected = CAPTURE.read_bytes()
    assert len(expected) == 1555
    assert status == 200
    assert xml(body) == xml(expected)  # as structures first, for a readable difference
    assert body == expected
    assert headers["Content-Length"] == "1555"


async def test_describe_shows_suspension_and_no_termination_while_unfinished(cos: Cos) -> None:
    job = await cos.describe(SUSPENDED_ID)
    assert (job["Status"], job["SuspendedDate"], job["ConfirmationRequired"]) == (
        "Suspended", "2025-12-31T09:00:04Z", "true")
    assert job["SuspendedCause"]
    assert "TerminationDate" not in job and "StatusUpdateReason" not in job
    assert list(job)[-3:] == ["Status", "SuspendedCause", "SuspendedDate"]


async def test_describe_unknown_and_empty_ids(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", "/jobs/00000000-0000-4000-8000-000000000000")
    assert (status, error_of(body)) == (404, ("NoSuchJob", "The specified job does not exist"))
    status, body, _ = await cos.call("GET", "/jobs/")
    assert (status, error_of(body)) == (400, ("InvalidRequest", "No job ID is provided"))


async def test_describe_follows_changes_after_being_read(cos: Cos) -> None:
    """The rendering is cached per stored version; a change must still show."""
    first = await cos.describe(SUSPENDED_ID)
    await cos.call("POST", f"/jobs/{SUSPENDED_ID}/priority", params={"priority": "77"})
    second = await cos.describe(SUSPENDED_ID)
    assert (first["Priority"], second["Priority"]) == ("10", "77")


# --- ListJobs ------------------------------------------------------------------------------------

async def test_list_shows_the_fixture_jobs_in_creation_order(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", "/jobs")
    assert status == 200
    assert ids(body) == FIXTURE_ORDER
    assert "NextToken" not in xml(body)["ListJobsResult"]
    first, _, active, _ = members(body)
    assert list(first) == ["CreationTime", "Description", "JobId", "Operation", "Priority", "ProgressSummary",
                           "Status", "TerminationDate"]
    assert first == {
        "CreationTime": "2019-12-19T18:00:30Z", "Description": "example-job", "JobId": COMPLETE_ID,
        "Operation": "COSPutObjectCopy", "Priority": "10",
        "ProgressSummary": {"NumberOfTasksFailed": "0", "NumberOfTasksSucceeded": "10", "TotalNumberOfTasks": "10"},
        "Status": "Complete", "TerminationDate": "2019-12-19T18:00:42Z"}
    assert (active["Operation"], "TerminationDate" in active) == ("COSInitiateRestoreObject", False)


async def test_list_pages_with_next_token(cos: Cos) -> None:
    seen: list[str] = []
    params = {"maxResults": "3"}
    status, body, _ = await cos.call("GET", "/jobs", params=params)
    page = ids(body)
    assert page == FIXTURE_ORDER[:3]
    assert xml(body)["ListJobsResult"]["NextToken"] == page[-1]
    seen += page
    status, body, _ = await cos.call("GET", "/jobs", params={"maxResults": "3", "nextToken": page[-1]})
    assert ids(body) == FIXTURE_ORDER[3:]
    assert "NextToken" not in xml(body)["ListJobsResult"]
    seen += ids(body)
    assert seen == FIXTURE_ORDER


async def test_list_exactly_one_full_page_has_no_next_token(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", "/jobs", params={"maxResults": "4"})
    assert ids(body) == FIXTURE_ORDER and "NextToken" not in xml(body)["ListJobsResult"]


async def test_list_filters_by_status(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", "/jobs", params={"jobStatuses": "Suspended"})
    assert ids(body) == [SUSPENDED_ID]
    status, body, _ = await cos.call("GET", "/jobs", params={"jobStatuses": "Complete,Cancelled"})
    assert ids(body) == [COMPLETE_ID, CANCELLED_ID]
    status, body, _ = await cos.call("GET", "/jobs", params=[("jobStatuses", "Active"), ("jobStatuses", "Complete")])
    assert ids(body) == [COMPLETE_ID, ACTIVE_ID]
    status, body, _ = await cos.call("GET", "/jobs", params={"jobStatuses": "Failed"})
    assert body == b"<ListJobsResult>\n\t<Jobs/>\n</ListJobsResult>"


async def test_list_filter_with_paging(cos: Cos) -> None:
    params = {"jobStatuses": "Complete,Active,Cancelled", "maxResults": "1"}
    status, body, _ = await cos.call("GET", "/jobs", params=params)
    assert ids(body) == [COMPLETE_ID]
    status, body, _ = await cos.call("GET", "/jobs", params={**params, "nextToken": COMPLETE_ID})
    assert ids(body) == [ACTIVE_ID] and xml(body)["ListJobsResult"]["NextToken"] == ACTIVE_ID


async def test_list_follows_status_changes(cos: Cos) -> None:
    await cos.update_status(SUSPENDED_ID, "Ready")
    await cos.advance(STEP_SECONDS)
    status, body, _ = await cos.call("GET", "/jobs", params={"jobStatuses": "Active"})
    assert ids(body) == [SUSPENDED_ID, ACTIVE_ID]


async def test_list_of_another_appid_is_empty(client) -> None:
    status, body, _ = await Cos(client, OTHER_APPID).call("GET", "/jobs")
    assert (status, body) == (200, b"<ListJobsResult>\n\t<Jobs/>\n</ListJobsResult>")


@pytest.mark.parametrize("params, message", [
    ({"jobStatuses": "Done"}, "Parameter jobStatuses is invalid"),
    ({"jobStatuses": "complete"}, "Parameter jobStatuses is invalid"),
    ({"jobStatuses": "Active,Nope"}, "Parameter jobStatuses is invalid"),
    ({"maxResults": "0"}, "maxResults must be a positive integer"),
    ({"maxResults": "1001"}, "maxResults must be a positive integer"),
    ({"maxResults": "-1"}, "maxResults must be a positive integer"),
    ({"maxResults": "ten"}, "maxResults must be a positive integer"),
    ({"nextToken": "00000000-0000-4000-8000-000000000000"}, "nextToken parameter is invalid"),
    ({"nextToken": "x" * 65}, "nextToken parameter is invalid"),
])
async def test_list_parameter_errors(cos: Cos, params: dict, message: str) -> None:
    status, body, _ = await cos.call("GET", "/jobs", params=params)
    assert (status, error_of(body)) == (400, ("InvalidArgument", message))


@pytest.mark.parametrize("size", ["1", "1000"])
async def test_list_page_size_limits_accepted(cos: Cos, size: str) -> None:
    status, body, _ = await cos.call("GET", "/jobs", params={"maxResults": size})
    assert status == 200 and ids(body) == FIXTURE_ORDER[:int(size)]


async def test_a_next_token_of_another_appid_is_invalid(client) -> None:
    status, body, _ = await Cos(client, OTHER_APPID).call("GET", "/jobs", params={"nextToken": COMPLETE_ID})
    assert (status, error_of(body)[0]) == (400, "InvalidArgument")


# --- UpdateJobPriority ---------------------------------------------------------------------------

@pytest.mark.parametrize("priority", ["0", "2147483647"])
async def test_priority_update_at_the_limits(cos: Cos, priority: str) -> None:
    status, body, _ = await cos.call("POST", f"/jobs/{ACTIVE_ID}/priority", params={"priority": priority})
    assert status == 200
    assert body == (f"<UpdateJobPriorityResult>\n\t<JobId>{ACTIVE_ID}</JobId>\n\t<Priority>{priority}</Priority>\n"
                    "</UpdateJobPriorityResult>").encode()
    assert (await cos.describe(ACTIVE_ID))["Priority"] == priority


@pytest.mark.parametrize("query, code, message", [
    ("", "InvalidRequest", "No job priority is provided"),
    ("?priority=", "InvalidRequest", "No job priority is provided"),
    ("?priority=2147483648", "InvalidArgument", "Priority must be an integer between 0 and 2147483647"),
    ("?priority=-1", "InvalidArgument", "Priority must be an integer between 0 and 2147483647"),
    ("?priority=high", "InvalidArgument", "Priority must be an integer between 0 and 2147483647"),
    ("?priority=1.0", "InvalidArgument", "Priority must be an integer between 0 and 2147483647"),
])
async def test_priority_parameter_errors(cos: Cos, query: str, code: str, message: str) -> None:
    status, body, _ = await cos.call("POST", f"/jobs/{ACTIVE_ID}/priority{query}")
    assert (status, error_of(body)) == (400, (code, message))
    assert (await cos.describe(ACTIVE_ID))["Priority"] == "20"


@pytest.mark.parametrize("job_id", ["00000000-0000-4000-8000-000000000000", COMPLETE_ID, CANCELLED_ID])
async def test_priority_of_unknown_or_finished_job_is_no_such_job(cos: Cos, job_id: str) -> None:
    status, body, _ = await cos.call("POST", f"/jobs/{job_id}/priority", params={"priority": "1"})
    assert (status, error_of(body)) == (404, ("NoSuchJob", NO_SUCH_JOB_OR_FINISHED))


async def test_priority_checks_the_parameter_before_the_job(cos: Cos) -> None:
    status, body, _ = await cos.call("POST", "/jobs/00000000-0000-4000-8000-000000000000/priority?priority=x")
    assert (status, error_of(body)[0]) == (400, "InvalidArgument")
    status, body, _ = await cos.call("POST", "/jobs//priority?priority=1")
    assert (status, error_of(body)) == (400, ("InvalidRequest", "No job ID is provided"))


async def test_priority_of_another_appids_job(client) -> None:
    status, body, _ = await Cos(client, OTHER_APPID).call("POST", f"/jobs/{ACTIVE_ID}/priority?priority=1")
    assert (status, error_of(body)[0]) == (404, "NoSuchJob")


# --- DeleteJob (undocumented; Go SDK and Terraform) ----------------------------------------------

async def test_delete_job(cos: Cos) -> None:
    status, body, headers = await cos.call("DELETE", f"/jobs/{CANCELLED_ID}")
    assert (status, body) == (204, b"")
    assert headers["x-cos-request-id"]
    status, body, _ = await cos.call("GET", f"/jobs/{CANCELLED_ID}")
    assert (status, error_of(body)[0]) == (404, "NoSuchJob")
    status, body, _ = await cos.call("DELETE", f"/jobs/{CANCELLED_ID}")
    assert (status, error_of(body)[0]) == (404, "NoSuchJob")
    status, body, _ = await cos.call("GET", "/jobs")
    assert CANCELLED_ID not in ids(body)
