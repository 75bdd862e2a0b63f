"""Pods and Events on the wire: protobuf (objects, lists, watches, errors), Tables and deletecollection."""
from __future__ import annotations

import json
import struct
import urllib.request
from typing import Any

import pytest
from kubernetes import client as k8s

from emulator.services.kubernetes.protobuf import SPECIAL, codec
from emulator.services.kubernetes.protobuf_messages import FIELDS
from kube_support import JOBS, advance, create

PROTOBUF = "application/vnd.kubernetes.protobuf"
TYPED_CLIENT = "application/vnd.kubernetes.protobuf,application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
PODS = "/api/v1/namespaces/default/pods"
EVENTS = "/api/v1/namespaces/default/events"
EVENTS_V1 = "/apis/events.k8s.io/v1/namespaces/default/events"
DURATION = "cloud-job-emulator/duration-seconds"
OUTCOME = "cloud-job-emulator/outcome"
SAMPLES = {"str": "x", "i32": 7, "i64": 9, "b": True, "bytes": None, "Quantity": "1Gi", "IntOrString": 8080,
           "Time": "2026-01-01T00:00:00Z", "MicroTime": "2026-01-01T00:00:00.123456Z", "FieldsV1": {"f:a": {}}}


def sample(message: str, depth: int = 0) -> dict[str, Any]:
    """A value for every field of a declared message (and of the messages in it), none of them zero."""
    value: dict[str, Any] = {}
    for name, mark, _, kind in FIELDS[message]:
        if mark == "*":
            value.update(sample(kind, depth + 1))
        elif kind.startswith("{"):
            inner = kind[1:-1]
            value[name] = {"k": SAMPLES["str"] if inner == "str" else SAMPLES[inner]}
        elif kind.startswith("[]"):
            value[name] = [_one(kind[2:], depth)]
        else:
            value[name] = _one(kind, depth)
    return {k: v for k, v in value.items() if v is not None}


def _one(kind: str, depth: int) -> Any:
    if kind in SAMPLES:
        return SAMPLES[kind]
    assert depth < 12, f"{kind} nests too deep"
    return sample(kind, depth + 1)


def every_volume() -> list[dict]:
    """One volume of each VolumeSource member, each with every field set."""
    return [{"name": f"v-{name.lower()}", name: sample(kind)} for name, _, _, kind in FIELDS["VolumeSource"]]


async def get_both(client, url: str, **params: str) -> tuple[dict, dict]:
    """The same GET as JSON and as protobuf, decoded; both must be 200."""
    plain = await client.get(url, params=params)
    assert plain.status == 200, await plain.text()
    binary = await client.get(url, params=params, headers={"Accept": TYPED_CLIENT})
    assert binary.status == 200 and binary.content_type == PROTOBUF
    body = await plain.json()
    return body, codec().decode(await binary.read(), body["apiVersion"], body["kind"])


def job(name: str, **annotations: str) -> dict:
    return {"metadata": {"name": name, "annotations": annotations},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "main", "image": "busybox"}]}}}}


async def pods_of(client, name: str) -> list[dict]:
    response = await client.get(PODS, params={"labelSelector": f"job-name={name}"})
    return (await response.json())["items"]


async def table(client, url: str, **params: str) -> dict:
    response = await client.get(url, params=params, headers={"Accept": TABLE})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["kind"] == "Table"
    return body


def test_the_declarations_cover_every_volume_source_and_both_event_apis():
    members = {name for name, *_ in FIELDS["VolumeSource"]}
    assert {"hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
            "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI",
            "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
            "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"} <= members
    numbers = {name: number for name, _, number, _ in FIELDS["EventsV1Event"]}
    assert numbers["regarding"] == 8 and numbers["note"] == 10 and numbers["deprecatedCount"] == 15
    assert {name: number for name, _, number, _ in FIELDS["Event"]}["reportingInstance"] == 15
    assert not [kind for kind in SPECIAL if kind not in FIELDS]


async def test_every_field_of_a_pod_survives_protobuf(client):
    pod = sample("Pod")
    pod["metadata"] = {"name": "everything", "namespace": "default", "labels": {"a": "b"},
                       "annotations": {"c": "d"}, "generation": 3}
    pod["spec"]["volumes"] = every_volume()
    del pod["spec"]["nodeName"]  # not bound: no kubelet touches it
    pod["status"]["phase"] = "Succeeded"
    response = await client.post("/_emulator/fixtures", json={"apiVersion": "v1", "kind": "Pod", **pod})
    assert response.status == 200, await response.text()
    as_json, as_protobuf = await get_both(client, f"{PODS}/everything")
    assert as_protobuf == as_json
    assert as_json["spec"]["volumes"] == pod["spec"]["volumes"] and as_json["status"] == pod["status"]
    assert as_json["spec"]["containers"] == pod["spec"]["containers"]


async def test_a_pod_posted_in_protobuf_is_created_and_answered_in_protobuf(client):
    """kubectl 1.37 sends built-in kinds as protobuf: a Pod (and an Eviction) POSTed that way are answered in kind."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sent-as-protobuf", "labels": {"a": "b"}},
           "spec": {"containers": [{"name": "main", "image": "busybox", "command": ["true"]}]}}
    response = await client.post(PODS, data=codec().encode(pod),
                                 headers={"Content-Type": PROTOBUF, "Accept": TYPED_CLIENT})
    assert response.status == 201 and response.content_type == PROTOBUF, await response.text()
    created = codec().decode(await response.read(), "v1", "Pod")
    stored = await (await client.get(f"{PODS}/sent-as-protobuf")).json()
    assert created["metadata"]["uid"] == stored["metadata"]["uid"] and stored["metadata"]["labels"] == {"a": "b"}
    assert stored["spec"]["containers"][0]["command"] == ["true"]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "sent-as-protobuf"}}
    response = await client.post(f"{PODS}/sent-as-protobuf/eviction", json=eviction, headers={"Accept": TYPED_CLIENT})
    assert response.status == 201 and response.content_type == PROTOBUF, await response.text()
    assert codec().decode(await response.read(), "v1", "Status")["status"] == "Success"


async def test_a_controller_pod_and_its_events_survive_protobuf_at_every_phase(client):
    await create(client, job("pb", **{DURATION: "5"}))
    for seconds in (0, 0.5, 1, 10):  # Pending, ContainerCreating, Running, Succeeded
        await advance(client, seconds)
        [pod] = await pods_of(client, "pb")
        as_json, as_protobuf = await get_both(client, f"{PODS}/{pod['metadata']['name']}")
        assert as_protobuf == as_json and as_json["metadata"]["ownerReferences"][0]["name"] == "pb"
    assert as_json["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    for url in (PODS, "/api/v1/pods", EVENTS, "/api/v1/events", EVENTS_V1, "/apis/events.k8s.io/v1/events"):
        listed_json, listed_protobuf = await get_both(client, url)
        assert listed_protobuf == listed_json and listed_json["items"], url
    event = listed_json["items"][0]
    for url in (f"{EVENTS}/{event['metadata']['name']}", f"{EVENTS_V1}/{event['metadata']['name']}"):
        one_json, one_protobuf = await get_both(client, url)
        assert one_protobuf == one_json
    assert one_json["apiVersion"] == "events.k8s.io/v1" and one_json["regarding"]["kind"]


async def test_a_fixture_event_with_series_and_related_survives_protobuf(client):
    event = {"apiVersion": "v1", "kind": "Event", **sample("Event")}
    event["metadata"] = {"name": "full.1", "namespace": "default"}
    event["involvedObject"]["namespace"] = "default"
    event["lastTimestamp"] = "2026-01-01T00:00:00Z"
    response = await client.post("/_emulator/fixtures", json=event)
    assert response.status == 200, await response.text()
    for url in (f"{EVENTS}/full.1", f"{EVENTS_V1}/full.1"):
        as_json, as_protobuf = await get_both(client, url)
        assert as_protobuf == as_json
    assert as_json["series"] == {"count": 7, "lastObservedTime": "2026-01-01T00:00:00.123456Z"}
    assert as_json["related"] == event["related"] and as_json["action"] == "x"


async def test_pod_and_event_errors_and_watches_in_protobuf(client):
    missing = await client.get(f"{PODS}/nope", headers={"Accept": TYPED_CLIENT})
    assert missing.status == 404 and missing.content_type == PROTOBUF
    status = codec().decode(await missing.read(), "v1", "Status")
    assert status["reason"] == "NotFound" and status["details"] == {"name": "nope", "kind": "pods"}
    await create(client, job("w", **{DURATION: "1"}))
    await advance(client, 0)
    for url, api_version, kind in ((PODS, "v1", "Pod"), (EVENTS_V1, "events.k8s.io/v1", "Event")):
        names = [item["metadata"]["name"] for item in (await (await client.get(url)).json())["items"]]
        response = await client.get(url, params={"watch": "1"}, headers={"Accept": PROTOBUF})
        assert response.headers["Content-Type"] == PROTOBUF + ";stream=watch"
        seen = []
        for _ in names:  # the current objects first, each as one length-prefixed frame
            (length,) = struct.unpack(">I", await response.content.readexactly(4))
            frame = codec().classes["WatchEvent"].FromString(await response.content.readexactly(length))
            decoded = codec().decode(frame.object.raw, api_version, kind)
            assert (frame.type, decoded["apiVersion"], decoded["kind"]) == ("ADDED", api_version, kind)
            seen.append(decoded["metadata"]["name"])
        response.close()
        assert seen == names and names


async def test_the_pod_table_shows_each_phase_as_kubectl_computes_it(client):
    await create(client, job("ok", **{DURATION: "5"}))
    await create(client, job("bad", **{DURATION: "5", OUTCOME: "Failed"}))
    shown: dict[str, list[str]] = {"ok": [], "bad": []}
    for seconds in (0, 0.5, 1, 10):
        await advance(client, seconds)
        for name in shown:
            pod = (await pods_of(client, name))[0]
            body = await table(client, f"{PODS}/{pod['metadata']['name']}")
            [row] = body["rows"]
            shown[name].append(row["cells"][2])
    assert shown["ok"] == ["ContainerCreating", "ContainerCreating", "Running", "Completed"]
    assert shown["bad"] == ["ContainerCreating", "ContainerCreating", "Running", "Error"]
    body = await table(client, PODS, labelSelector="job-name=ok")
    names = [c["name"] for c in body["columnDefinitions"]]
    assert names == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]
    assert [c["priority"] for c in body["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    [row] = body["rows"]
    pod = (await pods_of(client, "ok"))[0]
    assert row["cells"] == [pod["metadata"]["name"], "0/1", "Completed", "0", "11s", pod["status"]["podIP"],
                            pod["spec"]["nodeName"], "<none>", "<none>"]
    assert row["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                  "message": "The pod has completed successfully."}]
    assert row["object"]["kind"] == "PartialObjectMetadata"


async def test_unbound_gated_and_initializing_pods(client):
    base = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    init_status = {"name": "i", "state": {"waiting": {"reason": "PodInitializing"}}, "ready": False,
                   "restartCount": 2, "image": "busybox", "imageID": "",
                   "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:00:00Z"}}}
    documents = [
        {**base, "metadata": {"name": "unbound", "namespace": "default"}, "status": {"phase": "Pending"}},
        {**base, "metadata": {"name": "gated", "namespace": "default"}, "status": {"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}},
        {**base, "metadata": {"name": "init", "namespace": "default"},
         "spec": {**base["spec"], "initContainers": [{"name": "i", "image": "busybox"}],
                  "readinessGates": [{"conditionType": "x/ok"}]},
         "status": {"phase": "Pending", "initContainerStatuses": [init_status],
                    "conditions": [{"type": "x/ok", "status": "True"}]}}]
    response = await client.post("/_emulator/fixtures", json=documents)
    assert response.status == 200, await response.text()
    rows = {r["cells"][0]: r["cells"] for r in (await table(client, PODS))["rows"]}
    assert rows["unbound"][1:4] == ["0/1", "Pending", "0"] and rows["unbound"][5:] == ["<none>"] * 4
    assert rows["gated"][2] == "SchedulingGated"
    assert rows["init"][2:4] == ["Init:0/1", "2 (0s ago)"] and rows["init"][8] == "1/1"


async def test_a_running_pod_reads_ready_and_a_deleted_one_terminating(client):
    await create(client, job("run", **{DURATION: "60"}))
    await advance(client, 0)
    await advance(client, 2)
    [pod] = await pods_of(client, "run")
    [row] = (await table(client, f"{PODS}/{pod['metadata']['name']}"))["rows"]
    assert row["cells"][1:4] == ["1/1", "Running", "0"] and "conditions" not in row
    deleted = await client.delete(f"{PODS}/{pod['metadata']['name']}", headers={"Accept": TABLE})
    assert deleted.status == 200
    [row] = (await deleted.json())["rows"]
    assert row["cells"][2] == "Terminating"


async def test_event_tables_of_both_apis_are_the_apiservers_printer(client):
    await create(client, job("ev", **{DURATION: "1"}))
    await advance(client, 0)
    await advance(client, 30)
    core, v1 = await table(client, EVENTS, includeObject="Object"), await table(client, EVENTS_V1,
                                                                              includeObject="Object")
    names = ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"]
    assert [c["name"] for c in core["columnDefinitions"]] == names
    assert [c["priority"] for c in core["columnDefinitions"]] == [0, 0, 0, 0, 1, 1, 0, 1, 1, 1]
    assert [r["cells"] for r in core["rows"]] == [r["cells"] for r in v1["rows"]]
    assert {r["object"]["apiVersion"] for r in core["rows"]} == {"v1"}
    assert {r["object"]["apiVersion"] for r in v1["rows"]} == {"events.k8s.io/v1"}
    listed = (await (await client.get(EVENTS)).json())["items"]
    by_name = {e["metadata"]["name"]: e for e in listed}
    created = next(r["cells"] for r in core["rows"] if r["cells"][2] == "SuccessfulCreate")
    event = by_name[created[9]]
    source = event["source"]["component"] + (", " + event["source"]["host"] if event["source"].get("host") else "")
    assert created == ["30s", "Normal", "SuccessfulCreate", "job/ev", "", source, event["message"], "30s", 1,
                       event["metadata"]["name"]]


async def test_deletecollection_of_pods_with_selectors(client):
    await create(client, job("keep", **{DURATION: "60"}))
    await create(client, job("drop", **{DURATION: "60"}))
    await advance(client, 0)
    response = await client.delete(PODS, params={"labelSelector": "job-name=drop", "gracePeriodSeconds": "0"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["kind"] == "PodList" and [p["metadata"]["labels"]["job-name"] for p in body["items"]] == ["drop"]
    await advance(client, 0)
    remaining = {p["metadata"]["labels"]["job-name"] for p in (await (await client.get(PODS)).json())["items"]}
    assert "keep" in remaining
    keep = (await pods_of(client, "keep"))[0]["metadata"]["name"]
    dry = await client.delete(PODS, params={"fieldSelector": f"metadata.name={keep}", "dryRun": "All"})
    assert [p["metadata"]["name"] for p in (await dry.json())["items"]] == [keep]
    assert (await pods_of(client, "keep"))[0]["metadata"].get("deletionTimestamp") is None


async def test_deletecollection_of_events_in_both_apis(client):
    await create(client, job("e1", **{DURATION: "1"}))
    await advance(client, 0)
    listed = (await (await client.get(EVENTS)).json())["items"]
    assert listed
    first = listed[0]["metadata"]["name"]
    response = await client.delete(EVENTS, params={"fieldSelector": f"metadata.name={first}"})
    assert response.status == 200
    assert [e["metadata"]["name"] for e in (await response.json())["items"]] == [first]
    left = {e["metadata"]["name"] for e in (await (await client.get(EVENTS)).json())["items"]}
    assert first not in left and left
    response = await client.delete(EVENTS_V1, headers={"Accept": TYPED_CLIENT})
    assert response.status == 200 and response.content_type == PROTOBUF
    deleted = codec().decode(await response.read(), "events.k8s.io/v1", "EventList")
    assert {e["metadata"]["name"] for e in deleted["items"]} == left
    assert (await (await client.get(EVENTS)).json())["items"] == []


def _post(url: str, body: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)


@pytest.fixture
def core_api(live_url: str):
    configuration = k8s.Configuration()
    configuration.host = live_url
    api_client = k8s.ApiClient(configuration)
    yield k8s.CoreV1Api(api_client), k8s.EventsV1Api(api_client)
    api_client.close()


def test_the_kubernetes_client_lists_and_deletes_pods_and_events(core_api, live_url):
    core, events = core_api
    _post(live_url + JOBS, job("client", **{DURATION: "60"}))
    _post(live_url + "/_emulator/clock", {"advance_seconds": 0})
    pods = core.list_namespaced_pod("default", label_selector="job-name=client")
    assert [p.metadata.labels["job-name"] for p in pods.items] == ["client"]
    assert core.list_namespaced_event("default").items
    gone = core.delete_collection_namespaced_pod("default", label_selector="job-name=client",
                                                 grace_period_seconds=0)
    assert gone.kind == "PodList"  # the client reads the answer as a Status: the apiserver answers the list
    after = core.list_namespaced_pod("default", label_selector="job-name=client").items
    old = pods.items[0].metadata.name
    assert all(p.metadata.deletion_timestamp for p in after if p.metadata.name == old)  # gone, or going
    # the model would refuse the answer's `eventTime: null` (a core event's, as on a cluster), so it is read raw
    answer = events.delete_collection_namespaced_event("default", _preload_content=False)
    assert json.loads(answer.data)["kind"] == "EventList"
    assert core.list_namespaced_event("default").items == []


@pytest.mark.parametrize(("version", "pulled", "created", "started"), [
    ("1.32.0", 'Container image "busybox" already present on machine', "Created container c", "Started container c"),
    ("1.34.0", 'Container image "busybox" already present on machine', "Created container: c", "Started container c"),
    ("1.35.0", 'Container image "busybox" already present on machine and can be accessed by the pod',
     "Container created", "Container started")])
async def test_the_kubelets_event_texts_follow_the_reported_version(aiohttp_client, make_app, version, pulled, created,
                                                                    started):
    client = await aiohttp_client(make_app(kubernetes_version=version))
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "texts"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    assert (await client.post("/api/v1/namespaces/default/pods", json=body)).status == 201
    await advance(client, 2)
    response = await client.get("/api/v1/namespaces/default/events",
                                params={"fieldSelector": "involvedObject.name=texts"})
    messages = {e["reason"]: e["message"] for e in (await response.json())["items"]}
    assert (messages["Pulled"], messages["Created"], messages["Started"]) == (pulled, created, started)


async def test_the_schedulers_event_is_written_through_events_k8s_io(aiohttp_client, make_app, tmp_path):
    state = tmp_path / "state.json"
    client = await aiohttp_client(make_app(state_file=state))
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "placed"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    assert (await client.post("/api/v1/namespaces/default/pods", json=body)).status == 201
    await advance(client, 0.25)
    query = {"fieldSelector": "involvedObject.name=placed,reason=Scheduled"}
    [event] = (await (await client.get("/api/v1/namespaces/default/events", params=query)).json())["items"]
    assert {k: event[k] for k in ("source", "firstTimestamp", "lastTimestamp", "eventTime", "action",
                                  "reportingComponent", "reportingInstance")} == {
        "source": {}, "firstTimestamp": None, "lastTimestamp": None, "eventTime": "2026-01-01T00:00:00.000000Z",
        "action": "Binding", "reportingComponent": "default-scheduler",
        "reportingInstance": "default-scheduler-emulator-control-plane"}
    assert "count" not in event and event["message"] == "Successfully assigned default/placed to emulator-node"
    [managed] = event["metadata"]["managedFields"]
    assert managed["manager"] == "kube-scheduler"
    v1_url = f"/apis/events.k8s.io/v1/namespaces/default/events/{event['metadata']['name']}"
    v1 = await (await client.get(v1_url)).json()
    assert (v1["eventTime"], v1["action"], v1["reportingController"], "deprecatedCount" in v1) == (
        "2026-01-01T00:00:00.000000Z", "Binding", "default-scheduler", False)
    await client.server.close()  # the state file keeps it, and a restart takes it back
    again = await aiohttp_client(make_app(state_file=state))
    [kept] = (await (await again.get("/api/v1/namespaces/default/events", params=query)).json())["items"]
    assert kept == event
    await advance(again, 3601)  # an hour after its eventTime it expires, as the others do
    assert (await (await again.get("/api/v1/namespaces/default/events", params=query)).json())["items"] == []
