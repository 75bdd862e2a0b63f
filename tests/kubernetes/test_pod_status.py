"""The pods/status subresource: read, PUT and PATCH of a pod's status as the pod status strategy takes them (spec
and owner references kept, qosClass back-filled, a finished container not run again), and what the node makes
of a status a client wrote."""
from __future__ import annotations

import json

from kube_support import JOBS, advance, running_pod

PODS = "/api/v1/namespaces/default/pods"
MERGE = {"Content-Type": "application/merge-patch+json"}
GATE = "example.com/warmed-up"


def job(name: str, seconds: int = 10) -> dict:
    return {"metadata": {"name": name, "annotations": {"cloud-job-emulator/duration-seconds": str(seconds)}},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "readinessGates": [{"conditionType": GATE}],
                                           "containers": [{"name": "main", "image": "busybox"}]}}}}


async def patch_status(client, name: str, body, expect: int = 200, headers=MERGE, **query) -> dict:
    response = await client.patch(f"{PODS}/{name}/status", data=json.dumps(body), headers=headers, params=query)
    assert response.status == expect, await response.text()
    return await response.json()


async def test_the_status_subresource_reads_the_pod(client):
    pod = await running_pod(client, job("work"))
    response = await client.get(f"{PODS}/{pod['metadata']['name']}/status")
    assert response.status == 200
    assert await response.json() == await (await client.get(f"{PODS}/{pod['metadata']['name']}")).json()
    missing = await client.get(f"{PODS}/nothing/status")
    assert missing.status == 404 and (await missing.json())["message"] == 'pods "nothing" not found'


async def test_a_controller_sets_its_readiness_gate_condition_and_the_kubelet_keeps_it(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    condition = {"type": GATE, "status": "True", "lastProbeTime": None, "lastTransitionTime": "2026-01-01T00:00:01Z"}
    given = {key: value for key, value in condition.items() if value is not None}  # Go writes the zero time as null
    written = await patch_status(client, name, {"status": {"conditions": [given]}},
                                 headers={"Content-Type": "application/strategic-merge-patch+json"},
                                 fieldManager="gate-controller")
    assert written["status"]["conditions"][-1] == condition  # merged by type with the kubelet's
    assert [c["type"] for c in written["status"]["conditions"]][:-1] == [
        c["type"] for c in pod["status"]["conditions"]]
    assert written["spec"] == pod["spec"] and written["metadata"]["generation"] == pod["metadata"]["generation"]
    [entry] = [m for m in written["metadata"]["managedFields"] if m["manager"] == "gate-controller"]
    assert (entry["operation"], entry["subresource"]) == ("Update", "status")
    await advance(client, 20)  # the kubelet writes the pod's end and keeps the conditions others own
    ended = await (await client.get(f"{PODS}/{name}")).json()
    assert ended["status"]["phase"] == "Succeeded"
    assert [c for c in ended["status"]["conditions"] if c["type"] == GATE] == [condition]


def condition(pod: dict, kind: str) -> dict:
    [found] = [c for c in pod["status"]["conditions"] if c["type"] == kind]
    return found


async def test_ready_waits_for_the_readiness_gates_condition(client):
    pod = await running_pod(client, job("gated"))
    name = pod["metadata"]["name"]
    assert condition(pod, "ContainersReady")["status"] == "True"
    assert {k: v for k, v in condition(pod, "Ready").items() if k != "lastTransitionTime"} == {
        "type": "Ready", "observedGeneration": 1, "status": "False", "lastProbeTime": None,
        "reason": "ReadinessGatesNotReady",
        "message": f'corresponding condition of pod readiness gate "{GATE}" does not exist.'}
    assert (await (await client.get(f"{JOBS}/gated/status")).json())["status"]["ready"] == 0
    held = await patch_status(client, name, {"status": {"conditions": [{"type": GATE, "status": "False"}]}},
                              headers={"Content-Type": "application/strategic-merge-patch+json"})
    missing = f'corresponding condition of pod readiness gate "{GATE}" does not exist.'
    assert condition(held, "Ready")["message"] == missing
    found = await (await client.get(f"{PODS}/{name}")).json()  # the kubelet wrote Ready again after the patch
    assert condition(found, "Ready")["message"] == f'the status of pod readiness gate "{GATE}" is not "True", but False'
    await advance(client, 1)
    await patch_status(client, name, {"status": {"conditions": [{"type": GATE, "status": "True"}]}},
                       headers={"Content-Type": "application/strategic-merge-patch+json"})
    found = await (await client.get(f"{PODS}/{name}")).json()
    ready = condition(found, "Ready")
    assert (ready["status"], "reason" in ready, ready["lastTransitionTime"]) == ("True", False, "2026-01-01T00:00:02Z")
    await advance(client, 1)  # the Job controller's next sync
    assert (await (await client.get(f"{JOBS}/gated/status")).json())["status"]["ready"] == 1


async def test_a_status_write_keeps_the_spec_and_owners_and_back_fills_the_qos_class(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    whole = await (await client.get(f"{PODS}/{name}/status")).json()
    whole["spec"]["containers"][0]["image"] = "busybox:9"
    whole["metadata"]["ownerReferences"] = []
    whole["metadata"]["labels"]["seen"] = "yes"
    del whole["status"]["qosClass"]
    whole["status"]["message"] = "noted"
    response = await client.put(f"{PODS}/{name}/status", json=whole)
    assert response.status == 200, await response.text()
    written = await response.json()
    assert written["spec"] == pod["spec"]
    assert written["metadata"]["ownerReferences"] == pod["metadata"]["ownerReferences"]
    assert written["metadata"]["labels"]["seen"] == "yes"
    assert written["status"]["qosClass"] == "BestEffort" and written["status"]["message"] == "noted"
    assert list(written["status"]) == ["observedGeneration", "phase", "conditions", "message", "hostIP", "hostIPs",
                                       "podIP", "podIPs", "startTime", "containerStatuses", "qosClass"]  # its order


async def test_a_finished_container_may_not_be_written_back_to_running(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    await advance(client, 20)
    ended = await (await client.get(f"{PODS}/{name}")).json()
    status = ended["status"]
    running = {**status, "containerStatuses": [{**status["containerStatuses"][0],
                                                "state": {"running": {"startedAt": "2026-01-01T00:00:30Z"}}}]}
    response = await client.patch(f"{PODS}/{name}/status", json={"status": running}, headers=MERGE)
    assert response.status == 422
    body = await response.json()
    assert body["message"] == (f'Pod "{name}" is invalid: status.containerStatuses[0].state: Forbidden: may not be '
                               "transitioned to non-terminated state")
    assert (await (await client.get(f"{PODS}/{name}")).json()) == ended


async def test_a_status_of_the_wrong_shape_is_refused_and_a_missing_pod_is_a_404(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    whole = await (await client.get(f"{PODS}/{name}/status")).json()
    whole["status"]["phase"] = 5
    response = await client.put(f"{PODS}/{name}/status", json=whole)
    assert response.status == 400
    assert (await response.json())["message"] == ('Pod in version "v1" cannot be handled as a Pod: json: cannot '
                                                  "unmarshal number into Go struct field PodStatus.status.phase of "
                                                  "type string")
    response = await client.patch(f"{PODS}/{name}/status", json={"status": {"phase": 5}}, headers=MERGE)
    body = await response.json()  # a patch whose result does not decode: 422 on the field "patch"
    assert response.status == 422 and body["details"]["causes"][0]["field"] == "patch"
    assert body["details"]["causes"][0]["message"].endswith(
        "json: cannot unmarshal number into Go struct field PodStatus.status.phase of type string")
    assert (await (await client.get(f"{PODS}/{name}")).json())["status"]["phase"] == "Running"
    await patch_status(client, "nothing", {"status": {"phase": "Failed"}}, expect=404)
    applied = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nothing"}, "status": {"phase": "Failed"}}
    response = await client.patch(f"{PODS}/nothing/status", data=json.dumps(applied), params={"fieldManager": "x"},
                                  headers={"Content-Type": "application/apply-patch+yaml"})
    assert response.status == 404  # a subresource never creates


async def test_a_client_that_fails_a_jobs_pod_through_its_status_is_believed(client):
    pod = await running_pod(client, job("judged"))
    name = pod["metadata"]["name"]
    terminated = {"exitCode": 3, "reason": "Error", "startedAt": pod["status"]["startTime"],
                  "finishedAt": "2026-01-01T00:00:02Z"}
    failed = {"phase": "Failed", "containerStatuses": [{**pod["status"]["containerStatuses"][0], "ready": False,
                                                        "started": False, "state": {"terminated": terminated}}]}
    await patch_status(client, name, {"status": failed})
    await advance(client, 60)  # the planned end (10 s) does not come: the pod has ended
    found = await (await client.get(f"{PODS}/{name}")).json()
    assert found["status"]["phase"] == "Failed"
    assert found["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3
    status = (await (await client.get(f"{JOBS}/judged/status")).json())["status"]
    assert (status["failed"], status["succeeded"]) == (1, 1)  # its replacement ran to the end


async def test_from_1_34_the_kubelet_names_the_generation_it_saw(client):
    pod = await running_pod(client, job("seen"))
    name = pod["metadata"]["name"]
    assert list(pod["status"])[0] == "observedGeneration" and pod["status"]["observedGeneration"] == 1
    assert [(c["type"], c["observedGeneration"]) for c in pod["status"]["conditions"]] == [
        (kind, 1) for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")]
    assert list(pod["status"]["conditions"][0])[:3] == ["type", "observedGeneration", "status"]  # PodCondition's order
    await advance(client, 1)
    response = await client.patch(f"{PODS}/{name}", json={"spec": {"activeDeadlineSeconds": 600}}, headers=MERGE)
    assert (await response.json())["metadata"]["generation"] == 2
    found = await (await client.get(f"{PODS}/{name}")).json()  # the kubelet's sync after the spec change
    assert found["status"]["observedGeneration"] == 2
    assert {c["observedGeneration"] for c in found["status"]["conditions"]} == {2}
    assert [c["lastTransitionTime"] for c in found["status"]["conditions"]] == [
        c["lastTransitionTime"] for c in pod["status"]["conditions"]]
    cleared = {**found["status"], "observedGeneration": None,
               "conditions": [{k: v for k, v in c.items() if k != "observedGeneration"}
                              for c in found["status"]["conditions"]]}
    written = await patch_status(client, name, {"status": cleared})  # a client that drops it keeps it
    assert written["status"] == found["status"]


async def test_before_1_34_no_generation_is_observed(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(kubernetes_version="1.33.0"))
    pod = await running_pod(client, job("unseen"))
    assert "observedGeneration" not in pod["status"]
    assert not [c for c in pod["status"]["conditions"] if "observedGeneration" in c]
