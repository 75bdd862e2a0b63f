"""The OpenAPI documents kube-apiserver publishes (/openapi/v3 and its group-versions, /openapi/v2), made from `schema`.

The component schemas come from the same `schema.Struct` descriptions the emulator decodes and
validates with (and server-side apply takes its list keys from), so the documents cannot drift
from what is enforced. kubectl reads them for `explain`, for client-side `apply`'s strategic merge
patch (the x-kubernetes-patch-* extensions) and to learn that the server validates fields.
A new kind is published by adding it to GROUP_VERSIONS.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from emulator.core import jsonio
from emulator.services.kubernetes import schema
from emulator.services.kubernetes.schema import ANY, QUANTITY, TIME, List, Map, Struct

REF = "#/components/schemas/"
META = schema.META
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
ANSWER_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
LIST_QUERY = ("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
              "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch")
WRITE_QUERY = ("dryRun", "fieldManager", "fieldValidation")
DELETE_QUERY = ("dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential",
                "orphanDependents", "propagationPolicy")
QUERY_TYPES = {"limit": "integer", "timeoutSeconds": "integer", "gracePeriodSeconds": "integer",
               "allowWatchBookmarks": "boolean", "watch": "boolean", "sendInitialEvents": "boolean",
               "orphanDependents": "boolean", "force": "boolean",
               "ignoreStoreReadErrorWithClusterBreakingPotential": "boolean"}
SCALARS = {"string": {"type": "string"}, "bool": {"type": "boolean"},
           "int32": {"type": "integer", "format": "int32"}, "int64": {"type": "integer", "format": "int64"},
           TIME: {"type": "string", "format": "date-time"},
           QUANTITY: {"oneOf": [{"type": "string"}, {"type": "number"}]}}
STATUS = {"description": "Status is a return value for calls that don't return other objects.", "type": "object",
          "properties": {"apiVersion": {"type": "string"}, "code": {"type": "integer", "format": "int32"},
                         "details": {"type": "object"}, "kind": {"type": "string"},
                         "message": {"type": "string"}, "metadata": {"default": {}, "allOf": [
                             {"$ref": f"{REF}{META}.ListMeta"}]}, "reason": {"type": "string"},
                         "status": {"type": "string"}}}
DELETE_OPTIONS = {"description": "DeleteOptions may be provided when deleting an API object.", "type": "object",
                  "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                                 "dryRun": {"type": "array", "items": {"type": "string", "default": ""},
                                            "x-kubernetes-list-type": "atomic"},
                                 "gracePeriodSeconds": {"type": "integer", "format": "int64"},
                                 "orphanDependents": {"type": "boolean"},
                                 "propagationPolicy": {"type": "string"},
                                 "preconditions": {"type": "object", "properties": {
                                     "resourceVersion": {"type": "string"}, "uid": {"type": "string"}}}}}


@dataclass(frozen=True)
class Resource:
    """One served resource of a group-version, as the documents describe it, with the verbs it is served with."""

    plural: str
    kind: str
    item: Struct
    listing: Struct
    namespaced: bool
    verbs: frozenset[str]  # of create, get, list, update, patch, delete, deletecollection
    status: bool = False  # has a /status subresource (get, update, patch)
    watch: bool = True  # watched with ?watch=true and on the deprecated /watch/ paths


EVERY_VERB = frozenset(("create", "get", "list", "update", "patch", "delete", "deletecollection"))


@dataclass(frozen=True)
class GroupVersion:
    group: str  # "" for core
    version: str
    resources: tuple[Resource, ...]

    @property
    def path(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    @property
    def key(self) -> str:
        return self.path[1:]

    @property
    def tag(self) -> str:
        return f"{self.group.split('.')[0]}_{self.version}" if self.group else f"core_{self.version}"

    @property
    def prefix(self) -> str:
        """What operationIds put before the kind: BatchV1, CoreV1, EventsV1."""
        return (self.group.split(".")[0] or "core").capitalize() + self.version.capitalize()


EVENT_VERBS = frozenset(("get", "list", "deletecollection"))
GROUP_VERSIONS = (
    GroupVersion("batch", "v1", (Resource("jobs", "Job", schema.JOB, schema.JOB_LIST, True, EVERY_VERB, True),)),
    GroupVersion("", "v1", (
        Resource("namespaces", "Namespace", schema.NAMESPACE, schema.NAMESPACE_LIST, False,
                 EVERY_VERB - {"deletecollection"}),
        Resource("pods", "Pod", schema.POD, schema.POD_LIST, True, EVERY_VERB, True),
        Resource("events", "Event", schema.EVENT, schema.EVENT_LIST, True, EVENT_VERBS))),
    GroupVersion("events.k8s.io", "v1", (
        Resource("events", "Event", schema.EVENTS_V1_EVENT, schema.EVENTS_V1_EVENT_LIST, True, EVENT_VERBS),)),
)


def component(struct: Struct) -> str:
    return f"{struct.package}.{struct.name}"


def _ref(name: str, description: str = "", default: bool = True) -> dict[str, Any]:
    shown: dict[str, Any] = {"description": description} if description else {}
    return shown | ({"default": {}} if default else {}) | {"allOf": [{"$ref": REF + name}]}


class _Components:
    """Component schemas of every struct reached from the published kinds."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def of(self, kind: Any) -> dict[str, Any]:
        """The schema of a field of this type (a reference for structs, which are added as components)."""
        if isinstance(kind, Struct):
            self.add(kind)
            return _ref(component(kind))
        if isinstance(kind, Map):
            return {"type": "object", "additionalProperties": self.of(kind.value)}
        if isinstance(kind, List):
            item = self.of(kind.item)
            items = item if not isinstance(kind.item, str) else {**item, "default": "" if kind.item == "string" else 0}
            found: dict[str, Any] = {"type": "array", "items": items}
            if kind.list_type == "map":
                found["x-kubernetes-list-map-keys"] = list(kind.keys)
            found["x-kubernetes-list-type"] = kind.list_type
            if kind.merge_key:
                found["x-kubernetes-patch-merge-key"] = kind.merge_key
            if kind.patch_strategy:
                found["x-kubernetes-patch-strategy"] = kind.patch_strategy
            return found
        if kind == ANY:
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        return dict(SCALARS[kind])

    def add(self, struct: Struct, gvk: list[dict] | None = None) -> None:
        name = component(struct)
        if name in self.schemas and not gvk:
            return
        body: dict[str, Any] = {"description": struct.description or struct.name, "type": "object"}
        self.schemas[name] = body  # before its fields, which may lead back to it
        body["properties"] = {field: self.of(kind) for field, kind in sorted(struct.fields.items())}
        if struct.required:
            body["required"] = list(struct.required)
        if struct.atomic:
            body["x-kubernetes-map-type"] = "atomic"
        if gvk:
            body["x-kubernetes-group-version-kind"] = gvk


def _parameter(name: str, where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "description": f"{name} ({where} parameter, as kube-apiserver takes it)",
            **({"required": True} if where == "path" else {}),
            "schema": {"type": QUERY_TYPES.get(name, "string"), "uniqueItems": True}}


def _content(name: str, types: tuple[str, ...] = ANSWER_TYPES) -> dict[str, Any]:
    return {media: {"schema": {"$ref": REF + name}} for media in types}


def _operation(gv: GroupVersion, resource: Resource, action: str, operation_id: str, query: tuple[str, ...],
               answer: str, body: str | None = None, created: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {
        "tags": [gv.tag], "description": f"{action} {resource.kind}", "operationId": operation_id,
        "parameters": [_parameter(name) for name in query],
        "responses": {"200": {"description": "OK", "content": _content(answer)},
                      **({"201": {"description": "Created", "content": _content(answer)}} if created else {}),
                      "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": gv.group, "version": gv.version, "kind": resource.kind},
    }
    if body == "patch":
        found["requestBody"] = {"content": {t: {"schema": {"$ref": f"{REF}{META}.Patch"}} for t in PATCH_TYPES},
                                "required": True}
    elif body:
        found["requestBody"] = {"content": {"*/*": {"schema": {"$ref": REF + body}}}, "required": True}
    return found


def _paths(gv: GroupVersion) -> dict[str, Any]:
    """Every path of the group-version, with the operations its resources are served with, named as the real
    documents name them."""
    prefix = gv.prefix
    paths: dict[str, Any] = {gv.path + "/": {"get": {
        "tags": [gv.tag], "description": "get available resources", "operationId": f"get{prefix}APIResources",
        "responses": {"200": {"description": "OK", "content": _content(f"{META}.APIResourceList")}}}}}
    pretty = _parameter("pretty")
    for resource in gv.resources:
        item, listing, verbs = component(resource.item), component(resource.listing), resource.verbs
        kind = resource.kind
        scope, where = ("Namespaced", "/namespaces/{namespace}") if resource.namespaced else ("", "")
        collection = f"{gv.path}{where}/{resource.plural}"
        path_names = ["namespace"] if resource.namespaced else []
        methods = {
            "get": _operation(gv, resource, "list", f"list{prefix}{scope}{kind}", LIST_QUERY, listing),
            **({"post": _operation(gv, resource, "post", f"create{prefix}{scope}{kind}", WRITE_QUERY, item, item,
                                   True)} if "create" in verbs else {}),
            **({"delete": _operation(gv, resource, "deletecollection", f"delete{prefix}Collection{scope}{kind}",
                                     DELETE_QUERY + LIST_QUERY, f"{META}.Status", f"{META}.DeleteOptions")}
               if "deletecollection" in verbs else {}),
        }
        paths[collection] = {**methods, "parameters": [*(_parameter(n, "path") for n in path_names), pretty]}
        if resource.namespaced:
            paths[f"{gv.path}/{resource.plural}"] = {
                "get": _operation(gv, resource, "list", f"list{prefix}{kind}ForAllNamespaces", LIST_QUERY, listing),
                "parameters": [pretty]}
        one = [*(_parameter(n, "path") for n in ["name", *path_names]), pretty]
        paths[f"{collection}/{{name}}"] = {
            "get": _operation(gv, resource, "get", f"read{prefix}{scope}{kind}", (), item),
            **({"put": _operation(gv, resource, "put", f"replace{prefix}{scope}{kind}", WRITE_QUERY, item, item,
                                  True)} if "update" in verbs else {}),
            **({"patch": _operation(gv, resource, "patch", f"patch{prefix}{scope}{kind}", WRITE_QUERY + ("force",),
                                    item, "patch", True)} if "patch" in verbs else {}),
            **({"delete": _operation(gv, resource, "delete", f"delete{prefix}{scope}{kind}", DELETE_QUERY, item,
                                     f"{META}.DeleteOptions")} if "delete" in verbs else {}),
            "parameters": one}
        if resource.watch:
            event = f"{META}.WatchEvent"
            watched = f"{gv.path}/watch{where}/{resource.plural}"
            paths[watched] = {"get": _operation(gv, resource, "watchlist", f"watch{prefix}{scope}{kind}List",
                                                LIST_QUERY, event), "parameters": paths[collection]["parameters"]}
            paths[watched + "/{name}"] = {"get": _operation(gv, resource, "watch", f"watch{prefix}{scope}{kind}",
                                                            LIST_QUERY, event), "parameters": one}
            if resource.namespaced:
                paths[f"{gv.path}/watch/{resource.plural}"] = {"get": _operation(
                    gv, resource, "watchlist", f"watch{prefix}{kind}ListForAllNamespaces", LIST_QUERY, event),
                    "parameters": [pretty]}
        if resource.status:
            paths[f"{collection}/{{name}}/status"] = {
                "get": _operation(gv, resource, "get", f"read{prefix}{scope}{kind}Status", (), item),
                "put": _operation(gv, resource, "put", f"replace{prefix}{scope}{kind}Status", WRITE_QUERY, item,
                                  item, True),
                "patch": _operation(gv, resource, "patch", f"patch{prefix}{scope}{kind}Status",
                                    WRITE_QUERY + ("force",), item, "patch", True),
                "parameters": one}
    return paths


def _components(gvs: tuple[GroupVersion, ...]) -> dict[str, dict[str, Any]]:
    components = _Components()
    for gv in gvs:
        for resource in gv.resources:
            for struct, kind in ((resource.item, resource.kind), (resource.listing, resource.kind + "List")):
                components.add(struct, [{"group": gv.group, "kind": kind, "version": gv.version}])
    every = [{"group": gv.group, "kind": "", "version": gv.version} for gv in GROUP_VERSIONS]
    components.schemas[f"{META}.Status"] = {**STATUS, "x-kubernetes-group-version-kind": [
        {**gvk, "kind": "Status"} for gvk in every]}
    components.schemas[f"{META}.DeleteOptions"] = {**DELETE_OPTIONS, "x-kubernetes-group-version-kind": [
        {**gvk, "kind": "DeleteOptions"} for gvk in every]}
    components.schemas[f"{META}.WatchEvent"] = {
        "description": "Event represents a single event to a watched resource.", "type": "object",
        "required": ["type", "object"], "properties": {"type": {"type": "string"}, "object": {"type": "object"}},
        "x-kubernetes-group-version-kind": [{**gvk, "kind": "WatchEvent"} for gvk in every]}
    components.schemas[f"{META}.Patch"] = {"description": "Patch is provided to give a concrete name and type to "
                                                          "the Kubernetes PATCH request body.", "type": "object"}
    components.schemas[f"{META}.APIResourceList"] = {"description": "APIResourceList is a list of APIResource.",
                                                     "type": "object"}
    return dict(sorted(components.schemas.items()))


def v3_document(gv: GroupVersion, git_version: str) -> dict[str, Any]:
    """/openapi/v3/<gv>: self-contained, with every schema its kinds reach."""
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": git_version}, "paths": _paths(gv),
            "components": {"schemas": _components((gv,)), "securitySchemes": {"BearerToken": {
                "type": "apiKey", "description": "Bearer Token authentication", "name": "authorization",
                "in": "header"}}}}


def _v2(value: Any) -> Any:
    """A v3 schema as swagger 2.0 writes it: references into #/definitions/."""
    if isinstance(value, dict):
        return {key: (item.replace(REF, "#/definitions/") if key == "$ref" else _v2(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_v2(item) for item in value]
    return value


def v2_document(git_version: str) -> dict[str, Any]:
    """/openapi/v2: swagger 2.0 of every group-version, operations with consumes/produces."""
    paths: dict[str, Any] = {}
    for gv in GROUP_VERSIONS:
        for path, item in _paths(gv).items():
            converted: dict[str, Any] = {}
            for method, operation in item.items():
                if method == "parameters":
                    converted[method] = [_v2_parameter(p) for p in operation]
                    continue
                operation = copy.deepcopy(operation)
                body = operation.pop("requestBody", None)
                parameters = [_v2_parameter(p) for p in operation.pop("parameters", [])]
                if body:
                    [schema_of] = {jsonio.dumps(c["schema"]): c["schema"] for c in body["content"].values()}.values()
                    parameters.insert(0, {"name": "body", "in": "body", "required": True, "schema": _v2(schema_of)})
                    operation["consumes"] = list(body["content"])
                responses = {}
                for code, answer in operation.pop("responses").items():
                    content = answer.get("content")
                    responses[code] = {"description": answer["description"],
                                       **({"schema": _v2(next(iter(content.values()))["schema"])} if content else {})}
                    if content:
                        operation["produces"] = list(content)
                converted[method] = {**operation, "parameters": parameters, "responses": responses,
                                     "schemes": ["https"]}
            paths[path] = converted
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": git_version}, "paths": paths,
            "definitions": _v2(_components(GROUP_VERSIONS)),
            "securityDefinitions": {"BearerToken": {"description": "Bearer Token authentication", "type": "apiKey",
                                                    "name": "authorization", "in": "header"}},
            "security": [{"BearerToken": []}]}


def _v2_parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    kind = parameter["schema"]["type"]
    return {key: value for key, value in parameter.items() if key != "schema"} | {"type": kind, "uniqueItems": True}


@dataclass(frozen=True)
class Published:
    """One document as served: its JSON bytes and the hash (uppercase SHA-512 hex) clients cache it by."""

    data: bytes
    hash: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> Published:
        data = jsonio.dumps(document)
        return cls(data, hashlib.sha512(data).hexdigest().upper())


class Documents:
    """Every OpenAPI document for the reported version, made once per version (`for_version`)."""

    @staticmethod
    @lru_cache(maxsize=8)
    def for_version(git_version: str) -> Documents:
        """The documents of `git_version`, shared by every application of this process: they depend on nothing
        else and are never changed (making them was ~4 ms of each application's factory)."""
        return Documents(git_version)

    def __init__(self, git_version: str) -> None:
        self.v3 = {gv.key: Published.of(v3_document(gv, git_version)) for gv in GROUP_VERSIONS}
        self.v3_named = {gv.key: (gv.prefix, self.v3[gv.key]) for gv in GROUP_VERSIONS}  # what its route is named
        self.index = Published.of({"paths": {key: {"serverRelativeURL": f"/openapi/v3/{key}?hash={doc.hash}"}
                                              for key, doc in self.v3.items()}})
        self.v2 = Published.of(v2_document(git_version))
