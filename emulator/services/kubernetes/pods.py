"""The Pod registry: core/v1 Pods the Job controller creates, their writes, graceful deletion and watch events.

The Job controller makes Pods; clients may also POST them (validated, generateName, dryRun) and
read, list, watch, evict, delete, PUT and PATCH them (metadata freely; of the spec only what the
apiserver lets change). At most `limit` Pods are stored: one more is refused with
403 Forbidden "exceeded quota", as a ResourceQuota on pods would. Each write gets a new
resourceVersion and a watch event; listeners (the Job controller, the kubelet) hear every write, as
their informers would ("posted" for a Pod a client created).
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from emulator.core.clock import rfc3339
from emulator.core.ids import NAME_ALPHABET

from emulator.services.protocol import Core
from emulator.services.kubernetes import apply, errors, patch, quantity, schema, strategy, validation
from emulator.services.kubernetes.errors import FieldError
from emulator.services.kubernetes.filters import Predicate
from emulator.services.kubernetes.options import WriteOptions, cannot_handle
from emulator.services.kubernetes.paging import page
from emulator.services.kubernetes.shapes import pod_body
from emulator.services.kubernetes.watch import WatchHub

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
MAX_GENERATE_PREFIX = 58  # the apiserver cuts generateName to this before adding 5 random characters
MAX_PODS = 100_000  # Pods stored at most; one more is refused with 403 "exceeded quota"
QUOTA = "emulator-pods"  # the name the refusal gives the quota
DISRUPTION_TARGET = "DisruptionTarget"
GATED_MESSAGE = "Scheduling is blocked due to non-empty scheduling gates"
TOKEN_VOLUME = "kube-api-access-"  # the ServiceAccount admission plugin's volume, and where it mounts it
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
CONDITION_FIELDS = ("type", "status", "observedGeneration", "lastProbeTime", "lastTransitionTime", "reason", "message")
POD_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
CONTROLLER = "kube-controller-manager"  # the field manager of the Job controller's and garbage collector's writes
UPDATABLE = ("pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
             "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
             "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")
# What a listener hears: "created" (by a controller), "posted" (by a client), "updated" (any write that keeps it),
# "deleted" (it is gone).
PodListener = Callable[[str, dict], None]


TOLERATION = schema.Struct("v1.Toleration", {"key": "string", "operator": "string", "value": "string",
                                             "effect": "string", "tolerationSeconds": "int64"})
# A Pod as a POST, PUT or PATCH body decodes (tolerations typed; the status as the kubelet's, not checked)
POD_WRITE = schema.Struct("v1.Pod", {
    "kind": "string", "apiVersion": "string", "metadata": schema.OBJECT_META,
    "spec": dataclasses.replace(schema.POD_SPEC, fields={**schema.POD_SPEC.fields,
                                                         "tolerations": schema.List(TOLERATION)}),
    "status": schema.ANY})
POD_STATUS_WRITE = dataclasses.replace(POD_WRITE, fields={**POD_WRITE.fields, "status": schema.POD_STATUS})  # /status


def owner_uid(pod: dict) -> str | None:
    """The uid of the pod's controller, if it has one."""
    for reference in pod["metadata"].get("ownerReferences") or ():
        if reference.get("controller"):
            return reference.get("uid")
    return None


def container_status(pod: dict, name: str) -> dict | None:
    """The named container's status, an init container's included (None before the kubelet wrote one)."""
    status = pod["status"]
    for statuses in (status.get("containerStatuses"), status.get("initContainerStatuses")):
        for state in statuses or ():
            if state["name"] == name:
                return state
    return None


def terminal(pod: dict) -> bool:
    return pod["status"].get("phase") in ("Succeeded", "Failed")


class Pods:
    """core/v1 Pods in the store, with an index by controller uid so a Job's pods are found without a scan."""

    def __init__(self, core: Core, hub: WatchHub, limit: int = MAX_PODS) -> None:
        self.core = core
        self.hub = hub
        self.limit = limit
        self.items = core.store.collection("pods")
        self.fields = apply.pod_fields()
        self.listeners: list[PodListener] = []
        self._owned: dict[str, set[tuple[str, str]]] = {}
        self._orphans: dict[str, set[tuple[str, str]]] = {}  # namespace -> pods without a controller

    def reset(self) -> None:
        self._owned.clear()
        self._orphans.clear()

    def reindex(self) -> None:
        """Rebuild the owner index from the store (after a restore or a rollback)."""
        self._owned.clear()
        self._orphans.clear()
        for key, pod in self.items.scan():
            self._index(key, pod)

    def _index(self, key: tuple[str, str], pod: dict) -> None:
        uid = owner_uid(pod)
        self._owned.setdefault(uid, set()).add(key) if uid is not None else \
            self._orphans.setdefault(key[0], set()).add(key)

    def _unindex(self, key: tuple[str, str], pod: dict) -> None:
        uid = owner_uid(pod)
        owned = self._owned.get(uid) if uid else self._orphans.get(key[0])
        if owned is not None:
            owned.discard(key)
            if not owned:
                del (self._owned if uid else self._orphans)[uid or key[0]]

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

    def orphans(self, namespace: str) -> list[dict]:
        """The pods of a namespace that no controller owns (what a controller may adopt)."""
        pods = [self.items.get(*key) for key in self._orphans.get(namespace) or ()]
        return sorted((p for p in pods if p is not None), key=lambda p: p["metadata"]["name"])

    def page(self, namespace: str | None, predicate: Predicate | None, limit: int, token: str | None):
        return page(self.items, self.core.store.revision, namespace, predicate, limit, token)

    # --- writes ----------------------------------------------------------------------------------

    def create(self, pod: dict) -> dict:
        """Store a new pod made by a controller: its name from generateName, uid, creation time, the status a new pod
        gets; 403 past the bound, 422 for a pod bound to a node while gated."""
        meta = pod["metadata"]
        self._check_room(meta.get("name") or meta["generateName"])
        pod["metadata"] = self._system_meta(meta)
        problems = _gated_node_errors(pod["spec"])
        if problems:
            raise errors.invalid(pod["metadata"]["name"], problems, kind="Pod", group="")
        pod["status"] = created_status(pod["spec"], self.core.clock.stamp())
        _set_managed(pod, self.fields.update(None, pod, CONTROLLER, "", self.core.clock.stamp()))
        admit(pod["spec"], pod["metadata"]["uid"])
        return self._commit(pod, None)

    def _check_room(self, name: str) -> None:
        used = len(self.items)
        if used >= self.limit:
            raise errors.forbidden(f'pods "{name}" is forbidden: exceeded quota: {QUOTA}, requested: pods=1, '
                                   f'used: pods={used}, limited: pods={self.limit}', {"name": name, "kind": "pods"})

    def _system_meta(self, meta: dict) -> dict:
        """The metadata with the server's fields: a name from generateName (a clash retried), uid, times."""
        namespace = meta["namespace"]
        name = meta.get("name")
        if not name:
            prefix = meta["generateName"][:MAX_GENERATE_PREFIX]
            name = prefix + self.core.ids.suffix()
            while self.items.get(namespace, name) is not None:  # RetryGenerateName
                name = prefix + self.core.ids.suffix()
        head = {"name": name, **({"generateName": meta["generateName"]} if meta.get("generateName") else {}),
                "namespace": namespace, "uid": self.core.ids.uuid4(), "resourceVersion": "", "generation": 1,
                "creationTimestamp": self.core.clock.stamp()}
        return {**head, **{k: v for k, v in meta.items() if k not in ("name", "generateName", "namespace", "uid",
                                                                      "resourceVersion", "generation",
                                                                      "creationTimestamp", "deletionTimestamp",
                                                                      "deletionGracePeriodSeconds", "managedFields",
                                                                      "selfLink")}}

    def post(self, namespace: str, body: dict, dry_run: bool, namespace_exists: bool, manager: str = "unknown",
             managed: Any = False) -> dict:
        """POST by a client (and an apply that creates, with its `managed` fields): validated as the apiserver does,
        defaulted, stored (unless dryRun); 409, 403, 422. The writer owns what it sent with the API's defaults, not
        what admission adds after (service account, priority, tolerations)."""
        _decoded(body, POD_WRITE, "Pod")
        meta = dict(body.get("metadata") or {})
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        if meta.get("resourceVersion"):
            raise errors.unclassified("resourceVersion should not be set on objects to be created")
        if not namespace_exists:
            raise errors.not_found(namespace, "namespaces", "")
        meta["namespace"] = namespace
        spec = api_defaulted_pod_spec(body["spec"] if isinstance(body.get("spec"), dict) else {})  # as decoded
        shown = meta.get("name") or meta.get("generateName") or ""
        problems = validation.object_meta_errors(
            {**meta, "name": meta.get("name") or (meta.get("generateName") or "") + "x"}, namespaced=True)
        problems += pod_spec_errors(spec)
        if problems:
            raise errors.invalid(shown, problems, kind="Pod", group="")
        if meta.get("name") and self.items.get(namespace, meta["name"]) is not None:
            raise errors.already_exists(meta["name"], "pods", "")
        self._check_room(shown)
        pod = {"metadata": self._system_meta(meta), "spec": spec,
               "status": created_status(spec, self.core.clock.stamp())}
        if managed is False:
            managed = self.fields.update(None, pod, manager, "", self.core.clock.stamp())
        _set_managed(pod, managed)
        admit(pod["spec"], pod["metadata"]["uid"])
        if dry_run:
            return pod
        return self._commit(pod, None, "posted")

    def load_fixture(self, document: dict) -> dict:
        """A fixture Pod, stored as given; the server fields it lacks are generated. The Pod as stored."""
        meta = dict(document.get("metadata") or {})
        if not meta.get("name"):
            raise ValueError("a fixture Pod needs metadata.name")
        meta.setdefault("namespace", "default")
        meta.setdefault("uid", self.core.ids.uuid4())
        meta.setdefault("creationTimestamp", self.core.clock.stamp())
        meta.pop("resourceVersion", None)
        if self.items.get(meta["namespace"], meta["name"]) is not None:
            raise errors.already_exists(meta["name"], "pods", "")
        return self._commit({"metadata": meta, "spec": dict(document.get("spec") or {}),
                             "status": dict(document.get("status") or {"phase": "Pending"})}, None)

    def write(self, new: dict, old: dict, manager: str | None = CONTROLLER, subresource: str = "") -> dict:
        """A controller's write of a pod (status, finalizers, owner references), recorded for `manager` (None: an
        untracked write of the apiserver's own); gone once deleting and unfinalized."""
        if new == old:
            return old
        if manager is not None:
            new = {**new, "metadata": dict(new["metadata"])}
            _set_managed(new, self.fields.update(old, new, manager, subresource, self.core.clock.stamp()))
        return self._commit(new, old)

    # --- a client's PATCH ----------------------------------------------------------------------

    def _decode(self, body: dict, options: WriteOptions, status_only: bool = False) -> dict:
        """The body as decoding it into a Pod leaves it (unknown fields dropped), or a 400."""
        kind = POD_STATUS_WRITE if status_only else POD_WRITE
        try:
            unknown = schema.check_object(body, kind)
        except schema.DecodeError as error:
            raise cannot_handle("Pod")(str(error)) from None
        options.unknown_fields(unknown, cannot_handle("Pod"))
        return schema.prune(body, kind) if unknown else body

    def replace(self, namespace: str, name: str, body: dict, options: WriteOptions, status_only: bool = False) -> dict:
        """PUT (of the pod, or of its /status): as a patch that gives the whole pod; a uid that is not the stored one
        fails its precondition."""
        body = self._decode(body, options, status_only)
        old = self.get(namespace, name)
        uid = (body.get("metadata") or {}).get("uid")
        if uid and uid != old["metadata"]["uid"]:
            raise errors.uid_changed(f"/registry/pods/{namespace}/{name}", uid, old, "pods", "pods", "")
        return self._update(old, body, options, status_only=status_only)

    def patch(self, namespace: str, name: str, patch_type: str, document: Any, options: WriteOptions,
              status_only: bool = False) -> dict:
        """PATCH with a json, merge or strategic patch: labels, annotations, owners, finalizers and the few spec
        fields a pod update may change (images, activeDeadlineSeconds, added tolerations); on /status, the status."""
        old = self.get(namespace, name)
        patched = patch.patched_object(pod_body(old), patch_type, document,
                                       POD_STATUS_WRITE if status_only else POD_WRITE, options)
        return self._update(old, patched, options, status_only=status_only)

    def apply(self, namespace: str, name: str, document: Any, force: bool, options: WriteOptions,
              namespace_exists: bool, status_only: bool = False) -> tuple[dict, bool]:
        """Server-side apply by `options.manager` (of the pod, or of its /status, which never creates): the pod, and
        whether the apply created it."""
        apply.check_applied(document, "v1", "Pod", name, namespace)
        document = self._decode(document, options, status_only)
        old, now = self.items.get(namespace, name), self.core.clock.stamp()
        if old is None and status_only:
            raise errors.not_found(name, "pods", "")
        if old is None:
            merged, managed = self.fields.apply(None, document, options.manager, "", force, now)
            return self.post(namespace, merged, options.dry_run, namespace_exists, managed=managed), True
        merged, managed = self.fields.apply(pod_body(old), document, options.manager, "status" if status_only else "",
                                            force, now)
        return self._update(old, merged, options, managed, status_only), False

    def _update(self, old: dict, body: dict, options: WriteOptions, managed: Any = False,
                status_only: bool = False) -> dict:
        """The pod strategy's update: metadata and the updatable spec fields from the body, status kept; on /status
        (the pod status strategy) metadata and status from the body, spec and owner references kept."""
        meta, name = body.get("metadata") or {}, old["metadata"]["name"]
        if meta.get("namespace") and meta["namespace"] != old["metadata"]["namespace"]:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        if meta.get("name") != name:
            raise errors.bad_request(f"the name of the object ({meta.get('name') or ''}) does not match the name "
                                     f"on the URL ({name})")
        if body.get("apiVersion") not in (None, "", "v1"):
            raise errors.bad_request(f"the API version in the data ({body['apiVersion']}) does not match the "
                                     "expected API version (v1)")
        if body.get("kind") not in (None, "", "Pod"):
            raise errors.bad_request(f"the kind in the data ({body['kind']}) does not match the expected kind (Pod)")
        version = meta.get("resourceVersion")
        if version and version != old["metadata"]["resourceVersion"]:
            if not str(version).isdigit():
                raise errors.bad_request(f'invalid resourceVersion "{version}": must be a decimal number')
            raise errors.stale(name, "pods", "pods", "")
        meta = {**strategy.updated_meta(meta, old["metadata"]), "namespace": old["metadata"]["namespace"]}
        if status_only:
            meta.pop("ownerReferences", None)
            if "ownerReferences" in old["metadata"]:
                meta["ownerReferences"] = old["metadata"]["ownerReferences"]
            new = {"metadata": meta, "spec": old["spec"], "status": _written_status(body.get("status"), old["status"])}
        else:
            spec = copy.deepcopy(body["spec"]) if isinstance(body.get("spec"), dict) else {}
            strategy.default_pod_spec(spec)
            if spec == old["spec"]:
                spec = old["spec"]
            else:  # a pod's spec change counts a generation, as the apiserver's pod strategy does
                meta["generation"] = old["metadata"].get("generation", 1) + 1
            new = {"metadata": meta, "spec": spec, "status": old["status"]}
        if managed is False:
            managed = self.fields.update(old, new, options.manager, "status" if status_only else "",
                                         self.core.clock.stamp())
        _set_managed(new, managed)
        if new == old:
            return old
        problems = validation.immutable_meta_errors(meta, old["metadata"])
        problems += validation.label_errors("metadata.labels", meta.get("labels"))
        added = set(meta.get("finalizers") or ()) - set(old["metadata"].get("finalizers") or ())
        if old["metadata"].get("deletionTimestamp") and added:
            problems.append(FieldError.forbidden("metadata.finalizers",
                                                 "no new finalizers can be added if the object is being deleted"))
        problems += pod_status_update_errors(new, old) if status_only else pod_spec_update_errors(new["spec"],
                                                                                                  old["spec"])
        if problems:
            raise errors.invalid(name, problems, kind="Pod", group="")
        return new if options.dry_run else self._commit(new, old, "updated")

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
        if grace < 0:  # CheckGracefulDelete: a negative period is one second
            grace = 1
        meta = dict(old["metadata"])
        if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds", 0) <= grace:
            return old  # already going, no sooner
        meta["deletionTimestamp"] = rfc3339(self.core.clock.later(grace))
        meta["deletionGracePeriodSeconds"] = grace
        if dry_run:
            return {**old, "metadata": meta}
        return self._commit({**old, "metadata": meta}, old)  # gone at once with grace 0 and no finalizers

    def evict(self, namespace: str, name: str, eviction: dict, dry_run: bool) -> None:
        """POST pods/{name}/eviction (no PodDisruptionBudgets here, so it is always allowed): the pod gets the
        DisruptionTarget condition (reason EvictionByEvictionAPI), then is deleted with the eviction's options."""
        _decoded(eviction, EVICTION, "Eviction")
        if (eviction.get("metadata") or {}).get("name") != name:
            raise errors.bad_request("name in URL does not match name in Eviction object")
        options = eviction.get("deleteOptions") or {}
        dry_run = dry_run or "All" in (options.get("dryRun") or [])
        pod = self.get(namespace, name)
        grace = options.get("gracePeriodSeconds")
        if grace is not None and not isinstance(grace, int):
            raise errors.bad_request(f'invalid value "{grace}" for gracePeriodSeconds')
        if not dry_run and not pod["metadata"].get("deletionTimestamp"):
            condition = {"type": DISRUPTION_TARGET, "status": "True", "lastProbeTime": None,
                         "lastTransitionTime": self.core.clock.stamp(), "reason": "EvictionByEvictionAPI",
                         "message": "Eviction API: evicting"}
            old = [c for c in pod["status"].get("conditions") or () if c["type"] == DISRUPTION_TARGET]
            if old and old[0]["status"] == "True":
                condition["lastTransitionTime"] = old[0]["lastTransitionTime"]
            kept = [c for c in pod["status"].get("conditions") or () if c["type"] != DISRUPTION_TARGET]
            pod = self.write({**pod, "status": {**pod["status"], "conditions": kept + [condition]}}, pod, None)
        self.delete(namespace, name, grace, options.get("preconditions"), dry_run)

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

    def _commit(self, pod: dict, old: dict | None, how: str = "created") -> dict:
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
        self._tell(how if old is None else "updated", pod)
        return pod

    def _tell(self, how: str, pod: dict) -> None:
        for listener in self.listeners:
            listener(how, pod)

    def delete_namespace_contents(self, namespace: str) -> None:
        for _, pod in list(self.items.scan(namespace)):
            meta = {**pod["metadata"], "deletionTimestamp": self.core.clock.stamp(), "deletionGracePeriodSeconds": 0}
            meta.pop("finalizers", None)
            self._commit({**pod, "metadata": meta}, pod)


# What an Eviction body must decode into (each field of the right JSON type), as the apiserver's decoder.
EVICTION = schema.Struct("v1.Eviction", {"kind": "string", "apiVersion": "string", "metadata": schema.OBJECT_META,
                                         "deleteOptions": schema.ANY}, package="io.k8s.api.policy.v1", closed=False)


def _decoded(body: dict, kind: schema.Struct, name: str) -> None:
    """A 400 unless the body decodes into `kind` (unknown fields are another check's)."""
    try:
        schema.check_object(body, kind)
    except schema.DecodeError as error:
        raise cannot_handle(name)(str(error)) from None


def pod_spec_errors(spec: dict) -> list[FieldError]:
    """The checks of a posted Pod's spec that clients meet first: volumes, containers with a unique name, an image
    and mounts of those volumes, a known restartPolicy, scheduling gates with valid distinct names and no nodeName
    beside them."""
    problems = validation.containers_errors("spec", spec)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in POD_RESTART_POLICIES:
        problems.append(FieldError.not_supported("spec.restartPolicy", policy, POD_RESTART_POLICIES))
    problems += validation.scheduling_gate_errors("spec.schedulingGates", spec.get("schedulingGates"))
    return problems + _gated_node_errors(spec)


def _gated_node_errors(spec: dict) -> list[FieldError]:
    """ValidatePodCreate's own rule: a pod is not created bound to a node while it has scheduling gates."""
    if spec.get("nodeName") and spec.get("schedulingGates"):
        return [FieldError.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared")]
    return []


def pod_spec_update_errors(new: dict, old: dict) -> list[FieldError]:
    """ValidatePodUpdate's spec rules in short: images, a lowered (or newly set) activeDeadlineSeconds, tolerations
    added, scheduling gates removed, a gated pod's nodeSelector added to and terminationGracePeriodSeconds from a
    negative value to 1 may change; anything else is Forbidden."""
    problems: list[FieldError] = []
    deadline, before = new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= 2**31 - 1:
        problems.append(FieldError.invalid("spec.activeDeadlineSeconds", deadline,
                                           "must be between 1 and 2147483647, inclusive"))
    elif before is not None and deadline is None:
        problems.append(FieldError.invalid("spec.activeDeadlineSeconds", "null",
                                           "must not update from a positive integer to nil value"))
    elif before is not None and isinstance(deadline, int) and deadline > before:
        problems.append(FieldError.invalid("spec.activeDeadlineSeconds", deadline,
                                           "must be less than or equal to previous value"))
    problems += [FieldError.forbidden(f"spec.schedulingGates[{index}].name",
                                      f"only deletion is allowed, but found new scheduling gate '{name}'")
                 for index, name in _added_gates(new.get("schedulingGates"), old.get("schedulingGates"))]
    masked = {**new, "activeDeadlineSeconds": before, "schedulingGates": old.get("schedulingGates")}
    selector, selected = new.get("nodeSelector") or {}, old.get("nodeSelector") or {}
    if old.get("schedulingGates") and selector != selected:  # a gated pod's node selector may only grow
        if any(selector.get(key) != value for key, value in selected.items()):
            problems.append(FieldError.invalid("spec.nodeSelector", dict(sorted(selector.items())),
                                               "only additions to spec.nodeSelector are allowed (no mutations or "
                                               "deletions)"))
        masked["nodeSelector"] = old.get("nodeSelector")
    for field in ("containers", "initContainers"):
        ours, theirs = masked.get(field), old.get(field)
        if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
            masked[field] = [{**c, "image": o.get("image")} if isinstance(c, dict) and isinstance(o, dict) else c
                             for c, o in zip(ours, theirs)]
    tolerations = new.get("tolerations") or []
    if all(t in tolerations for t in old.get("tolerations") or ()):
        masked["tolerations"] = old.get("tolerations")
    if (old.get("terminationGracePeriodSeconds") or 0) < 0 and new.get("terminationGracePeriodSeconds") == 1:
        masked["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"]
    masked = {k: v for k, v in masked.items() if v is not None}
    if masked != {k: v for k, v in old.items() if v is not None}:
        problems.append(FieldError.forbidden("spec", UPDATABLE))
    return problems


def _written_status(given: Any, old: dict) -> dict:
    """A /status write's status, as the pod status strategy keeps it and Go writes it out: nulls left out, an emptied
    qosClass and observedGeneration (of the status, and of each condition by type) back filled from the stored
    ones, each condition with both its times (null when not given); in PodStatus's field order."""
    status = {key: value for key, value in (given or {}).items() if value is not None}
    for key in ("qosClass", "observedGeneration"):
        if not status.get(key) and old.get(key):
            status[key] = old[key]
    if "conditions" in status:
        seen = {}
        for condition in old.get("conditions") or ():
            seen.setdefault(condition["type"], []).append(condition.get("observedGeneration"))
        shaped = []
        for condition in status["conditions"]:
            before = seen.get(condition.get("type")) or []
            kept = before.pop(0) if before else None  # the old ones of a type in turn, as preserveOldObservedGeneration
            generation = condition.get("observedGeneration") or kept
            condition = {**condition, "observedGeneration": generation} if generation else condition
            shaped.append({key: condition.get(key) for key in CONDITION_FIELDS
                           if key in condition or key in ("lastProbeTime", "lastTransitionTime")})
        status["conditions"] = shaped
    return {key: status[key] for key in schema.POD_STATUS.fields if key in status}


def pod_status_update_errors(new: dict, old: dict) -> list[FieldError]:
    """ValidatePodStatusUpdate's container rule: unless the pod restarts its containers (restartPolicy Always, or
    OnFailure after a failure), a terminated container may not be written back to running or waiting."""
    policy = old["spec"].get("restartPolicy", "Always")
    if policy == "Always":
        return []
    problems = []
    written = new["status"].get("containerStatuses") or []
    for index, before in enumerate(old["status"].get("containerStatuses") or ()):
        ended = (before.get("state") or {}).get("terminated")
        if ended is None or (ended.get("exitCode") and policy == "OnFailure"):
            continue
        problems += [FieldError.forbidden(f"status.containerStatuses[{index}].state",
                                          "may not be transitioned to non-terminated state")
                     for now in written if now.get("name") == before.get("name")
                     and not (now.get("state") or {}).get("terminated")]
    return problems


def _added_gates(new: list | None, old: list | None) -> list[tuple[int, str]]:
    """The scheduling gates an update adds (index, name): only removing them is allowed."""
    before = {gate.get("name") for gate in old or ()}
    return [(index, gate.get("name") or "") for index, gate in enumerate(new or ()) if gate.get("name") not in before]


def created_status(spec: dict, stamp: str) -> dict:
    """A new pod's status: Pending, its QoS class, and PodScheduled False (SchedulingGated) while it has scheduling
    gates, as the apiserver's pod strategy writes it at create."""
    if not spec.get("schedulingGates"):
        return {"phase": "Pending", "qosClass": qos_class(spec)}
    return {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                                                "lastTransitionTime": stamp, "reason": "SchedulingGated",
                                                "message": GATED_MESSAGE}], "qosClass": qos_class(spec)}


def api_defaulted_pod_spec(template_spec: dict) -> dict:
    """A pod spec with the API's defaults (a copy): what a created Pod's writer owns, before admission adds its
    fields. SetDefaults_Pod copies each container's limits to the requests it leaves out and, on the host's
    network, each port's containerPort to the hostPort it leaves out (for a Pod, not for a template, since 1.28)."""
    spec = copy.deepcopy(template_spec)
    spec.setdefault("restartPolicy", "Always")
    strategy.default_pod_spec(spec)
    spec.setdefault("enableServiceLinks", True)
    for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        resources = container.get("resources") if isinstance(container, dict) else None
        limits = resources.get("limits") if isinstance(resources, dict) else None
        if isinstance(limits, dict) and limits:
            resources["requests"] = dict(sorted({**limits, **(resources.get("requests") or {})}.items()))
        if spec.get("hostNetwork") is True and isinstance(container, dict) and isinstance(container.get("ports"), list):
            container["ports"] = [{**port, "hostPort": port.get("containerPort")} if isinstance(port, dict)
                                  and not port.get("hostPort") else port for port in container["ports"]]
    return spec


def admit(spec: dict, uid: str) -> None:
    """What the admission plugins add to a new pod's spec (service account and its token volume, priority, the
    default tolerations). The apiserver takes the writer's managedFields before admission, so these are nobody's."""
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("tolerations", [
        {"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        for taint in ("not-ready", "unreachable")])
    mount_service_account_token(spec, uid)


def mount_service_account_token(spec: dict, uid: str) -> None:
    """The ServiceAccount admission plugin's token volume (a projected token, the cluster's CA and the namespace),
    mounted read-only in every container that mounts nothing at its path, unless automountServiceAccountToken is
    false. The volume's random suffix is made from the pod's uid here, so it takes nothing from the ids."""
    if spec.get("automountServiceAccountToken") is False:
        return
    volumes = spec.get("volumes") or []
    name = next((v.get("name") for v in volumes if str(v.get("name", "")).startswith(TOKEN_VOLUME)), None)
    needed = False
    mount = {"name": name or TOKEN_VOLUME + "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)]
                                                    for b in hashlib.sha256(uid.encode()).digest()[:5]),
             "readOnly": True, "mountPath": TOKEN_PATH}
    for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        mounts = container.get("volumeMounts") or []
        if not any(m.get("mountPath") == TOKEN_PATH for m in mounts):
            container["volumeMounts"] = [*mounts, dict(mount)]
            needed = True
    if needed and name is None:
        spec["volumes"] = [*volumes, {"name": mount["name"], "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}}]


def qos_class(spec: dict) -> str:
    """GetPodQOS: the positive cpu and memory requests and limits of every container, init containers too, summed
    by resource. BestEffort with none; Guaranteed when each container limits both and the sums of requests equal
    the sums of limits; Burstable otherwise."""
    requests: dict[str, int] = {}
    limits: dict[str, int] = {}
    guaranteed = True
    for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        resources = container.get("resources") if isinstance(container, dict) else None
        resources = resources if isinstance(resources, dict) else {}
        if not resources.get("limits") and not resources.get("requests"):  # (most pods: nothing to add up)
            guaranteed = False
            continue
        limited, asked = ({name: value.nanos() for name, value in quantity.resource_list(resources.get(kind)).items()}
                          for kind in ("limits", "requests"))
        asked = {**limited, **asked}  # a request left out defaults to its limit
        for values, sums in ((asked, requests), (limited, limits)):
            for name, nanos in values.items():
                if name in ("cpu", "memory") and nanos > 0:
                    sums[name] = sums.get(name, 0) + nanos
        if not all(limited.get(name, 0) > 0 for name in ("cpu", "memory")):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and len(requests) == len(limits) and all(limits.get(k) == v for k, v in requests.items()):
        return "Guaranteed"
    return "Burstable"


def _set_managed(pod: dict, managed: list[dict] | None) -> None:
    """The pod's managedFields, last in its metadata; none: no key."""
    pod["metadata"].pop("managedFields", None)
    if managed:
        pod["metadata"]["managedFields"] = managed
