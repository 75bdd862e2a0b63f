"""Discovery documents, enough for kubectl and client-go to find batch/v1 Jobs (spec §14); OpenAPI: `openapi_schemas`."""
from __future__ import annotations

from typing import Any

BATCH_V1 = {"groupVersion": "batch/v1", "version": "v1"}

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
                   "verbs": ["deletecollection", "get", "list", "watch"], "shortNames": ["ev"]}],
}
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
        {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event",
         "verbs": ["deletecollection", "get", "list", "watch"], "shortNames": ["ev"]},
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"]},
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
         "shortNames": ["po"],
         "categories": ["all"]},
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
        {"name": "pods/status", "singularName": "", "namespaced": True, "kind": "Pod",
         "verbs": ["get", "patch", "update"]},
        # (#15) pods are created by clients too, and evicted through policy/v1 Evictions
        {"name": "pods/eviction", "singularName": "", "namespaced": True, "group": "policy", "version": "v1",
         "kind": "Eviction", "verbs": ["create"]},
    ],
}


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}
