"""A pod's `spec.schedulingGates`: created with gates it stays Pending and unbound (PodScheduled False, reason
SchedulingGated) until a client removes the last one; gates may only be removed, and a gated pod's nodeSelector may
only grow (the apiserver's pod strategy and ValidatePodUpdate, and the scheduler's SchedulingGates plugin)."""
from __future__ import annotations

from kube_support import JOBS, advance, create

PODS = "/api/v1/namespaces/default/pods"
GATED = {"type": "PodScheduled", "status": "False", "lastProbeTime": None, "reason": "SchedulingGated",
         "message": "Scheduling is blocked due to non-empty scheduling gates"}
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}


def pod(name: str, gates: list[str], **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}],
        "schedulingGates": [{"name": gate} for gate in gates], **spec}}


async def read(client, name: str) -> dict:
    response = await client.get(f"{PODS}/{name}")
    assert response.status == 200
    return await response.json()


async def reasons(client, name: str) -> list[str]:
    response = await client.get("/api/v1/namespaces/default/events",
                                params={"fieldSelector": f"involvedObject.name={name}"})
    return [event["reason"] for event in (await response.json())["items"]]


async def invalid(response, name: str, *causes: tuple[str, str, str]) -> None:
    """A 422 Invalid for Pod `name` whose causes are these (reason, field, message), in this order."""
    assert response.status == 422, await response.text()
    body = await response.json()
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "Pod"
    assert [(c["reason"], c["field"], c["message"]) for c in body["details"]["causes"]] == list(causes)
    listed = [f"{field}: {message}" for _, field, message in causes]
    shown = listed[0] if len(listed) == 1 else "[" + ", ".join(listed) + "]"
    assert body["message"] == f'Pod "{name}" is invalid: {shown}'


async def test_a_gated_pod_stays_pending_and_unbound_with_the_apiservers_condition(client):
    response = await client.post(PODS, json=pod("gated", ["example.com/quota", "example.com/arch"]))
    assert response.status == 201, await response.text()
    created = await response.json()
    stamp = created["metadata"]["creationTimestamp"]
    assert created["status"] == {"phase": "Pending", "conditions": [{**GATED, "lastTransitionTime": stamp}],
                                 "qosClass": "BestEffort"}
    await advance(client, 120)
    found = await read(client, "gated")
    assert found["status"] == created["status"] and "nodeName" not in found["spec"]
    assert found["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert await reasons(client, "gated") == []  # the scheduler does not even try: no FailedScheduling


async def test_removing_the_last_gate_lets_the_scheduler_bind_the_pod(client):
    assert (await client.post(PODS, json=pod("gated", ["a.io/one", "a.io/two"]))).status == 201
    await advance(client, 30)
    response = await client.patch(f"{PODS}/gated", headers=JSON_PATCH,
                                  json=[{"op": "remove", "path": "/spec/schedulingGates/0"}])
    assert response.status == 200, await response.text()
    assert (await response.json())["spec"]["schedulingGates"] == [{"name": "a.io/two"}]
    await advance(client, 30)
    one_left = await read(client, "gated")
    assert "nodeName" not in one_left["spec"] and one_left["status"]["conditions"][0]["reason"] == "SchedulingGated"

    response = await client.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"schedulingGates": None}})
    assert response.status == 200, await response.text()
    released = await response.json()
    assert "schedulingGates" not in released["spec"]
    await advance(client, 0)
    bound = await read(client, "gated")
    assert bound["spec"]["nodeName"] == "emulator-node"
    [scheduled] = [c for c in bound["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert scheduled["status"] == "True" and "reason" not in scheduled
    assert scheduled["lastTransitionTime"] == bound["status"]["startTime"] != one_left["status"]["conditions"][0][
        "lastTransitionTime"]
    assert await reasons(client, "gated") == ["Scheduled", "Pulled"]
    await advance(client, 1)
    assert (await read(client, "gated"))["status"]["phase"] == "Running"


async def test_a_gate_cannot_be_added_by_any_kind_of_write(client):
    assert (await client.post(PODS, json=pod("gated", ["a.io/one"]))).status == 201
    added = ("FieldValueForbidden", "spec.schedulingGates[1].name",
             "Forbidden: only deletion is allowed, but found new scheduling gate 'b.io/two'")
    await invalid(await client.patch(f"{PODS}/gated", headers=JSON_PATCH, json=[
        {"op": "add", "path": "/spec/schedulingGates/-", "value": {"name": "b.io/two"}}]), "gated", added)
    # a strategic merge patch merges the list by name, so this adds rather than replaces
    await invalid(await client.patch(f"{PODS}/gated", headers=STRATEGIC, json={
        "spec": {"schedulingGates": [{"name": "b.io/two"}]}}), "gated", added)
    whole = await read(client, "gated")
    whole["spec"]["schedulingGates"] = [{"name": "b.io/two"}]
    await invalid(await client.put(f"{PODS}/gated", json=whole), "gated",
                  ("FieldValueForbidden", "spec.schedulingGates[0].name",
                   "Forbidden: only deletion is allowed, but found new scheduling gate 'b.io/two'"))
    # ...and a gate on a pod that never had one is a new gate too
    assert (await client.post(PODS, json=pod("free", []))).status == 201
    await invalid(await client.patch(f"{PODS}/free", headers=MERGE, json={
        "spec": {"schedulingGates": [{"name": "late"}]}}), "free",
        ("FieldValueForbidden", "spec.schedulingGates[0].name",
         "Forbidden: only deletion is allowed, but found new scheduling gate 'late'"))
    assert (await read(client, "gated"))["spec"]["schedulingGates"] == [{"name": "a.io/one"}]


async def test_a_strategic_patch_deletes_one_gate_by_its_name(client):
    assert (await client.post(PODS, json=pod("gated", ["a.io/one", "a.io/two"]))).status == 201
    response = await client.patch(f"{PODS}/gated", headers=STRATEGIC, json={
        "spec": {"schedulingGates": [{"name": "a.io/one", "$patch": "delete"}]}})
    assert response.status == 200, await response.text()
    patched = await response.json()
    assert patched["spec"]["schedulingGates"] == [{"name": "a.io/two"}]
    assert patched["metadata"]["generation"] == 2  # a spec change


async def test_a_pod_cannot_be_created_bound_and_gated_nor_with_bad_gate_names(client):
    await invalid(await client.post(PODS, json=pod("pinned", ["a.io/one"], nodeName="emulator-node")), "pinned",
                  ("FieldValueForbidden", "spec.nodeName",
                   "Forbidden: cannot be set until all schedulingGates have been cleared"))
    regex = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
    await invalid(await client.post(PODS, json=pod("bad", ["ok", "ok", "", "Bad_/x", "-x"])), "bad",
                  ("FieldValueDuplicate", "spec.schedulingGates[1]", 'Duplicate value: "ok"'),
                  ("FieldValueInvalid", "spec.schedulingGates[2]", 'Invalid value: "": name part must be non-empty'),
                  ("FieldValueInvalid", "spec.schedulingGates[2]", f'Invalid value: "": {regex}'),
                  ("FieldValueInvalid", "spec.schedulingGates[3]",
                   'Invalid value: "Bad_/x": prefix part a lowercase RFC 1123 subdomain must consist of lower case '
                   "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                   "'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                  ("FieldValueInvalid", "spec.schedulingGates[4]", f'Invalid value: "-x": {regex}'))
    response = await client.get(PODS)
    assert [p["metadata"]["name"] for p in (await response.json())["items"]] == []


async def test_a_gated_pods_node_selector_may_only_grow(client):
    assert (await client.post(PODS, json=pod("gated", ["a.io/one"], nodeSelector={"zone": "a"}))).status == 201
    response = await client.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"nodeSelector": {"disk": "ssd"}}})
    assert response.status == 200, await response.text()
    assert (await response.json())["spec"]["nodeSelector"] == {"disk": "ssd", "zone": "a"}
    await invalid(await client.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"nodeSelector": {"zone": "b"}}}),
                  "gated", ("FieldValueInvalid", "spec.nodeSelector",
                            'Invalid value: {"disk":"ssd","zone":"b"}: only additions to spec.nodeSelector are allowed '
                            "(no mutations or deletions)"))
    # once released, the selector is as fixed as the rest of the spec
    assert (await client.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"schedulingGates": None}})).status == 200
    response = await client.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"nodeSelector": {"rack": "r1"}}})
    assert response.status == 422
    assert (await response.json())["details"]["causes"][0]["field"] == "spec"


async def test_a_gated_pod_is_deleted_at_once(client):
    assert (await client.post(PODS, json=pod("gated", ["a.io/one"]))).status == 201
    await advance(client, 5)  # a bound, running pod would be deleted gracefully instead
    response = await client.delete(f"{PODS}/gated")
    assert response.status == 200
    assert (await client.get(f"{PODS}/gated")).status == 404
    assert await reasons(client, "gated") == []  # no kubelet ever had it: nothing to kill


async def test_a_jobs_gated_pods_wait_until_released_then_run_the_job_to_completion(client):
    template = {"spec": {"restartPolicy": "Never", "schedulingGates": [{"name": "kueue.x-k8s.io/admission"}],
                         "containers": [{"name": "main", "image": "busybox"}]}}
    await create(client, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "queued", "annotations": {
        "cloud-job-emulator/duration-seconds": "5"}}, "spec": {"parallelism": 2, "completions": 2,
                                                                "template": template}})
    await advance(client, 60)
    response = await client.get(PODS, params={"labelSelector": "job-name=queued"})
    pods = (await response.json())["items"]
    assert len(pods) == 2 and all(p["status"]["conditions"][0]["reason"] == "SchedulingGated" for p in pods)
    job = await (await client.get(f"{JOBS}/queued")).json()
    assert (job["status"]["active"], job["status"]["ready"]) == (2, 0)
    for found in pods:
        response = await client.patch(f"{PODS}/{found['metadata']['name']}", headers=JSON_PATCH,
                                      json=[{"op": "remove", "path": "/spec/schedulingGates"}])
        assert response.status == 200, await response.text()
    await advance(client, 0)
    await advance(client, 10)
    job = await (await client.get(f"{JOBS}/queued")).json()
    assert job["status"]["succeeded"] == 2
    assert [c["type"] for c in job["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"]


async def test_a_job_template_with_bad_gate_names_is_refused(client):
    template = {"spec": {"restartPolicy": "Never", "schedulingGates": [{"name": "x"}, {"name": "x"}],
                         "containers": [{"name": "main", "image": "busybox"}]}}
    response = await client.post(JOBS, json={"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                                             "spec": {"template": template}})
    assert response.status == 422
    [cause] = (await response.json())["details"]["causes"]
    assert cause == {"reason": "FieldValueDuplicate", "message": 'Duplicate value: "x"',
                     "field": "spec.template.spec.schedulingGates[1]"}


async def test_a_gated_pod_stays_gated_across_a_restart_and_binds_when_released(aiohttp_client, make_app, tmp_path):
    state = tmp_path / "state.json"
    first = await aiohttp_client(make_app(state_file=state))
    assert (await first.post(PODS, json=pod("gated", ["a.io/one"]))).status == 201
    await first.server.close()
    again = await aiohttp_client(make_app(state_file=state))
    await advance(again, 30)
    assert "nodeName" not in (await read(again, "gated"))["spec"]
    assert (await again.patch(f"{PODS}/gated", headers=MERGE, json={"spec": {"schedulingGates": None}})).status == 200
    await advance(again, 1)
    assert (await read(again, "gated"))["status"]["phase"] == "Running"
