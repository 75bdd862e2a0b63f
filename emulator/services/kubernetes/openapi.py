"""The Kubernetes routes' request bodies, answers and documented query parameters, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import ANY_OBJECT, TEXT, operation, parameter, response, schema_object, strict_object

STATUS = schema_object("kind", "apiVersion", "metadata", "status", "code",
                       kind={"enum": ["Status"]}, apiVersion={"enum": ["v1"]}, status={"enum": ["Failure"]},
                       code={"type": "integer"}, message={"type": "string"}, reason={"type": "string"})
SUCCESS_STATUS = schema_object("kind", "status", kind={"enum": ["Status"]}, status={"enum": ["Success"]})
JOB = schema_object("kind", "apiVersion", "metadata", "spec", "status", kind={"enum": ["Job"]},
                    apiVersion={"enum": ["batch/v1"]}, metadata=schema_object("name", "namespace", "uid", "resourceVersion"))
JOB_LIST = schema_object("kind", "apiVersion", "metadata", "items", kind={"enum": ["JobList"]},
                         items={"type": "array", "items": schema_object("metadata", "spec", "status")})
NAMESPACE = schema_object("kind", "apiVersion", "metadata", kind={"enum": ["Namespace"]})
NAMESPACE_LIST = schema_object("kind", "items", kind={"enum": ["NamespaceList"]}, items={"type": "array"})
POD = schema_object("kind", "apiVersion", "metadata", "spec", "status", kind={"enum": ["Pod"]}, apiVersion={"enum": ["v1"]})
POD_LIST = schema_object("kind", "apiVersion", "metadata", "items", kind={"enum": ["PodList"]}, items={"type": "array"})
EVENT = schema_object("kind", "apiVersion", "metadata", kind={"enum": ["Event"]})
EVENT_LIST = schema_object("kind", "apiVersion", "metadata", "items", kind={"enum": ["EventList"]},
                           items={"type": "array"})
POD_LOG = {"type": "string"}
PATCHES = {"application/merge-patch+json": ANY_OBJECT,
           "application/json-patch+json": {"type": "array", "items": ANY_OBJECT},
           "application/strategic-merge-patch+json": ANY_OBJECT}

BODIES = {
    "createBatchV1NamespacedJob": {"application/json": ANY_OBJECT},
    "replaceBatchV1NamespacedJob": {"application/json": ANY_OBJECT},
    "replaceBatchV1NamespacedJobStatus": {"application/json": ANY_OBJECT},
    "patchBatchV1NamespacedJob": PATCHES,
    "patchBatchV1NamespacedJobStatus": PATCHES,
    "createCoreV1Namespace": {"application/json": ANY_OBJECT},
    "replaceCoreV1Namespace": {"application/json": ANY_OBJECT},
    "patchCoreV1Namespace": PATCHES,
    "patchCoreV1NamespacedPod": PATCHES,
    "replaceCoreV1NamespacedPod": {"application/json": ANY_OBJECT},
    "patchCoreV1NamespacedPodStatus": PATCHES,
    "replaceCoreV1NamespacedPodStatus": {"application/json": ANY_OBJECT},
}
RESULTS = {
    "readBatchV1NamespacedJob": JOB, "readBatchV1NamespacedJobStatus": JOB,
    "replaceBatchV1NamespacedJob": JOB, "replaceBatchV1NamespacedJobStatus": JOB,
    "patchBatchV1NamespacedJob": JOB, "patchBatchV1NamespacedJobStatus": JOB, "createBatchV1NamespacedJob": JOB,
    "deleteBatchV1NamespacedJob": {"anyOf": [JOB, SUCCESS_STATUS]},
    "listBatchV1NamespacedJob": JOB_LIST, "listBatchV1JobForAllNamespaces": JOB_LIST,
    "deleteBatchV1CollectionNamespacedJob": JOB_LIST,
    "listCoreV1Namespace": NAMESPACE_LIST, "createCoreV1Namespace": NAMESPACE,
    "readCoreV1Namespace": NAMESPACE, "deleteCoreV1Namespace": NAMESPACE,
    "replaceCoreV1Namespace": NAMESPACE, "patchCoreV1Namespace": NAMESPACE,
    "readCoreV1NamespacedPod": POD, "deleteCoreV1NamespacedPod": POD, "patchCoreV1NamespacedPod": POD,
    "replaceCoreV1NamespacedPod": POD, "readCoreV1NamespacedPodStatus": POD, "patchCoreV1NamespacedPodStatus": POD,
    "replaceCoreV1NamespacedPodStatus": POD,
    "listCoreV1NamespacedPod": POD_LIST, "listCoreV1PodForAllNamespaces": POD_LIST,
    "readCoreV1NamespacedEvent": EVENT, "readEventsV1NamespacedEvent": EVENT,
    "listCoreV1NamespacedEvent": EVENT_LIST, "listCoreV1EventForAllNamespaces": EVENT_LIST,
    "listEventsV1NamespacedEvent": EVENT_LIST, "listEventsV1EventForAllNamespaces": EVENT_LIST,
    "deleteCoreV1CollectionNamespacedPod": POD_LIST, "deleteCoreV1CollectionNamespacedEvent": EVENT_LIST,
    "deleteEventsV1CollectionNamespacedEvent": EVENT_LIST,
}
SELECTORS = ["labelSelector", "fieldSelector", "limit", "continue", "pretty"]
QUERY = {  # documented query parameters (watch is left out: it streams until closed)
    "listBatchV1NamespacedJob": ["labelSelector", "fieldSelector", "limit", "continue", "pretty"],
    "listBatchV1JobForAllNamespaces": ["labelSelector", "fieldSelector", "limit", "continue", "pretty"],
    "deleteBatchV1NamespacedJob": ["propagationPolicy", "dryRun"],
    "deleteBatchV1CollectionNamespacedJob": ["labelSelector", "fieldSelector", "limit", "continue",
                                             "propagationPolicy", "dryRun"],
    "createBatchV1NamespacedJob": ["dryRun", "fieldValidation", "pretty"],
    **{name: SELECTORS for name in ("listCoreV1Namespace", "listCoreV1NamespacedPod", "listCoreV1PodForAllNamespaces",
                                    "listCoreV1NamespacedEvent", "listCoreV1EventForAllNamespaces",
                                    "listEventsV1NamespacedEvent", "listEventsV1EventForAllNamespaces")},
    "deleteCoreV1NamespacedPod": ["gracePeriodSeconds", "dryRun"],
    "deleteCoreV1CollectionNamespacedPod": [*SELECTORS[:-1], "gracePeriodSeconds", "dryRun"],
    **{name: [*SELECTORS[:-1], "dryRun"] for name in ("deleteCoreV1CollectionNamespacedEvent",
                                                     "deleteEventsV1CollectionNamespacedEvent")},
    "readCoreV1NamespacedPodLog": ["container", "follow", "previous", "sinceSeconds", "sinceTime", "timestamps",
                                   "tailLines", "limitBytes"],
}


# The query parameters as strict as the API server's checks (a subset where the grammar is larger: selectors on one
# label or on metadata.name); `continue` takes only what a list answered, so the document offers none.
_NAME = r"[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?"
_DIGITS = {"pattern": "^[0-9]{1,9}$"}
_BOOLEAN = {"enum": ["true", "false"]}
QUERY_SCHEMAS = {
    "labelSelector": {"pattern": f"^({_NAME}(=({_NAME})?)?)?$"},
    "fieldSelector": {"pattern": f"^(metadata\\.name={_NAME})?$"},
    "limit": _DIGITS, "continue": {"maxLength": 0}, "pretty": _BOOLEAN, "dryRun": {"enum": ["All"]},
    "propagationPolicy": {"enum": ["Foreground", "Background", "Orphan"]},
    "fieldValidation": {"enum": ["Ignore", "Warn", "Strict"]}, "gracePeriodSeconds": _DIGITS,
    "container": {"pattern": f"^{_NAME}$"}, "follow": {"enum": ["false"]}, "previous": _BOOLEAN,
    "sinceSeconds": {"pattern": "^[1-9][0-9]{0,8}$"}, "timestamps": _BOOLEAN, "tailLines": _DIGITS,
    "limitBytes": {"pattern": "^[1-9][0-9]{0,8}$"},
    "sinceTime": {"pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3])"
                             ":[0-5][0-9]:[0-5][0-9]Z$"},
}
_META = strict_object({"name": {"type": "string", "pattern": f"^fuzz-{_NAME}$"}})
_CONTAINERS = {"type": "array", "minItems": 1, "maxItems": 1, "items": strict_object({
    "name": {"type": "string", "pattern": f"^{_NAME}$"},
    "image": {"type": "string", "pattern": "^[a-z0-9]{1,20}(:[a-z0-9]{1,10})?$"}})}


def _manifest(api_version: str, kind: str, **fields: Any) -> dict[str, Any]:
    """An object of `kind` as a client creates one: the fields that need no other object (a subset of what the API
    server takes; see negative-data rejection in tests/admin/test_fuzz_openapi.py)."""
    return strict_object({"apiVersion": {"enum": [api_version]}, "kind": {"enum": [kind]}, "metadata": _META,
                          **fields})


def _pod_spec(restart_policies: list[str]) -> dict[str, Any]:
    return strict_object({"containers": _CONTAINERS, "restartPolicy": {"enum": restart_policies}})


CREATED = {
    "createCoreV1Namespace": _manifest("v1", "Namespace"),
    "createCoreV1NamespacedPod": _manifest("v1", "Pod", spec=_pod_spec(["Always", "OnFailure", "Never"])),
    "createBatchV1NamespacedJob": _manifest("batch/v1", "Job", spec=strict_object(
        {"template": strict_object({"spec": _pod_spec(["OnFailure", "Never"])})})),
}


def describe(name: str, method: str) -> dict[str, Any]:
    """One operation, by its OpenAPI operationId."""
    if name == "readCoreV1NamespacedPodLog":
        answer = response("the log text", "text/plain", POD_LOG)
    else:
        answer = response("the object", "application/json", RESULTS.get(name, ANY_OBJECT))
    body = {"application/json": CREATED[name]} if name in CREATED else BODIES.get(name)
    return operation([parameter(q, "query", schema=QUERY_SCHEMAS[q]) for q in QUERY.get(name, [])], answer,
                     response("a metav1.Status", "application/json", STATUS), body)


TRANSITION = strict_object({"service": {"enum": ["kubernetes"]}, "namespace": TEXT, "name": TEXT,
                           "status": {"enum": ["Complete", "Failed"]}})
