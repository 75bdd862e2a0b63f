"""The garbage collector for a deleted Job's Pods (propagation policies) and the TTL-after-finished controller.

Background: the Job is gone at once; each of its pods is deleted with its default grace.
Foreground: the Job stays with `foregroundDeletion` until every pod it owns is gone.
Orphan: each pod loses its owner reference (and the tracking finalizer), then the Job goes.
TTL: a finished Job with `ttlSecondsAfterFinished` is deleted (Foreground, uid precondition) that
long after its Complete/Failed condition's transition time, on the emulator's clock.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from emulator.core.clock import Clock, Scheduled, parse_rfc3339
from emulator.core.errors import ApiError
from emulator.services.kubernetes.pods import TRACKING_FINALIZER, Pods, owner_uid

if TYPE_CHECKING:
    from emulator.services.kubernetes.registry import Jobs


class GarbageCollector:
    """Deletes or orphans the pods of deleted Jobs; releases a Job in foreground deletion once they are gone."""

    def __init__(self, jobs: Jobs, pods: Pods) -> None:
        self.jobs = jobs
        self.pods = pods
        self._waiting: dict[str, tuple[str, str]] = {}  # uid of a job in foreground deletion -> its key
        jobs.collector = self.collect
        pods.listeners.append(self.heard_pod)

    def reset(self) -> None:
        self._waiting.clear()

    def restored(self) -> None:
        """Jobs that were waiting for their pods when the state was saved wait again."""
        self._waiting.clear()
        for key, job in list(self.jobs.items.scan()):
            if "foregroundDeletion" in (job["metadata"].get("finalizers") or ()):
                self._waiting[job["metadata"]["uid"]] = key
                self._release_if_done(job["metadata"]["uid"])
            elif "orphan" in (job["metadata"].get("finalizers") or ()):
                self.collect(job, "Orphan")

    def collect(self, job: dict, policy: str) -> None:
        meta = job["metadata"]
        uid, key = meta["uid"], (meta["namespace"], meta["name"])
        if policy == "Orphan":
            for pod in self.pods.owned_by(uid):
                pod_meta = dict(pod["metadata"])
                references = [r for r in pod_meta.get("ownerReferences") or () if r.get("uid") != uid]
                if references:
                    pod_meta["ownerReferences"] = references
                else:
                    pod_meta.pop("ownerReferences", None)
                finalizers = [f for f in pod_meta.get("finalizers") or () if f != TRACKING_FINALIZER]
                if finalizers:
                    pod_meta["finalizers"] = finalizers
                else:
                    pod_meta.pop("finalizers", None)
                self.pods.write({**pod, "metadata": pod_meta}, pod)
            self.jobs.remove_finalizer(*key, "orphan")
            return
        if policy == "Foreground":
            self._waiting[uid] = key
        for pod in self.pods.owned_by(uid):
            pod = self.pods.remove_finalizer(pod)
            if self.pods.items.get(pod["metadata"]["namespace"], pod["metadata"]["name"]) is not None:
                self.pods.delete(pod["metadata"]["namespace"], pod["metadata"]["name"])
        if policy == "Foreground":
            self._release_if_done(uid)

    def heard_pod(self, how: str, pod: dict) -> None:
        if how == "deleted" and self._waiting:
            uid = owner_uid(pod)
            if uid in self._waiting:
                self._release_if_done(uid)

    def _release_if_done(self, uid: str) -> None:
        if not self.pods.owned_by(uid):
            key = self._waiting.pop(uid)
            self.jobs.remove_finalizer(*key, "foregroundDeletion")


class TtlController:
    """Deletes finished Jobs `ttlSecondsAfterFinished` after they finished."""

    def __init__(self, jobs: Jobs, clock: Clock) -> None:
        self.jobs = jobs
        self.clock = clock
        self._pending: dict[tuple[str, str], Scheduled] = {}

    def reset(self) -> None:
        self._pending.clear()

    def restored(self) -> None:
        self._pending.clear()
        for _, job in list(self.jobs.items.scan()):
            self.check(job)

    def heard(self, how: str, job: dict) -> None:
        if how in ("updated", "status"):
            self.check(job)

    def check(self, job: dict) -> None:
        """Plan the deletion of a finished job with a TTL (again, if the TTL changed)."""
        meta, ttl = job["metadata"], job["spec"].get("ttlSecondsAfterFinished")
        key = (meta["namespace"], meta["name"])
        finished = next((c for c in job["status"].get("conditions") or ()
                         if c["type"] in ("Complete", "Failed") and c["status"] == "True"), None)
        self.clock.cancel(self._pending.pop(key, None))
        if ttl is None or finished is None or meta.get("deletionTimestamp"):
            return
        when = parse_rfc3339(finished["lastTransitionTime"]) + timedelta(seconds=ttl)
        uid = meta["uid"]
        self._pending[key] = self.clock.call_at(max(when, self.clock.now()), lambda: self._expire(key, uid))

    def _expire(self, key: tuple[str, str], uid: str) -> None:
        self._pending.pop(key, None)
        job = self.jobs.items.get(*key)
        if job is None or job["metadata"]["uid"] != uid or job["metadata"].get("deletionTimestamp"):
            return
        try:
            self.jobs.delete(*key, {"propagationPolicy": "Foreground", "preconditions": {"uid": uid}}, False)
        except ApiError:
            pass

