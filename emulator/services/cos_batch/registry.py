"""The jobs of every APPID in the store: create, read, list, re-prioritise, change status, and the timed steps."""
from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from emulator.core.clock import Scheduled, parse_rfc3339
from emulator.core import transitions
from emulator.core.errors import ApiError
from emulator.services.protocol import Core
from emulator.services.cos_batch import errors, lifecycle
from emulator.services.cos_batch.runner import Runner

log = logging.getLogger("emulator.cos_batch")
Job = dict[str, Any]

DEFAULT_TASKS_PER_JOB = 10  # what a job's manifest is taken to hold: the emulator reads no buckets


def _order(job: Job) -> tuple[str, str]:
    return job["CreationTime"], job["JobId"]


class JobBook:
    """Every COS batch job, stored as (APPID, JobId) -> job dict; each write stores a new dict.

    Automatic steps are clock callbacks: each one re-reads the job and moves it only if it is still
    in the status the step was scheduled from, so a user's change in between simply wins. When each
    job's next step falls due is kept in the store too (`steps`), so a restart keeps its timing.
    """

    def __init__(self, core: Core, step_seconds: float, tasks_per_job: int = DEFAULT_TASKS_PER_JOB,
                 runner: Runner | None = None) -> None:
        self.store = core.store
        self.clock = core.clock
        self.ids = core.ids
        self.jobs = core.store.collection("cos_jobs")
        self.jobs.index_by(_request_token)  # CreateJob's token check reads the jobs with that token, not the APPID's
        self.steps = core.store.collection("cos_job_steps")  # (APPID, JobId) -> {"at", "from"}: the next step
        self._pending: dict[tuple[str, str], Scheduled] = {}  # the clock handle of each job's next step
        self.step_seconds = step_seconds
        self.tasks_per_job = tasks_per_job
        self.runner = runner  # jobs whose manifest the object store holds do their work through it

    def reset(self) -> None:
        """Forget the steps scheduled before a reset (the clock has dropped them; the runs went with the store)."""
        self._pending.clear()

    def now(self) -> str:
        return self.clock.stamp()

    def _write(self, appid: str, job: Job) -> None:
        self.jobs.put(appid, job["JobId"], job)
        self.store.next_revision()

    def _schedule(self, appid: str, job: Job, delay: float | None = None) -> None:
        if job["Status"] in lifecycle.TERMINAL and self.runner is not None:
            self.runner.finish(appid, job)  # the report, when tasks ran
        if lifecycle.next_automatic(job) is None:
            self._unschedule(appid, job["JobId"])
            return
        when = self.clock.later(self.step_seconds if delay is None else delay)
        self._schedule_at(appid, job["JobId"], job["Status"], when)

    def _schedule_at(self, appid: str, job_id: str, status: str, when: datetime) -> None:
        """The step from `status` at `when`, on the clock and in the store (ISO 8601, to the microsecond)."""
        self.steps.put(appid, job_id, {"at": when.isoformat(), "from": status})
        self.clock.cancel(self._pending.get((appid, job_id)))
        self._pending[(appid, job_id)] = self.clock.call_at(when, partial(self._step, appid, job_id, status))

    def _unschedule(self, appid: str, job_id: str) -> None:
        """No next step for this job: off the clock (a frozen clock would hold it) and out of the store."""
        self.steps.delete(appid, job_id)
        self.clock.cancel(self._pending.pop((appid, job_id), None))

    def _step(self, appid: str, job_id: str, scheduled_from: str) -> None:
        self._pending.pop((appid, job_id), None)
        try:
            job = self.jobs.get(appid, job_id)
            if job is None or job["Status"] != scheduled_from:
                return
            target = lifecycle.next_automatic(job)
            if target is not None:
                moved, delay = self._advance(appid, job, target)
                self._write(appid, moved)
                transitions.report(self.store, "cos_batch", f"{appid}/{job_id}", job["Status"], target,
                                   self.clock.now())
                self._schedule(appid, moved, delay)
        except Exception:  # a clock callback must never take the ticker down
            log.exception("COS job %s/%s failed to take its automatic step", appid, job_id)

    def _advance(self, appid: str, job: Job, target: str) -> tuple[Job, float | None]:
        """The job after its automatic step, and when the next one falls due (None: a status step from now).

        With a runner: Preparing reads the manifest (its task count, or Failing with the reason), and
        Active runs the next tasks each second until all ran (then Completing) or too many failed (Failing).
        """
        runner, now = self.runner, self.now()
        if runner is not None and job["Status"] == "Preparing":
            outcome = runner.prepare(appid, job)
            if isinstance(outcome, dict):
                return lifecycle.failing(job, outcome), None
            return lifecycle.enter(job, target, now, self.tasks_per_job if outcome is None else outcome), None
        if runner is not None and job["Status"] == "Active" and runner.has(appid, job["JobId"]):
            progress, crossed, finished = runner.step(appid, job)
            job = {**job, "ProgressSummary": progress}
            if crossed is not None:
                return lifecycle.failing(job, crossed), None
            if not finished:
                return job, 1.0
        return lifecycle.enter(job, target, now, self.tasks_per_job), None

    def create(self, appid: str, request: Job, state: Job | None = None, delay: float | None = None) -> Job:
        """A new job from a validated CreateJobRequest, in status New (or, for a fixture, in `state`)."""
        if self.jobs.having((appid, request["ClientRequestToken"])):
            raise errors.invalid_request(errors.TOKEN_EXISTS)
        job: Job = {
            **request,
            "CreationTime": self.now(),
            "FailureReasons": [],
            "JobId": self.ids.uuid4(),
            "ProgressSummary": {"NumberOfTasksFailed": 0, "NumberOfTasksSucceeded": 0, "TotalNumberOfTasks": 0},
            "Status": "New",
            "StatusUpdateReason": None,
            "SuspendedCause": None,
            "SuspendedDate": None,
            "TerminationDate": None,
            **(state or {}),
        }
        if self.jobs.get(appid, job["JobId"]) is not None:
            raise ValueError(f"job {job['JobId']} already exists for APPID {appid}")
        self._write(appid, job)
        self._schedule(appid, job, delay)
        return job

    def get(self, appid: str, job_id: str, message: str = errors.NO_SUCH_JOB) -> Job:
        job = self.jobs.get(appid, job_id)
        if job is None:
            raise errors.no_such_job(message)
        return job

    def list(self, appid: str, statuses: frozenset[str] | None, size: int, after: str | None
             ) -> tuple[list[Job], str | None]:
        """One page in CreationTime-then-JobId order, and the JobId to continue after (None at the end)."""
        jobs = sorted((job for _, job in self.jobs.scan(appid)), key=_order)
        if after is not None:
            anchor = self.jobs.get(appid, after)
            if anchor is None:
                raise errors.invalid_argument(errors.NEXT_TOKEN)
            jobs = [job for job in jobs if _order(job) > _order(anchor)]
        if statuses is not None:
            jobs = [job for job in jobs if job["Status"] in statuses]
        page = jobs[:size]
        return page, (page[-1]["JobId"] if len(jobs) > size else None)

    def update_priority(self, appid: str, job_id: str, priority: int) -> Job:
        """Any unfinished job takes a new priority; a finished one is NoSuchJob, as COS says."""
        job = self.get(appid, job_id, errors.NO_SUCH_JOB_OR_FINISHED)
        if job["Status"] in lifecycle.TERMINAL:
            raise errors.no_such_job(errors.NO_SUCH_JOB_OR_FINISHED)
        changed = {**job, "Priority": priority}
        self._write(appid, changed)
        return changed

    def update_status(self, appid: str, job_id: str, requested: str, reason: str | None) -> Job:
        """Seed 004: confirm (Ready) or cancel a job as the decision table allows; a given reason is kept."""
        job = self.get(appid, job_id, errors.NO_SUCH_JOB_OR_FINISHED)
        target = lifecycle.decide(job["Status"], requested)
        moved = lifecycle.enter(job, target, self.now(), self.tasks_per_job)
        if reason is not None:
            moved["StatusUpdateReason"] = reason
        self._write(appid, moved)
        self._schedule(appid, moved)
        return moved

    def transition(self, appid: str, job_id: str, target: str) -> Job:
        """Admin: walk one job to `target` now, step by step with each step's side effects; 409 if it cannot."""
        job = self.get(appid, job_id)
        path = lifecycle.path_to(job, target)
        if path is None:
            raise ApiError(409, "Conflict", f"job {job_id} is {job['Status']}: the state machine never takes it "
                                            f"to {target}" + (" (a finished job stays finished)"
                                                              if job["Status"] in lifecycle.TERMINAL else ""))
        for status in path:
            job = lifecycle.enter(job, status, self.now(), self.tasks_per_job)
        self._write(appid, job)
        self._schedule(appid, job)
        return job

    def restored(self) -> None:
        """After a restart from a snapshot: every unfinished job takes its next step when it was due.

        A job without a stored step (a snapshot from before they were kept) takes it a step from now.
        """
        for (appid, job_id), job in list(self.jobs.scan()):
            step = self.steps.get(appid, job_id)
            if step is not None and step["from"] == job["Status"]:
                self._schedule_at(appid, job_id, job["Status"], parse_rfc3339(step["at"]))
            else:
                self._schedule(appid, job)

    def delete(self, appid: str, job_id: str) -> None:
        self.get(appid, job_id)
        self.jobs.delete(appid, job_id)
        self._unschedule(appid, job_id)
        if self.runner is not None:
            self.runner.forget(appid, job_id)
        self.store.next_revision()


def _request_token(appid: str, job: Job) -> tuple[tuple[str, str | None]]:
    """The store index's value of a job: its APPID and ClientRequestToken (which no write changes; every job
    CreateJob, a fixture or a state file stores has one)."""
    return ((appid, job.get("ClientRequestToken")),)
