"""PUT and PATCH of a Pod: metadata changes freely, the status is kept, the spec only where the apiserver allows."""
from __future__ import annotations

import json

import pytest

from kube_support import JOBS, advance, running_pod

PODS = "/api/v1/namespaces/default/pods"
PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json"}
FORBIDDEN = ("Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than "
             "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
             "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
             "(allow it to be set to 1 if it was previously negative)")


def job(name: str, seconds: int = 10) -> dict:
    return {"metadata": {"name": name, "annotations": {"cloud-job-emulator/duration-seconds": str(seconds)}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "main", "image": "busybox"}]}}}}


async def patch(client, name: str, body, kind: str = "merge", expect: int = 200, **query) -> dict:
    response = await client.patch(f"{PODS}/{name}", data=json.dumps(body), params=query,
                                  headers={"Content-Type": PATCH_TYPES.get(kind, kind)})
    assert response.status == expect, await response.text()
    return await response.json()


@pytest.mark.parametrize("kind, body", [
    ("merge", {"metadata": {"labels": {"x": "y"}, "annotations": {"note": "seen"}}}),
    ("strategic", {"metadata": {"labels": {"x": "y"}, "annotations": {"note": "seen"}}}),
    ("json", [{"op": "add", "path": "/metadata/labels/x", "value": "y"},
              {"op": "add", "path": "/metadata/annotations", "value": {"note": "seen"}}]),
])
async def test_a_metadata_patch_changes_labels_and_annotations_and_keeps_the_status(client, kind, body):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    patched = await patch(client, name, body, kind)
    assert patched["kind"] == "Pod" and patched["metadata"]["labels"]["x"] == "y"
    assert patched["metadata"]["labels"]["job-name"] == "work"
    assert patched["metadata"]["annotations"] == {"note": "seen"}
    assert int(patched["metadata"]["resourceVersion"]) > int(pod["metadata"]["resourceVersion"])
    assert patched["status"] == pod["status"] and patched["spec"] == pod["spec"]
    assert patched["metadata"]["generation"] == 1 and patched["metadata"]["uid"] == pod["metadata"]["uid"]
    again = await patch(client, name, body if kind != "json" else body[:1], kind)
    assert again["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]  # a no-op
    await advance(client, 60)  # the job still counts its pod
    status = (await (await client.get(f"{JOBS}/work/status")).json())["status"]
    assert status["succeeded"] == 1 and status["conditions"][-1]["type"] == "Complete"
    labelled = await (await client.get(PODS, params={"labelSelector": "x=y"})).json()
    assert [p["metadata"]["name"] for p in labelled["items"]] == [name]


async def test_a_strategic_patch_may_change_an_image_but_not_the_command(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    patched = await patch(client, name, {"spec": {"containers": [{"name": "main", "image": "busybox:1.37"}]}},
                          "strategic")
    assert patched["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert patched["spec"]["containers"][0]["imagePullPolicy"] == "Always"  # merged by name, the rest kept
    assert patched["metadata"]["generation"] == 2
    refused = await patch(client, name, {"spec": {"containers": [{"name": "main", "command": ["sh"]}]}},
                          "strategic", expect=422)
    assert refused["reason"] == "Invalid" and refused["message"] == FORBIDDEN.format(name=name)
    assert refused["details"] == {"name": name, "kind": "Pod", "causes": [
        {"reason": "FieldValueForbidden", "field": "spec", "message": FORBIDDEN.format(name=name).split(": spec: ")[1]}]}


async def test_active_deadline_seconds_may_only_come_down(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    assert (await patch(client, name, {"spec": {"activeDeadlineSeconds": 60}}))["spec"]["activeDeadlineSeconds"] == 60
    assert (await patch(client, name, {"spec": {"activeDeadlineSeconds": 30}}))["spec"]["activeDeadlineSeconds"] == 30
    raised = await patch(client, name, {"spec": {"activeDeadlineSeconds": 90}}, expect=422)
    assert raised["message"] == (f'Pod "{name}" is invalid: spec.activeDeadlineSeconds: Invalid value: 90: must be '
                                 "less than or equal to previous value")
    dropped = await patch(client, name, {"spec": {"activeDeadlineSeconds": None}}, expect=422)
    assert "must not update from a positive integer to nil value" in dropped["message"]


async def test_tolerations_may_be_added_but_not_removed(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    extra = {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}
    added = await patch(client, name, {"spec": {"tolerations": pod["spec"]["tolerations"] + [extra]}})
    assert added["spec"]["tolerations"][-1] == extra
    removed = await patch(client, name, {"spec": {"tolerations": [extra]}}, expect=422)
    assert removed["message"] == FORBIDDEN.format(name=name)


async def test_a_put_keeps_the_status_and_refuses_a_stale_version_or_another_name(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    body = {**pod, "status": {"phase": "Succeeded"}}
    body["metadata"] = {**pod["metadata"], "labels": {**pod["metadata"]["labels"], "put": "yes"}}
    response = await client.put(f"{PODS}/{name}", json=body)
    assert response.status == 200, await response.text()
    replaced = await response.json()
    assert replaced["metadata"]["labels"]["put"] == "yes" and replaced["status"]["phase"] == "Running"
    stale = await client.put(f"{PODS}/{name}", json=body)  # still carries the old resourceVersion
    assert stale.status == 409
    assert (await stale.json())["message"] == (f'Operation cannot be fulfilled on pods "{name}": the object has been '
                                               "modified; please apply your changes to the latest version and try "
                                               "again")
    renamed = await client.put(f"{PODS}/{name}", json={**replaced, "metadata": {**replaced["metadata"], "name": "x"}})
    assert renamed.status == 400
    assert (await renamed.json())["message"] == f"the name of the object (x) does not match the name on the URL ({name})"
    bad_label = await patch(client, name, {"metadata": {"labels": {"x": "not a value"}}}, expect=422)
    assert bad_label["details"]["causes"][0]["field"] == "metadata.labels"
    missing = await client.put(f"{PODS}/nope", json={**replaced, "metadata": {"name": "nope"}})
    assert missing.status == 404 and (await missing.json())["message"] == 'pods "nope" not found'


async def test_a_deleting_pod_loses_its_last_finalizer_by_a_patch_and_takes_no_new_one(client):
    response = await client.post(PODS, json={"metadata": {"name": "held", "finalizers": ["example.com/hold"]},
                                             "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    assert response.status == 201, await response.text()
    await advance(client, 5)
    deleted = await client.delete(f"{PODS}/held", params={"gracePeriodSeconds": "0"})
    assert deleted.status == 200
    await advance(client, 5)
    added = await patch(client, "held", {"metadata": {"finalizers": ["example.com/hold", "example.com/more"]}},
                        expect=422)
    assert added["message"] == ('Pod "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be '
                                "added if the object is being deleted")
    await patch(client, "held", [{"op": "remove", "path": "/metadata/finalizers"}], "json")
    assert (await client.get(f"{PODS}/held")).status == 404


async def test_bad_patches_of_a_pod_are_4xx(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    broken = await client.patch(f"{PODS}/{name}", data="{", headers={"Content-Type": PATCH_TYPES["merge"]})
    assert broken.status == 400
    not_a_list = await patch(client, name, {"op": "add"}, "json", expect=400)
    assert not_a_list["reason"] == "BadRequest"
    dry = await patch(client, name, {"metadata": {"labels": {"dry": "run"}}}, dryRun="All")
    assert dry["metadata"]["labels"]["dry"] == "run"
    assert "dry" not in (await (await client.get(f"{PODS}/{name}")).json())["metadata"]["labels"]


async def test_a_pod_relabelled_out_of_its_jobs_selector_is_released_and_replaced(client):
    """ClaimPods: a pod the job owns whose labels no longer match the selector loses its owner reference and the
    tracking finalizer; the job neither counts it nor waits a back-off, and runs a new pod in its place."""
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    await patch(client, name, [{"op": "remove", "path": "/metadata/labels/batch.kubernetes.io~1controller-uid"}],
                "json")
    await advance(client, 0)
    released = await (await client.get(f"{PODS}/{name}")).json()
    assert "ownerReferences" not in released["metadata"] and "finalizers" not in released["metadata"]
    assert released["status"]["phase"] == "Running"
    owned = (await (await client.get(PODS, params={"labelSelector": "batch.kubernetes.io/controller-uid"})).json())
    [replacement] = owned["items"]
    assert replacement["metadata"]["name"] != name
    assert replacement["metadata"]["creationTimestamp"] == "2026-01-01T00:00:01Z"
    status = (await (await client.get(f"{JOBS}/work/status")).json())["status"]
    assert status["active"] == 1 and "failed" not in status
    await advance(client, 60)
    status = (await (await client.get(f"{JOBS}/work/status")).json())["status"]
    assert status["succeeded"] == 1 and status["conditions"][-1]["type"] == "Complete"
    assert status["completionTime"] == "2026-01-01T00:00:12Z"  # the replacement's end (12.5 s), not the 11 s of
    assert (await (await client.get(f"{PODS}/{name}")).json())["status"]["phase"] == "Succeeded"  # the released


@pytest.mark.parametrize("body, code, text", [
    ({"metadata": {"labels": {"a": 1}}}, 422, "json: cannot unmarshal number into Go struct field "
                                              "ObjectMeta.metadata.labels of type string"),
    ({"metadata": {"annotations": 5}}, 422, "cannot unmarshal number"),
    ({"metadata": {"finalizers": "x"}}, 422, "cannot unmarshal string"),
    ({"metadata": {"ownerReferences": [1]}}, 422, "cannot unmarshal number"),
    ({"spec": {"tolerations": "x"}}, 422, "of type []v1.Toleration"),
    ({"spec": {"activeDeadlineSeconds": "x"}}, 422, "cannot unmarshal string"),
    ({"spec": {"activeDeadlineSeconds": -5}}, 422, "spec.activeDeadlineSeconds: Invalid value: -5: must be between 1 "
                                                   "and 2147483647, inclusive"),
    ({"metadata": {"resourceVersion": "abc"}}, 400, 'invalid resourceVersion "abc": must be a decimal number'),
])
async def test_a_patch_that_does_not_decode_into_a_pod_is_a_4xx_and_changes_nothing(client, body, code, text):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    refused = await patch(client, name, body, expect=code)
    assert text in refused["message"]
    assert (await (await client.get(f"{PODS}/{name}")).json())["metadata"]["resourceVersion"] == \
        pod["metadata"]["resourceVersion"]


async def test_a_put_of_a_body_that_is_no_pod_is_a_400(client):
    pod = await running_pod(client, job("work"))
    name = pod["metadata"]["name"]
    response = await client.put(f"{PODS}/{name}", json={"metadata": {"name": name}, "spec": "x"})
    assert response.status == 400
    assert (await response.json())["message"].startswith('Pod in version "v1" cannot be handled as a Pod: json: '
                                                         "cannot unmarshal string into Go struct field Pod.spec")


async def test_a_changed_image_restarts_its_running_container_with_it(client):
    """As the kubelet does when a container's definition changes: a Killing event at once, the container stopped
    (exit 143) and started again with the new image, a restart of it; the run starts over, so the Job's pod
    finishes a full run after the change."""
    pod = await running_pod(client, job("work", seconds=10))  # running since 1 s
    name, first = pod["metadata"]["name"], pod["status"]["containerStatuses"][0]
    await advance(client, 3)
    await patch(client, name, {"spec": {"containers": [{"name": "main", "image": "busybox:1.37"}]}}, "strategic")
    events = await (await client.get("/api/v1/namespaces/default/events", params={
        "fieldSelector": f"involvedObject.name={name},reason=Killing"})).json()
    assert [(e["message"], e["involvedObject"]["fieldPath"]) for e in events["items"]] == [
        ("Container main definition changed, will be restarted", "spec.containers{main}")]
    await advance(client, 1)  # stopped and started again
    pod = await (await client.get(f"{PODS}/{name}")).json()
    [status] = pod["status"]["containerStatuses"]
    assert status["image"] == "docker.io/library/busybox:1.37" and status["restartCount"] == 1
    assert status["state"]["running"]["startedAt"] != first["state"]["running"]["startedAt"]
    assert status["containerID"] != first["containerID"]
    assert status["lastState"]["terminated"]["exitCode"] == 143 and status["lastState"]["terminated"]["reason"] == \
        "Error" and status["lastState"]["terminated"]["containerID"] == first["containerID"]
    assert pod["status"]["phase"] == "Running"
    started = await (await client.get("/api/v1/namespaces/default/events", params={
        "fieldSelector": f"involvedObject.name={name},reason=Started"})).json()
    assert sum(e.get("count", 1) for e in started["items"]) == 2
    await advance(client, 9)  # 14.5 s: the first run would have ended at 11.5 s, the new one ends at 15.5 s
    assert (await (await client.get(f"{PODS}/{name}")).json())["status"]["phase"] == "Running"
    await advance(client, 1)
    assert (await (await client.get(f"{PODS}/{name}")).json())["status"]["phase"] == "Succeeded"
