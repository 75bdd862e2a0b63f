"""The OpenAPI documents kubectl reads: v3 per group-version with components and extensions, v2, and their caching."""
from __future__ import annotations

import hashlib

from emulator.services.kubernetes import schema
from emulator.services.kubernetes.openapi_schemas import component


async def document(client, kube, key: str) -> dict:
    index = await kube.ok(await client.get("/openapi/v3"))
    return await kube.ok(await client.get(index["paths"][key]["serverRelativeURL"]))


async def test_the_index_hash_is_the_sha512_of_the_document(client, kube):
    index = await kube.ok(await client.get("/openapi/v3"))
    url = index["paths"]["apis/batch/v1"]["serverRelativeURL"]
    response = await client.get(url)
    data = await response.read()
    assert url.endswith("?hash=" + hashlib.sha512(data).hexdigest().upper())
    assert response.headers["Etag"] == f'"{hashlib.sha512(data).hexdigest().upper()}"'
    assert response.headers["Cache-Control"] == "public, immutable" and response.headers["Expires"].endswith("GMT")
    again = await client.get(url, headers={"If-None-Match": response.headers["Etag"]})
    assert again.status == 304
    stale = await client.get("/openapi/v3/apis/batch/v1?hash=OLD", allow_redirects=False)
    assert stale.status == 301 and stale.headers["Location"] == url
    refused = await client.get(url, headers={"Accept": "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"})
    assert refused.status == 406 and await refused.read() == b""


async def test_batch_v1_components_carry_the_kinds_and_their_list_semantics(client, kube):
    doc = await document(client, kube, "apis/batch/v1")
    schemas = doc["components"]["schemas"]
    job = schemas["io.k8s.api.batch.v1.Job"]
    assert job["x-kubernetes-group-version-kind"] == [{"group": "batch", "kind": "Job", "version": "v1"}]
    assert job["properties"]["spec"]["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.batch.v1.JobSpec"}]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-list-type"] == "map" and containers["x-kubernetes-list-map-keys"] == ["name"]
    assert containers["x-kubernetes-patch-strategy"] == "merge" and containers["x-kubernetes-patch-merge-key"] == "name"
    assert schemas["io.k8s.api.core.v1.Container"]["required"] == ["name"]
    assert schemas["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"] == "atomic"
    created = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["creationTimestamp"]
    assert created == {"type": "string", "format": "date-time"}
    refs = {value.rsplit("/", 1)[1] for value in _refs(doc)}
    assert refs <= set(schemas)  # self-contained: every reference resolves in the same document


async def test_every_struct_the_emulator_validates_with_is_published(client, kube):
    doc = await document(client, kube, "apis/batch/v1")
    schemas = doc["components"]["schemas"]

    def structs(kind, seen):
        if isinstance(kind, schema.Struct) and component(kind) not in seen:
            seen.add(component(kind))
            for sub in kind.fields.values():
                structs(sub, seen)
        elif isinstance(kind, (schema.List, schema.Map)):
            structs(kind.item if isinstance(kind, schema.List) else kind.value, seen)
        return seen

    for name in structs(schema.JOB, set()):
        assert name in schemas
        struct_fields = set(next(s for s in _all_structs() if component(s) == name).fields)
        assert set(schemas[name]["properties"]) == struct_fields
    core = (await document(client, kube, "api/v1"))["components"]["schemas"]
    events = (await document(client, kube, "apis/events.k8s.io/v1"))["components"]["schemas"]
    for kind, published in ((schema.POD_LIST, core), (schema.EVENT_LIST, core), (schema.NAMESPACE_LIST, core),
                            (schema.EVENTS_V1_EVENT_LIST, events)):
        for name in structs(kind, set()):
            struct_fields = set(next(s for s in _all_structs() if component(s) == name).fields)
            assert set(published[name]["properties"]) == struct_fields, name


def _all_structs():
    found = []

    def walk(kind):
        if isinstance(kind, schema.Struct) and kind not in found:
            found.append(kind)
            for sub in kind.fields.values():
                walk(sub)
        elif isinstance(kind, schema.List):
            walk(kind.item)
        elif isinstance(kind, schema.Map):
            walk(kind.value)

    for kind in (schema.JOB_LIST, schema.NAMESPACE_LIST, schema.POD_LIST, schema.EVENT_LIST,
                 schema.EVENTS_V1_EVENT_LIST):
        walk(kind)
    return found


def _refs(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


async def test_operations_name_their_kind_and_action(client, kube):
    paths = (await document(client, kube, "apis/batch/v1"))["paths"]
    collection = paths["/apis/batch/v1/namespaces/{namespace}/jobs"]
    assert collection["delete"]["operationId"] == "deleteBatchV1CollectionNamespacedJob"
    assert collection["delete"]["x-kubernetes-action"] == "deletecollection"
    patch = paths["/apis/batch/v1/namespaces/{namespace}/jobs/{name}"]["patch"]
    assert {"fieldValidation", "fieldManager", "force"} <= {p["name"] for p in patch["parameters"]}
    assert list(patch["requestBody"]["content"]) == ["application/json-patch+json", "application/merge-patch+json",
                                                     "application/strategic-merge-patch+json",
                                                     "application/apply-patch+yaml"]
    core = (await document(client, kube, "api/v1"))
    namespace = core["components"]["schemas"]["io.k8s.api.core.v1.Namespace"]
    assert namespace["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Namespace", "version": "v1"}]


async def test_openapi_v2_is_swagger_with_definitions(client, kube):
    doc = await kube.ok(await client.get("/openapi/v2"))
    assert doc["swagger"] == "2.0" and doc["info"]["version"] == "v1.37.0"
    job = doc["definitions"]["io.k8s.api.batch.v1.Job"]
    assert job["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    create = doc["paths"]["/apis/batch/v1/namespaces/{namespace}/jobs"]["post"]
    assert create["parameters"][0]["in"] == "body" and "application/json" in create["produces"]
    assert {value.rsplit("/", 1)[1] for value in _refs(doc)} <= set(doc["definitions"])


KINDS = {"apis/batch/v1": {"Job", "JobList"}, "api/v1": {"Namespace", "NamespaceList", "Pod", "PodList", "Event",
                                                          "EventList"},
         "apis/events.k8s.io/v1": {"Event", "EventList"}}


def _kinds(schemas: dict, group: str) -> set[str]:
    return {gvk["kind"] for body in schemas.values() for gvk in body.get("x-kubernetes-group-version-kind", ())
            if gvk["group"] == group and gvk["kind"] not in ("Status", "DeleteOptions", "WatchEvent")}


async def test_each_group_version_publishes_every_kind_it_serves(client, kube):
    index = await kube.ok(await client.get("/openapi/v3"))
    assert set(index["paths"]) == set(KINDS)
    for key, kinds in KINDS.items():
        doc = await document(client, kube, key)
        group = key.split("/")[1] if key.startswith("apis/") else ""
        assert _kinds(doc["components"]["schemas"], group) == kinds, key
        assert {value.rsplit("/", 1)[1] for value in _refs(doc)} <= set(doc["components"]["schemas"])
    pod = (await document(client, kube, "api/v1"))["components"]["schemas"]["io.k8s.api.core.v1.PodStatus"]
    conditions = pod["properties"]["conditions"]
    assert conditions["x-kubernetes-list-map-keys"] == ["type"] and conditions["x-kubernetes-patch-merge-key"] == "type"
    v2 = (await kube.ok(await client.get("/openapi/v2")))["definitions"]
    for key, kinds in KINDS.items():
        group = key.split("/")[1] if key.startswith("apis/") else ""
        assert _kinds(v2, group) == kinds, key  # /openapi/v2 covers every kind of every group-version
    assert v2["io.k8s.api.events.v1.Event"]["required"] == ["eventTime"]


async def test_every_documented_operation_is_served_and_every_served_one_documented(client, kube, make_app):
    """The documents claim no verb the emulator does not serve (a 405 kubectl would meet), and miss none."""
    app = make_app()
    served = {route.name.removeprefix("kubernetes.") for route in app.router.routes()
              if route.name and route.name.startswith("kubernetes.") and not route.name.endswith(":slash")}
    documented = set()
    for key in KINDS:
        for path, item in (await document(client, kube, key))["paths"].items():
            documented |= {op["operationId"] for method, op in item.items() if method != "parameters"}
    assert documented <= served, documented - served
    resources = {name for name in served - documented if not name.startswith("get")}  # discovery documents aside
    assert resources == {"readCoreV1NamespacedPodLog", "createCoreV1NamespacedPodEviction"}  # subresources


async def test_discovery_lists_the_verbs_the_documents_describe(client, kube):
    from emulator.services.kubernetes.openapi_schemas import GROUP_VERSIONS
    for gv in GROUP_VERSIONS:
        listed = {r["name"]: set(r["verbs"]) for r in (await kube.ok(await client.get(gv.path)))["resources"]}
        for resource in gv.resources:
            assert listed[resource.plural] - {"watch"} == resource.verbs, (gv.path, resource.plural)
