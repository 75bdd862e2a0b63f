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

    walk(schema.JOB_LIST)
    walk(schema.NAMESPACE_LIST)
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
