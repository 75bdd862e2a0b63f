"""The job status state machine: the 13 statuses, the automatic steps, the UpdateJobStatus decision table."""
from __future__ import annotations

from typing import Any

from emulator.services.cos_batch import errors

STATUSES = ("Active", "Cancelled", "Cancelling", "Complete", "Completing", "Failed", "Failing",
            "New", "Paused", "Pausing", "Preparing", "Ready", "Suspended")
TERMINAL = frozenset({"Complete", "Cancelled", "Failed"})
REQUESTABLE = ("Ready", "Cancelled")

COMPLETE_REASON = "Job complete"  # what COS writes into StatusUpdateReason on completion
SUSPENDED_CAUSE = "The job requires confirmation"

# The service's own moves; Preparing goes to Suspended or Ready depending on ConfirmationRequired.
_AUTOMATIC = {
    "New": "Preparing",
    "Ready": "Active",
    "Active": "Completing",
    "Completing": "Complete",
    "Cancelling": "Cancelled",
    "Failing": "Failed",
    "Pausing": "Paused",
    "Paused": "Active",  # nothing of higher priority runs in the emulator, so a pause ends
}

# UpdateJobStatus: (current, requested) -> status after the call. Absent pairs on a
# non-terminal job are "Error with the job status change".
_DECISIONS = {
    ("Suspended", "Ready"): "Ready",
    ("New", "Cancelled"): "Cancelled",
    ("Preparing", "Cancelled"): "Cancelled",
    ("Suspended", "Cancelled"): "Cancelled",
    ("Ready", "Cancelled"): "Cancelled",
    ("Active", "Cancelled"): "Cancelling",
    ("Pausing", "Cancelled"): "Cancelling",
    ("Paused", "Cancelled"): "Cancelling",
}

Job = dict[str, Any]


# Moves only the admin API makes (a test putting a job where the emulator itself never takes it).
_FAULTS = {"New": ("Failing",), "Preparing": ("Failing",), "Ready": ("Failing",),
           "Active": ("Failing", "Pausing"), "Paused": ("Failing",)}


def path_to(job: Job, target: str) -> list[str] | None:
    """The statuses a job walks through to reach `target` by the machine's own moves, or None."""
    edges: dict[str, set[str]] = {}
    for source, goal in _AUTOMATIC.items():
        edges.setdefault(source, set()).add(goal)
    for (source, _), goal in _DECISIONS.items():
        edges.setdefault(source, set()).add(goal)
    for source, goals in _FAULTS.items():
        edges.setdefault(source, set()).update(goals)
    edges["Preparing"] = edges.get("Preparing", set()) | {"Suspended" if job["ConfirmationRequired"] else "Ready"}
    paths, seen = [[job["Status"]]], {job["Status"]}
    while paths:  # breadth first: the shortest walk
        path = paths.pop(0)
        if path[-1] == target and len(path) > 1:
            return path[1:]
        for goal in sorted(edges.get(path[-1], ())):
            if goal not in seen or goal == target:
                seen.add(goal)
                paths.append(path + [goal])
    return None


def next_automatic(job: Job) -> str | None:
    """The status the service moves `job` to by itself, or None when it waits (or is finished)."""
    status = job["Status"]
    if status == "Preparing":
        return "Suspended" if job["ConfirmationRequired"] else "Ready"
    return _AUTOMATIC.get(status)


def decide(status: str, requested: str) -> str:
    """The status an UpdateJobStatus call moves a job in `status` to; raises the documented 400s."""
    if status in TERMINAL:
        raise errors.invalid_request(errors.ALREADY_COMPLETED)
    target = _DECISIONS.get((status, requested))
    if target is None:
        raise errors.invalid_request(errors.STATUS_CHANGE)
    return target


def enter(job: Job, status: str, now: str, tasks: int) -> Job:
    """A new job dict: `job` moved into `status` at `now` with that status's side effects.

    Preparing done (to Suspended or Ready) fixes TotalNumberOfTasks: the manifest held `tasks` tasks;
    Completing counts every task not failed as succeeded; Suspended records when and why;
    the terminal statuses record TerminationDate, and Complete says "Job complete".
    """
    moved = {**job, "Status": status}
    progress = job["ProgressSummary"]
    if job["Status"] == "Preparing" and status in ("Suspended", "Ready") and not progress["TotalNumberOfTasks"]:
        progress = {**progress, "TotalNumberOfTasks": tasks}
    if status == "Completing":
        progress = {**progress, "NumberOfTasksSucceeded": progress["TotalNumberOfTasks"]
                    - progress["NumberOfTasksFailed"]}
    elif status == "Suspended":
        moved["SuspendedDate"] = now
        moved["SuspendedCause"] = SUSPENDED_CAUSE
    elif status in TERMINAL:
        moved["TerminationDate"] = now
        if status == "Complete":
            moved["StatusUpdateReason"] = COMPLETE_REASON
    moved["ProgressSummary"] = progress
    return moved


def failing(job: Job, failure: dict[str, str]) -> Job:
    """`job` moved into Failing with its one JobFailure (the Failed step then records TerminationDate)."""
    return {**job, "Status": "Failing", "FailureReasons": [failure]}
