"""The Job controller as kube-controller-manager runs it, in the details clients and people notice: Pods a client
posts (validation, generateName, bound, adoption), evictions with DisruptionTarget, slow-start creation with
FailedCreate and the API back-off, the two-step uncountedTerminatedPods, TooManySucceededPods and event aggregation."""
from __future__ import annotations

import json

from emulator.runtime.emulator import EMULATOR

from kube_support import JOBS, advance, create

PODS = "/api/v1/namespaces/default/pods"
EVENTS = "/api/v1/namespaces/default/events"


def job(name: str, annotations: dict | None = None, labels: dict | None = None, **spec) -> dict:
    meta = {"name": name, **({"annotations": annotations} if annotations else {})}
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
    if labels:
        template["metadata"] = {"labels": labels}
    return {"metadata": meta, "spec": {"template": template, **spec}}


def bare_pod(name: str | None = None, labels: dict | None = None, **meta) -> dict:
    metadata = {**({"name": name} if name else {}), **({"labels": labels} if labels else {}), **meta}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}], "restartPolicy": "Never"}}


async def post_pod(client, body: dict, code: int = 201, **query) -> dict:
    response = await client.post(PODS, json=body, params=query)
    assert response.status == code, await response.text()
    return await response.json()


async def pods(client, **query) -> list[dict]:
    return (await (await client.get(PODS, params=query)).json())["items"]


async def events(client, reason: str | None = None) -> list[dict]:
    items = (await (await client.get(EVENTS)).json())["items"]
    return [e for e in items if reason is None or e["reason"] == reason]


async def status_of(client, name: str) -> dict:
    return (await (await client.get(f"{JOBS}/{name}/status")).json())["status"]


def service(client):
    return client.app[EMULATOR].services["kubernetes"]


# --- Pods a client posts -------------------------------------------------------------------------------------------

async def test_a_posted_pod_is_defaulted_runs_on_the_clock_and_has_a_log(client):
    created = await post_pod(client, bare_pod("solo"))
    assert created["kind"] == "Pod" and created["metadata"]["name"] == "solo"
    assert created["metadata"]["generation"] == 1 and created["metadata"]["uid"]
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    spec = created["spec"]
    assert spec["serviceAccountName"] == "default" and spec["terminationGracePeriodSeconds"] == 30
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    await advance(client, 1)
    running = await (await client.get(f"{PODS}/solo")).json()
    assert running["status"]["phase"] == "Running" and running["spec"]["nodeName"]
    await advance(client, 10)
    done = await (await client.get(f"{PODS}/solo")).json()
    assert done["status"]["phase"] == "Succeeded"
    assert done["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    log = await (await client.get(f"{PODS}/solo/log")).text()
    assert log == "container app (image busybox:1.36) started\ncontainer app completed\n"


async def test_a_posted_pod_takes_a_generated_name_and_a_dry_run_stores_nothing(client):
    named = await post_pod(client, bare_pod(generateName="batch-"))
    assert named["metadata"]["name"].startswith("batch-") and len(named["metadata"]["name"]) == 11
    assert named["metadata"]["generateName"] == "batch-"
    dry = await post_pod(client, bare_pod("ghost"), dryRun="All")
    assert dry["metadata"]["name"] == "ghost"
    assert (await client.get(f"{PODS}/ghost")).status == 404
    assert [p["metadata"]["name"] for p in await pods(client)] == [named["metadata"]["name"]]


async def test_a_posted_pod_is_refused_as_the_apiserver_refuses_it(client, kube):
    await post_pod(client, bare_pod("twice"))
    await kube.expect(await client.post(PODS, json=bare_pod("twice")), 409, "AlreadyExists",
                      'pods "twice" already exists')
    no_containers = bare_pod("empty")
    no_containers["spec"]["containers"] = []
    body = await kube.expect(await client.post(PODS, json=no_containers), 422, "Invalid",
                             'Pod "empty" is invalid: spec.containers: Required value')
    assert body["details"] == {"name": "empty", "kind": "Pod", "causes": [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}]}
    odd = bare_pod("Bad_Name")
    odd["spec"]["restartPolicy"] = "Sometimes"
    body = await kube.expect(await client.post(PODS, json=odd), 422, "Invalid")
    assert [c["field"] for c in body["details"]["causes"]] == ["metadata.name", "spec.restartPolicy"]
    await kube.expect(await client.post("/api/v1/namespaces/nowhere/pods", json=bare_pod("x")), 404, "NotFound",
                      'namespaces "nowhere" not found')


async def test_pods_past_the_bound_are_refused_with_the_quota_message(client, kube):
    service(client).pods.limit = 2
    await post_pod(client, bare_pod("a"))
    await post_pod(client, bare_pod("b"))
    body = await kube.expect(await client.post(PODS, json=bare_pod("c")), 403, "Forbidden",
                             'pods "c" is forbidden: exceeded quota: emulator-pods, requested: pods=1, '
                             'used: pods=2, limited: pods=2')
    assert body["details"] == {"name": "c", "kind": "pods"}


async def test_a_job_adopts_a_matching_orphan_pod_as_claim_pods_does_but_not_one_another_controller_owns(client):
    await post_pod(client, bare_pod("stray", {"team": "x"}))
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "0b7f6a0e-1111-2222-3333-444455556666",
             "controller": True}
    await post_pod(client, bare_pod("owned", {"team": "x"}, ownerReferences=[owner]))
    await post_pod(client, bare_pod("other", {"team": "y"}))
    created = await create(client, job("claim", labels={"team": "x"}, manualSelector=True,
                                       selector={"matchLabels": {"team": "x"}}))
    await advance(client, 0)
    by_name = {p["metadata"]["name"]: p["metadata"] for p in await pods(client)}
    assert set(by_name) == {"stray", "owned", "other"}  # the orphan counts as the job's one active pod
    assert by_name["stray"]["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "Job", "name": "claim",
                                                    "uid": created["metadata"]["uid"], "controller": True,
                                                    "blockOwnerDeletion": True}]
    assert by_name["stray"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    assert by_name["owned"]["ownerReferences"] == [owner] and "ownerReferences" not in by_name["other"]
    assert (await status_of(client, "claim"))["active"] == 1
    assert await events(client, "SuccessfulCreate") == []
    await advance(client, 11)  # the orphan runs its 10 s and succeeds: the job completes on it
    status = await status_of(client, "claim")
    assert status["succeeded"] == 1 and [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]


# --- Eviction and DisruptionTarget -----------------------------------------------------------------------------------

async def test_an_eviction_marks_the_pod_as_disrupted_so_an_ignore_rule_spares_the_job(client, kube):
    policy = {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
    await create(client, job("evicted", {"cloud-job-emulator/duration-seconds": "100"}, backoffLimit=0,
                             podFailurePolicy=policy))
    await advance(client, 2)
    [pod] = await pods(client)
    name = pod["metadata"]["name"]
    await kube.expect(await client.post(f"{PODS}/{name}/eviction", json={"metadata": {"name": "other"}}), 400,
                      "BadRequest", "name in URL does not match name in Eviction object")
    response = await client.post(f"{PODS}/{name}/eviction", json={
        "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": "default"}})
    assert response.status == 201, await response.text()
    assert await response.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                     "code": 201}
    evicting = await (await client.get(f"{PODS}/{name}")).json()
    assert evicting["metadata"]["deletionTimestamp"] and evicting["status"]["conditions"][-1] == {
        "type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
        "lastTransitionTime": "2026-01-01T00:00:02Z", "reason": "EvictionByEvictionAPI",
        "message": "Eviction API: evicting"}
    await advance(client, 1)  # killed: Failed with exit 143, the condition kept (first, as the kubelet keeps it)
    status = await status_of(client, "evicted")
    assert status.get("failed", 0) == 0 and status.get("active", 0) == 0  # not counted, yet it starts the back-off
    assert await pods(client) == []  # (newBackoffRecord takes every failed pod, Ignored ones too)
    await advance(client, 9)
    assert await pods(client) == []
    await advance(client, 1)  # 10 s after it finished: replaced
    status = await status_of(client, "evicted")
    assert status.get("failed", 0) == 0 and status["active"] == 1
    assert not any(c["type"] == "Failed" for c in status.get("conditions", []))
    names = [p["metadata"]["name"] for p in await pods(client)]
    assert name not in names and len(names) == 1
    await kube.expect(await client.post(f"{PODS}/gone/eviction", json={"metadata": {"name": "gone"}}), 404,
                      "NotFound", 'pods "gone" not found')


async def test_a_plain_delete_adds_no_disruption_target_so_the_same_job_fails(client):
    policy = {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
    await create(client, job("deleted", {"cloud-job-emulator/duration-seconds": "100"}, backoffLimit=0,
                             podFailurePolicy=policy))
    await advance(client, 2)
    [pod] = await pods(client)
    assert (await client.delete(f"{PODS}/{pod['metadata']['name']}")).status == 200
    await advance(client, 1)
    status = await status_of(client, "deleted")
    assert status["failed"] == 1 and status["conditions"][-1]["type"] == "Failed"


# --- Slow start, FailedCreate, the API back-off ----------------------------------------------------------------------

async def test_pods_are_created_in_slow_start_batches_and_a_refused_batch_waits_for_the_api_back_off(client):
    service(client).pods.limit = 8
    for name in ("a", "b", "c"):
        await post_pod(client, bare_pod(name))
    await create(client, job("wide", {"cloud-job-emulator/duration-seconds": "100"}, parallelism=10, completions=10))
    await advance(client, 0)
    # batches 1 and 2 fit; of the batch of 4, two are refused; the last 3 are not tried (slowStartBatch)
    assert len(await pods(client, labelSelector="job-name=wide")) == 5
    message = ('Error creating: pods "wide-" is forbidden: exceeded quota: emulator-pods, requested: pods=1, '
               'used: pods=8, limited: pods=8')
    [refused] = await events(client, "FailedCreate")
    assert (refused["type"], refused["message"], refused["count"]) == ("Warning", message, 2)
    assert (await status_of(client, "wide"))["active"] == 5
    for name in ("a", "b", "c"):
        assert (await client.delete(f"{PODS}/{name}", params={"gracePeriodSeconds": "0"})).status == 200
    await advance(client, 0.5)  # within the 1 s API back-off: nothing tried
    assert len(await pods(client)) == 5
    await advance(client, 0.5)  # the requeue: batches 1 and 2 fill the room, the next batch of 2 is refused
    made = await pods(client, labelSelector="job-name=wide")
    assert sorted(p["metadata"]["creationTimestamp"][-3:] for p in made) == ["00Z"] * 5 + ["01Z"] * 3
    [refused] = await events(client, "FailedCreate")
    assert refused["count"] == 4
    await advance(client, 1.5)  # the second failure in a row doubles the back-off: next try at 3 s
    assert (await events(client, "FailedCreate"))[0]["count"] == 4
    await advance(client, 0.5)
    assert (await events(client, "FailedCreate"))[0]["count"] == 5
    assert (await status_of(client, "wide"))["active"] == 8


async def test_more_successes_than_completions_are_reported_as_too_many_succeeded_pods(client):
    for name in ("done-1", "done-2"):
        await post_pod(client, bare_pod(name, {"batch": "late"}))
    await advance(client, 11)  # both ran and succeeded before any job claimed them
    await create(client, job("late", labels={"batch": "late"}, manualSelector=True, completions=1,
                             selector={"matchLabels": {"batch": "late"}}))
    await advance(client, 0)
    status = await status_of(client, "late")
    assert status["succeeded"] == 2 and status["conditions"][-1]["type"] == "Complete"
    reasons = [(e["type"], e["reason"], e["message"]) for e in await events(client) if e["involvedObject"]["kind"] == "Job"]
    assert reasons == [("Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached"),
                       ("Normal", "Completed", "Job completed")]


# --- uncountedTerminatedPods ---------------------------------------------------------------------------------------

async def job_writes(client, since: str, name: str, count: int) -> list[dict]:
    """The job objects of the first `count` watch events after `since`."""
    response = await client.get(f"{JOBS}?watch=true&resourceVersion={since}&fieldSelector=metadata.name={name}")
    lines = [await response.content.readline() for _ in range(count)]
    response.close()
    return [json.loads(line)["object"] for line in lines]


async def test_a_finished_pod_is_counted_in_two_writes_with_its_finalizer_removed_between(client):
    created = await create(client, job("two", {"cloud-job-emulator/fail-attempts": "1",
                                               "cloud-job-emulator/duration-seconds": "2"}))
    await advance(client, 3)  # the first pod fails at 3 s
    [failed_pod] = await pods(client)
    uid = failed_pod["metadata"]["uid"]
    assert "finalizers" not in failed_pod["metadata"]
    await advance(client, 10 + 3)  # the 10 s back-off, then the second pod runs 1 s + 2 s and succeeds
    second = next(p for p in await pods(client) if p["metadata"]["uid"] != uid)
    writes = await job_writes(client, created["metadata"]["resourceVersion"], "two", 8)
    statuses = [w["status"] for w in writes]
    # start, ready, failure noted, failure counted, the replacement, ready, success noted, success counted
    assert statuses[2]["uncountedTerminatedPods"] == {"failed": [uid]} and "failed" not in statuses[2]
    assert statuses[3]["uncountedTerminatedPods"] == {} and statuses[3]["failed"] == 1
    noted, counted = statuses[6], statuses[7]
    assert noted["uncountedTerminatedPods"] == {"succeeded": [second["metadata"]["uid"]]}
    assert "succeeded" not in noted and [c["type"] for c in noted["conditions"]] == ["SuccessCriteriaMet"]
    assert "completionTime" not in noted
    assert counted["uncountedTerminatedPods"] == {} and counted["succeeded"] == 1 and counted["failed"] == 1
    assert [c["type"] for c in counted["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    # the finalizer went between the two writes
    finalized = int(second["metadata"]["resourceVersion"])
    assert int(writes[6]["metadata"]["resourceVersion"]) < finalized < int(writes[7]["metadata"]["resourceVersion"])
    assert "finalizers" not in second["metadata"]


# --- active during the pod-failure back-off ------------------------------------------------------------------------

async def test_active_reads_zero_while_the_controller_waits_out_the_back_off_as_manage_job_returns_it(client):
    await create(client, job("par", {"cloud-job-emulator/duration-seconds": "100"}, parallelism=2, completions=2))
    await advance(client, 2)
    first, second = await pods(client)
    assert (await client.delete(f"{PODS}/{first['metadata']['name']}")).status == 200
    await advance(client, 0)  # counted as failed at once (TerminatingOrFailed); the replacement waits 10 s
    status = await status_of(client, "par")
    assert status["failed"] == 1 and "active" not in status and status["ready"] == 1  # the other pod still runs
    await advance(client, 9.5)
    assert "active" not in await status_of(client, "par")
    await advance(client, 0.5)  # the back-off is over: the replacement is made and both count again
    status = await status_of(client, "par")
    assert status["active"] == 2 and status["ready"] == 1


# --- event aggregation ---------------------------------------------------------------------------------------------

async def test_similar_events_are_folded_as_the_event_aggregator_does_and_identical_ones_counted(client):
    await create(client, job("many", {"cloud-job-emulator/duration-seconds": "2000"}, parallelism=12, completions=12))
    await advance(client, 0)
    names = sorted(p["metadata"]["name"] for p in await pods(client))
    created = [e for e in await events(client, "SuccessfulCreate")]
    plain = [e for e in created if not e["message"].startswith("(combined")]
    [combined] = [e for e in created if e["message"].startswith("(combined")]
    assert len(plain) == 9 and all(e["count"] == 1 for e in plain)  # the first 9 messages as they are
    assert combined["count"] == 3  # the 10th, 11th and 12th folded into one
    assert combined["message"].startswith("(combined from similar events): Created pod: many-")
    assert combined["message"].rsplit(" ", 1)[1] in names and combined["type"] == "Normal"
    assert combined["firstTimestamp"] == combined["lastTimestamp"] == "2026-01-01T00:00:00Z"
    assert len({e["message"] for e in plain}) == 9
    # 11 minutes later a new group starts: the next similar event is recorded as it is
    await advance(client, 660)
    victim = names[0]
    assert (await client.delete(f"{PODS}/{victim}", params={"gracePeriodSeconds": "0"})).status == 200
    await advance(client, 20)  # counted as failed at once; the replacement after the 10 s back-off
    later = [e for e in await events(client, "SuccessfulCreate") if e["lastTimestamp"] > "2026-01-01T00:10:00Z"]
    assert len(later) == 1 and later[0]["message"].startswith("Created pod: many-") and later[0]["count"] == 1


async def test_a_source_may_burst_25_events_about_an_object_then_gets_one_more_every_5_minutes(client):
    """EventSourceObjectSpamFilter: 30 creates at once are 30 events from the job controller about one Job; the
    first 25 pass (9 as they are, 16 folded into the combined one), the last 5 are held back but counted."""
    await create(client, job("spam", {"cloud-job-emulator/duration-seconds": "5000"}, parallelism=30, completions=30))
    await advance(client, 0)
    assert len(await pods(client)) == 30
    created = await events(client, "SuccessfulCreate")
    [combined] = [e for e in created if e["message"].startswith("(combined")]
    assert len(created) == 10 and combined["count"] == 16
    scheduled = await events(client, "Scheduled")  # the scheduler is another source, each pod another object
    assert len(scheduled) == 30
    await advance(client, 295)
    victim = (await pods(client))[0]["metadata"]["name"]
    assert (await client.delete(f"{PODS}/{victim}", params={"gracePeriodSeconds": "0"})).status == 200
    await advance(client, 20)  # replaced after the 10 s back-off, past 300 s: the bucket has a token again
    [combined] = [e for e in await events(client, "SuccessfulCreate") if e["message"].startswith("(combined")]
    assert combined["count"] == 22  # 16 written, 5 held back, and this one
    assert combined["lastTimestamp"] > "2026-01-01T00:05:00Z"
    assert combined["message"].endswith(next(p["metadata"]["name"] for p in await pods(client)
                                             if p["metadata"]["creationTimestamp"] > "2026-01-01T00:05:00Z"))


async def test_an_event_held_back_from_its_first_write_is_created_later_with_every_time_it_was_seen(client):
    events_api = service(client).events
    regarding = {"kind": "Job", "namespace": "default", "name": "x", "uid": "u-1", "apiVersion": "batch/v1"}
    for n in range(25):
        assert events_api.record(regarding, "Normal", "Tick", "same", "tester") is not None
    assert events_api.record(regarding, "Warning", "Odd", "first", "tester") is None  # no token left
    assert events_api.record(regarding, "Normal", "Tick", "same", "other-source") is not None  # another bucket
    await advance(client, 299)
    assert events_api.record(regarding, "Warning", "Odd", "first", "tester") is None  # 0.997 of a token
    await advance(client, 1)
    written = events_api.record(regarding, "Warning", "Odd", "first", "tester")
    assert (written["count"], written["firstTimestamp"], written["lastTimestamp"]) == (
        3, "2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z")
    [tick] = [e for e in await events(client, "Tick") if e["source"]["component"] == "tester"]
    assert tick["count"] == 25


async def test_at_most_10000_events_are_kept_and_the_oldest_goes_first(client):
    events_api = service(client).events
    watch = await client.get("/api/v1/namespaces/default/events", params={"watch": "true",
                                                                          "fieldSelector": "involvedObject.name=obj-0"})
    assert watch.status == 200
    for n in range(10_001):
        regarding = {"kind": "Pod", "namespace": "default", "name": f"obj-{n}", "uid": f"u-{n}", "apiVersion": "v1"}
        assert events_api.record(regarding, "Normal", "Tick", "tick", "tester") is not None
    names = {e["involvedObject"]["name"] for e in await events(client, "Tick")}
    assert len(names) == 10_000 and "obj-0" not in names and "obj-10000" in names
    seen = [json.loads(await watch.content.readline())["type"] for _ in range(2)]
    assert seen == ["ADDED", "DELETED"]
    watch.close()
