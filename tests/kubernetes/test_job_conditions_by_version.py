"""How a Job's end is written depends on the reported version: from 1.31 an interim condition first
(SuccessCriteriaMet, FailureTarget) and the terminal one once no pod terminates; before, the terminal condition at
once, Complete with no reason or message, FailureTarget only for a podFailurePolicy FailJob rule."""
from __future__ import annotations

import pytest
from kube_support import JOBS, advance, create


def job(name: str, seconds: int = 5, annotations: dict | None = None, **spec) -> dict:
    return {"metadata": {"name": name, "annotations": {"cloud-job-emulator/duration-seconds": str(seconds),
                                                       **(annotations or {})}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "main", "image": "busybox"}]}}, **spec}}


async def status(client, name: str) -> dict:
    return (await (await client.get(f"{JOBS}/{name}/status")).json())["status"]


def shapes(conditions: list[dict]) -> list[tuple]:
    return [(c["type"], c["status"], c.get("reason"), c.get("message")) for c in conditions]


@pytest.fixture
async def client_130(aiohttp_client, make_app):
    return await aiohttp_client(make_app(kubernetes_version="1.30.4"))


async def test_before_1_31_a_job_completes_with_a_bare_complete_condition(client_130, client):
    await create(client_130, job("done"))
    await advance(client_130, 20)
    done = await status(client_130, "done")
    assert shapes(done["conditions"]) == [("Complete", "True", None, None)]
    assert done["completionTime"] == done["conditions"][0]["lastTransitionTime"] and done["succeeded"] == 1

    await create(client, job("done"))  # 1.37, the default
    await advance(client, 20)
    reached = ("CompletionsReached", "Reached expected number of succeeded pods")
    assert shapes((await status(client, "done"))["conditions"]) == [("SuccessCriteriaMet", "True", *reached),
                                                                    ("Complete", "True", *reached)]


async def test_before_1_31_a_failed_job_is_failed_at_once_and_its_deleted_pod_counts_failed(client_130, client):
    for each in (client_130, client):
        await create(each, job("late", 60, activeDeadlineSeconds=3))
        await advance(each, 3)  # past its deadline: the running pod is deleted
    old = await status(client_130, "late")
    deadline = ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert shapes(old["conditions"]) == [("Failed", "True", *deadline)]
    assert (old["failed"], old.get("active"), old["terminating"]) == (1, None, 1)  # the pod being killed
    new = await status(client, "late")
    assert shapes(new["conditions"]) == [("FailureTarget", "True", *deadline)]  # Failed once the pod stopped
    assert (new["failed"], new["terminating"]) == (1, 1)  # counted when deleted (podReplacementPolicy's default)
    await advance(client, 2)
    new = await status(client, "late")
    assert shapes(new["conditions"]) == [("FailureTarget", "True", *deadline), ("Failed", "True", *deadline)]
    assert (new["failed"], new["terminating"]) == (1, 0)
    await advance(client_130, 2)  # the finished job lets its killed pod go (not counted again), and it is gone
    old = await status(client_130, "late")
    assert (old["failed"], shapes(old["conditions"])) == (1, [("Failed", "True", *deadline)])
    pods = await client_130.get("/api/v1/namespaces/default/pods", params={"labelSelector": "job-name=late"})
    assert (await pods.json())["items"] == []


async def test_before_1_31_a_fail_job_rule_still_writes_failure_target_first(client_130):
    policy = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}
    await create(client_130, job("ruled", 2, {"cloud-job-emulator/outcome": "Failed",
                                              "cloud-job-emulator/exit-code": "42"}, podFailurePolicy=policy))
    await advance(client_130, 10)
    [pod] = (await (await client_130.get("/api/v1/namespaces/default/pods",
                                         params={"labelSelector": "job-name=ruled"})).json())["items"]
    message = (f"Container main for pod default/{pod['metadata']['name']} failed with exit code 42 matching FailJob "
               "rule at index 0")
    assert shapes((await status(client_130, "ruled"))["conditions"]) == [
        ("FailureTarget", "True", "PodFailurePolicy", message), ("Failed", "True", "PodFailurePolicy", message)]


async def test_before_1_31_the_admin_completion_is_a_bare_complete(client_130):
    await create(client_130, job("forced", 600))
    await advance(client_130, 2)
    response = await client_130.post("/_emulator/transitions", json={
        "service": "kubernetes", "namespace": "default", "name": "forced", "status": "Complete"})
    assert response.status == 200, await response.text()
    assert shapes((await status(client_130, "forced"))["conditions"]) == [("Complete", "True", None, None)]
