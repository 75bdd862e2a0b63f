"""Path forms kube-apiserver accepts (trailing slashes, /watch/), the reported version, and deletecollection on Jobs."""
from __future__ import annotations

import json

import pytest

from emulator.cli import parse_settings


@pytest.mark.parametrize("path", ["/version/", "/api/", "/apis/", "/apis/batch/v1/", "/api/v1/",
                                  "/api/v1/namespaces/", "/apis/batch/v1/jobs/",
                                  "/apis/batch/v1/namespaces/namespace-test/jobs/",
                                  "/apis/batch/v1/namespaces/namespace-test/jobs/pi/",
                                  "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status/"])
async def test_a_trailing_slash_reaches_the_same_operation(client, kube, path):
    with_slash = await kube.ok(await client.get(path))
    without = await kube.ok(await client.get(path.rstrip("/")))
    assert with_slash == without
    journal = await kube.ok(await client.get("/_emulator/requests"))
    operations = [entry["operation"] for entry in journal["requests"][-2:]]
    assert operations[0] == operations[1] and operations[0]  # the journal names the same operation


async def test_the_trailing_slash_form_is_not_documented_twice(client, kube):
    document = await kube.ok(await client.get("/_emulator/openapi.json"))
    assert "/version" in document["paths"] and "/version/" not in document["paths"]


async def test_version_defaults_to_a_current_release_with_the_newer_keys(client, kube):
    version = await kube.ok(await client.get("/version"))
    assert version["gitVersion"] == "v1.37.0" and version["minor"] == "37"
    assert version["emulationMinor"] == "37" and version["minCompatibilityMinor"] == "36"


async def test_the_reported_version_is_configurable(kube_on):
    kube = await kube_on(kubernetes_version="1.31.4")
    version = await kube.ok(await kube.client.get("/version/"))
    assert version["gitVersion"] == "v1.31.4" and version["minor"] == "31"
    assert "emulationMinor" not in version  # servers before 1.33 have no emulation keys


def test_the_cli_takes_and_checks_kubernetes_version(capsys):
    assert parse_settings(["--kubernetes-version", "v1.33.2"]).kubernetes_version == "v1.33.2"
    with pytest.raises(SystemExit):
        parse_settings(["--kubernetes-version", "2.0"])
    assert "argument --kubernetes-version" in capsys.readouterr().err


async def test_deletecollection_deletes_what_the_selector_picks_and_answers_the_list(client, kube):
    await kube.create(kube.manifest("keep", labels={"app": "keep"}))
    await kube.create(kube.manifest("go-1", labels={"app": "go"}))
    await kube.create(kube.manifest("go-2", labels={"app": "go"}))
    response = await client.delete(kube.url("default"), params={"labelSelector": "app=go",
                                                                 "propagationPolicy": "Background"})
    body = await kube.ok(response)
    assert body["kind"] == "JobList" and body["apiVersion"] == "batch/v1"
    assert [job["metadata"]["name"] for job in body["items"]] == ["go-1", "go-2"]
    assert "Warning" not in response.headers  # a propagation policy was given
    left = await kube.list("default")
    assert [job["metadata"]["name"] for job in left["items"]] == ["keep"]


async def test_deletecollection_orphans_by_default_with_the_warning(client, kube):
    await kube.create(kube.manifest("one"))
    response = await client.delete(kube.url("default"), params={"fieldSelector": "metadata.name=one"})
    await kube.ok(response)
    assert "child pods are preserved by default" in response.headers["Warning"]
    left = await kube.list("default")
    assert left["items"] == []  # the garbage collector let the orphan finalizer go at once


async def test_deletecollection_takes_delete_options_in_the_body_and_dry_run(client, kube):
    await kube.create(kube.manifest("stay"))
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background", "dryRun": ["All"]}
    listed = await kube.ok(await client.delete(kube.url("default"), json=body))
    assert [job["metadata"]["name"] for job in listed["items"]] == ["stay"]
    await kube.get("default", "stay")


async def test_deletecollection_with_limit_answers_the_page_and_its_token(client, kube):
    for name in ("a", "b", "c"):
        await kube.create(kube.manifest(name))
    page = await kube.ok(await client.delete(kube.url("default"), params={"limit": "2",
                                                                           "propagationPolicy": "Background"}))
    assert [job["metadata"]["name"] for job in page["items"]] == ["a", "b"] and page["metadata"]["continue"]
    assert [job["metadata"]["name"] for job in (await kube.list("default"))["items"]] == ["c"]


async def test_deletecollection_refuses_a_bad_policy_and_all_namespaces(client, kube):
    await kube.expect(await client.delete(kube.url("default"), params={"propagationPolicy": "Later"}),
                      422, "Invalid")
    await kube.expect(await client.delete(kube.url(None)), 405, "MethodNotAllowed")


def test_the_python_client_deletes_a_collection(live_url):
    from kubernetes import client as k8s

    configuration = k8s.Configuration(host=live_url)
    api = k8s.BatchV1Api(k8s.ApiClient(configuration))
    listed = api.delete_collection_namespaced_job("namespace-test", propagation_policy="Background")
    assert listed.kind == "JobList"  # the client reads it as a V1Status, as its OpenAPI document declares
    assert api.list_namespaced_job("namespace-test").items == []


async def _watched(client, path: str, count: int, **query: str) -> list[tuple[str, str]]:
    """The first `count` events of a watch (all of them, to its end, for 0), as (type, name)."""
    response = await client.get(path, params={**query, **({} if count else {"timeoutSeconds": "1"})})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("application/json")
    lines = [json.loads(await response.content.readline()) for _ in range(count)] if count else \
        [json.loads(line) for line in (await response.text()).splitlines() if line]
    response.close()
    return [(line["type"], line["object"]["metadata"]["name"]) for line in lines]


@pytest.mark.parametrize(("watch_path", "list_path"), [
    ("/apis/batch/v1/watch/namespaces/namespace-test/jobs", "/apis/batch/v1/namespaces/namespace-test/jobs"),
    ("/apis/batch/v1/watch/jobs", "/apis/batch/v1/jobs"),
    ("/api/v1/watch/namespaces/default/pods", "/api/v1/namespaces/default/pods"),
    ("/api/v1/watch/pods/", "/api/v1/pods"),
    ("/api/v1/watch/namespaces/default/events", "/api/v1/namespaces/default/events"),
    ("/apis/events.k8s.io/v1/watch/events", "/apis/events.k8s.io/v1/events")])
async def test_the_deprecated_watch_paths_stream_what_a_watch_of_the_list_does(client, kube, watch_path, list_path):
    await kube.create(kube.manifest("watched"))
    await client.post("/_emulator/clock", json={"advance_seconds": 0})  # its pod and events
    listed = (await kube.ok(await client.get(list_path)))["items"]
    assert listed and await _watched(client, watch_path, len(listed)) == [("ADDED", i["metadata"]["name"])
                                                                           for i in listed]


async def test_a_watch_path_naming_one_object_watches_only_it(client, kube):
    await kube.create(kube.manifest("one"))
    await kube.create(kube.manifest("other"))
    assert await _watched(client, "/apis/batch/v1/watch/namespaces/default/jobs/one", 1) == [("ADDED", "one")]
    assert await _watched(client, "/apis/batch/v1/watch/namespaces/default/jobs/one", 0,
                          fieldSelector="metadata.namespace=elsewhere") == []  # both selectors hold
    journal = await kube.ok(await client.get("/_emulator/requests"))
    assert journal["requests"][-1]["operation"] == "watchBatchV1NamespacedJob"  # the one that ran to its end
