"""A simulated Job controller: jobs created through the API run, succeed or fail on the emulator's clock.

Each step is a status write through the registry (new resourceVersion, MODIFIED event, the same
status validation as a client's write), scheduled on the clock, so advancing a frozen clock
applies every step due by then, in order (spec §17). Per job, the annotations
`cloud-job-emulator/duration-seconds` and `cloud-job-emulator/outcome` (`Complete` or `Failed`)
override the run time and the result. Jobs that another controller manages (`spec.managedBy`),
fixture jobs and jobs whose status a client has written are left alone.
"""
from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from emulator.core.clock import Clock, Scheduled, parse_rfc3339, rfc3339
from emulator.core.errors import ApiError
from emulator.core import transitions
from emulator.core.store import Store

if TYPE_CHECKING:
    from emulator.services.kubernetes.registry import Jobs

DURATION_ANNOTATION = "cloud-job-emulator/duration-seconds"
OUTCOME_ANNOTATION = "cloud-job-emulator/outcome"
MAX_DURATION = 366 * 24 * 3600.0  # a year: longer annotated run times are taken for the default
READY_SECONDS = 1.0  # how long a started job's pods take to become ready
JOB_CONTROLLER = "kubernetes.io/job-controller"
Key = tuple[str, str]
Run = dict[str, Any]  # uid, duration, outcome, deadline, elapsed, running_since, next: {step, at}
log = logging.getLogger("emulator.kubernetes")


def run_time(annotation: object, default: float, job: str) -> float:
    """The annotated run time if it is a number of seconds from 0 to MAX_DURATION; the default otherwise (logged)."""
    if annotation is None:
        return default
    try:
        seconds = float(annotation)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    if math.isfinite(seconds) and 0 <= seconds <= MAX_DURATION:
        return seconds
    log.warning("job %s: annotation %s=%r is not a number of seconds from 0 to %d; running it for the default %s s",
                job, DURATION_ANNOTATION, annotation, MAX_DURATION, default)
    return default


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict:
    return {"type": kind, "status": status, "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def _phase(job: dict) -> str:
    """The job's state in one word, for the log: Complete, Failed, Suspended, Running or Pending."""
    true = {c.get("type") for c in job["status"].get("conditions", []) if c.get("status") == "True"}
    return next((kind for kind in ("Complete", "Failed", "Suspended") if kind in true),
                "Running" if job["status"].get("startTime") else "Pending")


def _finished(status: dict) -> bool:
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in status.get("conditions", []))


class JobController:
    """Runs the jobs it adopted. What it knows of each (its run) lives in the store, so it survives a restart."""

    def __init__(self, jobs: Jobs, clock: Clock, store: Store, default_duration: float) -> None:
        self.jobs = jobs
        self.clock = clock
        self.default_duration = default_duration
        self.runs = store.collection("kubernetes_job_runs")
        self._pending: dict[Key, Scheduled] = {}  # the clock handle of each run's next step

    def reset(self) -> None:
        self._pending.clear()

    def restored(self) -> None:
        """After the store was restored from a snapshot: schedule again what each run was waiting for."""
        for key, run in list(self.runs.scan()):
            if run.get("next"):
                self._schedule_at(key, parse_rfc3339(run["next"]["at"]), run["next"]["step"])

    # --- what the registry tells it ----------------------------------------------------------------

    def heard(self, how: str, job: dict) -> None:
        """A write the registry told of (see registry.WRITES): run new jobs, let go of what is no longer ours."""
        if how == "created":
            self.adopt(job)
        elif how == "updated":
            self.spec_changed(job)
        else:  # a client wrote the status (from now on it is theirs), or the job is gone
            self.release(job)

    def adopt(self, job: dict) -> None:
        """A job created through the API: run it unless another controller manages it."""
        spec, meta = job["spec"], job["metadata"]
        if spec.get("managedBy", JOB_CONTROLLER) != JOB_CONTROLLER:
            return
        annotations = meta.get("annotations") or {}
        duration = run_time(annotations.get(DURATION_ANNOTATION), self.default_duration,
                            f"{meta['namespace']}/{meta['name']}")
        outcome = "Failed" if annotations.get(OUTCOME_ANNOTATION) == "Failed" else "Complete"
        key = (meta["namespace"], meta["name"])
        self.runs.put(*key, {"uid": meta["uid"], "duration": duration, "outcome": outcome,
                             "deadline": spec.get("activeDeadlineSeconds"), "elapsed": 0.0,
                             "running_since": None, "next": None})
        self._schedule(key, 0.0, "sync")

    def release(self, job: dict) -> None:
        """A client wrote this job's status: from now on it is theirs."""
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        self.runs.delete(*key)
        self.clock.cancel(self._pending.pop(key, None))

    def spec_changed(self, job: dict) -> None:
        """The job's spec was updated: suspending or resuming it takes effect at once."""
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        if self.runs.get(*key) is not None:
            self._schedule(key, 0.0, "sync")

    def finish_now(self, namespace: str, name: str, outcome: str) -> dict:
        """Make one job Complete or Failed at once (admin transitions); 409 if it already finished."""
        job = self.jobs.get(namespace, name)
        if _finished(job["status"]):
            raise ApiError(409, "Conflict", f"job {namespace}/{name} has already finished; a finished job stays finished")
        key = (namespace, name)
        self.clock.cancel(self._pending.pop(key, None))  # whatever was scheduled for it no longer applies
        run = self.runs.get(*key) or {"uid": job["metadata"]["uid"], "duration": 0.0, "deadline": None,
                                      "elapsed": 0.0, "running_since": None}
        run = self._update(key, {**run, "outcome": outcome, "next": None})
        if not job["status"].get("startTime"):
            job = self._write(key, {**job["status"], "startTime": self.clock.stamp()})
        self._finish(key, run, job)
        return self.jobs.get(namespace, name)

    # --- scheduling --------------------------------------------------------------------------------

    def _update(self, key: Key, run: Run) -> Run:
        self.runs.put(*key, run)
        return run

    def _schedule(self, key: Key, delay: float, step: str) -> None:
        self._schedule_at(key, self.clock.later(delay), step)

    def _schedule_at(self, key: Key, when, step: str) -> None:
        run = self._update(key, {**self.runs.get(*key), "next": {"step": step, "at": rfc3339(when)}})
        self.clock.cancel(self._pending.get(key))  # one next step per run: a new plan replaces the old
        self._pending[key] = self.clock.call_at(when, lambda: self._due(key, run["uid"], step))

    def _due(self, key: Key, uid: str, step: str) -> None:
        self._pending.pop(key, None)
        run, job = self.runs.get(*key), self.jobs.items.get(*key)
        if run is None or job is None or job["metadata"]["uid"] != uid:
            return  # deleted or replaced since
        run = self._update(key, {**run, "next": None})
        if not _finished(job["status"]):
            steps = {"sync": self._sync, "ready": self._ready, "finish": self._finish, "deadline": self._exceed_deadline}
            steps[step](key, run, job)
            transitions.report(self.jobs.core.store, "kubernetes", "/".join(key), _phase(job),
                               _phase(self.jobs.items.get(*key)), self.clock.now())

    def _write(self, key: Key, status: dict) -> dict:
        return self.jobs.write_status(key[0], key[1], status)

    # --- the steps ---------------------------------------------------------------------------------

    def _sync(self, key: Key, run: Run, job: dict) -> None:
        """Start, suspend or resume the job as its spec says, and plan its end."""
        now = self.clock.now()
        stamp = rfc3339(now)
        status = dict(job["status"])
        conditions = [c for c in status.get("conditions", []) if c["type"] != "Suspended"]
        was_suspended = any(c["type"] == "Suspended" and c["status"] == "True" for c in status.get("conditions", []))
        if job["spec"].get("suspend"):
            if was_suspended:
                return
            if run["running_since"] is not None:
                used = (now - parse_rfc3339(run["running_since"])).total_seconds()
                run = self._update(key, {**run, "elapsed": run["elapsed"] + used, "running_since": None})
            status.pop("active", None)
            status.update(ready=0, terminating=0)
            status["conditions"] = conditions + [_condition("Suspended", "True", "JobSuspended", "Job suspended", stamp)]
            self._write(key, status)
            return
        if run["running_since"] is not None:
            return  # already running; an unrelated spec change
        if was_suspended:
            conditions.append(_condition("Suspended", "False", "JobResumed", "Job resumed", stamp))
        if conditions:
            status["conditions"] = conditions
        spec = job["spec"]
        completions, parallelism = spec.get("completions"), spec.get("parallelism", 1)
        status.update(startTime=stamp, active=min(parallelism, completions) if completions is not None else parallelism,
                      ready=0, terminating=0, uncountedTerminatedPods={})
        run = self._update(key, {**run, "running_since": stamp})
        self._write(key, status)
        step, delay = self._end(run)
        if delay > READY_SECONDS:  # its pods become ready before it ends
            step, delay = "ready", READY_SECONDS
        self._schedule(key, delay, step)

    def _ready(self, key: Key, run: Run, job: dict) -> None:
        """The started job's pods became ready (spec §17.3: ready = active); then plan its end."""
        self._write(key, {**job["status"], "ready": job["status"].get("active", 0)})
        step, delay = self._end(run)
        self._schedule(key, delay, step)

    def _end(self, run: Run) -> tuple[str, float]:
        """The step that ends a running job ("finish" or "deadline") and in how many seconds it falls due."""
        ran = (self.clock.now() - parse_rfc3339(run["running_since"])).total_seconds()
        remaining = max(0.0, run["duration"] - run["elapsed"] - ran)
        if run["deadline"] is not None and run["deadline"] - ran < remaining:
            return "deadline", max(0.0, run["deadline"] - ran)
        return "finish", remaining

    def _finish(self, key: Key, run: Run, job: dict) -> None:
        stamp = self.clock.stamp()
        status = {k: v for k, v in job["status"].items() if k != "active"}
        status.update(ready=0, terminating=0, uncountedTerminatedPods={})
        conditions = list(status.get("conditions", []))
        if run["outcome"] == "Complete":
            status["succeeded"] = job["spec"].get("completions") or 1
            reason, message = "CompletionsReached", "Reached expected number of succeeded pods"
            status["conditions"] = conditions + [_condition("SuccessCriteriaMet", "True", reason, message, stamp)]
            status = self._write(key, status)["status"]
            status = {**status, "completionTime": stamp,
                      "conditions": status["conditions"] + [_condition("Complete", "True", reason, message, stamp)]}
        else:
            status["failed"] = job["spec"].get("backoffLimit", 6) + 1
            status = self._fail(key, status, conditions, "BackoffLimitExceeded",
                                "Job has reached the specified backoff limit", stamp)
        self._update(key, {**run, "running_since": None})
        self._write(key, status)

    def _exceed_deadline(self, key: Key, run: Run, job: dict) -> None:
        stamp = self.clock.stamp()
        status = {k: v for k, v in job["status"].items() if k != "active"}
        status.update(ready=0, terminating=0, uncountedTerminatedPods={})
        status = self._fail(key, status, list(status.get("conditions", [])), "DeadlineExceeded",
                            "Job was active longer than specified deadline", stamp)
        self._update(key, {**run, "running_since": None})
        self._write(key, status)

    def _fail(self, key: Key, status: dict, conditions: list, reason: str, message: str, stamp: str) -> dict:
        """Write FailureTarget; the status that adds Failed on top of it."""
        status["conditions"] = conditions + [_condition("FailureTarget", "True", reason, message, stamp)]
        written = self._write(key, status)["status"]
        return {**written, "conditions": written["conditions"] + [_condition("Failed", "True", reason, message, stamp)]}
