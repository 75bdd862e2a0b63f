"""The admin toolkit every service shares: state, fixtures, the request journal and fault rules."""
from __future__ import annotations

import asyncio
import json

import pytest

PI_STATUS = "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}


async def test_state_dumps_every_store_and_changes_nothing(client):
    first = await (await client.get("/_emulator/state")).json()
    second = await (await client.get("/_emulator/state")).json()
    assert first == second
    assert first["clock"] == {"now": "2026-01-01T00:00:00Z", "frozen": True}
    jobs = {name for _, name, _ in first["collections"]["jobs"]}
    assert jobs == {"pi", "jobs-12130306"}
    assert {"mrs_jobs", "cos_jobs", "namespaces"} <= set(first["collections"])


async def test_fixtures_load_one_document_or_a_list(client):
    response = await client.post("/_emulator/fixtures", json=NAMESPACE)
    assert (response.status, await response.json()) == (200, {"loaded": 1})
    assert (await client.get("/api/v1/namespaces/team-a")).status == 200
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "team-a"},
           "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    response = await client.post("/_emulator/fixtures", json=[{**NAMESPACE, "metadata": {"name": "team-b"}}, job])
    assert (await response.json()) == {"loaded": 2}


async def test_a_bad_fixture_document_is_named_and_nothing_is_loaded(client):
    before = await (await client.get("/_emulator/state")).json()
    bad_job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "Bad_Name", "namespace": "team-a"}}
    response = await client.post("/_emulator/fixtures", json=[NAMESPACE, bad_job])
    body = await response.json()
    assert response.status == 400 and body["message"].startswith("request document 2: ")
    assert (await client.get("/api/v1/namespaces/team-a")).status == 404
    assert await (await client.get("/_emulator/state")).json() == before  # revision and every collection


@pytest.mark.parametrize("body", [b"[1]", b'"text"', b"{not json",
                                  b'{"apiVersion": "v1", "kind": "Namespace", "metadata": [null, null]}',
                                  b'{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": []}',
                                  b'{"apiVersion": "v1", "kind": "List", "items": [1]}',
                                  b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, '
                                  b'"spec": {"containers": [1]}}',
                                  b'{"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, '
                                  b'"involvedObject": {}, "count": -1}'])
async def test_fixtures_refuse_what_is_not_documents(client, body):
    # a Pod or Event fixture is refused by the checks a state file's would get, else the state saved with it
    # would not restart
    response = await client.post("/_emulator/fixtures", data=body)
    assert response.status == 400


async def test_journal_records_service_calls_with_their_operation(client):
    await client.get(PI_STATUS + "?pretty=true")
    await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/nope")
    await client.get("/_emulator/health")  # the admin API is not journaled
    entries = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert [(e["service"], e["operation"], e["method"], e["status"]) for e in entries] == [
        ("kubernetes", "readBatchV1NamespacedJobStatus", "GET", 200),
        ("kubernetes", "readBatchV1NamespacedJob", "GET", 404)]
    first = entries[0]
    assert (first["path"], first["query"], first["time"]) == (PI_STATUS, "pretty=true", "2026-01-01T00:00:00Z")
    assert first["duration_ms"] >= 0 and first["request_id"]


async def test_journal_filters_clears_and_stays_bounded(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(journal_size=3))
    for _ in range(5):
        await client.get(PI_STATUS)
    await client.get("/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs", headers={"X-Auth-Token": "t"})
    everything = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert len(everything) == 3 and everything[-1]["service"] == "mrs"
    only = await (await client.get("/_emulator/requests?service=kubernetes&operation=readBatchV1NamespacedJobStatus")).json()
    assert len(only["requests"]) == 2
    assert (await (await client.delete("/_emulator/requests")).json()) == {"requests": []}
    assert (await (await client.get("/_emulator/requests")).json()) == {"requests": []}


async def test_fault_answers_in_the_services_envelope_after_and_times(client):
    rule = {"service": "kubernetes", "operation": "readBatchV1NamespacedJobStatus", "status": 503,
            "error_code": "ServiceUnavailable", "message": "try again", "after": 1, "times": 2}
    created = await client.post("/_emulator/faults", json=rule)
    assert created.status == 201
    statuses = [(await client.get(PI_STATUS)).status for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    await client.post("/_emulator/faults", json={**rule, "after": 0, "times": 1})
    failed = await client.get(PI_STATUS)
    assert await failed.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                   "message": "try again", "reason": "ServiceUnavailable", "code": 503}
    listed = (await (await client.get("/_emulator/faults")).json())["faults"]
    assert [(f["id"], f["fired"]) for f in listed] == [(1, 2), (2, 1)]
    assert (await (await client.delete("/_emulator/faults")).json()) == {"faults": []}
    assert (await client.get(PI_STATUS)).status == 200


async def test_fault_by_method_and_path_regex(client):
    await client.post("/_emulator/faults", json={"method": "patch", "path": r"/jobs/[^/]+/status$", "status": 409})
    patched = await client.patch(PI_STATUS, data=b"{}", headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status == 409 and (await patched.json())["reason"] == "InjectedFault"
    assert (await client.get(PI_STATUS)).status == 200


async def test_fault_in_cos_and_mrs_envelopes(client):
    await client.post("/_emulator/faults", json={"service": "cos_batch", "status": 503, "error_code": "SlowDown",
                                                 "message": "Please reduce your request rate."})
    answer = await client.get("/jobs", headers={"x-cos-appid": "1250000000"})
    assert answer.status == 503 and answer.headers["Content-Type"].startswith("application/xml")
    assert b"<Code>SlowDown</Code>" in await answer.read()
    await client.post("/_emulator/faults", json={"service": "mrs", "status": 500, "error_code": "INTERNAL"})
    answer = await client.get("/v1.1/p/jobs", headers={"X-Auth-Token": "t"})
    assert answer.status == 500 and "error_code" in await answer.json()


@pytest.mark.parametrize("status", [None, 503])
async def test_a_delayed_call_is_late_by_delay_ms_and_then_answers_as_the_rule_says(client, status):
    """`delay_ms` alone only delays the real answer; with `status` the error comes that late."""
    rule = {"path": "/status$", "delay_ms": 200, "times": 1, **({"status": status} if status else {})}
    assert (await client.post("/_emulator/faults", json=rule)).status == 201
    assert (await client.get(PI_STATUS)).status == (status or 200)
    assert (await (await client.get("/_emulator/faults")).json())["faults"][0]["fired"] == 1
    journal = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert journal[-1]["status"] == (status or 200)
    assert journal[-1]["duration_ms"] >= 200  # a lower bound on real time: the delay was really waited


@pytest.mark.parametrize("rule", [
    {"status": 503},  # matches nothing in particular
    {"service": "kubernetes"},  # neither status nor delay
    {"service": "kubernetes", "status": 200},
    {"service": "kubernetes", "status": 503, "times": -1},
    {"service": "kubernetes", "status": 503, "bogus": 1},
    {"path": "([", "status": 503},
])
async def test_bad_fault_rules_are_refused(client, rule):
    assert (await client.post("/_emulator/faults", json=rule)).status == 400


async def test_reset_clears_journal_and_faults(client):
    await client.post("/_emulator/faults", json={"service": "kubernetes", "status": 503})
    await client.get(PI_STATUS)
    await client.post("/_emulator/reset")
    assert (await (await client.get("/_emulator/faults")).json()) == {"faults": []}
    assert (await (await client.get("/_emulator/requests")).json()) == {"requests": []}
    assert (await client.get(PI_STATUS)).status == 200


async def test_transitions_name_a_service_that_has_them(client):
    response = await client.post("/_emulator/transitions", json={"service": "nope"})
    assert response.status == 400


BAD_DOCUMENT = {"service": "no-such-service"}


async def test_a_refused_batch_gives_back_the_bytes_of_the_objects_it_had_stored(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(load_fixtures=False, cos_max_store_bytes=1000))

    def bucket(name: str) -> dict:
        return {"service": "cos_batch", "appid": "1250000000", "jobs": [],
                "buckets": [{"name": f"{name}-1250000000", "objects": [{"key": "a", "body": "x" * 600}]}]}

    response = await client.post("/_emulator/fixtures", json=[bucket("first"), BAD_DOCUMENT])
    assert response.status == 400
    response = await client.post("/_emulator/fixtures", json=[bucket("first")])  # its 600 bytes were given back
    assert (response.status, await response.json()) == (200, {"loaded": 1})
    response = await client.post("/_emulator/fixtures", json=[bucket("second")])  # 1,200 bytes: over the bound
    assert response.status == 400 and "object store is full" in (await response.json())["message"]


async def test_a_refused_batch_leaves_no_pod_owner_or_event_behind(aiohttp_client, make_app):
    from emulator.runtime.emulator import EMULATOR
    client = await aiohttp_client(make_app())
    kubernetes = client.app[EMULATOR].services["kubernetes"]
    pods_before = ({**kubernetes.pods._owned}, {**kubernetes.pods._orphans})
    events_before = ({**kubernetes.events._by_identity}, list(kubernetes.events._order))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "main", "image": "busybox"}]}}
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "p.1", "namespace": "default"},
             "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "Pulled",
             "message": "pulled", "type": "Normal", "source": {"component": "kubelet"}, "count": 1}
    for _ in range(3):  # a client retrying its batch: nothing piles up
        assert (await client.post("/_emulator/fixtures", json=[pod, event, BAD_DOCUMENT])).status == 400
    assert ({**kubernetes.pods._owned}, {**kubernetes.pods._orphans}) == pods_before
    assert ({**kubernetes.events._by_identity}, list(kubernetes.events._order)) == events_before
    response = await client.post("/_emulator/fixtures", json=[pod, event])
    assert (response.status, await response.json()) == (200, {"loaded": 2})
    assert ("default", "p") in kubernetes.pods._orphans["default"]


async def test_a_watcher_never_sees_a_refused_batch(client):
    jobs = "/apis/batch/v1/namespaces/default/jobs"
    listed = await (await client.get(jobs)).json()
    watch = await client.get(jobs, params={"watch": "true", "resourceVersion": listed["metadata"]["resourceVersion"]})
    refused = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "refused", "namespace": "default"},
               "spec": {"template": {"spec": {"restartPolicy": "Never",
                                              "containers": [{"name": "main", "image": "busybox"}]}}}}
    assert (await client.post("/_emulator/fixtures", json=[refused, BAD_DOCUMENT])).status == 400
    created = await client.post(jobs, json={**refused, "metadata": {"name": "created"}})
    assert created.status == 201
    event = json.loads(await asyncio.wait_for(watch.content.readline(), 10))
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "created")
    assert event["object"]["metadata"]["resourceVersion"] == (await created.json())["metadata"]["resourceVersion"]
