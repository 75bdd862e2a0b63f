"""Namespaces (the core/v1 resource Jobs live in) and the discovery and OpenAPI documents kubectl reads."""
from __future__ import annotations

import pytest
from kube_support import read_events

NAMESPACES = "/api/v1/namespaces"
LABEL_MESSAGE = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                 "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def names(namespace_list: dict) -> list[str]:
    return [item["metadata"]["name"] for item in namespace_list["items"]]


# --- namespaces ----------------------------------------------------------------------------------

async def test_create_namespace_returns_it_active_and_labelled(client, kube):
    response = await client.post(NAMESPACES, json={"apiVersion": "v1", "kind": "Namespace",
                                                   "metadata": {"name": "team-a", "labels": {"owner": "qa"}}})
    namespace = await kube.ok(response, 201)
    meta = namespace["metadata"]
    assert namespace["kind"] == "Namespace" and namespace["apiVersion"] == "v1"
    assert meta["name"] == "team-a" and meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert meta["labels"] == {"owner": "qa", "kubernetes.io/metadata.name": "team-a"}
    assert meta["uid"] and meta["resourceVersion"].isdigit()
    assert namespace["status"] == {"phase": "Active"}
    assert await kube.ok(await client.get(f"{NAMESPACES}/team-a")) == namespace


async def test_jobs_can_be_created_in_a_new_namespace(kube):
    await kube.create_namespace("team-b")
    job = await kube.create(kube.manifest("work"), "team-b")
    assert job["metadata"]["namespace"] == "team-b"


async def test_create_existing_namespace_is_409(client, kube):
    response = await client.post(NAMESPACES, json={"metadata": {"name": "namespace-test"}})
    body = await kube.expect(response, 409, "AlreadyExists", 'namespaces "namespace-test" already exists')
    assert body["details"] == {"name": "namespace-test", "kind": "namespaces"}


@pytest.mark.parametrize("name", ["Team_A", "a.b", "-start", "x" * 64])
async def test_create_namespace_with_an_invalid_name_is_422(client, kube, name):
    response = await client.post(NAMESPACES, json={"metadata": {"name": name}})
    body = await kube.expect(response, 422, "Invalid")
    assert body["message"].startswith(f'Namespace "{name}" is invalid: metadata.name: Invalid value: "{name}": ')
    assert body["details"]["name"] == name and body["details"]["kind"] == "Namespace"
    assert "group" not in body["details"]
    assert all(cause["field"] == "metadata.name" for cause in body["details"]["causes"])
    if name != "x" * 64:
        assert body["message"].endswith(LABEL_MESSAGE)


async def test_create_namespace_without_a_name_is_422(client, kube):
    response = await client.post(NAMESPACES, json={"metadata": {}})
    await kube.expect(response, 422, "Invalid",
                      'Namespace "" is invalid: metadata.name: Required value: name or generateName is required')


async def test_get_missing_namespace_is_404(client, kube):
    body = await kube.expect(await client.get(f"{NAMESPACES}/nope"), 404, "NotFound", 'namespaces "nope" not found')
    assert body["details"] == {"name": "nope", "kind": "namespaces"}


async def test_list_namespaces_includes_default_system_and_fixture_namespaces(client, kube):
    listed = await kube.ok(await client.get(NAMESPACES))
    assert listed["kind"] == "NamespaceList" and listed["apiVersion"] == "v1"
    assert {"default", "kube-system", "kube-public", "namespace-test", "ns-12130306-s"} <= set(names(listed))
    assert names(listed) == sorted(names(listed))


async def test_list_namespaces_with_a_label_selector(client, kube):
    await client.post(NAMESPACES, json={"metadata": {"name": "team-a", "labels": {"owner": "qa"}}})
    listed = await kube.ok(await client.get(NAMESPACES, params={"labelSelector": "owner=qa"}))
    assert names(listed) == ["team-a"]
    by_name = await kube.ok(await client.get(NAMESPACES, params={
        "labelSelector": "kubernetes.io/metadata.name=default"}))
    assert names(by_name) == ["default"]


async def test_default_namespace_exists_without_fixtures(kube_on):
    kube = await kube_on(load_fixtures=False)
    assert names(await kube.ok(await kube.client.get(NAMESPACES))) == [
        "default", "kube-node-lease", "kube-public", "kube-system"]
    assert (await kube.create(kube.manifest("first")))["metadata"]["namespace"] == "default"


async def test_default_namespace_cannot_be_deleted(client, kube):
    response = await client.delete(f"{NAMESPACES}/default")
    await kube.expect(response, 403, "Forbidden",
                      'namespaces "default" is forbidden: this namespace may not be deleted')
    assert (await kube.ok(await client.get(f"{NAMESPACES}/default")))["status"] == {"phase": "Active"}


async def test_delete_namespace_returns_it_terminating_then_404(client, kube):
    await kube.create_namespace("short-lived")
    response = await client.delete(f"{NAMESPACES}/short-lived")
    namespace = await kube.ok(response)
    assert namespace["status"] == {"phase": "Terminating"}
    assert namespace["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    await kube.expect(await client.get(f"{NAMESPACES}/short-lived"), 404, "NotFound")
    await kube.expect(await client.delete(f"{NAMESPACES}/short-lived"), 404, "NotFound")


async def test_deleting_a_namespace_deletes_its_jobs(client, kube):
    await kube.create(kube.manifest("second"), kube.CCI_NS)
    watch = await client.get(kube.url(kube.CCI_NS), params={
        "watch": "true", "resourceVersion": (await kube.list(kube.CCI_NS))["metadata"]["resourceVersion"]})
    await kube.ok(await client.delete(f"{NAMESPACES}/{kube.CCI_NS}"))
    events = [await watch.content.readline() for _ in range(2)]
    watch.close()
    assert [b'"type":"DELETED"' in line for line in events] == [True, True]
    await kube.expect(await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB)), 404, "NotFound")
    assert (await kube.list(kube.CCI_NS))["items"] == []
    assert [job["metadata"]["name"] for job in (await kube.list(None))["items"]] == [kube.CCE_JOB]
    await kube.expect(await client.post(kube.url(kube.CCI_NS), json=kube.manifest("late")), 404, "NotFound",
                      f'namespaces "{kube.CCI_NS}" not found')


async def test_dry_run_namespace_delete_keeps_it_and_its_jobs(client, kube):
    response = await client.delete(f"{NAMESPACES}/{kube.CCI_NS}", params={"dryRun": "All"})
    assert response.status == 200
    await kube.ok(await client.get(f"{NAMESPACES}/{kube.CCI_NS}"))
    await kube.get(kube.CCI_NS, kube.CCI_JOB)


async def test_list_namespaces_by_field_and_a_page_at_a_time(client, kube):
    def listed(**params):
        return client.get(NAMESPACES, params=params)

    assert names(await kube.ok(await listed(fieldSelector="metadata.name=default"))) == ["default"]
    assert names(await kube.ok(await listed(fieldSelector="name=kube-system"))) == ["kube-system"]  # the old label
    active = await kube.ok(await listed(fieldSelector="status.phase=Active,metadata.name!=default"))
    assert names(active) == ["kube-node-lease", "kube-public", "kube-system", "namespace-test", "ns-12130306-s"]
    await kube.expect(await listed(fieldSelector="metadata.namespace=default"), 400, "BadRequest",
                      "field label not supported: metadata.namespace")
    first = await kube.ok(await listed(limit="2"))
    assert names(first) == ["default", "kube-node-lease"] and first["metadata"]["remainingItemCount"] == 4
    rest = await kube.ok(await listed(limit="10", **{"continue": first["metadata"]["continue"]}))
    assert names(rest) == ["kube-public", "kube-system", "namespace-test", "ns-12130306-s"]
    assert "continue" not in rest["metadata"]


async def test_watch_namespaces_sees_each_write_then_terminating_then_deleted(client, kube):
    start = (await kube.ok(await client.get(NAMESPACES)))["metadata"]["resourceVersion"]
    every = await client.get(NAMESPACES, params={"watch": "true", "resourceVersion": start})
    one = await client.get("/api/v1/watch/namespaces/watched", params={"resourceVersion": start})
    assert every.status == one.status == 200 and every.headers["Content-Type"] == "application/json"
    await kube.create_namespace("other")
    await kube.create_namespace("watched")
    labelled = await client.patch(f"{NAMESPACES}/watched", json={"metadata": {"labels": {"tier": "a"}}},
                                  headers={"Content-Type": "application/merge-patch+json"})
    assert labelled.status == 200
    deleted = await kube.ok(await client.delete(f"{NAMESPACES}/watched"))
    events = await read_events(every, 5)
    only = await read_events(one, 4)
    every.close()
    one.close()
    assert [(e["type"], e["object"]["metadata"]["name"], e["object"]["status"]["phase"]) for e in events] == [
        ("ADDED", "other", "Active"), ("ADDED", "watched", "Active"), ("MODIFIED", "watched", "Active"),
        ("MODIFIED", "watched", "Terminating"), ("DELETED", "watched", "Terminating")]
    assert only == events[1:]
    assert events[2]["object"]["metadata"]["labels"]["tier"] == "a" and events[3]["object"] == deleted
    assert all(e["object"]["kind"] == "Namespace" and e["object"]["apiVersion"] == "v1" for e in events)
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(set(versions)) and versions[0] > int(start)


async def test_a_dry_run_namespace_delete_is_not_watched(client, kube):
    start = (await kube.ok(await client.get(NAMESPACES)))["metadata"]["resourceVersion"]
    watch = await client.get(NAMESPACES, params={"watch": "true", "resourceVersion": start})
    assert (await client.delete(f"{NAMESPACES}/{kube.CCI_NS}", params={"dryRun": "All"})).status == 200
    await kube.create_namespace("after")
    [event] = await read_events(watch, 1)
    watch.close()
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "after")


# --- discovery -----------------------------------------------------------------------------------

async def test_version(client, kube):
    version = await kube.ok(await client.get("/version"))
    assert version["major"] == "1" and version["minor"].isdigit()
    assert version["gitVersion"] == f"v1.{version['minor']}.0"
    assert {"gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"} <= set(version)


async def test_core_api_versions(client, kube):
    body = await kube.ok(await client.get("/api"))
    assert body["kind"] == "APIVersions" and body["versions"] == ["v1"]
    [address] = body["serverAddressByClientCIDRs"]
    assert address["clientCIDR"] == "0.0.0.0/0" and address["serverAddress"] == f"127.0.0.1:{client.port}"


async def test_core_v1_resources_list_namespaces_pods_and_events(client, kube):
    body = await kube.ok(await client.get("/api/v1"))
    assert body["kind"] == "APIResourceList" and body["groupVersion"] == "v1"
    resources = {r["name"]: r for r in body["resources"]}
    assert set(resources) == {"namespaces", "pods", "pods/log", "pods/status", "pods/eviction", "events"}
    assert resources["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert set(resources["pods"]["verbs"]) == {"create", "delete", "deletecollection", "get", "list", "patch", "update",
                                               "watch"}
    assert resources["pods/log"]["verbs"] == ["get"]
    eviction = resources["pods/eviction"]
    assert (eviction["group"], eviction["version"], eviction["kind"], eviction["verbs"]) == \
        ("policy", "v1", "Eviction", ["create"])
    assert resources["events"]["kind"] == "Event" and {"deletecollection", "watch"} <= set(resources["events"]["verbs"])
    namespaces = resources["namespaces"]
    assert namespaces["name"] == "namespaces" and namespaces["namespaced"] is False
    assert namespaces["kind"] == "Namespace"
    assert set(namespaces["verbs"]) == {"create", "delete", "get", "list", "patch", "update", "watch"}


async def test_api_group_list_offers_batch_v1_and_events_v1(client, kube):
    body = await kube.ok(await client.get("/apis"))
    assert body == {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{
        "name": "batch", "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"}}, {
        "name": "events.k8s.io", "versions": [{"groupVersion": "events.k8s.io/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "events.k8s.io/v1", "version": "v1"}}]}
    events = await kube.ok(await client.get("/apis/events.k8s.io/v1"))
    assert [r["name"] for r in events["resources"]] == ["events"]


async def test_api_group_list_answers_aggregated_discovery_with_plain_json(client, kube):
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    response = await client.get("/apis", headers={"Accept": accept})
    assert response.headers["Content-Type"] == "application/json"
    assert (await kube.ok(response))["kind"] == "APIGroupList"


async def test_batch_api_group(client, kube):
    body = await kube.ok(await client.get("/apis/batch"))
    assert body == {"kind": "APIGroup", "apiVersion": "v1", "name": "batch",
                    "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
                    "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"}}


async def test_batch_v1_resources_list_jobs_and_status_with_their_verbs(client, kube):
    body = await kube.ok(await client.get("/apis/batch/v1"))
    assert body["kind"] == "APIResourceList" and body["apiVersion"] == "v1" and body["groupVersion"] == "batch/v1"
    jobs, status = body["resources"]
    assert {k: jobs[k] for k in ("name", "singularName", "namespaced", "kind")} == {
        "name": "jobs", "singularName": "job", "namespaced": True, "kind": "Job"}
    assert set(jobs["verbs"]) == {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
    assert jobs["categories"] == ["all"]
    assert status == {"name": "jobs/status", "singularName": "", "namespaced": True, "kind": "Job",
                      "verbs": ["get", "patch", "update"]}


async def test_openapi_v3_root_points_at_the_batch_v1_document(client, kube):
    body = await kube.ok(await client.get("/openapi/v3"))
    url = body["paths"]["apis/batch/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/batch/v1?hash=")
    document = await kube.ok(await client.get(url))
    assert document["openapi"].startswith("3.")


async def test_openapi_batch_v1_declares_job_patch_with_field_validation(client, kube):
    document = await kube.ok(await client.get("/openapi/v3/apis/batch/v1"))
    for path in ("/apis/batch/v1/namespaces/{namespace}/jobs/{name}",
                 "/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status"):
        patch = document["paths"][path]["patch"]
        assert patch["x-kubernetes-group-version-kind"] == {"group": "batch", "version": "v1", "kind": "Job"}
        assert "fieldValidation" in [parameter["name"] for parameter in patch["parameters"]]
        assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]


async def test_openapi_core_v1_declares_namespace_patch(client, kube):
    root = await kube.ok(await client.get("/openapi/v3"))
    document = await kube.ok(await client.get(root["paths"]["api/v1"]["serverRelativeURL"]))
    operation = document["paths"]["/api/v1/namespaces/{name}"]["patch"]
    assert operation["x-kubernetes-group-version-kind"] == {"group": "", "version": "v1", "kind": "Namespace"}


@pytest.mark.parametrize("path", ["/version", "/api", "/apis", "/apis/batch/v1", "/openapi/v3"])
async def test_discovery_documents_are_read_only(client, kube, path):
    await kube.expect(await client.post(path, json={}), 405, "MethodNotAllowed")
