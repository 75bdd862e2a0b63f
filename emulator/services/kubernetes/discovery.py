"""Discovery and OpenAPI documents, enough for kubectl and client-go to find batch/v1 Jobs (spec §14).

The OpenAPI v3 documents are minimal: kubectl reads them only to learn that PATCH on Jobs and
Namespaces takes the `fieldValidation` query parameter, so it can leave validation to the server.
"""
from __future__ import annotations

from typing import Any

from emulator import __version__

KUBERNETES_MINOR = "31"
BATCH_V1 = {"groupVersion": "batch/v1", "version": "v1"}

VERSION = {
    "major": "1", "minor": KUBERNETES_MINOR, "gitVersion": f"v1.{KUBERNETES_MINOR}.0",
    "gitCommit": f"cloud-job-emulator-{__version__}", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.22.5", "compiler": "gc", "platform": "linux/amd64",
}
API_GROUP = {"kind": "APIGroup", "apiVersion": "v1", "name": "batch", "versions": [BATCH_V1],
             "preferredVersion": BATCH_V1}
EVENTS_V1 = {"groupVersion": "events.k8s.io/v1", "version": "v1"}
EVENTS_API_GROUP = {"kind": "APIGroup", "apiVersion": "v1", "name": "events.k8s.io", "versions": [EVENTS_V1],
                    "preferredVersion": EVENTS_V1}
API_GROUP_LIST = {"kind": "APIGroupList", "apiVersion": "v1",
                  "groups": [{k: v for k, v in group.items() if k not in ("kind", "apiVersion")}
                             for group in (API_GROUP, EVENTS_API_GROUP)]}
EVENTS_V1_RESOURCES = {
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "events.k8s.io/v1",
    "resources": [{"name": "events", "singularName": "event", "namespaced": True, "kind": "Event",
                   "verbs": ["get", "list", "watch"], "shortNames": ["ev"]}],
}
BATCH_V1_RESOURCES = {
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "batch/v1",
    "resources": [
        {"name": "jobs", "singularName": "job", "namespaced": True, "kind": "Job",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "categories": ["all"]},
        {"name": "jobs/status", "singularName": "", "namespaced": True, "kind": "Job",
         "verbs": ["get", "patch", "update"]},
    ],
}
CORE_V1_RESOURCES = {
    "kind": "APIResourceList", "groupVersion": "v1",
    "resources": [
        {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event",
         "verbs": ["get", "list", "watch"], "shortNames": ["ev"]},
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["create", "delete", "get", "list"], "shortNames": ["ns"]},
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "verbs": ["delete", "get", "list", "watch"], "shortNames": ["po"], "categories": ["all"]},
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    ],
}


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _patch_operation(operation_id: str, group: str, kind: str) -> dict[str, Any]:
    query = [{"name": name, "in": "query", "schema": {"type": "string"}}
             for name in ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")]
    return {
        "operationId": operation_id,
        "parameters": query,
        "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in (
            "application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml")}},
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": group, "version": "v1", "kind": kind},
    }


OPENAPI_BATCH_V1 = {
    "openapi": "3.0.0",
    "info": {"title": "Kubernetes", "version": f"v1.{KUBERNETES_MINOR}.0"},
    "paths": {
        "/apis/batch/v1/namespaces/{namespace}/jobs/{name}": {
            "patch": _patch_operation("patchBatchV1NamespacedJob", "batch", "Job")},
        "/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status": {
            "patch": _patch_operation("patchBatchV1NamespacedJobStatus", "batch", "Job")},
    },
}
OPENAPI_CORE_V1 = {
    "openapi": "3.0.0",
    "info": {"title": "Kubernetes", "version": f"v1.{KUBERNETES_MINOR}.0"},
    "paths": {"/api/v1/namespaces/{name}": {"patch": _patch_operation("patchCoreV1Namespace", "", "Namespace")}},
}
OPENAPI_ROOT = {"paths": {
    "api/v1": {"serverRelativeURL": f"/openapi/v3/api/v1?hash=emulator{__version__}"},
    "apis/batch/v1": {"serverRelativeURL": f"/openapi/v3/apis/batch/v1?hash=emulator{__version__}"},
}}
