"""The typed fields of every kind served (Jobs, Namespaces, Pods, Events), checked as Go's encoding/json decodes them.

`check_object` reports the first type mismatch with Go's own wording (`json: cannot unmarshal string
into Go struct field JobSpec.spec.parallelism of type int32`) and lists unknown fields for
fieldValidation. Pod-template internals that the emulator does not interpret are left open.
The same descriptions give the OpenAPI documents their schemas and server-side apply its list keys.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Union

from emulator.services.kubernetes import quantity
from emulator.services.kubernetes.wire import json_type

INT32_RANGE = (-(2**31), 2**31 - 1)
INT64_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Struct:
    go_type: str  # as Go prints it, e.g. "v1.JobSpec"
    fields: dict[str, Any]
    closed: bool = True  # whether keys outside `fields` are unknown fields
    package: str = "io.k8s.api.core.v1"  # where the OpenAPI documents name it (`<package>.<name>`)
    required: tuple[str, ...] = ()
    description: str = ""
    atomic: bool = False  # x-kubernetes-map-type: atomic (replaced whole by server-side apply)

    @cached_property
    def name(self) -> str:
        return self.go_type.split(".")[-1]


@dataclass(frozen=True)
class Map:
    value: Any
    name: str = ""  # a named map type's Go name (v1.ResourceList)

    @property
    def go_type(self) -> str:
        return self.name or f"map[string]{go_type(self.value)}"


@dataclass(frozen=True)
class List:
    """A list, with its merge semantics (x-kubernetes-list-type and friends) as the API types declare them."""

    item: Any
    list_type: str = "atomic"  # "atomic", "set" or "map"
    keys: tuple[str, ...] = ()  # x-kubernetes-list-map-keys for "map" lists
    patch_strategy: str = ""  # x-kubernetes-patch-strategy ("merge", "merge,retainKeys")
    merge_key: str = ""  # x-kubernetes-patch-merge-key

    @property
    def go_type(self) -> str:
        return f"[]{go_type(self.item)}"


ANY = "any"
Type = Union[str, Struct, Map, List]


def go_type(kind: Type) -> str:
    return kind if isinstance(kind, str) else kind.go_type


TIME = "time"  # metav1.Time: an RFC 3339 string (any value is let through, as before)
QUANTITY = "quantity"  # resource.Quantity: a string or a number that parses as one (see quantity.py)
META = "io.k8s.apimachinery.pkg.apis.meta.v1"
BATCH = "io.k8s.api.batch.v1"
NAME_KEYED = {"list_type": "map", "keys": ("name",), "patch_strategy": "merge", "merge_key": "name"}

OBJECT_META = Struct("v1.ObjectMeta", {
    "name": "string", "generateName": "string", "namespace": "string", "selfLink": "string",
    "uid": "string", "resourceVersion": "string", "generation": "int64",
    "creationTimestamp": TIME, "deletionTimestamp": TIME, "deletionGracePeriodSeconds": "int64",
    "labels": Map("string"), "annotations": Map("string"),
    "ownerReferences": List(Struct("v1.OwnerReference", {
        "apiVersion": "string", "kind": "string", "name": "string", "uid": "string",
        "controller": "bool", "blockOwnerDeletion": "bool"}, package=META,
        required=("apiVersion", "kind", "name", "uid"), atomic=True,
        description="OwnerReference contains enough information to let you identify an owning object."),
        "map", ("uid",), "merge", "uid"),
    "finalizers": List("string", "set", patch_strategy="merge"), "managedFields": ANY, "enable": "bool",
    "clusterName": "string",
}, package=META, description="ObjectMeta is metadata that all persisted resources must have, which includes all "
                             "objects users must create.")
LIST_META = Struct("v1.ListMeta", {"selfLink": "string", "resourceVersion": "string", "continue": "string",
                                   "remainingItemCount": "int64"}, package=META,
                   description="ListMeta describes metadata that synthetic resources must have, including lists "
                               "and various status objects.")
ENV_VAR = Struct("v1.EnvVar", {"name": "string", "value": "string", "valueFrom": ANY}, required=("name",),
                 description="EnvVar represents an environment variable present in a Container.")
CONTAINER_PORT = Struct("v1.ContainerPort", {
    "name": "string", "hostPort": "int32", "containerPort": "int32", "protocol": "string", "hostIP": "string"},
    required=("containerPort",), description="ContainerPort represents a network port in a single container.")
VOLUME_MOUNT = Struct("v1.VolumeMount", {
    "name": "string", "readOnly": "bool", "recursiveReadOnly": "string", "mountPath": "string",
    "subPath": "string", "mountPropagation": "string", "subPathExpr": "string"}, required=("name", "mountPath"),
    description="VolumeMount describes a mounting of a Volume within a container.")
VOLUME = Struct("v1.Volume", {"name": "string"}, closed=False, required=("name",),
                description="Volume represents a named volume in a pod that may be accessed by any container in "
                            "the pod.")
RESOURCE_LIST = Map(QUANTITY, "v1.ResourceList")
RESOURCE_REQUIREMENTS = Struct("v1.ResourceRequirements", {
    "limits": RESOURCE_LIST, "requests": RESOURCE_LIST, "claims": ANY},
    description="ResourceRequirements describes the compute resource requirements.")
CONTAINER = Struct("v1.Container", {
    "name": "string", "image": "string", "command": List("string"), "args": List("string"),
    "workingDir": "string",
    "ports": List(CONTAINER_PORT, "map", ("containerPort", "protocol"), "merge", "containerPort"),
    "envFrom": ANY, "env": List(ENV_VAR, **NAME_KEYED), "resources": RESOURCE_REQUIREMENTS, "resizePolicy": ANY,
    "restartPolicy": "string", "volumeMounts": List(VOLUME_MOUNT, "map", ("mountPath",), "merge", "mountPath"),
    "volumeDevices": ANY, "livenessProbe": ANY,
    "readinessProbe": ANY, "startupProbe": ANY, "lifecycle": ANY, "terminationMessagePath": "string",
    "terminationMessagePolicy": "string", "imagePullPolicy": "string", "securityContext": ANY,
    "stdin": "bool", "stdinOnce": "bool", "tty": "bool",
}, required=("name",), description="A single application container that you want to run within a pod.")
SCHEDULING_GATE = Struct("v1.PodSchedulingGate", {"name": "string"}, required=("name",),
                         description="PodSchedulingGate is associated to a Pod to guard its scheduling.")
POD_SPEC = Struct("v1.PodSpec", {
    "volumes": List(VOLUME, "map", ("name",), "merge,retainKeys", "name"),
    "initContainers": List(CONTAINER, **NAME_KEYED), "containers": List(CONTAINER, **NAME_KEYED),
    "ephemeralContainers": ANY,
    "restartPolicy": "string", "terminationGracePeriodSeconds": "int64", "activeDeadlineSeconds": "int64",
    "dnsPolicy": "string", "nodeSelector": Map("string"), "serviceAccountName": "string",
    "serviceAccount": "string", "automountServiceAccountToken": "bool", "nodeName": "string",
    "hostNetwork": "bool", "hostPID": "bool", "hostIPC": "bool", "shareProcessNamespace": "bool",
    "securityContext": ANY, "imagePullSecrets": ANY, "hostname": "string", "subdomain": "string",
    "affinity": ANY, "schedulerName": "string", "tolerations": ANY, "hostAliases": ANY,
    "priorityClassName": "string", "priority": "int32", "dnsConfig": ANY, "readinessGates": ANY,
    "runtimeClassName": "string", "enableServiceLinks": "bool", "preemptionPolicy": "string",
    "overhead": ANY, "topologySpreadConstraints": ANY, "setHostnameAsFQDN": "bool", "os": ANY,
    "hostUsers": "bool", "schedulingGates": List(SCHEDULING_GATE, **NAME_KEYED), "resourceClaims": ANY,
    "resources": RESOURCE_REQUIREMENTS,
}, required=("containers",), description="PodSpec is a description of a pod.")
POD_TEMPLATE_SPEC = Struct("v1.PodTemplateSpec", {"metadata": OBJECT_META, "spec": POD_SPEC},
                           description="PodTemplateSpec describes the data a pod should have when created from a "
                                       "template")
LABEL_SELECTOR = Struct("v1.LabelSelector", {"matchLabels": Map("string"), "matchExpressions": ANY}, package=META,
                        atomic=True, description="A label selector is a label query over a set of resources. The "
                        "result of matchLabels and matchExpressions are ANDed. An empty label selector matches all "
                        "objects. A null label selector matches no objects.")
JOB_SPEC = Struct("v1.JobSpec", {
    "parallelism": "int32", "completions": "int32", "activeDeadlineSeconds": "int64",
    "podFailurePolicy": ANY, "successPolicy": ANY, "backoffLimit": "int32", "backoffLimitPerIndex": "int32",
    "maxFailedIndexes": "int32",
    "selector": LABEL_SELECTOR, "manualSelector": "bool", "template": POD_TEMPLATE_SPEC,
    "ttlSecondsAfterFinished": "int32", "completionMode": "string", "suspend": "bool",
    "podReplacementPolicy": "string", "managedBy": "string",
}, package=BATCH, required=("template",), description="JobSpec describes how the job execution will look like.")
JOB_STATUS = Struct("v1.JobStatus", {
    "conditions": List(Struct("v1.JobCondition", {
        "type": "string", "status": "string", "lastProbeTime": TIME, "lastTransitionTime": TIME,
        "reason": "string", "message": "string"}, package=BATCH, required=("type", "status"),
        description="JobCondition describes current state of a job."), patch_strategy="merge", merge_key="type"),
    "startTime": TIME, "completionTime": TIME, "active": "int32", "succeeded": "int32", "failed": "int32",
    "terminating": "int32", "ready": "int32", "completedIndexes": "string", "failedIndexes": "string",
    "uncountedTerminatedPods": Struct("v1.UncountedTerminatedPods", {
        "succeeded": List("string", "set"), "failed": List("string", "set")}, package=BATCH,
        description="UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted "
                    "in Job status counters."),
}, package=BATCH, description="JobStatus represents the current state of a Job.")
JOB = Struct("v1.Job", {
    "kind": "string", "apiVersion": "string", "metadata": OBJECT_META, "spec": JOB_SPEC, "status": JOB_STATUS,
}, package=BATCH, description="Job represents the configuration of a single job.")
JOB_LIST = Struct("v1.JobList", {"kind": "string", "apiVersion": "string", "metadata": LIST_META,
                                 "items": List(JOB)}, package=BATCH, required=("items",),
                  description="JobList is a collection of jobs.")
NAMESPACE = Struct("v1.Namespace", {
    "kind": "string", "apiVersion": "string", "metadata": OBJECT_META,
    "spec": Struct("v1.NamespaceSpec", {"finalizers": List("string")},
                   description="NamespaceSpec describes the attributes on a Namespace."),
    "status": Struct("v1.NamespaceStatus", {"phase": "string", "conditions": ANY},
                     description="NamespaceStatus is information about the current status of a Namespace."),
}, description="Namespace provides a scope for Names. Use of multiple namespaces is optional.")
POD_CONDITION = Struct("v1.PodCondition", {
    "type": "string", "observedGeneration": "int64", "status": "string", "lastProbeTime": TIME,
    "lastTransitionTime": TIME, "reason": "string", "message": "string"}, required=("type", "status"),
    description="PodCondition contains details for the current condition of this pod.")
CONTAINER_STATE = Struct("v1.ContainerState", {
    "waiting": Struct("v1.ContainerStateWaiting", {"reason": "string", "message": "string"},
                      description="ContainerStateWaiting is a waiting state of a container."),
    "running": Struct("v1.ContainerStateRunning", {"startedAt": TIME},
                      description="ContainerStateRunning is a running state of a container."),
    "terminated": Struct("v1.ContainerStateTerminated", {
        "exitCode": "int32", "signal": "int32", "reason": "string", "message": "string", "startedAt": TIME,
        "finishedAt": TIME, "containerID": "string"}, required=("exitCode",),
        description="ContainerStateTerminated is a terminated state of a container."),
}, description="ContainerState holds a possible state of container. Only one of its members may be specified. "
               "If none of them is specified, the default one is ContainerStateWaiting.")
CONTAINER_STATUS = Struct("v1.ContainerStatus", {
    "name": "string", "state": CONTAINER_STATE, "lastState": CONTAINER_STATE, "ready": "bool",
    "restartCount": "int32", "image": "string", "imageID": "string", "containerID": "string", "started": "bool",
    "allocatedResources": Map("string"), "resources": ANY, "volumeMounts": ANY, "user": ANY,
    "allocatedResourcesStatus": ANY, "stopSignal": "string",
}, required=("name", "ready", "restartCount", "image", "imageID"),
    description="ContainerStatus contains details for the current status of this container.")
IP_ITEM = {"list_type": "map", "keys": ("ip",), "patch_strategy": "merge", "merge_key": "ip"}
POD_STATUS = Struct("v1.PodStatus", {
    "observedGeneration": "int64", "phase": "string",
    "conditions": List(POD_CONDITION, "map", ("type",), "merge", "type"), "message": "string", "reason": "string",
    "nominatedNodeName": "string", "hostIP": "string",
    "hostIPs": List(Struct("v1.HostIP", {"ip": "string"}, required=("ip",),
                           description="HostIP represents a single IP address allocated to the host."), **IP_ITEM),
    "podIP": "string",
    "podIPs": List(Struct("v1.PodIP", {"ip": "string"}, required=("ip",),
                          description="PodIP represents a single IP address allocated to the pod."), **IP_ITEM),
    "startTime": TIME, "initContainerStatuses": List(CONTAINER_STATUS), "containerStatuses": List(CONTAINER_STATUS),
    "qosClass": "string", "ephemeralContainerStatuses": List(CONTAINER_STATUS), "resize": "string",
    "resourceClaimStatuses": ANY,
}, description="PodStatus represents information about the status of a pod. Status may trail the actual state of a "
               "system, especially if the node that hosts the pod cannot contact the control plane.")
POD = Struct("v1.Pod", {"kind": "string", "apiVersion": "string", "metadata": OBJECT_META, "spec": POD_SPEC,
                        "status": POD_STATUS},
             description="Pod is a collection of containers that can run on a host. This resource is created by "
                         "clients and scheduled onto hosts.")
POD_LIST = Struct("v1.PodList", {"kind": "string", "apiVersion": "string", "metadata": LIST_META, "items": List(POD)},
                  required=("items",), description="PodList is a list of Pods.")
OBJECT_REFERENCE = Struct("v1.ObjectReference", {
    "kind": "string", "namespace": "string", "name": "string", "uid": "string", "apiVersion": "string",
    "resourceVersion": "string", "fieldPath": "string"}, atomic=True,
    description="ObjectReference contains enough information to let you inspect or modify the referred object.")
EVENT_SOURCE = Struct("v1.EventSource", {"component": "string", "host": "string"},
                      description="EventSource contains information for an event.")
EVENT = Struct("v1.Event", {
    "kind": "string", "apiVersion": "string", "metadata": OBJECT_META, "involvedObject": OBJECT_REFERENCE,
    "reason": "string", "message": "string", "source": EVENT_SOURCE, "firstTimestamp": TIME, "lastTimestamp": TIME,
    "count": "int32", "type": "string", "eventTime": TIME,
    "series": Struct("v1.EventSeries", {"count": "int32", "lastObservedTime": TIME},
                     description="EventSeries contain information on series of events, i.e. thing that was/is "
                                 "happening continuously for some time."),
    "action": "string", "related": OBJECT_REFERENCE, "reportingComponent": "string", "reportingInstance": "string",
}, required=("metadata", "involvedObject"), description="Event is a report of an event somewhere in the cluster.")
EVENT_LIST = Struct("v1.EventList", {"kind": "string", "apiVersion": "string", "metadata": LIST_META,
                                     "items": List(EVENT)}, required=("items",),
                    description="EventList is a list of events.")
EVENTS = "io.k8s.api.events.v1"
EVENTS_V1_EVENT = Struct("v1.Event", {
    "kind": "string", "apiVersion": "string", "metadata": OBJECT_META, "eventTime": TIME,
    "series": Struct("v1.EventSeries", {"count": "int32", "lastObservedTime": TIME}, package=EVENTS,
                     required=("count", "lastObservedTime"),
                     description="EventSeries contain information on series of events, i.e. thing that was/is "
                                 "happening continuously for some time."),
    "reportingController": "string", "reportingInstance": "string", "action": "string", "reason": "string",
    "regarding": OBJECT_REFERENCE, "related": OBJECT_REFERENCE, "note": "string", "type": "string",
    "deprecatedSource": EVENT_SOURCE, "deprecatedFirstTimestamp": TIME, "deprecatedLastTimestamp": TIME,
    "deprecatedCount": "int32",
}, package=EVENTS, required=("eventTime",),
    description="Event is a report of an event somewhere in the cluster. It generally denotes some state change in "
                "the system.")
EVENTS_V1_EVENT_LIST = Struct("v1.EventList", {"kind": "string", "apiVersion": "string", "metadata": LIST_META,
                                               "items": List(EVENTS_V1_EVENT)}, package=EVENTS, required=("items",),
                              description="EventList is a list of Event objects.")
NAMESPACE_LIST = Struct("v1.NamespaceList", {"kind": "string", "apiVersion": "string", "metadata": LIST_META,
                                             "items": List(NAMESPACE)}, required=("items",),
                        description="NamespaceList is a list of Namespaces.")


class DecodeError(ValueError):
    """The value does not decode into the Go type; the message is Go's."""


def _fits(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("int32", "int64"):
        low, high = INT32_RANGE if kind == "int32" else INT64_RANGE
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return True


def _quantity(value: Any) -> None:
    """Quantity.UnmarshalJSON: any JSON value's text (a string's without its quotes) must parse; its error is
    the decode's, as Go's JSON decoder returns an Unmarshaler's error unwrapped."""
    try:
        quantity.from_json(value)  # (check() passes null by)
    except ValueError as error:
        raise DecodeError(str(error)) from None


def _mismatch(value: Any, kind: Type, struct: str, path: str) -> DecodeError:
    described = json_type(value)
    if described == "number" and isinstance(kind, str) and kind.startswith("int"):
        described = f"number {value}"  # a fraction or out of range: Go names the number
    where = f"Go struct field {struct}.{path}" if struct else "Go value"
    return DecodeError(f"json: cannot unmarshal {described} into {where} of type {go_type(kind)}")


def check(value: Any, kind: Type, struct: str = "", path: str = "", field: str = "",
          unknown: list[str] | None = None, checked: Any = None) -> None:
    """Raise DecodeError for the first mismatch; append unknown field paths (as `a.b[0].c`) to `unknown`.

    Parts of a struct that are the very objects `checked` holds at the same place (a stored object,
    which passed this check without unknown fields when it was stored) are not walked again.
    """
    if value is None or kind == ANY:
        return
    if isinstance(kind, str):
        if kind == QUANTITY:
            _quantity(value)
        elif not _fits(value, kind):
            raise _mismatch(value, kind, struct, path)
        return
    if isinstance(kind, List):
        if not isinstance(value, list):
            raise _mismatch(value, kind, struct, path)
        for index, item in enumerate(value):
            check(item, kind.item, struct, path, f"{field}[{index}]", unknown)
        return
    if not isinstance(value, dict):
        raise _mismatch(value, kind, struct, path)
    if isinstance(kind, Map):
        for item in value.values():
            check(item, kind.value, struct, path, field, unknown)
        return
    fields, name = kind.fields, kind.name
    if type(checked) is not dict:
        checked = {}
    for key, item in value.items():
        sub = fields.get(key)
        if item is checked.get(key, value):  # `value` as the default: never a part of itself
            continue
        if sub is None:
            if kind.closed and unknown is not None:
                unknown.append(f"{field}.{key}" if field else key)
        elif item is None or sub == ANY:
            continue
        elif type(sub) is str:  # a scalar field: its paths are only needed to report it
            if not _fits(item, sub):
                raise _mismatch(item, sub, name, f"{path}.{key}" if path else key)
        else:
            check(item, sub, name, f"{path}.{key}" if path else key, f"{field}.{key}" if field else key, unknown,
                  checked.get(key))


def prune(value: Any, kind: Type) -> Any:
    """The value without the fields `kind` does not declare: what decoding into the Go type keeps."""
    if isinstance(kind, List) and isinstance(value, list):
        return [prune(item, kind.item) for item in value]
    if isinstance(kind, Map) and isinstance(value, dict):
        return {key: prune(item, kind.value) for key, item in value.items()}
    if isinstance(kind, Struct) and isinstance(value, dict):
        return {key: prune(item, kind.fields[key]) if key in kind.fields else item
                for key, item in value.items() if key in kind.fields or not kind.closed}
    return value


def check_object(value: dict, kind: Struct, checked: dict | None = None) -> list[str]:
    """Type-check a decoded object; the unknown field paths it carries. Parts it shares with `checked`,
    an object stored earlier (so checked then), are taken as checked."""
    unknown: list[str] = []
    check(value, kind, unknown=unknown, checked=checked)
    return unknown
