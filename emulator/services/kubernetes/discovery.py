"""Discovery documents for kubectl and client-go (spec §14), from the resources `openapi_schemas` describes."""
from __future__ import annotations

from typing import Any

from emulator.services.kubernetes.openapi_schemas import GROUP_VERSIONS, GroupVersion, Resource

BATCH_V1 = {"groupVersion": "batch/v1", "version": "v1"}

API_GROUP = {"kind": "APIGroup", "apiVersion": "v1", "name": "batch", "versions": [BATCH_V1],
             "preferredVersion": BATCH_V1}
EVENTS_V1 = {"groupVersion": "events.k8s.io/v1", "version": "v1"}
EVENTS_API_GROUP = {"kind": "APIGroup", "apiVersion": "v1", "name": "events.k8s.io", "versions": [EVENTS_V1],
                    "preferredVersion": EVENTS_V1}
API_GROUP_LIST = {"kind": "APIGroupList", "apiVersion": "v1",
                  "groups": [{k: v for k, v in group.items() if k not in ("kind", "apiVersion")}
                             for group in (API_GROUP, EVENTS_API_GROUP)]}
SHORT_NAMES = {"events": ["ev"], "namespaces": ["ns"], "pods": ["po"]}
CATEGORIES = {"jobs": ["all"], "pods": ["all"]}
SUBRESOURCES = {"v1": [  # besides the /status ones: pods are created by clients too, and evicted through Evictions
    {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    {"name": "pods/eviction", "singularName": "", "namespaced": True, "group": "policy", "version": "v1",
     "kind": "Eviction", "verbs": ["create"]}]}


def _entries(resource: Resource) -> list[dict[str, Any]]:
    """A resource as discovery lists it, with its /status subresource; its verbs are the ones its routes serve."""
    entry: dict[str, Any] = {"name": resource.plural, "singularName": resource.kind.lower(),
                             "namespaced": resource.namespaced, "kind": resource.kind,
                             "verbs": sorted(resource.verbs | ({"watch"} if resource.watch else set()))}
    if resource.plural in SHORT_NAMES:
        entry["shortNames"] = SHORT_NAMES[resource.plural]
    if resource.plural in CATEGORIES:
        entry["categories"] = CATEGORIES[resource.plural]
    status = {"name": f"{resource.plural}/status", "singularName": "", "namespaced": resource.namespaced,
              "kind": resource.kind, "verbs": ["get", "patch", "update"]}
    return [entry, status] if resource.status else [entry]


def _resource_list(group_version: GroupVersion, key: str) -> dict[str, Any]:
    """The APIResourceList of a group-version, by name as kube-apiserver sorts it (the core one has no apiVersion)."""
    entries = [entry for resource in group_version.resources for entry in _entries(resource)]
    return {"kind": "APIResourceList", **({"apiVersion": "v1"} if group_version.group else {}), "groupVersion": key,
            "resources": sorted(entries + SUBRESOURCES.get(key, []), key=lambda entry: entry["name"])}


RESOURCE_LISTS = {key: _resource_list(gv, key) for gv in GROUP_VERSIONS
                  for key in [f"{gv.group}/{gv.version}" if gv.group else gv.version]}
BATCH_V1_RESOURCES, CORE_V1_RESOURCES = RESOURCE_LISTS["batch/v1"], RESOURCE_LISTS["v1"]
EVENTS_V1_RESOURCES = RESOURCE_LISTS["events.k8s.io/v1"]


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}
