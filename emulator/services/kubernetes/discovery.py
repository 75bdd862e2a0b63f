"""Discovery and OpenAPI documents, enough for kubectl and client-go to find batch/v1 Jobs (spec §14).

The OpenAPI v3 documents are minimal: kubectl reads them only to learn that PATCH on Jobs and
Namespaces takes the `fieldValidation` query parameter, so it can leave validation to the server.
"""
from __future__ import annotations

from typing import Any

from emulator import __version__

KUBERNETES_MINOR = "31"
BATCH_V1 = {"groupVersion": "batch/v1", "version": "v1"}

API_GROUP = {"kind": "APIGroup", "apiVersion": "v1", "name": "batch", "versions": [BATCH_V1],
             "preferredVersion": BATCH_V1}
API_GROUP_LIST = {"kind": "APIGroupList", "apiVersion": "v1",
                  "groups": [{k: v for k, v in API_GROUP.items() if k not in ("kind", "apiVersion")}]}
BATCH_V1_RESOURCES = {
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "batch/v1",
    "resources": [
        {"name": "jobs", "singularName": "job", "namespaced": True, "kind": "Job",
         "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
         "categories": ["all"]},
        {"name": "jobs/status", "singularName": "", "namespaced": True, "kind": "Job",
         "verbs": ["get", "patch", "update"]},
    ],
}
CORE_V1_RESOURCES = {
    "kind": "APIResourceList", "groupVersion": "v1",
    "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["create", "delete", "get", "list"], "shortNames": ["ns"]},
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
