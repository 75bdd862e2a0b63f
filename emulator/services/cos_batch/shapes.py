"""Response shapes: which elements each result carries, in COS's (alphabetical) order, and when.

A stored job is a dict with the CreateJobRequest's normalised fields (ClientRequestToken never
leaves the emulator) plus CreationTime, FailureReasons, JobId, ProgressSummary, Status,
StatusUpdateReason, SuspendedCause, SuspendedDate and TerminationDate.
"""
from __future__ import annotations

from typing import Any

Job = dict[str, Any]
_NO_FAILURE = {"FailureCode": None, "FailureReason": None}


def _set(job: Job, name: str) -> Any:
    value = job.get(name)
    return None if value == "" else value


def _progress(job: Job) -> dict[str, int]:
    progress = job["ProgressSummary"]
    return {"NumberOfTasksFailed": progress["NumberOfTasksFailed"],
            "NumberOfTasksSucceeded": progress["NumberOfTasksSucceeded"],
            "TotalNumberOfTasks": progress["TotalNumberOfTasks"]}


def _without_none(tree: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in tree.items() if value is not None}


def describe_job_result(job: Job) -> dict[str, Any]:
    """DescribeJobResult/Job. Always: ConfirmationRequired, CreationTime, FailureReasons (one empty
    JobFailure when nothing failed, as real Complete jobs show), JobId, Manifest, Operation,
    Priority, ProgressSummary, Report, RoleArn, Status. When set: Description, StatusUpdateReason,
    SuspendedCause and SuspendedDate (once suspended), TerminationDate (once finished).
    """
    return {"Job": _without_none({
        "ConfirmationRequired": job["ConfirmationRequired"],
        "CreationTime": job["CreationTime"],
        "Description": _set(job, "Description"),
        "FailureReasons": {"JobFailure": job["FailureReasons"] or _NO_FAILURE},
        "JobId": job["JobId"],
        "Manifest": job["Manifest"],
        "Operation": job["Operation"],
        "Priority": job["Priority"],
        "ProgressSummary": _progress(job),
        "Report": job["Report"],
        "RoleArn": job["RoleArn"],
        "Status": job["Status"],
        "StatusUpdateReason": _set(job, "StatusUpdateReason"),
        "SuspendedCause": _set(job, "SuspendedCause"),
        "SuspendedDate": _set(job, "SuspendedDate"),
        "TerminationDate": _set(job, "TerminationDate"),
    })}


def list_member(job: Job) -> dict[str, Any]:
    """ListJobsResult/Jobs/member: Operation is the operation's name, not its body."""
    return _without_none({
        "CreationTime": job["CreationTime"],
        "Description": _set(job, "Description"),
        "JobId": job["JobId"],
        "Operation": next(iter(job["Operation"])),
        "Priority": job["Priority"],
        "ProgressSummary": _progress(job),
        "Status": job["Status"],
        "TerminationDate": _set(job, "TerminationDate"),
    })


def list_jobs_result(jobs: list[Job], next_token: str | None) -> dict[str, Any]:
    """`<Jobs/>` when empty; NextToken only while more jobs remain."""
    return _without_none({
        "Jobs": {"member": [list_member(job) for job in jobs]} if jobs else {},
        "NextToken": next_token,
    })


def create_job_result(job: Job) -> dict[str, Any]:
    return {"JobId": job["JobId"]}


def update_job_priority_result(job: Job) -> dict[str, Any]:
    return {"JobId": job["JobId"], "Priority": job["Priority"]}


def update_job_status_result(job: Job) -> dict[str, Any]:
    """Seed 004's UpdateJobStatusResult: StatusUpdateReason always there, empty when no reason."""
    return {"JobId": job["JobId"], "Status": job["Status"], "StatusUpdateReason": job.get("StatusUpdateReason")}
