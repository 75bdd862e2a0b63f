"""A pod's own `spec.activeDeadlineSeconds`: counted from its startTime, the kubelet kills a pod still active then
and fails it with reason DeadlineExceeded (not the Job's deadline, which the Job controller keeps)."""
from __future__ import annotations

from datetime import datetime, timedelta

from kube_support import JOBS, advance, create

PODS = "/api/v1/namespaces/default/pods"
REASON, MESSAGE = "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"


def pod(name: str, run_seconds: int, deadline: int | None = None) -> dict:
    spec = {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {"apiVersion": "v1", "kind": "Pod", "spec": spec, "metadata": {
        "name": name, "annotations": {"cloud-job-emulator/duration-seconds": str(run_seconds)}}}


async def read(client, name: str) -> dict:
    response = await client.get(f"{PODS}/{name}")
    assert response.status == 200
    return await response.json()


def at(stamp: str, seconds: float = 0) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_pod_active_past_its_deadline_is_killed_and_failed(client):
    assert (await client.post(PODS, json=pod("slow", run_seconds=60, deadline=3))).status == 201
    await advance(client, 2)
    assert (await read(client, "slow"))["status"]["phase"] == "Running"
    await advance(client, 2)
    found = await read(client, "slow")
    status = found["status"]
    assert (status["phase"], status["reason"], status["message"]) == ("Failed", REASON, MESSAGE)
    assert list(status)[:5] == ["observedGeneration", "phase", "conditions", "message", "reason"]  # PodStatus's
    [container] = status["containerStatuses"]
    terminated = container["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (137, "Error")
    assert terminated["finishedAt"] == at(status["startTime"], 3)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "PodFailed")
    events = (await (await client.get("/api/v1/namespaces/default/events")).json())["items"]
    [event] = [e for e in events if e["reason"] == REASON]
    assert (event["type"], event["message"], event["source"]["component"]) == ("Normal", MESSAGE, "kubelet")
    assert event["involvedObject"]["name"] == "slow" and "fieldPath" not in event["involvedObject"]


async def test_a_pod_that_ends_before_its_deadline_is_left_alone(client):
    assert (await client.post(PODS, json=pod("quick", run_seconds=5, deadline=30))).status == 201
    await advance(client, 40)
    status = (await read(client, "quick"))["status"]
    assert status["phase"] == "Succeeded" and "reason" not in status
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 0


async def test_a_deadline_lowered_while_the_pod_runs_takes_effect(client):
    assert (await client.post(PODS, json=pod("lowered", run_seconds=100))).status == 201
    await advance(client, 2)
    response = await client.patch(f"{PODS}/lowered", json={"spec": {"activeDeadlineSeconds": 5}},
                                  headers={"Content-Type": "application/merge-patch+json"})
    assert response.status == 200, await response.text()
    await advance(client, 2)
    assert (await read(client, "lowered"))["status"]["phase"] == "Running"
    await advance(client, 2)
    status = (await read(client, "lowered"))["status"]
    assert (status["phase"], status["reason"]) == ("Failed", REASON)
    assert status["containerStatuses"][0]["state"]["terminated"]["finishedAt"] == at(status["startTime"], 5)


async def test_a_jobs_pod_past_its_own_deadline_counts_as_a_failure(client):
    template = {"spec": {"restartPolicy": "Never", "activeDeadlineSeconds": 4,
                         "containers": [{"name": "main", "image": "busybox"}]}}
    await create(client, {"metadata": {"name": "bounded", "annotations": {
        "cloud-job-emulator/duration-seconds": "60"}}, "spec": {"backoffLimit": 0, "template": template}})
    await advance(client, 10)
    response = await client.get(PODS, params={"labelSelector": "job-name=bounded"})
    [failed] = (await response.json())["items"]
    assert (failed["status"]["phase"], failed["status"]["reason"]) == ("Failed", REASON)
    job = await (await client.get(f"{JOBS}/bounded")).json()
    assert job["status"]["failed"] == 1
    assert any(c["type"] == "Failed" and c["reason"] == "BackoffLimitExceeded" for c in job["status"]["conditions"])


async def test_a_deadline_waiting_in_a_state_file_still_falls_due_after_a_restart(aiohttp_client, make_app, tmp_path):
    path = tmp_path / "state.json"
    first = await aiohttp_client(make_app(state_file=path))
    assert (await first.post(PODS, json=pod("saved", run_seconds=60, deadline=3))).status == 201
    await advance(first, 2)  # running; what comes next is its deadline
    assert (await first.post("/_emulator/snapshot")).status == 200
    await first.close()  # (it holds the state file's lock while it serves)
    again = await aiohttp_client(make_app(state_file=path))
    assert (await read(again, "saved"))["status"]["phase"] == "Running"
    await advance(again, 2)
    status = (await read(again, "saved"))["status"]
    assert (status["phase"], status["reason"]) == ("Failed", REASON)
