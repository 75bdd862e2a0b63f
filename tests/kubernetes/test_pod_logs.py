"""The pods/log subresource: scripted text released over the run, its options, its errors, and follow streams."""
from __future__ import annotations

import asyncio

import pytest

from kube_support import JOBS, advance

PODS = "/api/v1/namespaces/default/pods"
LOGS = "cloud-job-emulator/logs"


def job(name: str, annotations: dict, containers: list | None = None) -> dict:
    template = {"spec": {"restartPolicy": "Never", "containers": containers or [{"name": "main", "image": "busybox"}]}}
    return {"metadata": {"name": name, "annotations": annotations}, "spec": {"template": template}}



async def start(client, name: str, annotations: dict, containers: list | None = None) -> str:
    response = await client.post(JOBS, json=job(name, annotations, containers))
    assert response.status == 201, await response.text()
    await advance(client, 0)
    listed = await (await client.get(PODS, params={"labelSelector": f"job-name={name}"})).json()
    return f"{PODS}/{listed['items'][0]['metadata']['name']}/log"


async def text(client, url: str, **query) -> str:
    response = await client.get(url, params=query)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/plain"
    return await response.text()


FOUR = {LOGS: "one\ntwo\nthree\nfour", "cloud-job-emulator/duration-seconds": "4"}


async def test_lines_appear_over_the_run_with_their_timestamps(client):
    url = await start(client, "four", FOUR)
    response = await client.get(url)
    assert response.status == 400
    assert (await response.json())["message"].endswith('is waiting to start: ContainerCreating')
    await advance(client, 1)  # started at 1 s: a line a second
    assert await text(client, url) == "one\n"
    await advance(client, 2)
    assert await text(client, url, timestamps="true") == ("2026-01-01T00:00:01.000000000Z one\n"
                                                          "2026-01-01T00:00:02.000000000Z two\n"
                                                          "2026-01-01T00:00:03.000000000Z three\n")
    await advance(client, 5)
    assert await text(client, url) == "one\ntwo\nthree\nfour\n"
    assert await text(client, url, tailLines="2") == "three\nfour\n"
    assert await text(client, url, limitBytes="6") == "one\ntw"
    assert await text(client, url, sinceTime="2026-01-01T00:00:03Z") == "three\nfour\n"
    assert await text(client, url, sinceSeconds="5") == "three\nfour\n"  # now is 8 s


async def test_the_default_log_names_the_container_and_image(client):
    url = await start(client, "plain", {"cloud-job-emulator/duration-seconds": "1"})
    await advance(client, 3)
    assert await text(client, url) == "container main (image busybox) started\ncontainer main completed\n"


async def test_per_container_logs_and_the_container_parameter(client):
    containers = [{"name": "a", "image": "busybox"}, {"name": "b", "image": "alpine:3"}]
    url = await start(client, "two", {f"{LOGS}.a": "from a", f"{LOGS}.b": "from b"}, containers)
    await advance(client, 20)
    response = await client.get(url)
    assert response.status == 400
    pod = url.split("/")[-2]
    assert (await response.json())["message"] == f"a container name must be specified for pod {pod}, choose one of: [a b]"
    assert await text(client, url, container="b") == "from b\n"
    response = await client.get(url, params={"container": "c"})
    assert (await response.json())["message"] == f"container c is not valid for pod {pod}"
    response = await client.get(url, params={"container": "a", "previous": "true"})
    assert (await response.json())["message"] == f'previous terminated container "a" in pod "{pod}" not found'


@pytest.mark.parametrize("query, message", [
    ({"tailLines": "-1"}, "tailLines: Invalid value: -1: must be greater than or equal to 0"),
    ({"limitBytes": "0"}, "limitBytes: Invalid value: 0: must be greater than 0"),
    ({"sinceSeconds": "0"}, "sinceSeconds: Invalid value: 0: must be greater than 0"),
    ({"sinceSeconds": "5", "sinceTime": "2026-01-01T00:00:00Z"},
     ": Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"),
])
async def test_invalid_log_options_are_a_422(client, query, message):
    url = await start(client, "opts", FOUR)
    response = await client.get(url, params=query)
    assert response.status == 422
    body = await response.json()
    assert body["message"] == f'PodLogOptions "{url.split("/")[-2]}" is invalid: {message}'


async def test_follow_streams_lines_as_the_clock_moves_and_ends_when_the_container_stops(client):
    url = await start(client, "follow", FOUR)
    await advance(client, 1)
    response = await client.get(url, params={"follow": "true"})
    assert response.status == 200
    assert await response.content.readline() == b"one\n"
    reading = asyncio.ensure_future(response.content.readline())
    await asyncio.sleep(0.05)
    assert not reading.done()  # the clock has not moved: no new line
    await advance(client, 1)
    assert await asyncio.wait_for(reading, 5) == b"two\n"
    await advance(client, 10)  # the container terminates: the rest, then the end of the stream
    assert await asyncio.wait_for(response.content.read(), 5) == b"three\nfour\n"


async def test_logs_of_a_pod_not_yet_scheduled_are_204(client):
    from emulator.runtime.emulator import EMULATOR
    response = await client.post(JOBS, json=job("early", FOUR))
    assert response.status == 201
    kubernetes = client.app[EMULATOR].services["kubernetes"]
    await advance(client, 0)
    pod = next(p for _, p in kubernetes.pods.items.scan("default") if p["metadata"]["labels"]["job-name"] == "early")
    unbound = {**pod, "spec": {k: v for k, v in pod["spec"].items() if k != "nodeName"}}
    kubernetes.pods.write(unbound, pod)
    response = await client.get(f"{PODS}/{pod['metadata']['name']}/log")
    assert response.status == 204 and await response.read() == b""


async def test_a_container_that_ended_before_it_was_made_has_no_log_to_read(client):
    """Deleted while ContainerCreating (a finalizer keeps the pod): the kubelet's 400 'is terminated', not an
    empty log."""
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "brief", "finalizers": ["example.com/keep"]},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    assert (await client.post(PODS, json=body)).status == 201
    await advance(client, 0)  # bound: ContainerCreating
    assert (await client.delete(f"{PODS}/brief", params={"gracePeriodSeconds": "0"})).status == 200
    await advance(client, 0)
    pod = await (await client.get(f"{PODS}/brief")).json()
    assert "containerID" not in pod["status"]["containerStatuses"][0]["state"]["terminated"]
    response = await client.get(f"{PODS}/brief/log")
    assert response.status == 400
    assert (await response.json())["message"] == 'container "c" in pod "brief" is terminated'


async def test_init_containers_are_named_in_the_log_errors(client):
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "inits"}, "spec": {
        "initContainers": [{"name": "fetch", "image": "busybox"}],
        "containers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]}}
    assert (await client.post(PODS, json=body)).status == 201
    await advance(client, 2)
    response = await client.get(f"{PODS}/inits/log")
    assert (await response.json())["message"] == ("a container name must be specified for pod inits, choose one of: "
                                                  "[fetch a b]")
    response = await client.get(f"{PODS}/inits/log", params={"container": "fetch"})  # ran first, completed
    assert (response.status, await response.text()) == (
        200, "container fetch (image busybox) started\ncontainer fetch completed\n")
