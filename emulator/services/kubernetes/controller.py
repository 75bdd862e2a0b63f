"""A simulated Job controller: jobs created through the API run, succeed or fail on the emulator's clock.

Each step is a status write through the registry (new resourceVersion, MODIFIED event, the same
status validation as a client's write), scheduled on the clock, so advancing a frozen clock
applies every step due by then, in order (spec §17). Per job, the annotations
`cloud-job-emulator/duration-seconds` and `cloud-job-emulator/outcome` (`Complete` or `Failed`)
override the run time and the result. Jobs that another controller manages (`spec.managedBy`),
fixture jobs and jobs whose status a client has written are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from emulator.core.clock import Clock, rfc3339
from emulator.core.errors import ApiError

if TYPE_CHECKING:
    from emulator.services.kubernetes.registry import Jobs

DURATION_ANNOTATION = "cloud-job-emulator/duration-seconds"
OUTCOME_ANNOTATION = "cloud-job-emulator/outcome"
JOB_CONTROLLER = "kubernetes.io/job-controller"


@dataclass
class Run:
    """What the controller knows of one job: how long it runs and how much of that has passed."""

    uid: str
    duration: float
    outcome: str  # Complete or Failed
    deadline: float | None  # activeDeadlineSeconds
    elapsed: float = 0.0  # run time used before the last suspension
    running_since: datetime | None = None
    plan: int = 0  # bumped to cancel what was scheduled for an earlier plan


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict:
    return {"type": kind, "status": status, "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


class JobController:
    def __init__(self, jobs: Jobs, clock: Clock, default_duration: float) -> None:
        self.jobs = jobs
        self.clock = clock
        self.default_duration = default_duration
        self.runs: dict[tuple[str, str], Run] = {}

    def reset(self) -> None:
        self.runs.clear()

    # --- what the registry tells it ----------------------------------------------------------------

    def adopt(self, job: dict) -> None:
        """A job created through the API: run it unless another controller manages it."""
        spec, meta = job["spec"], job["metadata"]
        if spec.get("managedBy", JOB_CONTROLLER) != JOB_CONTROLLER:
            return
        annotations = meta.get("annotations") or {}
        try:
            duration = max(0.0, float(annotations.get(DURATION_ANNOTATION, self.default_duration)))
        except ValueError:
            duration = self.default_duration
        outcome = "Failed" if annotations.get(OUTCOME_ANNOTATION) == "Failed" else "Complete"
        run = Run(meta["uid"], duration, outcome, spec.get("activeDeadlineSeconds"))
        self.runs[(meta["namespace"], meta["name"])] = run
        self._schedule(job, 0.0, self._sync)

    def release(self, job: dict) -> None:
        """A client wrote this job's status: from now on it is theirs."""
        self.runs.pop((job["metadata"]["namespace"], job["metadata"]["name"]), None)

    def spec_changed(self, job: dict) -> None:
        """The job's spec was updated: suspending or resuming it takes effect at once."""
        if (job["metadata"]["namespace"], job["metadata"]["name"]) in self.runs:
            self._schedule(job, 0.0, self._sync)

    def finish_now(self, namespace: str, name: str, outcome: str) -> dict:
        """Make one job Complete or Failed at once (admin transitions); 409 if it already finished."""
        job = self.jobs.get(namespace, name)
        if _finished(job["status"]):
            raise ApiError(409, "Conflict", f'job {namespace}/{name} has already finished; a finished job stays finished')
        key = (namespace, name)
        run = self.runs.get(key) or Run(job["metadata"]["uid"], 0.0, outcome, None)
        run.outcome = outcome
        run.plan += 1  # whatever was scheduled for it no longer applies
        self.runs[key] = run
        if not job["status"].get("startTime"):
            job = self._write(key, {**job["status"], "startTime": rfc3339(self.clock.now())})
        self._finish(key, run, job)
        return self.jobs.get(namespace, name)

    # --- the steps -------------------------------------------------------------------------------

    def _schedule(self, job: dict, delay: float, step) -> None:
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        run = self.runs[key]
        run.plan += 1
        plan = run.plan
        self.clock.call_at(self.clock.now() + timedelta(seconds=delay), lambda: self._due(key, run.uid, plan, step))

    def _due(self, key: tuple[str, str], uid: str, plan: int, step) -> None:
        run = self.runs.get(key)
        job = self.jobs.items.get(*key)
        if run is None or job is None or run.uid != uid or job["metadata"]["uid"] != uid or run.plan != plan:
            return  # deleted, replaced, handed to a client, or re-planned since
        if _finished(job["status"]):
            return
        step(key, run, job)

    def _write(self, key: tuple[str, str], status: dict) -> dict:
        return self.jobs.write_status(key[0], key[1], status)

    def _sync(self, key: tuple[str, str], run: Run, job: dict) -> None:
        """Start, suspend or resume the job as its spec says, and plan its end."""
        now = self.clock.now()
        stamp = rfc3339(now)
        status = dict(job["status"])
        conditions = [c for c in status.get("conditions", []) if c["type"] != "Suspended"]
        was_suspended = any(c["type"] == "Suspended" and c["status"] == "True" for c in status.get("conditions", []))
        if job["spec"].get("suspend"):
            if was_suspended:
                return
            if run.running_since is not None:
                run.elapsed += (now - run.running_since).total_seconds()
                run.running_since = None
            status.pop("active", None)
            status.update(ready=0, terminating=0)
            status["conditions"] = conditions + [_condition("Suspended", "True", "JobSuspended", "Job suspended", stamp)]
            self._write(key, status)
            return
        if run.running_since is not None:
            return  # already running; an unrelated spec change
        if was_suspended:
            conditions.append(_condition("Suspended", "False", "JobResumed", "Job resumed", stamp))
        if conditions:
            status["conditions"] = conditions
        spec = job["spec"]
        completions = spec.get("completions")
        parallelism = spec.get("parallelism", 1)
        status.update(startTime=stamp, active=min(parallelism, completions) if completions is not None else parallelism,
                      ready=0, terminating=0, uncountedTerminatedPods={})
        run.running_since = now
        self._write(key, status)
        remaining = max(0.0, run.duration - run.elapsed)
        if run.deadline is not None and run.deadline < remaining:
            self._schedule(job, run.deadline, self._exceed_deadline)
        else:
            self._schedule(job, remaining, self._finish)

    def _finish(self, key: tuple[str, str], run: Run, job: dict) -> None:
        stamp = rfc3339(self.clock.now())
        status = {k: v for k, v in job["status"].items() if k != "active"}
        status.update(ready=0, terminating=0, uncountedTerminatedPods={})
        conditions = list(status.get("conditions", []))
        if run.outcome == "Complete":
            status["succeeded"] = job["spec"].get("completions") or 1
            reason, message = "CompletionsReached", "Reached expected number of succeeded pods"
            status["conditions"] = conditions + [_condition("SuccessCriteriaMet", "True", reason, message, stamp)]
            status = self._write(key, status)["status"]
            status = {**status, "completionTime": stamp,
                      "conditions": status["conditions"] + [_condition("Complete", "True", reason, message, stamp)]}
        else:
            status["failed"] = job["spec"].get("backoffLimit", 6) + 1
            reason, message = "BackoffLimitExceeded", "Job has reached the specified backoff limit"
            status = self._fail(key, status, conditions, reason, message, stamp)
        run.running_since = None
        self._write(key, status)

    def _exceed_deadline(self, key: tuple[str, str], run: Run, job: dict) -> None:
        stamp = rfc3339(self.clock.now())
        status = {k: v for k, v in job["status"].items() if k != "active"}
        status.update(ready=0, terminating=0, uncountedTerminatedPods={})
        status = self._fail(key, status, list(status.get("conditions", [])), "DeadlineExceeded",
                            "Job was active longer than specified deadline", stamp)
        run.running_since = None
        self._write(key, status)

    def _fail(self, key, status: dict, conditions: list, reason: str, message: str, stamp: str) -> dict:
        """Write FailureTarget; the status that adds Failed on top of it."""
        status["conditions"] = conditions + [_condition("FailureTarget", "True", reason, message, stamp)]
        written = self._write(key, status)["status"]
        return {**written, "conditions": written["conditions"] + [_condition("Failed", "True", reason, message, stamp)]}


def _finished(status: dict) -> bool:
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in status.get("conditions", []))
