"""Init containers on the virtual node: each regular one runs to completion in turn before the pod's containers,
a sidecar (restartPolicy Always) starts in turn and runs beside them until they end, with the kubelet's statuses,
conditions, events and logs for each."""
from __future__ import annotations

from kube_support import JOBS, PODS, advance, create

TABLE = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}


def job(name: str, inits: list[dict], seconds: int = 5, **pod_spec) -> dict:
    return {"metadata": {"name": name, "annotations": {"cloud-job-emulator/duration-seconds": str(seconds)}},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "initContainers": inits,
                                           "containers": [{"name": "main", "image": "busybox"}], **pod_spec}}}}


def container(name: str, **fields) -> dict:
    return {"name": name, "image": "busybox:1.36", **fields}


async def the_pod(client, job_name: str) -> dict:
    await advance(client, 0)  # steps due now (the controller's first sync) have run
    response = await client.get(PODS, params={"labelSelector": f"job-name={job_name}"})
    [pod] = (await response.json())["items"]
    return pod


def conditions(pod: dict) -> dict[str, tuple]:
    return {c["type"]: (c["status"], c.get("reason"), c.get("message")) for c in pod["status"]["conditions"]}


def states(pod: dict, field: str = "initContainerStatuses") -> list[tuple]:
    """(name, state, reason or exit code, ready, started) of each status."""
    out = []
    for status in pod["status"][field]:
        [(state, detail)] = status["state"].items()
        out.append((status["name"], state, detail.get("reason", detail.get("exitCode")) if state != "running" else None,
                    status["ready"], status["started"]))
    return out


async def kubectl_status(client, name: str) -> list:
    """printPod's NAME, READY, STATUS and RESTARTS, as `kubectl get pod` shows them."""
    table = await (await client.get(f"{PODS}/{name}", headers=TABLE)).json()
    [row] = table["rows"]
    return row["cells"][:4]


async def test_regular_init_containers_run_in_turn_before_the_containers(client):
    await create(client, job("prep", [container("fetch"), container("migrate")]))
    pod = await the_pod(client, "prep")
    name = pod["metadata"]["name"]
    assert pod["status"]["phase"] == "Pending"
    assert states(pod) == [("fetch", "waiting", "PodInitializing", False, False),
                           ("migrate", "waiting", "PodInitializing", False, False)]
    assert states(pod, "containerStatuses") == [("main", "waiting", "PodInitializing", False, False)]
    assert conditions(pod)["Initialized"] == ("False", "ContainersNotInitialized",
                                              "containers with incomplete status: [fetch migrate]")
    assert conditions(pod)["Ready"] == ("False", "ContainersNotReady", "containers with unready status: [main]")
    assert await kubectl_status(client, name) == [name, "0/1", "Init:0/2", "0"]

    await advance(client, 1)  # the sandbox is up, the first init container runs
    pod = await the_pod(client, "prep")
    assert pod["status"]["phase"] == "Pending" and "podIP" in pod["status"]
    assert conditions(pod)["PodReadyToStartContainers"] == ("True", None, None)
    [fetch, migrate] = pod["status"]["initContainerStatuses"]
    assert fetch["image"] == "docker.io/library/busybox:1.36" and fetch["containerID"].startswith("containerd://")
    assert states(pod)[0] == ("fetch", "running", None, False, True) and migrate["state"] == {
        "waiting": {"reason": "PodInitializing"}}
    assert await kubectl_status(client, name) == [name, "0/1", "Init:0/2", "0"]
    log = await client.get(f"{PODS}/{name}/log", params={"container": "fetch"})
    assert log.status == 200 and (await log.text()).startswith("container fetch (image busybox:1.36) started\n")
    waiting = await client.get(f"{PODS}/{name}/log", params={"container": "main"})
    assert waiting.status == 400
    assert (await waiting.json())["message"] == f'container "main" in pod "{name}" is waiting to start: PodInitializing'

    await advance(client, 1)  # fetch completed, migrate runs
    pod = await the_pod(client, "prep")
    assert states(pod) == [("fetch", "terminated", "Completed", True, False), ("migrate", "running", None, False, True)]
    assert pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    assert conditions(pod)["Initialized"] == ("False", "ContainersNotInitialized",
                                              "containers with incomplete status: [migrate]")
    assert await kubectl_status(client, name) == [name, "0/1", "Init:1/2", "0"]
    assert await (await client.get(f"{PODS}/{name}/log", params={"container": "fetch"})).text() == (
        "container fetch (image busybox:1.36) started\ncontainer fetch completed\n")

    await advance(client, 1)  # both done: the pod's container runs
    pod = await the_pod(client, "prep")
    assert pod["status"]["phase"] == "Running"
    assert states(pod) == [("fetch", "terminated", "Completed", True, False),
                           ("migrate", "terminated", "Completed", True, False)]
    assert states(pod, "containerStatuses") == [("main", "running", None, True, True)]
    assert {kind: value[0] for kind, value in conditions(pod).items()} == dict.fromkeys(conditions(pod), "True")
    assert await kubectl_status(client, name) == [name, "1/1", "Running", "0"]

    await advance(client, 5)
    pod = await the_pod(client, "prep")
    assert pod["status"]["phase"] == "Succeeded"
    assert conditions(pod)["Initialized"] == ("True", "PodCompleted", None)
    assert [s["name"] for s in pod["status"]["initContainerStatuses"]] == ["fetch", "migrate"]
    job_status = (await (await client.get(f"{JOBS}/prep/status")).json())["status"]
    assert job_status["succeeded"] == 1

    events = (await (await client.get("/api/v1/namespaces/default/events", params={
        "fieldSelector": f"involvedObject.name={name}"})).json())["items"]
    seen = [(e["reason"], e["involvedObject"].get("fieldPath")) for e in events]
    assert seen == [("Scheduled", None),
                    ("Pulled", "spec.initContainers{fetch}"), ("Created", "spec.initContainers{fetch}"),
                    ("Started", "spec.initContainers{fetch}"),
                    ("Pulled", "spec.initContainers{migrate}"), ("Created", "spec.initContainers{migrate}"),
                    ("Started", "spec.initContainers{migrate}"),
                    ("Pulled", "spec.containers{main}"), ("Created", "spec.containers{main}"),
                    ("Started", "spec.containers{main}")]


async def test_a_sidecar_runs_beside_the_containers_and_stops_after_them(client):
    await create(client, job("proxied", [container("proxy", restartPolicy="Always"), container("setup")]))
    pod = await the_pod(client, "proxied")
    name = pod["metadata"]["name"]
    assert conditions(pod)["Ready"] == ("False", "ContainersNotReady",
                                        "containers with unready status: [proxy main]")  # sidecars first

    await advance(client, 1)  # the sidecar started (ready at once: no probe), then the regular init container
    pod = await the_pod(client, "proxied")
    assert states(pod) == [("proxy", "running", None, True, True), ("setup", "running", None, False, True)]
    assert conditions(pod)["Initialized"] == ("False", "ContainersNotInitialized",
                                              "containers with incomplete status: [setup]")
    assert conditions(pod)["Ready"] == ("False", "ContainersNotReady", "containers with unready status: [main]")
    assert await kubectl_status(client, name) == [name, "1/2", "Init:1/2", "0"]

    await advance(client, 1)
    pod = await the_pod(client, "proxied")
    assert states(pod) == [("proxy", "running", None, True, True), ("setup", "terminated", "Completed", True, False)]
    assert conditions(pod)["Ready"] == ("True", None, None)
    assert await kubectl_status(client, name) == [name, "2/2", "Running", "0"]
    proxy_log = await client.get(f"{PODS}/{name}/log", params={"container": "proxy"})
    assert proxy_log.status == 200 and "container proxy (image busybox:1.36) started" in await proxy_log.text()

    await advance(client, 5)  # main ends: the sidecar is stopped, and the pod succeeds on main's exit
    pod = await the_pod(client, "proxied")
    assert pod["status"]["phase"] == "Succeeded"
    assert states(pod) == [("proxy", "terminated", "Completed", False, False),
                           ("setup", "terminated", "Completed", True, False)]
    proxy = pod["status"]["initContainerStatuses"][0]["state"]["terminated"]
    assert proxy["finishedAt"] == pod["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"]
    assert (await (await client.get(f"{JOBS}/proxied/status")).json())["status"]["succeeded"] == 1


async def test_a_deadline_during_init_kills_the_running_init_container(client):
    pod = {"metadata": {"name": "slow"}, "spec": {"activeDeadlineSeconds": 2, "restartPolicy": "Never",
                                                  "initContainers": [container("fetch"), container("migrate")],
                                                  "containers": [container("app")]}}
    assert (await client.post(PODS, json=pod)).status == 201
    await advance(client, 2)  # fetch started at 1 s, killed at 2 s
    pod = await (await client.get(f"{PODS}/slow")).json()
    assert (pod["status"]["phase"], pod["status"]["reason"]) == ("Failed", "DeadlineExceeded")
    assert states(pod) == [("fetch", "terminated", "Error", False, False),
                           ("migrate", "waiting", "PodInitializing", False, False)]
    assert pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 137
    assert conditions(pod)["Initialized"] == ("False", "ContainersNotInitialized",
                                              "containers with incomplete status: [fetch migrate]")
    assert conditions(pod)["Ready"] == ("False", "PodFailed", None)


async def test_a_bare_pod_with_an_init_container_and_its_own_log_script(client):
    pod = {"metadata": {"name": "scripted", "annotations": {"cloud-job-emulator/logs.wait": "waiting for db\ndb up",
                                                            "cloud-job-emulator/logs": "serving"}},
           "spec": {"initContainers": [container("wait")], "containers": [container("app")]}}
    assert (await client.post(PODS, json=pod)).status == 201
    await advance(client, 3)
    assert await (await client.get(f"{PODS}/scripted/log", params={"container": "wait"})).text() == (
        "waiting for db\ndb up\n")
    assert await (await client.get(f"{PODS}/scripted/log")).text() == "serving\n"  # one container: app


async def test_a_failing_init_container_fails_a_never_pod_and_its_job_makes_another(client):
    """`exit-code.<init container>`: the init container exits with it; restartPolicy Never fails the pod there
    (Init:Error), its sidecar stops, its containers never start; the Job counts the failure and retries."""
    body = job("migrate", [container("proxy", restartPolicy="Always"), container("schema"), container("later")])
    body["metadata"]["annotations"]["cloud-job-emulator/exit-code.schema"] = "3"
    body["spec"]["backoffLimit"] = 0
    await create(client, body)
    pod = await the_pod(client, "migrate")
    name = pod["metadata"]["name"]
    await advance(client, 1)  # the sidecar started, and the init container after it running
    assert await kubectl_status(client, name) == [name, "1/2", "Init:1/3", "0"]  # the sidecar is ready
    await advance(client, 1)  # it ends with its code
    pod = await (await client.get(f"{PODS}/{name}")).json()
    assert pod["status"]["phase"] == "Failed"
    assert states(pod) == [("proxy", "terminated", "Completed", False, False),
                           ("schema", "terminated", "Error", False, False),
                           ("later", "waiting", "PodInitializing", False, False)]
    assert pod["status"]["initContainerStatuses"][1]["state"]["terminated"]["exitCode"] == 3
    assert states(pod, "containerStatuses") == [("main", "waiting", "PodInitializing", False, False)]
    assert conditions(pod)["Initialized"] == ("False", "ContainersNotInitialized",  # the stopped sidecar too
                                              "containers with incomplete status: [proxy schema later]")
    assert conditions(pod)["Ready"] == ("False", "PodFailed", None)
    assert await kubectl_status(client, name) == [name, "0/2", "Init:Error", "0"]
    log = await client.get(f"{PODS}/{name}/log", params={"container": "schema"})
    assert (await log.text()).splitlines()[-1] == "container schema exiting with code 3"
    await advance(client, 1)
    finished = await (await client.get(f"{JOBS}/migrate")).json()
    assert finished["status"]["failed"] == 1
    assert [c["reason"] for c in finished["status"]["conditions"] if c["type"] == "Failed"] == ["BackoffLimitExceeded"]


async def test_a_failing_init_container_of_an_on_failure_pod_backs_off_and_counts_toward_backoff_limit(client):
    """restartPolicy OnFailure: the init container waits in CrashLoopBackOff (10 s, then 20 s) and runs again, the
    pod Pending; its restarts count toward the Job's backoffLimit, as pastBackoffLimitOnFailure counts them."""
    body = job("retrying", [container("schema")], restartPolicy="OnFailure")
    body["metadata"]["annotations"]["cloud-job-emulator/exit-code.schema"] = "1"
    body["spec"]["backoffLimit"] = 2
    await create(client, body)
    name = (await the_pod(client, "retrying"))["metadata"]["name"]
    await advance(client, 2)  # bound, started, failed
    pod = await (await client.get(f"{PODS}/{name}")).json()
    [status] = pod["status"]["initContainerStatuses"]
    assert pod["status"]["phase"] == "Pending" and status["restartCount"] == 1
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["state"]["waiting"]["message"].startswith("back-off 10s restarting failed container=schema pod=")
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert await kubectl_status(client, name) == [name, "0/1", "Init:CrashLoopBackOff", "1 (0s ago)"]
    events = await (await client.get("/api/v1/namespaces/default/events", params={
        "fieldSelector": f"involvedObject.name={name},reason=BackOff"})).json()
    assert [e["involvedObject"]["fieldPath"] for e in events["items"]] == ["spec.initContainers{schema}"]
    await advance(client, 10)  # the back-off: running again, then failing again
    pod = await (await client.get(f"{PODS}/{name}")).json()
    assert pod["status"]["initContainerStatuses"][0]["state"]["running"]
    await advance(client, 2)  # failed at 13 s: two restarts, backoffLimit 2 reached (the controller's sync after)
    job_now = await (await client.get(f"{JOBS}/retrying")).json()
    assert [c["reason"] for c in job_now["status"]["conditions"] if c["type"] == "Failed"] == ["BackoffLimitExceeded"]
