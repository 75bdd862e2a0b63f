"""kr8s and lightkube, two Python clients from the package index, against the live emulator."""
from __future__ import annotations

import asyncio
import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Kubernetes version")  # kr8s lists the minors it was tested on


def manifest(name: str, **labels: str) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": name}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "main", "image": "busybox"}]}}}}


async def test_kr8s_connects_creates_lists_watches_applies_and_deletes(live_url):
    import kr8s.asyncio
    from kr8s.asyncio.objects import Job

    api = await kr8s.asyncio.api(url=live_url)  # its first call is GET /version/
    assert (await api.version())["gitVersion"] == "v1.37.0"
    job = await Job(manifest("kr8s-job"), api=api)
    await job.create()
    assert job.metadata.uid and job.spec.backoffLimit == 6
    names = [item.name async for item in api.get("jobs", namespace="default", label_selector={"app": "kr8s-job"})]
    assert names == ["kr8s-job"]

    seen = []
    async with asyncio.timeout(20):
        async for event, obj in api.watch("jobs", namespace="default"):
            seen.append((event, obj.name))
            if obj.name == "kr8s-job":
                break
    assert ("ADDED", "kr8s-job") in seen

    # kr8s has no server-side apply method: its own call_api sends the apply patch
    applied = manifest("kr8s-job", app="kr8s-job", tier="a")
    async with api.call_api("PATCH", version="batch/v1", base="/apis", namespace="default", url="jobs/kr8s-job",
                            params={"fieldManager": "kr8s"}, content=json.dumps(applied),
                            headers={"Content-Type": "application/apply-patch+yaml"}) as response:
        assert response.status_code == 200
        assert response.json()["metadata"]["labels"]["tier"] == "a"
    await job.refresh()
    assert [e["manager"] for e in job.metadata.managedFields if e["operation"] == "Apply"] == ["kr8s"]
    await job.delete(propagation_policy="Background")
    assert not await job.exists()


def lightkube_client(live_url: str):
    from lightkube import Client, KubeConfig

    config = KubeConfig.from_dict({
        "apiVersion": "v1", "kind": "Config", "current-context": "emulator",
        "clusters": [{"name": "emulator", "cluster": {"server": live_url}}],
        "users": [{"name": "dev", "user": {"token": "any-token"}}],
        "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "dev", "namespace": "default"}}]})
    return Client(config=config, namespace="default")


def test_lightkube_connects_creates_lists_watches_applies_and_deletes(live_url):
    from lightkube import ApiError
    from lightkube.resources.batch_v1 import Job

    client = lightkube_client(live_url)
    created = client.create(Job.from_dict(manifest("lk-job")))
    assert created.metadata.uid and created.spec.backoffLimit == 6
    assert [job.metadata.name for job in client.list(Job, labels={"app": "lk-job"})] == ["lk-job"]

    events = []
    for kind, job in client.watch(Job, server_timeout=1):  # lightkube watches on, reconnecting: stop at the job
        events.append((kind, job.metadata.name))
        if job.metadata.name == "lk-job" or len(events) > 100:
            break
    assert events[-1] == ("ADDED", "lk-job")

    applied = client.apply(Job.from_dict(manifest("lk-applied", app="lk")), field_manager="lightkube")
    assert applied.metadata.managedFields[0].manager == "lightkube"  # created by the apply
    again = client.apply(Job.from_dict(manifest("lk-applied", app="lk", tier="b")), field_manager="lightkube")
    assert again.metadata.labels == {"app": "lk", "tier": "b"}
    with pytest.raises(ApiError) as conflict:
        client.apply(Job.from_dict(manifest("lk-applied", app="other")), field_manager="someone-else")
    assert conflict.value.status.code == 409 and ".metadata.labels.app" in conflict.value.status.message
    forced = client.apply(Job.from_dict(manifest("lk-applied", app="other")), field_manager="someone-else", force=True)
    assert forced.metadata.labels["app"] == "other"

    client.delete(Job, "lk-job", grace_period=0)
    client.delete(Job, "lk-applied")
    with pytest.raises(ApiError) as missing:
        client.get(Job, "lk-job")
    assert missing.value.status.code == 404


def test_lightkube_applies_a_namespace_and_a_pod_in_it(live_url):
    from lightkube import ApiError
    from lightkube.resources.core_v1 import Namespace, Pod

    client = lightkube_client(live_url)
    namespace = client.apply(Namespace.from_dict({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "lk-space", "labels": {"team": "a"}}}), field_manager="lightkube")
    assert namespace.metadata.labels == {"team": "a", "kubernetes.io/metadata.name": "lk-space"}
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lk-pod", "namespace": "lk-space"},
            "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]}}
    pod = client.apply(Pod.from_dict(body), field_manager="lightkube")
    assert pod.metadata.managedFields[0].manager == "lightkube" and pod.status.phase == "Pending"
    body["spec"]["containers"][0]["image"] = "busybox:1.37"
    assert client.apply(Pod.from_dict(body), field_manager="lightkube").spec.containers[0].image == "busybox:1.37"
    body["spec"]["containers"][0]["name"] = "other"
    with pytest.raises(ApiError) as refused:
        client.apply(Pod.from_dict(body), field_manager="lightkube")
    assert refused.value.status.code == 422 and "pod updates may not change" in refused.value.status.message
    client.delete(Pod, "lk-pod", namespace="lk-space", grace_period=0)
    client.delete(Namespace, "lk-space")
    with pytest.raises(ApiError) as missing:
        client.get(Namespace, "lk-space")
    assert missing.value.status.code == 404


async def test_kr8s_labels_a_namespace_and_a_pod(live_url):
    import kr8s.asyncio
    from kr8s.asyncio.objects import Namespace, Pod

    api = await kr8s.asyncio.api(url=live_url)
    namespace = await Namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kr8s-space"}},
                                api=api)
    await namespace.create()
    await namespace.label({"team": "b"})  # a merge patch
    await namespace.refresh()
    assert namespace.labels["team"] == "b"
    pod = await Pod({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kr8s-pod", "namespace": "kr8s-space"},
                     "spec": {"containers": [{"name": "main", "image": "busybox"}]}}, api=api)
    await pod.create()
    await pod.label({"tier": "x"})
    await pod.refresh()
    assert pod.labels == {"tier": "x"}
    [entry] = pod.metadata.managedFields  # the create and the label, both by kr8s (its User-Agent)
    assert (entry["manager"], entry["operation"]) == ("kr8s", "Update")
    assert entry["fieldsV1"]["f:metadata"]["f:labels"] == {".": {}, "f:tier": {}}
    await pod.delete(grace_period=0)
    await namespace.delete()
