"""The Pod registry: core/v1 Pods the Job controller creates, their writes, graceful deletion and watch events.

Pods are made by the emulator's controllers only (no client POST); clients read, list, watch and
delete them. Each write gets a new resourceVersion and a watch event; listeners (the Job
controller, the kubelet) hear every write, as their informers would.
"""
from __future__ import annotations

from collections.abc import Callable

from emulator.core.clock import rfc3339

from emulator.services.protocol import Core
from emulator.services.kubernetes import errors
from emulator.services.kubernetes.filters import Predicate
from emulator.services.kubernetes.registry import page
from emulator.services.kubernetes.watch import WatchHub

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
MAX_GENERATE_PREFIX = 58  # the apiserver cuts generateName to this before adding 5 random characters
# What a listener hears: "created", "updated" (any write that keeps it), "deleted" (it is gone).
PodListener = Callable[[str, dict], None]


def owner_uid(pod: dict) -> str | None:
    """The uid of the pod's controller, if it has one."""
    for reference in pod["metadata"].get("ownerReferences") or ():
        if reference.get("controller"):
            return reference.get("uid")
    return None


def terminal(pod: dict) -> bool:
    return pod["status"].get("phase") in ("Succeeded", "Failed")


class Pods:
    """core/v1 Pods in the store, with an index by controller uid so a Job's pods are found without a scan."""

    def __init__(self, core: Core, hub: WatchHub) -> None:
        self.core = core
        self.hub = hub
        self.items = core.store.collection("pods")
        self.listeners: list[PodListener] = []
        self._owned: dict[str, set[tuple[str, str]]] = {}

    def reset(self) -> None:
        self._owned.clear()

    def reindex(self) -> None:
        """Rebuild the owner index from the store (after a restore)."""
        self._owned.clear()
        for key, pod in self.items.scan():
            self._index(key, pod)

    def _index(self, key: tuple[str, str], pod: dict) -> None:
        uid = owner_uid(pod)
        if uid is not None:
            self._owned.setdefault(uid, set()).add(key)

    def _unindex(self, key: tuple[str, str], pod: dict) -> None:
        uid = owner_uid(pod)
        owned = self._owned.get(uid) if uid else None
        if owned is not None:
            owned.discard(key)
            if not owned:
                del self._owned[uid]

    # --- reads -----------------------------------------------------------------------------------

    def get(self, namespace: str, name: str) -> dict:
        pod = self.items.get(namespace, name)
        if pod is None:
            raise errors.not_found(name, "pods", "")
        return pod

    def owned_by(self, uid: str) -> list[dict]:
        """The pods whose controller is the object with this uid, oldest first."""
        keys = self._owned.get(uid) or ()
        pods = [self.items.get(*key) for key in keys]
        return sorted((p for p in pods if p is not None), key=lambda p: (p["metadata"]["creationTimestamp"],
                                                                         p["metadata"]["name"]))

    def page(self, namespace: str | None, predicate: Predicate | None, limit: int, token: str | None):
        return page(self.items, self.core.store.revision, namespace, predicate, limit, token)

    # --- writes ----------------------------------------------------------------------------------

    def create(self, pod: dict) -> dict:
        """Store a new pod made by a controller: its name from generateName, uid, creation time."""
        meta = pod["metadata"]
        namespace = meta["namespace"]
        prefix = meta["generateName"][:MAX_GENERATE_PREFIX]
        name = prefix + self.core.ids.suffix()
        while self.items.get(namespace, name) is not None:  # RetryGenerateName
            name = prefix + self.core.ids.suffix()
        pod["metadata"] = {"name": name, "generateName": meta["generateName"], "namespace": namespace,
                           "uid": self.core.ids.uuid4(), "resourceVersion": "", "generation": 1,
                           "creationTimestamp": self.core.clock.stamp(),
                           **{k: v for k, v in meta.items() if k not in ("name", "generateName", "namespace")}}
        return self._commit(pod, None)

    def load_fixture(self, document: dict) -> None:
        """A fixture Pod, stored as given; the server fields it lacks are generated."""
        meta = dict(document.get("metadata") or {})
        if not meta.get("name"):
            raise ValueError("a fixture Pod needs metadata.name")
        meta.setdefault("namespace", "default")
        meta.setdefault("uid", self.core.ids.uuid4())
        meta.setdefault("creationTimestamp", self.core.clock.stamp())
        meta.pop("resourceVersion", None)
        if self.items.get(meta["namespace"], meta["name"]) is not None:
            raise errors.already_exists(meta["name"], "pods", "")
        self._commit({"metadata": meta, "spec": dict(document.get("spec") or {}),
                      "status": dict(document.get("status") or {"phase": "Pending"})}, None)

    def write(self, new: dict, old: dict) -> dict:
        """A controller's write of a pod (status, finalizers, owner references); gone once deleting and unfinalized."""
        if new == old:
            return old
        return self._commit(new, old)

    def remove_finalizer(self, pod: dict, finalizer: str = TRACKING_FINALIZER) -> dict:
        finalizers = pod["metadata"].get("finalizers") or []
        if finalizer not in finalizers:
            return pod
        meta = {**pod["metadata"], "finalizers": [f for f in finalizers if f != finalizer]}
        if not meta["finalizers"]:
            del meta["finalizers"]
        return self.write({**pod, "metadata": meta}, pod)

    def delete(self, namespace: str, name: str, grace: int | None = None, preconditions: dict | None = None,
               dry_run: bool = False) -> dict:
        """DELETE: graceful for a running pod (deletionTimestamp = now + grace), at once for one not started or
        finished; the object stays while it has finalizers. The pod as the response shows it."""
        old = self.get(namespace, name)
        uid = (preconditions or {}).get("uid")
        if uid and uid != old["metadata"]["uid"]:
            raise errors.conflict(name, f"the UID in the precondition ({uid}) does not match the UID in record "
                                  f"({old['metadata']['uid']}). The object might have been deleted and then recreated",
                                  qualified="pods", kind="pods")
        if grace is None:
            grace = old["spec"].get("terminationGracePeriodSeconds", 30)
        if not old["spec"].get("nodeName") or terminal(old):
            grace = 0
        grace = max(grace, 0)
        meta = dict(old["metadata"])
        if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds", 0) <= grace:
            return old  # already going, no sooner
        meta["deletionTimestamp"] = rfc3339(self.core.clock.later(grace))
        meta["deletionGracePeriodSeconds"] = grace
        if dry_run:
            return {**old, "metadata": meta}
        return self._commit({**old, "metadata": meta}, old)  # gone at once with grace 0 and no finalizers

    def delete_collection(self, namespace: str, predicate: Predicate | None, limit: int, token: str | None,
                          grace: int | None, preconditions: dict | None, dry_run: bool):
        """deletecollection: the matching page (all without `limit`), each deleted as by `delete`; the pods as the
        deletes answered them, the next token and what remains."""
        items, token, remaining = self.page(namespace, predicate, limit, token)
        deleted = []
        for pod in items:
            meta = pod["metadata"]
            if self.items.get(meta["namespace"], meta["name"]) is pod:  # not gone meanwhile
                deleted.append(self.delete(meta["namespace"], meta["name"], grace, preconditions, dry_run))
        return deleted, token, remaining

    def finish_deletion(self, pod: dict) -> dict:
        """The kubelet's final delete with grace 0, once the containers stopped: gone unless finalizers hold it."""
        meta = {**pod["metadata"], "deletionGracePeriodSeconds": 0}
        return self._commit({**pod, "metadata": meta}, pod)

    def _commit(self, pod: dict, old: dict | None) -> dict:
        meta = pod["metadata"]
        key = (meta["namespace"], meta["name"])
        revision = self.core.store.next_revision()
        meta["resourceVersion"] = str(revision)
        if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds", 0) == 0 \
                and not meta.get("finalizers"):
            self.items.delete(*key)
            if old is not None:
                self._unindex(key, old)
            self.hub.publish("DELETED", pod, old, revision)
            self._tell("deleted", pod)
            return pod
        if old is not None and owner_uid(old) != owner_uid(pod):
            self._unindex(key, old)
        self.items.put(*key, pod)
        self._index(key, pod)
        self.hub.publish("ADDED" if old is None else "MODIFIED", pod, old, revision)
        self._tell("created" if old is None else "updated", pod)
        return pod

    def _tell(self, how: str, pod: dict) -> None:
        for listener in self.listeners:
            listener(how, pod)

    def delete_namespace_contents(self, namespace: str) -> None:
        for _, pod in list(self.items.scan(namespace)):
            meta = {**pod["metadata"], "deletionTimestamp": self.core.clock.stamp(), "deletionGracePeriodSeconds": 0}
            meta.pop("finalizers", None)
            self._commit({**pod, "metadata": meta}, pod)

