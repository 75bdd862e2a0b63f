"""The official `kubernetes` Python client against a live emulator: what its users call, as they call it."""
from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

NS = "ns-12130306-s"
SEEDED = "jobs-12130306"


@pytest.fixture
def batch(live_url: str) -> client.BatchV1Api:
    configuration = client.Configuration()
    configuration.host = live_url
    configuration.api_key = {"authorization": "test-token"}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    api_client = client.ApiClient(configuration)
    api_client.set_default_header("X-Auth-Token", "huawei-iam-token")
    yield client.BatchV1Api(api_client)
    api_client.close()


def new_job(name: str, labels: dict | None = None) -> client.V1Job:
    return client.V1Job(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
            restart_policy="Never",
            containers=[client.V1Container(name="main", image="busybox:1.36", command=["true"])]))),
    )


def test_read_job_status_returns_the_seeded_job(batch):
    job = batch.read_namespaced_job_status(SEEDED, NS)
    assert job.metadata.uid == "eed6b02b-dfb3-11e7-9c19-fa163e2d897b"
    assert job.status.active == 1
    assert job.spec.template.spec.containers[0].image == "172.16.5.235:20202/test/redis:latest"


def test_patch_job_status_with_a_json_patch_list(batch):
    job = batch.patch_namespaced_job_status(SEEDED, NS, [{"op": "add", "path": "/status/active", "value": 2}])
    assert job.status.active == 2
    assert batch.read_namespaced_job_status(SEEDED, NS).status.active == 2


def test_patch_job_status_with_a_merge_patch(batch):
    job = batch.patch_namespaced_job_status(SEEDED, NS, {"status": {"succeeded": 1, "active": None}},
                                            _content_type="application/merge-patch+json")
    assert (job.status.succeeded, job.status.active) == (1, None)


def test_patch_job_status_with_a_strategic_patch_merges_conditions(batch):
    first = {"status": {"conditions": [{"type": "Suspended", "status": "False"}]}}
    batch.patch_namespaced_job_status(SEEDED, NS, first)
    second = {"status": {"conditions": [{"type": "Complete", "status": "True", "reason": "CompletionsReached"}]}}
    job = batch.patch_namespaced_job_status(SEEDED, NS, second)
    assert [(c.type, c.status) for c in job.status.conditions] == [("Suspended", "False"), ("Complete", "True")]


def test_replace_job_status_changes_status_not_spec(batch):
    job = batch.read_namespaced_job_status(SEEDED, NS)
    job.status.active = 0
    job.status.failed = 3
    job.spec.parallelism = 9
    replaced = batch.replace_namespaced_job_status(SEEDED, NS, job)
    assert (replaced.status.failed, replaced.status.active, replaced.spec.parallelism) == (3, None, 1)
    assert int(replaced.metadata.resource_version) > int(job.metadata.resource_version)


def test_create_list_with_selectors_and_delete(batch):
    created = batch.create_namespaced_job("default", new_job("etl-a", {"team": "data", "tier": "batch"}))
    batch.create_namespaced_job("default", new_job("etl-b", {"team": "web"}))
    assert created.metadata.generation == 1
    assert created.spec.selector.match_labels == {"batch.kubernetes.io/controller-uid": created.metadata.uid}
    assert created.spec.backoff_limit == 6

    by_label = batch.list_namespaced_job("default", label_selector="team=data")
    assert [j.metadata.name for j in by_label.items] == ["etl-a"]
    by_field = batch.list_job_for_all_namespaces(field_selector="metadata.name=etl-b")
    assert [j.metadata.name for j in by_field.items] == ["etl-b"]
    page = batch.list_namespaced_job("default", limit=1)
    rest = batch.list_namespaced_job("default", limit=1, _continue=page.metadata._continue)
    assert [page.items[0].metadata.name, rest.items[0].metadata.name] == ["etl-a", "etl-b"]

    result = batch.delete_namespaced_job("etl-a", "default", propagation_policy="Background")
    assert result["status"] == "Success" and result["details"]["uid"] == created.metadata.uid
    with pytest.raises(ApiException) as missing:
        batch.read_namespaced_job("etl-a", "default")
    assert missing.value.status == 404


def test_not_found_is_an_api_exception_with_the_status_body(batch):
    with pytest.raises(ApiException) as error:
        batch.read_namespaced_job_status("nope", NS)
    body = json.loads(error.value.body)
    assert (error.value.status, error.value.reason) == (404, "Not Found")
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": 'jobs.batch "nope" not found', "reason": "NotFound",
                    "details": {"name": "nope", "group": "batch", "kind": "jobs"}, "code": 404}


def test_stale_resource_version_is_a_409_conflict(batch):
    job = batch.read_namespaced_job_status(SEEDED, NS)
    batch.patch_namespaced_job_status(SEEDED, NS, {"status": {"active": 5}})
    job.status.active = 7
    with pytest.raises(ApiException) as error:
        batch.replace_namespaced_job_status(SEEDED, NS, job)
    body = json.loads(error.value.body)
    assert (error.value.status, body["reason"]) == (409, "Conflict")
    assert "the object has been modified" in body["message"]
    assert batch.read_namespaced_job_status(SEEDED, NS).status.active == 5


def test_watch_sees_a_status_patch(batch):
    start = batch.list_namespaced_job(NS).metadata.resource_version
    events: list[tuple[str, int | None]] = []
    watcher = watch.Watch()

    def follow() -> None:
        for event in watcher.stream(batch.list_namespaced_job, NS, resource_version=start, timeout_seconds=10):
            events.append((event["type"], event["object"].status.active))
            watcher.stop()

    thread = threading.Thread(target=follow)
    thread.start()
    try:
        batch.patch_namespaced_job_status(SEEDED, NS, [{"op": "replace", "path": "/status/active", "value": 4}])
    finally:
        thread.join(timeout=15)
    assert events == [("MODIFIED", 4)]


def advance_clock(url: str, seconds: float) -> None:
    request = urllib.request.Request(f"{url}/_emulator/clock", data=json.dumps({"advance_seconds": seconds}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture
def core(batch: client.BatchV1Api) -> client.CoreV1Api:
    return client.CoreV1Api(batch.api_client)


def watched_until_finished(batch: client.BatchV1Api, name: str) -> client.V1Job:
    """The Job as a watch delivers it once it has a completionTime (the last one seen if the 10 s watch ends first)."""
    job_watch = watch.Watch()
    job = None
    for event in job_watch.stream(batch.list_namespaced_job, "default", field_selector=f"metadata.name={name}",
                                  timeout_seconds=10):
        job = event["object"]
        if job.status.completion_time:
            break
    job_watch.stop()
    return job


def test_an_orchestrator_runs_a_job_as_on_a_cluster(batch, core, live_url):
    """Create a Job, watch its pod by job-name, follow its log while the clock moves, read the exit code,
    watch the Job to completion: what Prefect's and Dagster's Kubernetes runners do."""
    job = new_job("orchestrated")
    job.metadata.annotations = {"cloud-job-emulator/logs": "step 1\nstep 2\nstep 3",
                                "cloud-job-emulator/duration-seconds": "3"}
    batch.create_namespaced_job("default", job)
    advance_clock(live_url, 0)
    pod_watch = watch.Watch()
    for event in pod_watch.stream(core.list_namespaced_pod, "default", label_selector="job-name=orchestrated",
                                  timeout_seconds=10):
        if event["object"].spec.node_name:
            pod = event["object"]
            break
        advance_clock(live_url, 0)
    pod_watch.stop()
    assert pod.metadata.owner_references[0].kind == "Job"
    advance_clock(live_url, 1)  # running
    stream = core.read_namespaced_pod_log(pod.metadata.name, "default", container="main", follow=True,
                                          _preload_content=False)
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.extend(stream.stream()), daemon=True)
    reader.start()
    for _ in range(4):
        advance_clock(live_url, 1)
    reader.join(10)
    assert not reader.is_alive(), "the follow stream ends when the container terminates"
    assert b"".join(lines) == b"step 1\nstep 2\nstep 3\n"
    [pod] = core.list_namespaced_pod("default", label_selector="job-name=orchestrated").items
    assert pod.status.phase == "Succeeded"
    assert pod.status.container_statuses[0].state.terminated.exit_code == 0
    finished = watched_until_finished(batch, "orchestrated")
    assert finished.status.succeeded == 1


def test_a_failing_job_pod_reports_its_exit_code(batch, core, live_url):
    job = new_job("failing")
    job.metadata.annotations = {"cloud-job-emulator/outcome": "Failed", "cloud-job-emulator/exit-code": "42"}
    job.spec.backoff_limit = 0
    batch.create_namespaced_job("default", job)
    advance_clock(live_url, 20)
    [pod] = core.list_namespaced_pod("default", label_selector="job-name=failing").items
    assert pod.status.phase == "Failed"
    assert pod.status.container_statuses[0].state.terminated.exit_code == 42
    status = batch.read_namespaced_job_status("failing", "default").status
    assert status.failed == 1 and status.conditions[-1].reason == "BackoffLimitExceeded"
    events = core.list_namespaced_event("default", field_selector="involvedObject.name=failing").items
    assert [(e.reason, e.type) for e in events][-1] == ("BackoffLimitExceeded", "Warning")


def test_an_orchestrator_on_a_live_clock(tmp_path):
    """The same flow against an emulator whose clock runs: --job-duration 2, the log followed as it is written."""
    from live_process import emulator_process

    with emulator_process("--port", "0", "--job-duration", "2", "--log-level", "warning") as (_, url):
        configuration = client.Configuration()
        configuration.host = url
        api_client = client.ApiClient(configuration)
        batch, core = client.BatchV1Api(api_client), client.CoreV1Api(api_client)
        job = new_job("live")
        job.metadata.annotations = {"cloud-job-emulator/logs": "a\nb"}
        batch.create_namespaced_job("default", job)
        pod_watch = watch.Watch()
        for event in pod_watch.stream(core.list_namespaced_pod, "default", label_selector="job-name=live",
                                      timeout_seconds=10):
            if event["object"].status.phase == "Running":
                pod = event["object"]
                break
        pod_watch.stop()
        stream = core.read_namespaced_pod_log(pod.metadata.name, "default", follow=True, timestamps=True,
                                              _preload_content=False)
        lines = b"".join(stream.stream()).decode().splitlines()  # ends when the container terminates
        assert [line.split(" ", 1)[1] for line in lines] == ["a", "b"]
        finished = watched_until_finished(batch, "live")
        assert finished.status.succeeded == 1
        [pod] = core.list_namespaced_pod("default", label_selector="job-name=live").items
        assert pod.status.container_statuses[0].state.terminated.exit_code == 0
        api_client.close()


def test_an_orchestrator_retries_a_failed_pod_against_an_in_process_emulator():
    """The emulator served from this process on a frozen clock: the first pod fails with exit code 3, the
    orchestrator sees it through a pod watch by job-name, follows each pod's log as the clock moves, reads both
    exit codes and watches the Job to Complete after the 10 s back-off."""
    from served_app import served

    with served() as emulator:
        configuration = client.Configuration()
        configuration.host = emulator.url
        api_client = client.ApiClient(configuration)
        batch, core = client.BatchV1Api(api_client), client.CoreV1Api(api_client)
        job = new_job("retried")
        job.metadata.annotations = {"cloud-job-emulator/fail-attempts": "1", "cloud-job-emulator/exit-code": "3",
                                    "cloud-job-emulator/duration-seconds": "4", "cloud-job-emulator/logs": "x\ny"}
        batch.create_namespaced_job("default", job)
        seen: list[tuple[str, str]] = []  # (pod, phase) as the watch delivers them

        def watch_pods() -> None:
            pod_watch = watch.Watch()
            for event in pod_watch.stream(core.list_namespaced_pod, "default", label_selector="job-name=retried",
                                          timeout_seconds=20):
                pod = event["object"]
                if (pod.metadata.name, pod.status.phase) not in seen:
                    seen.append((pod.metadata.name, pod.status.phase))
                if sum(phase in ("Succeeded", "Failed") for _, phase in seen) == 2:
                    pod_watch.stop()

        watcher = threading.Thread(target=watch_pods, daemon=True)
        watcher.start()
        codes, logs = [], []
        for attempt in range(2):
            emulator.advance(0 if attempt == 0 else 10)  # the second pod waits out the back-off
            pods = core.list_namespaced_pod("default", label_selector="job-name=retried").items
            pod = max(pods, key=lambda p: p.metadata.creation_timestamp)
            emulator.advance(1)  # its container starts
            stream = core.read_namespaced_pod_log(pod.metadata.name, "default", follow=True, _preload_content=False)
            chunks: list[bytes] = []
            reader = threading.Thread(target=lambda: chunks.extend(stream.stream()), daemon=True)
            reader.start()
            for _ in range(4):
                emulator.advance(1)
            reader.join(10)
            assert not reader.is_alive(), "the follow stream ends when the container terminates"
            logs.append(b"".join(chunks))
            pod = core.read_namespaced_pod(pod.metadata.name, "default")
            codes.append((pod.status.phase, pod.status.container_statuses[0].state.terminated.exit_code))
        watcher.join(10)
        assert codes == [("Failed", 3), ("Succeeded", 0)] and logs == [b"x\ny\n", b"x\ny\n"]
        assert [phase for _, phase in seen if phase in ("Succeeded", "Failed")] == ["Failed", "Succeeded"]
        assert len({name for name, _ in seen}) == 2
        finished = watched_until_finished(batch, "retried")
        status = finished.status
        assert (status.succeeded, status.failed, status.conditions[-1].type) == (1, 1, "Complete")
        api_client.close()


def test_a_queue_controller_releases_a_gated_pod(core, live_url):
    """A pod created with a scheduling gate waits Pending and unscheduled; the controller adds to its node selector,
    removes the gate with a strategic patch and the pod runs, as a queueing controller (Kueue) does."""
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="queued"), spec=client.V1PodSpec(
        restart_policy="Never", containers=[client.V1Container(name="main", image="busybox:1.36")],
        scheduling_gates=[client.V1PodSchedulingGate(name="example.com/admission")]))
    core.create_namespaced_pod("default", pod)
    advance_clock(live_url, 30)
    waiting = core.read_namespaced_pod("queued", "default")
    [condition] = waiting.status.conditions
    assert (condition.type, condition.status, condition.reason) == ("PodScheduled", "False", "SchedulingGated")
    assert waiting.spec.node_name is None and waiting.status.phase == "Pending"
    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_pod("queued", "default", {"spec": {"schedulingGates": [{"name": "example.com/other"}]}})
    assert refused.value.status == 422
    assert "only deletion is allowed, but found new scheduling gate 'example.com/other'" in refused.value.body
    core.patch_namespaced_pod("queued", "default", {"spec": {"nodeSelector": {"zone": "a"}}})
    released = core.patch_namespaced_pod("queued", "default", {"spec": {"schedulingGates": [
        {"name": "example.com/admission", "$patch": "delete"}]}})
    assert released.spec.scheduling_gates is None and released.spec.node_selector == {"zone": "a"}
    advance_clock(live_url, 0)
    advance_clock(live_url, 1)
    running = core.read_namespaced_pod("queued", "default")
    assert (running.status.phase, running.spec.node_name) == ("Running", "emulator-node")
    assert [c.status for c in running.status.conditions if c.type == "PodScheduled"] == ["True"]


def test_a_namespace_watch_streams_typed_events(core):
    """An informer's view of namespaces: the list's resourceVersion, then the watch from it."""
    start = core.list_namespace().metadata.resource_version
    events: list[tuple[str, str, str]] = []

    def follow() -> None:
        namespace_watch = watch.Watch()
        for event in namespace_watch.stream(core.list_namespace, resource_version=start, timeout_seconds=10):
            events.append((event["type"], event["object"].metadata.name, event["object"].status.phase))
            if event["type"] == "DELETED":
                namespace_watch.stop()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="informed")))
    core.delete_namespace("informed")
    thread.join(timeout=15)
    assert events == [("ADDED", "informed", "Active"), ("MODIFIED", "informed", "Terminating"),
                      ("DELETED", "informed", "Terminating")]


def test_a_controller_reads_and_patches_a_pods_status(core, live_url):
    """read_namespaced_pod_status, and patch_namespaced_pod_status setting a readiness gate's condition."""
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="gated-ready"), spec=client.V1PodSpec(
        restart_policy="Never", containers=[client.V1Container(name="main", image="busybox:1.36")],
        readiness_gates=[client.V1PodReadinessGate(condition_type="example.com/ready")]))
    core.create_namespaced_pod("default", pod)
    advance_clock(live_url, 1.5)
    status = core.read_namespaced_pod_status("gated-ready", "default").status
    assert status.phase == "Running" and "example.com/ready" not in [c.type for c in status.conditions]
    patched = core.patch_namespaced_pod_status("gated-ready", "default", {"status": {"conditions": [
        {"type": "example.com/ready", "status": "True"}]}})
    [gate] = [c for c in patched.status.conditions if c.type == "example.com/ready"]
    assert gate.status == "True" and gate.last_transition_time is None
    assert core.read_namespaced_pod("gated-ready", "default").spec.readiness_gates[0].condition_type == \
        "example.com/ready"


def test_a_job_with_an_init_container_and_a_sidecar_as_the_client_reads_it(batch, core, live_url):
    """What code waiting on a pod sees of its init containers: V1ContainerStatus for each, the one running, then
    the sidecar beside the main container, and the init container's own log."""
    job = new_job("initialized")
    job.spec.template.spec.init_containers = [
        client.V1Container(name="proxy", image="envoyproxy/envoy:v1.31", restart_policy="Always"),
        client.V1Container(name="migrate", image="busybox:1.36", command=["true"])]
    batch.create_namespaced_job("default", job)
    advance_clock(live_url, 1)
    [pod] = core.list_namespaced_pod("default", label_selector="job-name=initialized").items
    proxy, migrate = pod.status.init_container_statuses
    assert pod.status.phase == "Pending" and proxy.state.running and proxy.started and proxy.ready
    assert migrate.state.running and migrate.started and not migrate.ready
    assert pod.status.container_statuses[0].state.waiting.reason == "PodInitializing"
    [token] = pod.spec.volumes  # the service account's, mounted in each container
    assert token.projected.sources[0].service_account_token.expiration_seconds == 3607
    assert {c.volume_mounts[0].name for c in [*pod.spec.init_containers, *pod.spec.containers]} == {token.name}
    initialized = next(c for c in pod.status.conditions if c.type == "Initialized")
    assert (initialized.status, initialized.reason) == ("False", "ContainersNotInitialized")
    advance_clock(live_url, 1)
    assert core.read_namespaced_pod_log(pod.metadata.name, "default", container="migrate") == (
        "container migrate (image busybox:1.36) started\ncontainer migrate completed\n")
    pod = core.read_namespaced_pod(pod.metadata.name, "default")
    assert pod.status.phase == "Running" and pod.status.init_container_statuses[1].state.terminated.exit_code == 0
    advance_clock(live_url, 20)
    pod = core.read_namespaced_pod(pod.metadata.name, "default")
    assert pod.status.phase == "Succeeded"
    assert pod.status.init_container_statuses[0].state.terminated.reason == "Completed"
    assert batch.read_namespaced_job_status("initialized", "default").status.succeeded == 1


def test_resources_read_back_canonical_and_the_pods_qos_class(batch, core, live_url):
    """The client sends V1ResourceRequirements as given; what it reads back is the apiserver's canonical form, on
    the Job and on the Pod its controller makes (requests defaulted from limits: Guaranteed), and a port's
    protocol defaulted."""
    job = new_job("sized")
    job.spec.template.spec.containers[0].resources = client.V1ResourceRequirements(
        limits={"cpu": "1000m", "memory": "0.5Gi"})
    job.spec.template.spec.containers[0].ports = [client.V1ContainerPort(container_port=8080)]
    created = batch.create_namespaced_job("default", job)
    assert created.spec.template.spec.containers[0].resources.limits == {"cpu": "1", "memory": "512Mi"}
    assert created.spec.template.spec.containers[0].ports[0].protocol == "TCP"  # SetDefaults_ContainerPort
    advance_clock(live_url, 1)
    [pod] = core.list_namespaced_pod("default", label_selector="job-name=sized").items
    assert pod.spec.containers[0].resources.requests == {"cpu": "1", "memory": "512Mi"}
    assert pod.status.qos_class == "Guaranteed"
    with pytest.raises(ApiException) as refused:
        job = new_job("misspelt")
        job.spec.template.spec.containers[0].resources = client.V1ResourceRequirements(limits={"memory": "1 Gi"})
        batch.create_namespaced_job("default", job)
    assert refused.value.status == 400 and "quantities must match" in json.loads(refused.value.body)["message"]
