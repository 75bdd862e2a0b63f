"""Pods the Job controller makes, their phases on a frozen clock, and the Pod API: get, list, watch, delete."""
from __future__ import annotations

import json
import re

from kube_support import JOBS, advance, create

PODS = "/api/v1/namespaces/default/pods"


def job(name: str, annotations: dict | None = None, containers: list | None = None, **spec) -> dict:
    meta = {"name": name, **({"annotations": annotations} if annotations else {})}
    template = {"metadata": {"labels": {"app": name}, "annotations": {"team": "a"}},
                "spec": {"restartPolicy": "Never",
                         "containers": containers or [{"name": "main", "image": "busybox"}]}}
    return {"metadata": meta, "spec": {"template": template, **spec}}




async def pods(client, **query) -> list[dict]:
    response = await client.get(PODS, params=query)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["kind"] == "PodList" and body["apiVersion"] == "v1"
    return body["items"]


async def job_status(client, name: str) -> dict:
    return (await (await client.get(f"{JOBS}/{name}/status")).json())["status"]


async def test_a_job_pod_carries_what_the_job_controller_writes(client):
    created = await create(client, job("pi"))
    uid = created["metadata"]["uid"]
    await advance(client, 0)
    [pod] = await pods(client, labelSelector="job-name=pi")
    meta = pod["metadata"]
    assert re.fullmatch(r"pi-[bcdfghjklmnpqrstvwxz2456789]{5}", meta["name"]) and meta["generateName"] == "pi-"
    assert meta["labels"] == {"app": "pi", "batch.kubernetes.io/controller-uid": uid,
                              "batch.kubernetes.io/job-name": "pi", "controller-uid": uid, "job-name": "pi"}
    assert meta["annotations"] == {"team": "a"}
    assert meta["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "Job", "name": "pi", "uid": uid,
                                        "controller": True, "blockOwnerDeletion": True}]
    assert meta["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    spec = pod["spec"]
    assert spec["nodeName"] and spec["serviceAccountName"] == "default" and spec["enableServiceLinks"] is True
    assert spec["containers"][0]["imagePullPolicy"] == "Always" and spec["terminationGracePeriodSeconds"] == 30
    assert pod["status"]["phase"] == "Pending" and pod["status"]["qosClass"] == "BestEffort"
    assert pod["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    ready = {c["type"]: c for c in pod["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False", "ContainersNotReady", "containers with unready status: [main]")
    response = await client.get(f"{PODS}/{meta['name']}")
    assert (await response.json())["kind"] == "Pod"


async def test_a_pod_runs_then_succeeds_and_the_job_counts_it(client):
    await create(client, job("ok", {"cloud-job-emulator/duration-seconds": "5"}))
    await advance(client, 1)
    [pod] = await pods(client, labelSelector="job-name=ok")
    assert pod["status"]["phase"] == "Running" and pod["status"]["podIP"]
    state = pod["status"]["containerStatuses"][0]
    assert state["state"] == {"running": {"startedAt": "2026-01-01T00:00:01Z"}} and state["ready"] is True
    assert state["image"] == "docker.io/library/busybox:latest" and state["containerID"].startswith("containerd://")
    assert [c["type"] for c in pod["status"]["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert {c["status"] for c in pod["status"]["conditions"]} == {"True"}
    assert (await job_status(client, "ok"))["ready"] == 1
    await advance(client, 5)
    [pod] = await pods(client, labelSelector="job-name=ok")
    assert pod["status"]["phase"] == "Succeeded" and "finalizers" not in pod["metadata"]
    terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (0, "Completed")
    assert (terminated["startedAt"], terminated["finishedAt"]) == ("2026-01-01T00:00:01Z", "2026-01-01T00:00:06Z")
    assert (await job_status(client, "ok"))["succeeded"] == 1


async def test_a_failing_pod_has_the_scripted_exit_code(client):
    await create(client, job("bad", {"cloud-job-emulator/outcome": "Failed", "cloud-job-emulator/exit-code": "3",
                                     "cloud-job-emulator/duration-seconds": "2"},
                             backoffLimit=0))
    await advance(client, 3)
    [pod] = await pods(client, labelSelector="job-name=bad")
    terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert pod["status"]["phase"] == "Failed" and (terminated["exitCode"], terminated["reason"]) == (3, "Error")
    status = await job_status(client, "bad")
    assert status["failed"] == 1 and status["conditions"][-1]["reason"] == "BackoffLimitExceeded"


async def test_an_out_of_memory_outcome_is_exit_137_oomkilled(client):
    await create(client, job("oom", {"cloud-job-emulator/outcome": "OOMKilled",
                                     "cloud-job-emulator/duration-seconds": "2"}, backoffLimit=0))
    await advance(client, 3)
    [pod] = await pods(client, labelSelector="job-name=oom")
    terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert pod["status"]["phase"] == "Failed" and (terminated["exitCode"], terminated["reason"]) == (137, "OOMKilled")
    assert (await job_status(client, "oom"))["failed"] == 1
    restarting = job("oomloop", {"cloud-job-emulator/outcome": "OOMKilled", "cloud-job-emulator/duration-seconds": "2"})
    restarting["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    await create(client, restarting)
    await advance(client, 0)
    await advance(client, 3)
    [pod] = await pods(client, labelSelector="job-name=oomloop")
    [container] = pod["status"]["containerStatuses"]
    assert container["lastState"]["terminated"]["reason"] == "OOMKilled" and container["restartCount"] == 1
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "annotations": {
        "cloud-job-emulator/outcome": "OOMKilled", "cloud-job-emulator/duration-seconds": "1"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}
    assert (await client.post(PODS, json=bare)).status == 201
    await advance(client, 3)
    ended = (await (await client.get(f"{PODS}/bare")).json())["status"]["containerStatuses"][0]["state"]
    assert (ended["terminated"]["exitCode"], ended["terminated"]["reason"]) == (137, "OOMKilled")


async def test_parallel_jobs_run_parallelism_pods_until_completions(client):
    await create(client, job("par", {"cloud-job-emulator/duration-seconds": "2"}, completions=5, parallelism=2))
    await advance(client, 0)
    assert len(await pods(client, labelSelector="job-name=par")) == 2
    for _ in range(3):
        await advance(client, 3)
    listed = await pods(client, labelSelector="job-name=par")
    assert len(listed) == 5 and {p["status"]["phase"] for p in listed} == {"Succeeded"}
    status = await job_status(client, "par")
    assert status["succeeded"] == 5 and status["conditions"][-1]["type"] == "Complete"


async def test_field_selectors_on_pods(client):
    await create(client, job("a"))
    await create(client, job("b", {"cloud-job-emulator/duration-seconds": "1"}))
    await advance(client, 2)
    [done] = await pods(client, fieldSelector="status.phase=Succeeded")
    assert done["metadata"]["labels"]["job-name"] == "b"
    [running] = await pods(client, fieldSelector="status.phase!=Succeeded,spec.nodeName=emulator-node")
    assert running["metadata"]["labels"]["job-name"] == "a"
    named = await pods(client, fieldSelector=f"metadata.name={done['metadata']['name']}")
    assert named == [done]
    response = await client.get(PODS, params={"fieldSelector": "spec.bogus=1"})
    assert response.status == 400 and (await response.json())["message"] == "field label not supported: spec.bogus"
    everywhere = await (await client.get("/api/v1/pods", params={"labelSelector": "job-name in (a,b)"})).json()
    assert len(everywhere["items"]) == 2
    assert await pods(client, labelSelector="!job-name") == []


async def test_a_pod_watch_sees_each_phase(client):
    await create(client, job("w", {"cloud-job-emulator/duration-seconds": "1"}))
    response = await client.get(PODS, params={"watch": "true", "labelSelector": "job-name=w"})
    await advance(client, 3)
    phases = []
    while not phases or phases[-1][1] != "Succeeded" or phases[-1][2]:
        event = json.loads(await response.content.readline())
        phases.append((event["type"], event["object"]["status"]["phase"],
                       event["object"]["metadata"].get("finalizers")))
    response.close()
    assert [p[:2] for p in phases] == [("ADDED", "Pending"), ("MODIFIED", "Pending"), ("MODIFIED", "Running"),
                                       ("MODIFIED", "Succeeded"), ("MODIFIED", "Succeeded")]


async def test_init_containers_get_the_container_defaults_and_the_completion_index(client):
    made = job("inited", completionMode="Indexed", completions=1)
    made["spec"]["template"]["spec"]["initContainers"] = [{"name": "fetch", "image": "busybox"}]
    created = await create(client, made)
    init = created["spec"]["template"]["spec"]["initContainers"][0]
    assert (init["terminationMessagePath"], init["terminationMessagePolicy"], init["imagePullPolicy"],
            init["resources"]) == ("/dev/termination-log", "File", "Always", {})
    await advance(client, 0)
    [pod] = await pods(client, labelSelector="job-name=inited")
    [init] = pod["spec"]["initContainers"]
    assert init["env"] == [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
        "apiVersion": "v1", "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}}}]


async def test_a_deleted_running_pod_is_replaced_and_counted_failed(client):
    await create(client, job("del"))
    await advance(client, 2)
    [pod] = await pods(client, labelSelector="job-name=del")
    response = await client.delete(f"{PODS}/{pod['metadata']['name']}")
    assert response.status == 200
    deleted = await response.json()
    assert deleted["kind"] == "Pod" and deleted["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:32Z"
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 30
    await advance(client, 1)  # killed (exit 143), counted as failed, gone
    assert (await client.get(f"{PODS}/{pod['metadata']['name']}")).status == 404
    status = await job_status(client, "del")
    assert status["failed"] == 1
    await advance(client, 10)  # the back-off after one failure
    listed = await pods(client, labelSelector="job-name=del")
    assert len(listed) == 1 and listed[0]["metadata"]["name"] != pod["metadata"]["name"]
    missing = await client.get(f"{PODS}/nope")
    assert missing.status == 404 and (await missing.json())["message"] == 'pods "nope" not found'


async def test_a_negative_grace_period_is_one_second(client):
    await create(client, job("neg"))
    await advance(client, 2)
    [pod] = await pods(client, labelSelector="job-name=neg")
    response = await client.delete(f"{PODS}/{pod['metadata']['name']}", params={"gracePeriodSeconds": "-1"})
    deleted = await response.json()
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 1
    assert deleted["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:03Z"


async def test_a_pods_requests_default_to_its_limits_but_a_jobs_template_keeps_none(client):
    limits = {"memory": "1Gi", "cpu": "500m"}
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sized"}, "spec": {"containers": [
        {"name": "main", "image": "busybox", "resources": {"limits": limits, "requests": {"cpu": "100m"}}}]}}
    response = await client.post(PODS, json=body)
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["spec"]["containers"][0]["resources"] == {"limits": limits,
                                                             "requests": {"cpu": "100m", "memory": "1Gi"}}
    assert created["status"]["qosClass"] == "Burstable"
    made = await create(client, job("sized", containers=[{"name": "main", "image": "busybox",
                                                          "resources": {"limits": limits}}]))
    assert made["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": limits}
    await advance(client, 0)
    [pod] = await pods(client, labelSelector="job-name=sized")
    assert pod["spec"]["containers"][0]["resources"] == {"limits": limits, "requests": {"cpu": "500m", "memory": "1Gi"}}
    assert pod["status"]["qosClass"] == "Guaranteed"


async def test_indexed_pods_are_named_and_labelled_by_index(client):
    await create(client, job("idx", completionMode="Indexed", completions=3, parallelism=3))
    await advance(client, 0)
    listed = await pods(client, labelSelector="job-name=idx")
    indexes = sorted(p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] for p in listed)
    assert indexes == ["0", "1", "2"]
    for pod in listed:
        index = pod["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
        assert pod["metadata"]["generateName"] == f"idx-{index}-" and pod["spec"]["hostname"] == f"idx-{index}"
        assert pod["spec"]["containers"][0]["env"][-1]["name"] == "JOB_COMPLETION_INDEX"
    await advance(client, 11)
    status = await job_status(client, "idx")
    assert status["completedIndexes"] == "0-2" and status["conditions"][-1]["type"] == "Complete"


async def test_fixtures_may_be_plain_manifests_and_hold_pods_and_events(client):
    documents = [
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "plain", "namespace": "default"},
         "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "seeded", "namespace": "default",
                                                         "labels": {"job-name": "plain"}},
         "spec": {"containers": [{"name": "c", "image": "busybox"}]}, "status": {"phase": "Succeeded"}},
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "plain.1", "namespace": "default"},
         "involvedObject": {"kind": "Job", "name": "plain", "namespace": "default"}, "reason": "Completed",
         "message": "Job completed", "type": "Normal", "firstTimestamp": "2026-01-01T00:00:00Z"}]
    response = await client.post("/_emulator/fixtures", json=documents)
    assert response.status == 200, await response.text()
    stored = await (await client.get(f"{JOBS}/plain")).json()
    uid = stored["metadata"]["uid"]
    assert stored["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert stored["spec"]["template"]["metadata"]["labels"]["job-name"] == "plain"
    [pod] = await pods(client, labelSelector="job-name=plain")
    assert pod["metadata"]["name"] == "seeded" and pod["status"]["phase"] == "Succeeded"
    events = await (await client.get("/api/v1/namespaces/default/events",
                                     params={"fieldSelector": "involvedObject.name=plain"})).json()
    assert [e["reason"] for e in events["items"]] == ["Completed"]


async def test_pod_and_event_watches_count_toward_the_watch_limit(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(max_watches=2))
    pod_watch = await client.get(PODS, params={"watch": "true"})
    event_watch = await client.get("/api/v1/events", params={"watch": "true"})
    assert pod_watch.status == event_watch.status == 200
    refused = await client.get(JOBS, params={"watch": "true"})
    assert refused.status == 429
    pod_watch.close()
    event_watch.close()


async def test_a_plain_fixture_job_keeps_the_server_fields_it_carries_and_its_selector_takes_its_uid(client):
    uid = "0f2a4c1e-1111-4222-8333-944455556666"
    document = {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "kept", "namespace": "default", "uid": uid, "resourceVersion": "77",
                             "creationTimestamp": "2025-06-01T00:00:00Z", "labels": {"team": "a"}},
                "spec": {"template": {"spec": {"restartPolicy": "Never",
                                               "containers": [{"name": "c", "image": "busybox"}]}}},
                "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}}
    response = await client.post("/_emulator/fixtures", json=[document])
    assert response.status == 200, await response.text()
    stored = await (await client.get(f"{JOBS}/kept")).json()
    meta = stored["metadata"]
    assert (meta["uid"], meta["creationTimestamp"], meta["labels"]) == (uid, "2025-06-01T00:00:00Z", {"team": "a"})
    assert stored["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = stored["spec"]["template"]["metadata"]["labels"]
    assert labels["controller-uid"] == labels["batch.kubernetes.io/controller-uid"] == uid
    assert labels["batch.kubernetes.io/job-name"] == "kept"
    assert stored["status"] == document["status"]
    await advance(client, 60)  # a fixture job is left alone: no pods
    assert await pods(client, labelSelector="job-name=kept") == []


async def test_each_reset_gives_a_plain_fixture_job_a_new_uid_and_its_own_time(aiohttp_client, make_app, tmp_path):
    # checked once per document, the job is still made afresh on each load: a new uid (ids unseeded) that its
    # selector and template labels carry, and the clock's time of that reset
    (tmp_path / "plain.json").write_text(json.dumps(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "plain", "namespace": "default"},
         "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}))
    client = await aiohttp_client(make_app(fixtures=tmp_path, id_seed=None))
    seen = set()
    for clock in ("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"):
        assert (await client.post("/_emulator/reset", json={"clock": clock})).status == 200
        stored = await (await client.get(f"{JOBS}/plain")).json()
        uid = stored["metadata"]["uid"]
        assert stored["metadata"]["creationTimestamp"] == clock
        assert stored["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
        labels = stored["spec"]["template"]["metadata"]["labels"]
        assert labels["controller-uid"] == labels["batch.kubernetes.io/controller-uid"] == uid
        assert stored["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] == uid
        seen.add(uid)
    assert len(seen) == 2


async def test_service_account_admission_mounts_the_token_volume_in_every_container(client):
    manifest = job("mounted", containers=[
        {"name": "main", "image": "busybox"},
        {"name": "own", "image": "busybox", "volumeMounts": [  # mounts something of its own at the path
            {"name": "mine", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}])
    manifest["spec"]["template"]["spec"]["volumes"] = [{"name": "mine", "emptyDir": {}}]
    await create(client, manifest)
    await advance(client, 0)
    [pod] = await pods(client, labelSelector="job-name=mounted")
    mine, volume = pod["spec"]["volumes"]
    assert mine == {"name": "mine", "emptyDir": {}}
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", volume["name"])
    assert volume["projected"] == {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}
    main, own = pod["spec"]["containers"]
    assert main["volumeMounts"] == [{"name": volume["name"], "readOnly": True,
                                     "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    assert own["volumeMounts"] == [{"name": "mine", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    [entry] = pod["metadata"]["managedFields"][:1]  # taken before admission: its additions are nobody's
    owned = entry["fieldsV1"]["f:spec"]
    assert entry["manager"] == "kube-controller-manager" and "f:containers" in owned and "f:volumes" in owned
    assert list(owned["f:volumes"]) == ['k:{"name":"mine"}']
    assert not {"f:serviceAccountName", "f:priority", "f:tolerations"} & set(owned)
    assert 'k:{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}' in \
        owned["f:containers"]['k:{"name":"own"}']["f:volumeMounts"]  # its own mount, not the token's
    assert "f:volumeMounts" not in owned["f:containers"]['k:{"name":"main"}']

    bare = {"metadata": {"name": "tokenless"}, "spec": {"automountServiceAccountToken": False,
                                                        "containers": [{"name": "app", "image": "busybox"}]}}
    created = await (await client.post(PODS, json=bare)).json()
    assert "volumes" not in created["spec"] and "volumeMounts" not in created["spec"]["containers"][0]
    again = {"metadata": {"name": "kept"}, "spec": {
        "volumes": [{"name": "kube-api-access-mine", "emptyDir": {}}],
        "initContainers": [{"name": "init", "image": "busybox"}], "containers": [{"name": "app", "image": "busybox"}]}}
    created = await (await client.post(PODS, json=again)).json()
    assert created["spec"]["volumes"] == [{"name": "kube-api-access-mine", "emptyDir": {}}]  # its own name is used
    assert [c["volumeMounts"][0]["name"] for c in (*created["spec"]["initContainers"], *created["spec"]["containers"])] \
        == ["kube-api-access-mine", "kube-api-access-mine"]
    replaced = await client.put(f"{PODS}/kept", json=created)  # the pod as read is a valid update
    assert replaced.status == 200, await replaced.text()
