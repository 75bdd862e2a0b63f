"""Discovery documents, enough for kubectl and client-go to find batch/v1 Jobs (spec §14); OpenAPI: `openapi_schemas`."""
from __future__ import annotations

from typing import Any

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
