"""Issue 15's defect: any write to a Job's object must leave the simulated controller running it.

Every write path (label merge patch, annotation strategic patch, label JSON patch, PUT, server-side apply,
a lower `activeDeadlineSeconds`) against a running, a suspended and a finished Job. A twin Job that nobody
touches says when the written one should finish. A write of the status hands the Job to the client, as
the README says, in every state.
"""
from __future__ import annotations

import json

import pytest

from kube_support import JOBS, advance, create

WRITES = ("label", "annotation", "json", "put", "apply", "deadline")


def job(name: str, **spec) -> dict:
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": template, **spec}}




async def get(client, name: str) -> dict:
    response = await client.get(f"{JOBS}/{name}")
    assert response.status == 200
    return await response.json()


async def patch(client, name: str, body, content_type: str, **query) -> dict:
    data = body if isinstance(body, str) else json.dumps(body)
    response = await client.patch(f"{JOBS}/{name}", data=data, params=query, headers={"Content-Type": content_type})
    assert response.status == 200, await response.text()
    return await response.json()


async def write(client, name: str, how: str, deadline: int = 3) -> None:
    """One client write of the job's object, by the path named."""
    if how == "label":
        await patch(client, name, {"metadata": {"labels": {"x": "y"}}}, "application/merge-patch+json")
    elif how == "annotation":
        await patch(client, name, {"metadata": {"annotations": {"note": "seen"}}},
                    "application/strategic-merge-patch+json")
    elif how == "json":
        await patch(client, name, [{"op": "add", "path": "/metadata/labels", "value": {"x": "y"}}],
                    "application/json-patch+json")
    elif how == "put":
        current = await get(client, name)
        current["metadata"].setdefault("labels", {})["put"] = "yes"
        response = await client.put(f"{JOBS}/{name}", json=current)
        assert response.status == 200, await response.text()
    elif how == "apply":
        applied = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\n  labels:\n    applied: 'yes'\n" % name)
        await patch(client, name, applied, "application/apply-patch+yaml", fieldManager="kubectl")
    else:
        await patch(client, name, {"spec": {"activeDeadlineSeconds": deadline}}, "application/merge-patch+json")


def conditions(status: dict) -> list[tuple[str, str, str]]:
    return [(c["type"], c["status"], c.get("reason", "")) for c in status.get("conditions", [])]


def transition(status: dict, kind: str) -> str:
    return next(c["lastTransitionTime"] for c in status["conditions"] if c["type"] == kind)


@pytest.mark.parametrize("how", WRITES)
@pytest.mark.parametrize("at", [0.5, 1.5])  # before and after its pods are ready
async def test_a_write_to_a_running_job_leaves_it_running(client, how, at):
    await create(client, job("twin"))
    await create(client, job("written"))
    await advance(client, at)
    await write(client, "written", how)
    await advance(client, 60)
    twin, written = (await get(client, "twin"))["status"], (await get(client, "written"))["status"]
    if how == "deadline":  # now 3 s from its start: it fails then
        assert conditions(written)[-1] == ("Failed", "True", "DeadlineExceeded")
        assert transition(written, "FailureTarget") == "2026-01-01T00:00:03Z"
    else:
        assert conditions(written) == conditions(twin) == [("SuccessCriteriaMet", "True", "CompletionsReached"),
                                                           ("Complete", "True", "CompletionsReached")]
        assert written == twin


@pytest.mark.parametrize("how", WRITES)
async def test_a_write_to_a_suspended_job_leaves_it_suspended_until_resumed(client, how):
    await create(client, job("twin", suspend=True))
    await create(client, job("written", suspend=True))
    await advance(client, 5)
    await write(client, "written", how)
    await advance(client, 60)
    assert conditions((await get(client, "written"))["status"]) == [("Suspended", "True", "JobSuspended")]
    for name in ("twin", "written"):
        await patch(client, name, {"spec": {"suspend": False}}, "application/merge-patch+json")
    await advance(client, 60)
    twin, written = (await get(client, "twin"))["status"], (await get(client, "written"))["status"]
    if how == "deadline":  # the deadline counts from the resume
        assert conditions(written)[-1] == ("Failed", "True", "DeadlineExceeded")
        assert transition(written, "FailureTarget") == "2026-01-01T00:01:08Z"
    else:
        assert conditions(written)[-1] == ("Complete", "True", "CompletionsReached")
        assert written == twin


@pytest.mark.parametrize("how", WRITES)
async def test_a_write_to_a_finished_job_changes_not_its_status(client, how):
    await create(client, job("written"))
    await advance(client, 60)
    before = (await get(client, "written"))["status"]
    assert conditions(before)[-1] == ("Complete", "True", "CompletionsReached")
    await write(client, "written", how)
    await advance(client, 60)
    assert (await get(client, "written"))["status"] == before


async def test_several_writes_in_a_row_still_finish_the_job(client):
    await create(client, job("twin"))
    await create(client, job("written"))
    for n, how in enumerate(("label", "annotation", "put", "apply")):
        await advance(client, 0.25 + n)
        await write(client, "written", how)
    await advance(client, 60)
    assert (await get(client, "written"))["status"] == (await get(client, "twin"))["status"]


@pytest.mark.parametrize("state", ["running", "suspended", "finished"])
@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "put"])
async def test_a_status_write_hands_the_job_to_the_client_in_every_state(client, state, content_type):
    await create(client, job("twin", suspend=state == "suspended"))
    await create(client, job("written", suspend=state == "suspended"))
    await advance(client, 60 if state == "finished" else 1.5)
    if content_type == "put":
        current = await get(client, "written")
        current["status"]["succeeded"] = 7
        response = await client.put(f"{JOBS}/written/status", json=current)
        assert response.status == 200, await response.text()
    else:
        response = await client.patch(f"{JOBS}/written/status", data=json.dumps({"status": {"succeeded": 7}}),
                                      headers={"Content-Type": content_type})
        assert response.status == 200, await response.text()
    written = (await get(client, "written"))["status"]
    assert written["succeeded"] == 7
    await patch(client, "twin", {"spec": {"suspend": False}}, "application/merge-patch+json")
    await patch(client, "written", {"spec": {"suspend": False}}, "application/merge-patch+json")
    await advance(client, 60)
    assert (await get(client, "written"))["status"] == written  # the controller writes it no more
    assert conditions((await get(client, "twin"))["status"])[-1] == ("Complete", "True", "CompletionsReached")


@pytest.mark.parametrize("body, message", [
    ({"spec": {"completions": 3}}, "spec.completions: Invalid value: 3: field is immutable"),
    ({"spec": {"parallelism": -1}}, "spec.parallelism: Invalid value: -1: must be greater than or equal to 0"),
    ({"spec": {"backoffLimitPerIndex": 1}}, "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed "
                                            "completion mode"),
    ({"spec": {"successPolicy": {"rules": [{"succeededCount": 1}]}}},
     'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode'),
])
async def test_a_refused_write_to_a_running_job_is_a_422_and_leaves_it_running(client, body, message):
    await create(client, job("twin"))
    await create(client, job("written"))
    await advance(client, 1.5)
    response = await client.patch(f"{JOBS}/written", data=json.dumps(body),
                                  headers={"Content-Type": "application/merge-patch+json"})
    assert response.status == 422
    refused = await response.json()
    assert refused["reason"] == "Invalid" and message in refused["message"]
    await advance(client, 60)
    assert (await get(client, "written"))["status"] == (await get(client, "twin"))["status"]
