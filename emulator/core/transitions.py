"""One INFO line per job status change an emulated service makes by itself, worded the same for every service,
and the job's recent changes kept in the store (the dashboard shows them as the job's history)."""
from __future__ import annotations

import logging
from datetime import datetime

from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.store import Store

log = logging.getLogger("emulator.transitions")
HISTORY = "job_transitions"  # the store collection: scope the service, name the job, {"steps": [...]}
STEPS_PER_JOB = 50  # the newest changes kept for one job
JOBS_WITH_HISTORY = 10_000  # past this, the jobs whose last change is oldest lose their history (a tenth at once)


def stored_problem(kind: str, scope: str, name: str, obj: dict) -> str | None:
    """What makes a job's saved history unusable (not as `report` writes it), or None; other kinds: None."""
    if kind != HISTORY:
        return None
    steps = obj.get("steps")
    if set(obj) != {"steps"} or not isinstance(steps, list) or not 1 <= len(steps) <= STEPS_PER_JOB or not all(
            isinstance(step, dict) and set(step) == {"at", "from", "to"} and all(
                isinstance(value, str) for value in step.values()) for step in steps):
        return f'must be {{"steps": [1 to {STEPS_PER_JOB} {{"at", "from", "to"}} texts]}}'
    try:
        for step in steps:
            parse_rfc3339(step["at"])
    except ValueError:
        return 'has a step whose "at" is no time'
    return None


def report(store: Store, service: str, job: str, old: str, new: str, when: datetime) -> None:
    """`<service> job <job>: <old> -> <new> (clock <when>)` in the log and the job's history, when it changed."""
    if old == new:
        return
    stamp = rfc3339(when)
    log.info("%s job %s: %s -> %s (clock %s)", service, job, old, new, stamp)
    history = store.collection(HISTORY)
    kept = history.get(service, job)
    steps = (kept["steps"][-(STEPS_PER_JOB - 1):] if kept else []) + [{"at": stamp, "from": old, "to": new}]
    history.put(service, job, {"steps": steps})
    if len(history) > JOBS_WITH_HISTORY:
        by_age = sorted(history.scan(), key=lambda entry: entry[1]["steps"][-1]["at"])
        for (scope, name), _ in by_age[:JOBS_WITH_HISTORY // 10]:
            history.delete(scope, name)
