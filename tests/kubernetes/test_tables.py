"""Table output and Accept negotiation: the columns kubectl prints, per kind and per reported version."""
from __future__ import annotations

import json

import pytest

from emulator.services.kubernetes.tables import format_selector, human_duration

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


@pytest.mark.parametrize(("seconds", "shown"), [
    (-2, "<invalid>"), (-0.5, "0s"), (119, "119s"), (125, "2m5s"), (600, "10m"), (95 * 60, "95m"),
    (3 * 3600 + 5 * 60, "3h5m"), (8 * 3600, "8h"), (30 * 3600, "30h"), (50 * 3600, "2d2h"), (48 * 3600, "2d"),
    (400 * 86400, "400d"), ((2 * 365 + 70) * 86400, "2y70d"), (9 * 365 * 86400, "9y")])
def test_human_duration(seconds, shown):
    assert human_duration(seconds) == shown


def test_label_selector_format():
    assert format_selector(None) == "<none>" and format_selector({}) == "<none>"
    assert format_selector({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
        {"key": "c", "operator": "In", "values": ["y", "x"]}, {"key": "d", "operator": "DoesNotExist"}]}) == \
        "a=1,b=2,c in (x,y),!d"


async def test_a_job_table_has_every_column_and_the_object_metadata(client, kube):
    await kube.create(kube.manifest("t", labels={"app": "t"}, parallelism=3))
    response = await client.get(kube.url("default", "t"), headers={"Accept": TABLE})
    table = await kube.ok(response)
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", 0), ("Status", 0), ("Completions", 0), ("Duration", 0), ("Age", 0),
        ("Containers", 1), ("Images", 1), ("Selector", 1)]
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in table["columnDefinitions"])
    [row] = table["rows"]
    uid = row["object"]["metadata"]["uid"]
    assert row["cells"] == ["t", "Running", "0/1 of 3", "", "0s", "main", "busybox:1.36",
                            f"batch.kubernetes.io/controller-uid={uid}"]
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["metadata"]["labels"]["app"] == "t"
    assert table["metadata"] == {"resourceVersion": row["object"]["metadata"]["resourceVersion"]}


async def test_status_column_follows_conditions_and_duration_the_run(client, kube):
    await kube.create(kube.manifest("done", completions=2))
    await kube.patch("default", "done", {"status": {
        "startTime": "2025-12-31T23:00:00Z", "completionTime": "2025-12-31T23:02:05Z", "succeeded": 2,
        "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}},
        suffix="/status")
    table = await kube.ok(await client.get(kube.url("default"), headers={"Accept": TABLE}))
    [row] = [r for r in table["rows"] if r["cells"][0] == "done"]
    assert row["cells"][1:4] == ["Complete", "2/2", "2m5s"]


async def test_servers_before_1_30_have_no_status_column(kube_on):
    kube = await kube_on(kubernetes_version="1.29")
    table = await kube.ok(await kube.client.get(kube.url("namespace-test"), headers={"Accept": TABLE}))
    assert [c["name"] for c in table["columnDefinitions"]][:4] == ["Name", "Completions", "Duration", "Age"]
    assert table["rows"][0]["cells"][:2] == ["pi", "0/1"]


async def test_include_object_none_object_and_a_bad_value(client, kube):
    url = kube.url("namespace-test")
    none = await kube.ok(await client.get(url, params={"includeObject": "None"}, headers={"Accept": TABLE}))
    assert none["rows"][0]["object"] is None
    full = await kube.ok(await client.get(url, params={"includeObject": "Object"}, headers={"Accept": TABLE}))
    assert full["rows"][0]["object"]["kind"] == "Job" and full["rows"][0]["object"]["spec"]
    await kube.expect(await client.get(url, params={"includeObject": "All"}, headers={"Accept": TABLE}),
                      400, "BadRequest")


async def test_namespace_table(client, kube):
    table = await kube.ok(await client.get("/api/v1/namespaces", headers={"Accept": TABLE}))
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Status", "Age"]
    assert ["default", "Active", "0s"] in [row["cells"] for row in table["rows"]]


@pytest.mark.parametrize(("accept", "kind"), [
    ("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", "JobList"),
    ("application/json;as=Table;g=meta.k8s.io;v=v1beta1", "Table"),
    ("application/json;as=Table", None),  # a Table without group and version is no conversion: 406
    ("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io", "Table"),
    ("application/json;q=0,application/json;as=Table;v=v1;g=meta.k8s.io;q=0.1", "Table"),
    ("*/*", "JobList"), ("application/*", "JobList"), ("text/html", None)])
async def test_accept_negotiation(client, kube, accept, kind):
    response = await client.get(kube.url("namespace-test"), headers={"Accept": accept})
    if kind is None:
        body = await kube.expect(response, 406, "NotAcceptable")
        assert body["message"].startswith("only the following media types are accepted: application/json")
        return
    assert (await kube.ok(response))["kind"] == kind


async def test_yaml_answers(client, kube):
    import yaml
    response = await client.get(kube.url("namespace-test", "pi"), headers={"Accept": "application/yaml"})
    assert response.status == 200 and response.content_type == "application/yaml"
    assert yaml.safe_load(await response.text())["metadata"]["name"] == "pi"


async def test_a_table_watch_sends_column_definitions_once(client, kube):
    response = await client.get(kube.url("namespace-test"), params={"watch": "1", "timeoutSeconds": "1"},
                                headers={"Accept": TABLE})
    await kube.create(kube.manifest("w"), namespace="namespace-test")
    events = [json.loads(line) for line in (await response.text()).splitlines()]
    assert [event["object"]["rows"][0]["cells"][0] for event in events] == ["pi", "w"]
    assert events[0]["object"]["columnDefinitions"] and events[1]["object"]["columnDefinitions"] is None
