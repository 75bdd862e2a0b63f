"""The simulated Job controller: it creates a Job's Pods as kube-controller-manager does and counts them into status.

It hears the Jobs registry (a Job created, its spec written, its status taken over by a client,
the Job gone) and the Pods registry (every pod write). Each heard change queues one sync of the Job
at the current instant (several changes at one instant make one sync). A sync counts the Job's
pods (active, ready, terminating, succeeded, failed), removes the tracking finalizer of finished
ones, applies the rules (backoffLimit with the pod-failure back-off, podFailurePolicy,
activeDeadlineSeconds, suspend, completions, Indexed completion, successPolicy), creates or
deletes pods, writes status and records Events. Per job, annotations script what its pods do:
`cloud-job-emulator/duration-seconds`, `/outcome` (`Failed`: every pod fails; `OOMKilled`: with exit code 137,
reason OOMKilled), `/exit-code`,
`/fail-attempts` (the first N pods, or attempts per index, fail), `/failed-indexes`, `/logs` and
`/logs.<container>`. Jobs another controller manages, fixture jobs and jobs whose status a client
wrote are left alone.
"""
from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from emulator.core.clock import Clock, Scheduled, parse_rfc3339
from emulator.core.errors import ApiError
from emulator.core import transitions
from emulator.core.store import Store
from emulator.services.kubernetes.events import Events, involved
from emulator.services.kubernetes.pods import TRACKING_FINALIZER, Pods, api_defaulted_pod_spec, owner_uid, terminal

from emulator.services.kubernetes.kubelet import (EXIT_CODE_ANNOTATION, FAIL_ATTEMPTS_ANNOTATION,
                                                  FAILED_INDEXES_ANNOTATION, OOM_EXIT_CODE, OUTCOME_ANNOTATION,
                                                  DURATION_ANNOTATION, Kubelet, annotated_int, run_time,
                                                  scripted_init_codes, scripted_logs)

if TYPE_CHECKING:
    from emulator.services.kubernetes.registry import Jobs

JOB_CONTROLLER = "kubernetes.io/job-controller"
COMPONENT = "job-controller"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
IGNORED_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"
BACKOFF_BASE, BACKOFF_CAP = 10.0, 600.0  # DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff (job_controller.go)
MAX_CREATES = 500  # MaxPodCreateDeletePerSync
SLOW_START_INITIAL_BATCH = 1  # controller.SlowStartInitialBatchSize
API_BACKOFF_BASE, API_BACKOFF_CAP = 1.0, 60.0  # DefaultJobApiBackOff, MaxJobApiBackOff: requeue after a failed sync
Key = tuple[str, str]
log = logging.getLogger("emulator.kubernetes")


def parse_indexes(text: object) -> set[int]:
    """`0,2-4` as {0, 2, 3, 4}; what does not parse is left out."""
    found: set[int] = set()
    for part in str(text or "").split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            found.update(range(int(low), int(high or low) + 1))
    return found


def format_indexes(indexes: set[int] | list[int]) -> str:
    """Sorted intervals as the job controller writes them: `0,1,3-5,7` (a run of 3 or more is `a-b`)."""
    ordered, parts, start = sorted(set(indexes)), [], None
    for position, index in enumerate(ordered):
        if start is None:
            start = index
        if position + 1 < len(ordered) and ordered[position + 1] == index + 1:
            continue
        parts.append(str(start) if index == start else f"{start},{index}" if index == start + 1 else f"{start}-{index}")
        start = None
    return ",".join(parts)


def backoff_delay(failures: int) -> float:
    """Seconds to wait before the next pod after `failures` failures since the last success: 10 s doubling, 10 min cap."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 30), BACKOFF_CAP)


def api_backoff(failures: int) -> float:
    """Seconds before a job whose sync failed `failures` times in a row is synced again."""
    return min(API_BACKOFF_BASE * 2 ** min(max(failures, 1) - 1, 30), API_BACKOFF_CAP)


def _past_index_backoff(indexes: list[int], attempts: dict, now: datetime) -> tuple[list[int], datetime | None]:
    """backoffLimitPerIndex: the indexes whose last failed pod (its failure count, when it finished) has waited out
    its back-off (getPodCreationInfoForIndependentIndexes), and when the first of the others will have."""
    ready, soonest = [], None
    for index in indexes:
        count, when = attempts.get(f"backoff-{index}") or (0, None)
        until = parse_rfc3339(when) + timedelta(seconds=backoff_delay(count)) if when else None
        if until is None or now >= until:
            ready.append(index)
        elif soonest is None or until < soonest:
            soonest = until
    return ready, soonest


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict:
    """A job condition; an empty reason and message are left out (before 1.31 Complete had neither)."""
    if not reason:
        return {"type": kind, "status": status, "lastProbeTime": now, "lastTransitionTime": now}
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


def _has(conditions: list[dict], kind: str) -> dict | None:
    return next((c for c in conditions if c["type"] == kind and c["status"] == "True"), None)


def pod_index(pod: dict) -> int | None:
    value = (pod["metadata"].get("annotations") or {}).get(INDEX_KEY)
    return int(value) if value is not None and value.isdigit() else None


def _ready(pod: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions") or ())


def finished_at(pod: dict) -> str:
    """When a finished pod finished, as the back-off record reads it (getFinishedTime): the latest finishedAt once
    every container terminated, else when Ready turned False, else deletionTimestamp less the grace period, else
    its creation."""
    statuses = pod["status"].get("containerStatuses") or ()
    times = [(s["state"].get("terminated") or {}).get("finishedAt") for s in statuses]
    if times and all(times):
        return max(times)
    ready = next((c for c in pod["status"].get("conditions") or () if c.get("type") == "Ready"), None)
    if ready is not None and ready.get("status") == "False" and ready.get("lastTransitionTime"):
        return ready["lastTransitionTime"]
    meta = pod["metadata"]
    if meta.get("deletionTimestamp"):
        deleted = parse_rfc3339(meta["deletionTimestamp"]) - timedelta(seconds=meta.get("deletionGracePeriodSeconds", 0))
        return deleted.strftime("%Y-%m-%dT%H:%M:%SZ")
    return meta["creationTimestamp"]


def backoff_record(failures: int, last_failure: str | None, succeeded: list[str],
                   failed: list[str]) -> tuple[int, str | None]:
    """The job's back-off record after a sync that found pods newly finished at these times (newBackoffRecord):
    failures add up until a success; a sync that sees a success keeps only the failures that finished after it."""
    if not succeeded:
        return (failures + len(failed), max(failed)) if failed else (failures, last_failure)
    later = [when for when in failed if when > max(succeeded)]
    return len(later), max(later) if later else None


def match_pod_failure_policy(policy: dict | None, pod: dict) -> tuple[str | None, str | None]:
    """The action of the first podFailurePolicy rule the failed pod matches, and the FailJob message; (None, None)."""
    meta = pod["metadata"]
    for position, rule in enumerate((policy or {}).get("rules") or ()):
        on_codes, on_conditions = rule.get("onExitCodes"), rule.get("onPodConditions")
        if on_codes:
            for state in pod["status"].get("containerStatuses") or ():
                terminated = state["state"].get("terminated")
                if not terminated or terminated.get("exitCode", 0) == 0:
                    continue
                if on_codes.get("containerName") and on_codes["containerName"] != state["name"]:
                    continue
                code, values = terminated["exitCode"], on_codes.get("values") or []
                if (code in values) == (on_codes.get("operator") == "In"):
                    return rule["action"], (f"Container {state['name']} for pod {meta['namespace']}/{meta['name']} "
                                            f"failed with exit code {code} matching FailJob rule at index {position}")
        for wanted in on_conditions or ():
            for condition in pod["status"].get("conditions") or ():
                if condition["type"] == wanted.get("type") and condition["status"] == wanted.get("status", "True"):
                    return rule["action"], (f"Pod {meta['namespace']}/{meta['name']} has condition "
                                            f"{condition['type']} matching FailJob rule at index {position}")
    return None, None


class JobController:
    """Runs the jobs it adopted. What it knows of each (its run) lives in the store, so it survives a restart."""

    def __init__(self, jobs: Jobs, pods: Pods, kubelet: Kubelet, events: Events, clock: Clock, store: Store,
                 default_duration: float) -> None:
        self.jobs = jobs
        self.pods = pods
        self.kubelet = kubelet
        self.events = events
        self.clock = clock
        self.default_duration = default_duration
        self.runs = store.collection("kubernetes_job_runs")
        self._pending: dict[Key, Scheduled] = {}  # the clock handle of each run's next sync
        self._keys: dict[str, Key] = {}  # job uid -> key, for the pods' owner references
        self.on_finished: list[Callable[[dict], None]] = []  # told of each job it finished (the TTL controller)
        # From 1.31 a job's end is an interim condition (SuccessCriteriaMet, FailureTarget) first, and the terminal
        # one once none of its pods is terminating; before, the terminal condition at once (Complete with no
        # reason), FailureTarget only for a podFailurePolicy FailJob rule, and pods deleted at a failure count failed.
        self.interim = kubelet.minor >= 31

    def _terminal(self, kind: str, reason: str, message: str, stamp: str) -> dict:
        """A job's Complete or Failed condition; before 1.31 Complete carried no reason or message."""
        if kind == "Complete" and not self.interim:
            reason = message = ""
        return _condition(kind, "True", reason, message, stamp)

    def reset(self) -> None:
        self._pending.clear()
        self._keys.clear()

    def restored(self) -> None:
        """After the store was restored from a snapshot: sync every run again."""
        self._keys.clear()
        for key, run in list(self.runs.scan()):
            self._keys[run["uid"]] = key
            self._queue(key, self.clock.now())

    # --- what the registries tell it ---------------------------------------------------------------

    def heard(self, how: str, job: dict) -> None:
        """A write the Jobs registry told of (see registry.WRITES)."""
        if how == "created":
            self.adopt(job)
        elif how == "updated":
            self.spec_changed(job)
        elif how == "status":  # a client wrote the status: from now on it is theirs
            self.release(job)
        else:  # the job is gone; its pods are the garbage collector's
            self.release(job)

    def heard_pod(self, how: str, pod: dict) -> None:
        """Any write of a pod: sync its job at this instant; a pod no controller owns: sync each job of its
        namespace whose selector matches it (the job may adopt it, as ClaimPods does)."""
        uid = owner_uid(pod)
        key = self._keys.get(uid) if uid else None
        if key is not None:
            self._queue(key, self.clock.now())
        elif uid is None and how != "deleted" and not pod["metadata"].get("deletionTimestamp"):
            namespace, labels = pod["metadata"]["namespace"], pod["metadata"].get("labels") or {}
            for job_key, _ in list(self.runs.scan(namespace)):
                job = self.jobs.items.get(*job_key)
                if job is not None and selector_matches(job["spec"].get("selector"), labels):
                    self._queue(job_key, self.clock.now())

    def adopt(self, job: dict) -> None:
        """A job created through the API: run it unless another controller manages it."""
        spec, meta = job["spec"], job["metadata"]
        if spec.get("managedBy", JOB_CONTROLLER) != JOB_CONTROLLER:
            return
        key = (meta["namespace"], meta["name"])
        self.runs.put(*key, {"uid": meta["uid"], "created": 0, "attempts": {}, "failures": 0, "last_failure": None,
                             "next": None})
        self._keys[meta["uid"]] = key
        self._queue(key, self.clock.now())

    def release(self, job: dict) -> None:
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        run = self.runs.get(*key)
        if run is not None and run["uid"] == job["metadata"]["uid"]:
            self.runs.delete(*key)
            self._keys.pop(run["uid"], None)
            self.clock.cancel(self._pending.pop(key, None))

    def spec_changed(self, job: dict) -> None:
        """Any write of the job's object: sync it now (suspend, resume, a new deadline take effect at once)."""
        key = (job["metadata"]["namespace"], job["metadata"]["name"])
        if self.runs.get(*key) is not None:
            self._queue(key, self.clock.now())

    def finish_now(self, namespace: str, name: str, outcome: str) -> dict:
        """Make one job Complete or Failed at once (admin transitions); 409 if it already finished."""
        job = self.jobs.get(namespace, name)
        if _finished(job["status"]):
            raise ApiError(409, "Conflict", f"job {namespace}/{name} has already finished; a finished job stays finished")
        key = (namespace, name)
        self.clock.cancel(self._pending.pop(key, None))
        stamp = self.clock.stamp()
        status = {k: v for k, v in job["status"].items() if k != "active"}
        status.setdefault("startTime", stamp)
        status.update(ready=0, terminating=0, uncountedTerminatedPods={})
        conditions = list(status.get("conditions", []))
        if outcome == "Complete":
            status["succeeded"] = max(status.get("succeeded", 0), job["spec"].get("completions") or 1)
            reason, message = "CompletionsReached", "Reached expected number of succeeded pods"
            first, last = "SuccessCriteriaMet", "Complete"
            status["completionTime"] = stamp
        else:
            status["failed"] = max(status.get("failed", 0), job["spec"].get("backoffLimit", 6) + 1)
            reason, message = "BackoffLimitExceeded", "Job has reached the specified backoff limit"
            first, last = "FailureTarget", "Failed"
        if self.interim and not _has(conditions, first):
            conditions.append(_condition(first, "True", reason, message, stamp))
        status["conditions"] = conditions + [self._terminal(last, reason, message, stamp)]
        for pod in self.pods.owned_by(job["metadata"]["uid"]):
            if not terminal(pod) and not pod["metadata"].get("deletionTimestamp"):
                self._delete_pod(job, self.pods.remove_finalizer(pod))
        job = self._write_status(namespace, name, status)
        for hook in self.on_finished:
            hook(job)
        self._record(job, "Normal" if outcome == "Complete" else "Warning",
                     "Completed" if outcome == "Complete" else reason,
                     "Job completed" if outcome == "Complete" else message)
        return job

    # --- scheduling --------------------------------------------------------------------------------

    def _queue(self, key: Key, when: datetime) -> None:
        """One pending sync per job: the earliest asked for (every sync asks again for what it still waits on)."""
        pending = self._pending.get(key)
        if pending is not None and pending[2] is not None and pending[0] <= when:
            return
        self.clock.cancel(pending)
        run = self.runs.get(*key)
        if run is None:
            return
        self._pending[key] = self.clock.call_at(when, lambda: self._due(key, run["uid"]))

    def _due(self, key: Key, uid: str) -> None:
        self._pending.pop(key, None)
        run, job = self.runs.get(*key), self.jobs.items.get(*key)
        if run is None or job is None or job["metadata"]["uid"] != uid or run["uid"] != uid:
            return  # deleted or replaced since
        self._sync(key, run, job)

    # --- the sync ----------------------------------------------------------------------------------

    def _script(self, job: dict) -> dict[str, Any]:
        meta = job["metadata"]
        annotations = meta.get("annotations") or {}
        outcome = annotations.get(OUTCOME_ANNOTATION)
        return {"duration": run_time(annotations.get(DURATION_ANNOTATION), self.default_duration,
                                     f"job {meta['namespace']}/{meta['name']}"),
                "always_fail": outcome in ("Failed", "OOMKilled"),
                "exit_code": OOM_EXIT_CODE if outcome == "OOMKilled" else
                annotated_int(annotations.get(EXIT_CODE_ANNOTATION), 1) or 1,
                "failure": "OOMKilled" if outcome == "OOMKilled" else "Error",
                "fail_attempts": max(0, annotated_int(annotations.get(FAIL_ATTEMPTS_ANNOTATION), 0)),
                "failed_indexes": parse_indexes(annotations.get(FAILED_INDEXES_ANNOTATION))}

    def _sync(self, key: Key, run: dict, job: dict) -> None:
        now, stamp = self.clock.now(), self.clock.stamp()
        spec, status, uid = job["spec"], dict(job["status"]), job["metadata"]["uid"]
        pods = self.pods.owned_by(uid)
        if _finished(status) or job["metadata"].get("deletionTimestamp"):
            for pod in pods:
                self.pods.remove_finalizer(pod)
            return
        if self._claim_orphans(job) | self._release_mismatched(job, pods):
            pods = self.pods.owned_by(uid)
        indexed = spec.get("completionMode") == "Indexed"
        completions, parallelism = spec.get("completions"), spec.get("parallelism", 1)
        per_index = spec.get("backoffLimitPerIndex")
        conditions = list(status.get("conditions") or [])
        run = dict(run)
        attempts = dict(run["attempts"])

        # count finished pods that still carry the tracking finalizer
        succeeded, failed = status.get("succeeded", 0), status.get("failed", 0)
        completed = parse_indexes(status.get("completedIndexes"))
        failed_indexes = parse_indexes(status.get("failedIndexes"))
        fail_job: tuple[str, str] | None = None
        new_succeeded: list[str] = []  # when the pods counted now finished, for the back-off record
        new_failed: list[str] = []
        early = spec.get("podReplacementPolicy", "TerminatingOrFailed") == "TerminatingOrFailed"
        # finished pods whose finalizer goes once their UIDs are in uncountedTerminatedPods (see _write)
        tally = Tally(status.get("succeeded", 0), status.get("failed", 0))
        # backoffLimitPerIndex: the last failed pod of an index waiting for its replacement keeps its finalizer and
        # is not counted until the replacement runs or the job finishes (getPodsWithDelayedDeletionPerIndex)
        held, waiting = set(run.get("held") or ()), self._delayable(pods, spec, completed, early)
        for pod in pods:
            if TRACKING_FINALIZER not in (pod["metadata"].get("finalizers") or ()):
                continue
            if not terminal(pod) and not (early and pod["metadata"].get("deletionTimestamp")):
                continue  # a terminating pod counts as failed at once only under TerminatingOrFailed
            index = pod_index(pod)
            if pod["status"].get("phase") == "Succeeded":
                if _has(conditions, "SuccessCriteriaMet"):
                    pass
                elif indexed:
                    if index not in completed:  # recorded in completedIndexes, not by UID
                        completed.add(index)
                        succeeded += 1
                else:
                    succeeded += 1
                    tally.succeeded.append(pod["metadata"]["uid"])
                new_succeeded.append(finished_at(pod))
            else:
                action, message = match_pod_failure_policy(spec.get("podFailurePolicy"), pod)
                if action == "FailJob" and fail_job is None:
                    fail_job = ("PodFailurePolicy", message)
                if pod["metadata"]["uid"] not in held:  # seen for the first time
                    new_failed.append(finished_at(pod))  # an Ignored failure counts toward the back-off too
                    if indexed and index is not None:
                        kind = "ignored" if action == "Ignore" else "failures"
                        attempts[f"{kind}-{index}"] = attempts.get(f"{kind}-{index}", 0) + 1
                    if indexed and index is not None and per_index is not None:  # the index's own back-off
                        count = annotated_int((pod["metadata"].get("annotations") or {}).get(FAILURE_COUNT), 0)
                        attempts[f"backoff-{index}"] = [count + 1, new_failed[-1]]
                        if action == "FailIndex" or (action != "Ignore" and count >= per_index):
                            failed_indexes.add(index)
                if waiting.get(index) is pod and index not in failed_indexes:
                    held.add(pod["metadata"]["uid"])
                    continue
                held.discard(pod["metadata"]["uid"])
                if action == "Ignore":
                    tally.finalized.append(pod)
                    continue
                failed += 1
                tally.failed.append(pod["metadata"]["uid"])
            tally.finalized.append(pod)
        run["failures"], run["last_failure"] = backoff_record(run["failures"], run["last_failure"], new_succeeded,
                                                              new_failed)
        run["held"] = sorted(held)
        if not held:
            del run["held"]
        pods = self.pods.owned_by(uid)
        active = [p for p in pods if not terminal(p) and not p["metadata"].get("deletionTimestamp")]
        terminating = [p for p in pods if not terminal(p) and p["metadata"].get("deletionTimestamp")]
        status.update(succeeded=succeeded, failed=failed)
        if indexed:
            status["completedIndexes"] = format_indexes(completed)
            if per_index is not None:
                status["failedIndexes"] = format_indexes(failed_indexes)

        # suspend and resume
        suspended = _has(conditions, "Suspended")
        if spec.get("suspend"):
            for pod in active:
                self._delete_pod(job, self.pods.remove_finalizer(pod))
            terminating += active
            active = []
            if not suspended:
                conditions = [c for c in conditions if c["type"] != "Suspended"]
                conditions.append(_condition("Suspended", "True", "JobSuspended", "Job suspended", stamp))
                self._record(job, "Normal", "Suspended", "Job suspended")
            self._write(key, job, status, conditions, active, terminating, run, attempts, tally)
            return
        if suspended:
            conditions = [c for c in conditions if c["type"] != "Suspended"]
            conditions.append(_condition("Suspended", "False", "JobResumed", "Job resumed", stamp))
            self._record(job, "Normal", "Resumed", "Job resumed")
            status["startTime"] = stamp
        status.setdefault("startTime", stamp)

        # failure
        failure = _has(conditions, "FailureTarget")
        reason = message = None
        if failure is None:
            deadline = spec.get("activeDeadlineSeconds")
            started = parse_rfc3339(status["startTime"])
            if fail_job is not None:
                reason, message = fail_job
            elif failed + self._held_failures(spec, pods, held) > spec.get("backoffLimit", 6) \
                    or self._restarts_exceed(spec, pods):
                reason, message = "BackoffLimitExceeded", "Job has reached the specified backoff limit"
            elif deadline is not None and (now - started).total_seconds() >= deadline:
                reason, message = "DeadlineExceeded", "Job was active longer than specified deadline"
            elif indexed and per_index is not None and spec.get("maxFailedIndexes") is not None \
                    and len(failed_indexes) > spec["maxFailedIndexes"]:
                reason, message = "MaxFailedIndexesExceeded", \
                    "Job has exceeded the specified maximal number of failed indexes"
            elif indexed and failed_indexes and len(completed | failed_indexes) >= completions and not active:
                reason, message = "FailedIndexes", "Job has failed indexes"
            elif deadline is not None:
                self._queue(key, started + timedelta(seconds=deadline))
            if reason is not None and (self.interim or fail_job is not None):
                conditions.append(_condition("FailureTarget", "True", reason, message, stamp))
        else:
            reason, message = failure["reason"], failure["message"]
        if reason is not None:
            failed = self._count_held(spec, pods, held, tally, status, failed)
            run.pop("held", None)
            for pod in active:
                self._delete_pod(job, pod)  # its finalizer stays: it counts as failed once it stops (1.31+)
            if not self.interim:  # before 1.31: at once
                tally.failed += [pod["metadata"]["uid"] for pod in active]
                failed = status["failed"] = failed + len(active)
            terminating += active
            active = []
            if not terminating or not self.interim:
                conditions.append(self._terminal("Failed", reason, message, stamp))
                self._record(job, "Warning", reason, message)
            self._write(key, job, status, conditions, active, terminating, run, attempts, tally)
            return

        # success
        met = _has(conditions, "SuccessCriteriaMet")
        if met is None:
            rule = self._success_rule(spec, completed) if indexed else None
            if rule is not None:
                met = _condition("SuccessCriteriaMet", "True", "SuccessPolicy", f"Matched rules at index {rule}", stamp)
            elif (indexed and len(completed) >= completions) or (not indexed and (
                    succeeded >= completions if completions is not None else succeeded > 0 and not active)):
                met = _condition("SuccessCriteriaMet", "True", "CompletionsReached",
                                 "Reached expected number of succeeded pods", stamp)
            if met is not None and self.interim:
                conditions.append(met)
        if met is not None:
            failed = self._count_held(spec, pods, held, tally, status, failed)
            run.pop("held", None)
            for pod in active:
                self._delete_pod(job, self.pods.remove_finalizer(pod))
            terminating += active
            active = []
            if not terminating or not self.interim:
                conditions.append(self._terminal("Complete", met["reason"], met["message"], stamp))
                status["completionTime"] = stamp
                if completions is not None and succeeded > completions:
                    self._record(job, "Warning", "TooManySucceededPods",
                                 "Too many succeeded pods running after completion count reached")
                self._record(job, "Normal", "Completed", "Job completed")
            self._write(key, job, status, conditions, active, terminating, run, attempts, tally, split=True)
            return

        # how many pods should run
        if completions is None:
            want = 0 if succeeded > 0 else parallelism
        else:
            want = max(0, min(parallelism, completions - (len(completed) if indexed else succeeded)))
        if len(active) > want:
            for pod in sorted(active, key=lambda p: p["metadata"]["creationTimestamp"])[want:]:
                self._delete_pod(job, self.pods.remove_finalizer(pod))
            active = active[:want]
        elif len(active) + (0 if early else len(terminating)) < want:
            wait_until = None
            if run["failures"] and per_index is None:  # with backoffLimitPerIndex each index has its own
                wait_until = parse_rfc3339(run["last_failure"]) + timedelta(seconds=backoff_delay(run["failures"]))
            retry_at = parse_rfc3339(run["api_retry_at"]) if run.get("api_retry_at") else None
            if retry_at is not None and now < retry_at:  # the work queue's rate limiter after a failed sync
                self._queue(key, retry_at)
            elif wait_until is not None and now < wait_until:
                self._queue(key, wait_until)
                # manageJob returns 0 while it waits out the pod-failure back-off: `active` reads 0 even with
                # pods still running (`ready` still counts them)
                self._write(key, job, status, conditions, active, terminating, run, attempts, tally, shown_active=0)
                return
            else:
                if indexed:
                    busy = {pod_index(p) for p in active + ([] if early else terminating)}
                    free = [i for i in range(completions) if i not in completed and i not in failed_indexes
                            and i not in busy][:want - len(active) - (0 if early else len(terminating))]
                    if per_index is not None:
                        free, soonest = _past_index_backoff(free, attempts, now)
                        if soonest is not None:
                            self._queue(key, soonest)
                        if not free:
                            self._write(key, job, status, conditions, active, terminating, run, attempts, tally,
                                        shown_active=0)
                            return
                else:
                    free = [None] * (want - len(active) - (0 if early else len(terminating)))
                created, refused = self._slow_start(job, run, attempts, free[:MAX_CREATES])
                active += created
                if refused:  # the sync failed: requeued with the API back-off (1 s doubling, 1 min cap)
                    run["api_failures"] = run.get("api_failures", 0) + 1
                    retry = now + timedelta(seconds=api_backoff(run["api_failures"]))
                    run["api_retry_at"] = retry.isoformat()
                    self._queue(key, retry)
                else:
                    run.pop("api_failures", None)
                    run.pop("api_retry_at", None)
        self._write(key, job, status, conditions, active, terminating, run, attempts, tally)

    def _claim_orphans(self, job: dict) -> bool:
        """Adopt the namespace's pods that no controller owns and whose labels match the job's selector (the
        controller reference and the tracking finalizer added, as ClaimPods does); not pods being deleted."""
        meta = job["metadata"]
        selector, claimed = job["spec"].get("selector"), False
        for pod in self.pods.orphans(meta["namespace"]):
            pod_meta = pod["metadata"]
            if pod_meta.get("deletionTimestamp") or not selector_matches(selector, pod_meta.get("labels") or {}):
                continue
            reference = {"apiVersion": "batch/v1", "kind": "Job", "name": meta["name"], "uid": meta["uid"],
                         "controller": True, "blockOwnerDeletion": True}
            others = [r for r in pod_meta.get("ownerReferences") or () if r.get("uid") != meta["uid"]]
            finalizers = [f for f in pod_meta.get("finalizers") or () if f != TRACKING_FINALIZER]
            self.pods.write({**pod, "metadata": {**pod_meta, "ownerReferences": others + [reference],
                                                 "finalizers": finalizers + [TRACKING_FINALIZER]}}, pod)
            claimed = True
        return claimed

    @staticmethod
    def _delayable(pods: list[dict], spec: dict, completed: set[int], early: bool) -> dict[int, dict]:
        """backoffLimitPerIndex: per index neither succeeded nor running, its last failed pod still carrying the
        tracking finalizer (the one the replacement's failure count comes from)."""
        if spec.get("completionMode") != "Indexed" or spec.get("backoffLimitPerIndex") is None:
            return {}
        busy, done, latest = set(), set(completed), {}
        for pod in pods:
            index, deleting = pod_index(pod), pod["metadata"].get("deletionTimestamp")
            if pod["status"].get("phase") == "Succeeded":
                done.add(index)
            elif not terminal(pod) and not deleting:
                busy.add(index)
            elif TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or ()) and index is not None \
                    and index < spec["completions"] and (terminal(pod) or early) \
                    and (index not in latest or finished_at(latest[index]) < finished_at(pod)):
                latest[index] = pod
        return {index: pod for index, pod in latest.items() if index not in busy and index not in done}

    @staticmethod
    def _held_failures(spec: dict, pods: list[dict], held: set[str]) -> int:
        return sum(1 for pod in pods if pod["metadata"]["uid"] in held
                   and match_pod_failure_policy(spec.get("podFailurePolicy"), pod)[0] != "Ignore")

    @staticmethod
    def _count_held(spec: dict, pods: list[dict], held: set[str], tally: Tally, status: dict, failed: int) -> int:
        """The job finishes: the held pods are counted (Ignored ones only unfinalized) and let go."""
        for pod in pods:
            if pod["metadata"]["uid"] in held:
                if match_pod_failure_policy(spec.get("podFailurePolicy"), pod)[0] != "Ignore":
                    failed += 1
                    tally.failed.append(pod["metadata"]["uid"])
                tally.finalized.append(pod)
        held.clear()
        status["failed"] = failed
        return failed

    def _release_mismatched(self, job: dict, pods: list[dict]) -> bool:
        """Let go of its pods whose labels no longer match the job's selector (a client relabelled them): their
        owner reference to the job and the tracking finalizer removed, as ClaimPods releases them; uncounted."""
        selector, released = job["spec"].get("selector") or {}, False
        if not (selector.get("matchLabels") or selector.get("matchExpressions")):
            return False  # an empty selector matches every pod
        for pod in pods:
            pod_meta = pod["metadata"]
            if selector_matches(selector, pod_meta.get("labels") or {}):
                continue
            meta = {**pod_meta, "ownerReferences": [r for r in pod_meta.get("ownerReferences") or ()
                                                    if r.get("uid") != job["metadata"]["uid"]],
                    "finalizers": [f for f in pod_meta.get("finalizers") or () if f != TRACKING_FINALIZER]}
            for field in ("ownerReferences", "finalizers"):
                if not meta[field]:
                    del meta[field]
            self.pods.write({**pod, "metadata": meta}, pod)
            released = True
        return released

    @staticmethod
    def _restarts_exceed(spec: dict, pods: list[dict]) -> bool:
        """restartPolicy OnFailure: the restarts of the running and pending pods' containers, init containers
        included (pastBackoffLimitOnFailure), reach backoffLimit."""
        if (spec.get("template") or {}).get("spec", {}).get("restartPolicy") != "OnFailure":
            return False
        restarts = sum(s.get("restartCount", 0) for p in pods if not terminal(p)
                       for s in [*(p["status"].get("initContainerStatuses") or ()),
                                 *(p["status"].get("containerStatuses") or ())])
        limit = spec.get("backoffLimit", 6)
        return restarts > 0 if limit == 0 else restarts >= limit

    @staticmethod
    def _success_rule(spec: dict, completed: set[int]) -> int | None:
        for position, rule in enumerate((spec.get("successPolicy") or {}).get("rules") or ()):
            wanted = parse_indexes(rule["succeededIndexes"]) if rule.get("succeededIndexes") else None
            have = len(completed & wanted) if wanted is not None else len(completed)
            count = rule.get("succeededCount")
            if (count is not None and have >= count) or (count is None and wanted is not None and wanted <= completed):
                return position
        return None

    def _write_status(self, namespace: str, name: str, status: dict) -> dict:
        """A status write of the controller's own; a change of the job's phase goes to the log and its history."""
        before = self.jobs.items.get(namespace, name)
        written = self.jobs.write_status(namespace, name, status)
        if before is not None:
            transitions.report(self.jobs.core.store, "kubernetes", f"{namespace}/{name}", _phase(before),
                               _phase(written), self.clock.now())
        return written

    def _write(self, key: Key, job: dict, status: dict, conditions: list, active: list, terminating: list,
               run: dict, attempts: dict, tally: Tally, split: bool = False, shown_active: int | None = None) -> None:
        """Write the sync's status. With newly finished pods, in two steps as the real controller does: first
        their UIDs in uncountedTerminatedPods (old counters, any interim condition), then, with the tracking
        finalizers removed, the counters (and the terminal condition)."""
        status.update(active=len(active) if shown_active is None else shown_active,
                      ready=sum(1 for p in active if _ready(p)), terminating=len(terminating),
                      uncountedTerminatedPods={}, conditions=conditions)
        terminal_new = bool(conditions) and conditions[-1]["type"] in ("Complete", "Failed") \
            and job["status"].get("conditions") != conditions
        if tally.succeeded or tally.failed:
            uncounted = {kind: uids for kind, uids in (("succeeded", tally.succeeded), ("failed", tally.failed)) if uids}
            first = {k: v for k, v in status.items() if k != "completionTime"}
            first.update(succeeded=tally.old_succeeded, failed=tally.old_failed, uncountedTerminatedPods=uncounted,
                         conditions=conditions[:-1] if terminal_new else conditions)
            self._write_status(*key, first)
            split = False
        for pod in tally.finalized:
            self.pods.remove_finalizer(pod)
        if split and self.interim and conditions and conditions[-1]["type"] == "Complete" \
                and job["status"].get("conditions") != conditions[:-1]:  # SuccessCriteriaMet, then Complete (1.31+)
            self._write_status(*key, {k: v for k, v in status.items() if k != "completionTime"}
                                   | {"conditions": conditions[:-1]})
        run = {**run, "attempts": attempts}
        if run != self.runs.get(*key):
            self.runs.put(*key, run)
        written = self._write_status(*key, status)
        if _finished(written["status"]):
            for hook in self.on_finished:
                hook(written)

    def _slow_start(self, job: dict, run: dict, attempts: dict, indexes: list) -> tuple[list[dict], int]:
        """Create pods in batches of 1, 2, 4, ... (slowStartBatch); a batch with a refused create is the last one
        tried. Each refusal is a FailedCreate event. The pods made, and how many creates were refused."""
        made: list[dict] = []
        position, size = 0, min(len(indexes), SLOW_START_INITIAL_BATCH)
        while position < len(indexes):
            refused = 0
            for index in indexes[position:position + size]:
                try:
                    made.append(self._create_pod(job, run, attempts, index))
                except ApiError as error:
                    refused += 1
                    self._record(job, "Warning", "FailedCreate", f"Error creating: {error.message}")
            position += size
            if refused:
                return made, refused
            size = min(2 * size, len(indexes) - position)
        return made, 0

    def _create_pod(self, job: dict, run: dict, attempts: dict, index: int | None) -> dict:
        script = self._script(job)
        attempt = attempts.get(str(index) if index is not None else "all", 0)
        fails = script["always_fail"] or attempt < script["fail_attempts"] or index in script["failed_indexes"]
        pod = new_pod(job, index, attempts.get(f"failures-{index}", 0), attempts.get(f"ignored-{index}", 0))
        pod = self.pods.create(pod)  # 403 past the pod bound
        attempts[str(index) if index is not None else "all"] = attempt + 1
        logs = scripted_logs(job["metadata"].get("annotations") or {}, pod["spec"], script["exit_code"] if fails else 0)
        code = script["exit_code"]
        if job["spec"]["template"].get("spec", {}).get("restartPolicy") == "OnFailure":  # restarts in place
            codes = [code] if script["always_fail"] or index in script["failed_indexes"] else \
                [code] * max(0, script["fail_attempts"] - attempt) + [0]
        else:
            codes = [code if fails else 0]
        self.kubelet.start(pod, script["duration"], codes, logs, script["failure"] if fails else "Error",
                           scripted_init_codes(job["metadata"].get("annotations") or {}, pod["spec"]))
        run["created"] += 1
        self._record(job, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        return pod

    def _delete_pod(self, job: dict, pod: dict) -> None:
        meta = pod["metadata"]
        if self.pods.items.get(meta["namespace"], meta["name"]) is None:
            return
        self.pods.delete(meta["namespace"], meta["name"])
        self._record(job, "Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}")

    def _record(self, job: dict, kind: str, reason: str, message: str) -> None:
        self.events.record(involved(job, "Job", "batch/v1"), kind, reason, message, COMPONENT)


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A metav1.LabelSelector against labels: matchLabels and every matchExpression; an empty or absent selector
    matches nothing here (a Job always has one)."""
    if not selector:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or ():
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        if (operator == "In" and labels.get(key) not in values) or (operator == "NotIn" and labels.get(key) in values) \
                or (operator == "Exists" and key not in labels) or (operator == "DoesNotExist" and key in labels):
            return False
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


class Tally:
    """What one sync counts of the pods that finished since the last: the UIDs it counts as succeeded or failed,
    the pods whose tracking finalizer it then removes, and the counters before."""

    def __init__(self, succeeded: int, failed: int) -> None:
        self.old_succeeded, self.old_failed = succeeded, failed
        self.succeeded: list[str] = []
        self.failed: list[str] = []
        self.finalized: list[dict] = []


def new_pod(job: dict, index: int | None, failures: int = 0, ignored: int = 0) -> dict:
    """The pod the job controller sends for a job (GetPodFromTemplate, with the apiserver's pod defaults)."""
    meta, spec = job["metadata"], job["spec"]
    template = spec.get("template") or {}
    template_meta = template.get("metadata") or {}
    labels = dict(template_meta.get("labels") or {})
    annotations = dict(template_meta.get("annotations") or {})
    name = meta["name"]
    if index is not None:
        labels[INDEX_KEY] = annotations[INDEX_KEY] = str(index)
        suffix = f"-{index}-"
        prefix = name[:58 - len(suffix)] + suffix
        if spec.get("backoffLimitPerIndex") is not None:
            annotations[FAILURE_COUNT] = str(failures)
            if ignored:
                annotations[IGNORED_COUNT] = str(ignored)
    else:
        prefix = name + "-"
    pod_meta: dict[str, Any] = {"generateName": prefix, "namespace": meta["namespace"]}
    if labels:
        pod_meta["labels"] = labels
    if annotations:
        pod_meta["annotations"] = annotations
    pod_meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": meta["uid"],
                                    "controller": True, "blockOwnerDeletion": True}]
    pod_meta["finalizers"] = [*(template_meta.get("finalizers") or []), TRACKING_FINALIZER]
    pod_spec = copy.deepcopy(template.get("spec") or {})
    if index is not None:
        pod_spec.setdefault("hostname", f"{name}-{index}")
        for container in [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]:
            env = container.setdefault("env", [])
            if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in env):
                env.append({"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
                    "apiVersion": "v1", "fieldPath": f"metadata.labels['{INDEX_KEY}']"}}})
    pod_spec = api_defaulted_pod_spec(pod_spec)  # admission adds the rest when the pod is created
    return {"metadata": pod_meta, "spec": pod_spec}

