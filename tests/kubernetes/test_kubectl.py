"""Real kubectls (the test extra's 1.37 and an older 1.30, see conftest) against a live emulator."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import pytest

JOB_MANIFEST = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: hello
  labels: {app: hello}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: hello
        image: busybox:1.36
        command: ["echo", "hello"]
"""


def test_kubectl_gets_the_seeded_jobs(kubectl):
    assert "pi" in kubectl("get", "job", "pi", "-n", "namespace-test").stdout
    job = json.loads(kubectl("get", "job", "pi", "-n", "namespace-test", "-o", "json").stdout)
    assert job["metadata"]["uid"] == "8c923079-b0a8-11e8-8bcb-f898ef6c78b4"
    listed = kubectl("get", "jobs", "--all-namespaces", "-o", "name").stdout.split()
    assert listed == ["job.batch/pi", "job.batch/jobs-12130306"]


def test_kubectl_create_patch_status_and_delete(kubectl):
    assert kubectl("create", "-f", "-", stdin=JOB_MANIFEST).stdout.strip() == "job.batch/hello created"
    created = json.loads(kubectl("get", "job", "hello", "-o", "json").stdout)
    assert created["spec"]["backoffLimit"] == 2 and created["metadata"]["generation"] == 1

    patch = '{"status":{"active":1,"startTime":"2026-01-01T00:00:00Z"}}'
    out = kubectl("patch", "job", "hello", "--subresource=status", "--type=merge", "-p", patch).stdout
    assert out.strip() == "job.batch/hello patched"
    again = kubectl("patch", "job", "hello", "--subresource=status", "--type=merge", "-p", patch).stdout
    assert again.strip() == "job.batch/hello patched (no change)"
    json_patch = '[{"op":"replace","path":"/status/active","value":3}]'
    kubectl("patch", "job", "hello", "--subresource=status", "--type=json", "-p", json_patch)
    assert kubectl("get", "job", "hello", "-o", "jsonpath={.status.active}").stdout == "3"

    assert kubectl("delete", "job", "hello").stdout.startswith('job.batch "hello" deleted')
    missing = kubectl("get", "job", "hello", check=False)
    assert missing.returncode != 0
    assert 'jobs.batch "hello" not found' in missing.stderr


def test_kubectl_create_refuses_an_unknown_field(kubectl):
    bad = JOB_MANIFEST.replace("backoffLimit: 2", "backoffLimit: 2\n  bogus: 1")
    result = kubectl("create", "-f", "-", stdin=bad, check=False)
    assert result.returncode != 0
    assert 'unknown field "spec.bogus"' in result.stderr
    assert kubectl("get", "job", "hello", check=False).returncode != 0


def columns(output: str) -> list[list[str]]:
    """kubectl's human table, split into cells on runs of two or more spaces."""
    import re
    return [re.split(r"\s{2,}", line.strip()) for line in output.strip().splitlines()]


def test_kubectl_get_jobs_prints_the_server_columns(kubectl):
    table = columns(kubectl("get", "jobs", "-n", "namespace-test").stdout)
    assert table == [["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["pi", "Running", "0/1", "7y119d", "7y119d"]]


def test_kubectl_get_jobs_wide_adds_containers_images_and_selector(kubectl):
    table = columns(kubectl("get", "jobs", "-A", "-o", "wide").stdout)
    assert table[0] == ["NAMESPACE", "NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES",
                        "SELECTOR"]
    assert table[1] == ["namespace-test", "pi", "Running", "0/1", "7y119d", "7y119d", "pi", "perl",
                        "controller-uid=8c923079-b0a8-11e8-8bcb-f898ef6c78b4"]
    assert [row[1] for row in table[1:]] == ["pi", "jobs-12130306"]


def test_kubectl_get_namespaces_and_labels_come_from_the_table(kubectl):
    table = columns(kubectl("get", "namespaces").stdout)
    assert table[0] == ["NAME", "STATUS", "AGE"] and ["default", "Active", "0s"] in table
    labelled = columns(kubectl("get", "job", "pi", "-n", "namespace-test", "--show-labels").stdout)
    assert labelled[0][-1] == "LABELS" and "job-name=pi" in labelled[1][-1]


def test_kubectl_get_jobs_watch_prints_rows_as_jobs_change(kubectl):
    kubectl("create", "-f", "-", stdin=JOB_MANIFEST)
    watcher = subprocess.Popen([kubectl.binary, "get", "jobs", "-w", "--request-timeout=30s"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=kubectl.env)
    try:
        assert watcher.stdout.readline().split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
        assert watcher.stdout.readline().split()[:3] == ["hello", "Running", "0/1"]
        kubectl("delete", "job", "hello")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the deletion shows as Terminating, then the watch goes on
            line = watcher.stdout.readline()
            if line.split()[:2] == ["hello", "Terminating"]:
                break
        else:
            raise AssertionError("the watch did not show the deletion")
    finally:
        watcher.kill()
        watcher.wait(timeout=10)


def test_kubectl_delete_all_jobs(kubectl):
    kubectl("create", "-f", "-", stdin=JOB_MANIFEST)
    out = kubectl("delete", "jobs", "--all").stdout
    assert 'job.batch "hello" deleted' in out
    assert kubectl("get", "jobs", "-o", "name").stdout == ""


def test_kubectl_explain_walks_the_published_schemas(kubectl):
    out = kubectl("explain", "job.spec.template.spec.containers").stdout
    assert "KIND:       Job" in out and "FIELD: containers <[]Container>" in out
    assert "  env\t<[]EnvVar>" in out and "  name\t<string> -required-" in out
    missing = kubectl("explain", "job.spec.nothing", check=False)
    assert missing.returncode != 0 and 'field "nothing" does not exist' in missing.stderr
    pod = kubectl("explain", "pod.spec.containers").stdout
    assert "KIND:       Pod" in pod and "FIELD: containers <[]Container>" in pod and "  image\t<string>" in pod
    conditions = kubectl("explain", "pod.status.conditions").stdout
    assert "FIELD: conditions <[]PodCondition>" in conditions and "  type\t<string> -required-" in conditions
    core = kubectl("explain", "event.involvedObject").stdout
    assert "KIND:       Event" in core and "FIELD: involvedObject <ObjectReference>" in core
    v1 = kubectl("explain", "events.regarding", "--api-version=events.k8s.io/v1").stdout
    assert "GROUP:      events.k8s.io" in v1 and "FIELD: regarding <ObjectReference>" in v1
    namespace = kubectl("explain", "namespace.spec").stdout
    assert "FIELD: spec <NamespaceSpec>" in namespace and "  finalizers\t<[]string>" in namespace


def test_kubectl_apply_twice_and_a_change_without_any_warning(kubectl):
    labelled = JOB_MANIFEST.replace("labels: {app: hello}", "labels: {app: hello, tier: a}")
    first = kubectl("apply", "-f", "-", stdin=labelled)
    assert first.stdout.strip() == "job.batch/hello created" and first.stderr == ""
    second = kubectl("apply", "-f", "-", stdin=labelled)
    assert second.stdout.strip() == "job.batch/hello unchanged" and second.stderr == ""
    changed = kubectl("apply", "-f", "-", stdin=labelled.replace("tier: a", "tier: b"))
    assert changed.stdout.strip() == "job.batch/hello configured" and changed.stderr == ""
    labels = json.loads(kubectl("get", "job", "hello", "-o", "jsonpath={.metadata.labels}").stdout)
    assert labels["tier"] == "b" and labels["app"] == "hello"


def test_kubectl_create_job_and_namespace_from_flags(kubectl):
    """kubectl from 1.32 sends these typed-client bodies as protobuf; 1.30 as JSON: both store the same job."""
    assert kubectl("create", "namespace", "made").stdout.strip() == "namespace/made created"
    out = kubectl("create", "job", "x", "--image=busybox", "-n", "made", "--", "echo", "hi").stdout
    assert out.strip() == "job.batch/x created"
    job = json.loads(kubectl("get", "job", "x", "-n", "made", "-o", "json").stdout)
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "x" and container["image"] == "busybox" and container["command"] == ["echo", "hi"]
    assert container["resources"] == {} and job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["metadata"]["namespace"] == "made"
    missing = kubectl("create", "job", "y", "--image=busybox", "-n", "nowhere", check=False)
    assert missing.returncode != 0 and 'namespaces "nowhere" not found' in missing.stderr


def test_kubectl_server_side_apply_create_update_conflict_and_force(kubectl):
    created = kubectl("apply", "--server-side", "-f", "-", stdin=JOB_MANIFEST)
    assert created.stdout.strip() == "job.batch/hello serverside-applied"
    relabelled = JOB_MANIFEST.replace("labels: {app: hello}", "labels: {app: hello, tier: a}")
    kubectl("apply", "--server-side", "-f", "-", stdin=relabelled)
    job = json.loads(kubectl("get", "job", "hello", "-o", "json", "--show-managed-fields").stdout)
    assert job["metadata"]["labels"]["tier"] == "a"
    [entry] = [e for e in job["metadata"]["managedFields"] if e["operation"] == "Apply"]
    assert entry["manager"] == "kubectl" and entry["fieldsV1"]["f:metadata"]["f:labels"] == {"f:app": {}, "f:tier": {}}
    kubectl("label", "job", "hello", "tier=b", "--overwrite")  # an Update by kubectl-label takes the field
    conflict = kubectl("apply", "--server-side", "-f", "-", stdin=relabelled, check=False)
    assert conflict.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl-label" using batch/v1: .metadata.labels.tier' \
        in conflict.stderr
    forced = kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", stdin=relabelled)
    assert forced.stdout.strip() == "job.batch/hello serverside-applied"
    assert kubectl("get", "job", "hello", "-o", "jsonpath={.metadata.labels.tier}").stdout == "a"


def test_kubectl_create_from_a_json_manifest(kubectl):
    import yaml
    manifest = json.dumps(yaml.safe_load(JOB_MANIFEST))
    assert kubectl("create", "-f", "-", stdin=manifest).stdout.strip() == "job.batch/hello created"
    assert json.loads(kubectl("get", "job", "hello", "-o", "json").stdout)["spec"]["backoffLimit"] == 2


RUN_MANIFEST = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: runner
  annotations:
    cloud-job-emulator/duration-seconds: "2"
    cloud-job-emulator/logs: "hello from runner\\nall done"
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
"""


def advance(live_url: str, seconds: float) -> None:
    request = urllib.request.Request(f"{live_url}/_emulator/clock", method="POST",
                                     data=json.dumps({"advance_seconds": seconds}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_kubectl_runs_a_job_gets_its_pods_logs_and_events(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=RUN_MANIFEST)
    advance(live_url, 1)
    pods = kubectl("get", "pods", "-l", "job-name=runner", "-o", "json").stdout
    [pod] = json.loads(pods)["items"]
    assert pod["status"]["phase"] == "Running"
    assert pod["metadata"]["name"] in kubectl("get", "pods", "-l", "job-name=runner").stdout
    advance(live_url, 5)
    assert kubectl("logs", "job/runner").stdout == "hello from runner\nall done\n"
    assert kubectl("logs", "-f", "job/runner").stdout == "hello from runner\nall done\n"
    assert kubectl("wait", "--for=condition=complete", "job/runner", "--timeout=10s").returncode == 0
    described = kubectl("describe", "job", "runner").stdout
    assert "Pods Statuses:" in described and "1 Succeeded" in described
    assert f"Created pod: {pod['metadata']['name']}" in described and "SuccessfulCreate" in described
    assert "Completed" in described and "Job completed" in described
    events = json.loads(kubectl("get", "events", "--field-selector", f"involvedObject.name={pod['metadata']['name']}",
                                "-o", "json").stdout)["items"]
    assert [e["reason"] for e in events] == ["Scheduled", "Pulled", "Created", "Started"]
    kubectl("delete", "job", "runner")  # kubectl sends propagationPolicy=Background: the pod goes with it
    advance(live_url, 1)
    assert kubectl("get", "pods", "-l", "job-name=runner", "-o", "name").stdout == ""


def test_kubectl_wait_for_failed_on_a_job_that_retries_then_fails(kubectl, live_url):
    failing = RUN_MANIFEST.replace("name: runner", "name: retrier").replace(
        "annotations:", "annotations:\n    cloud-job-emulator/outcome: Failed")
    kubectl("create", "-f", "-", stdin=failing)
    advance(live_url, 4)  # the first pod failed at 3 s; back-off 10 s
    assert kubectl("wait", "--for=condition=failed", "job/retrier", "--timeout=1s", check=False).returncode != 0
    advance(live_url, 30)  # the second pod ran 14-16 s: 2 failures > backoffLimit 1
    assert kubectl("wait", "--for=condition=failed", "job/retrier", "--timeout=10s").returncode == 0
    assert len(json.loads(kubectl("get", "pods", "-l", "job-name=retrier", "-o", "json").stdout)["items"]) == 2
    assert "BackoffLimitExceeded" in kubectl("describe", "job", "retrier").stdout


def test_kubectl_label_on_a_running_job_then_wait(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=RUN_MANIFEST)
    advance(live_url, 0.5)
    kubectl("label", "job", "runner", "x=y")
    advance(live_url, 60)
    assert kubectl("wait", "--for=condition=complete", "job/runner", "--timeout=10s").returncode == 0


def _table_rows(out: str) -> tuple[list[str], list[list[str]]]:
    """kubectl's printed table: the header's column names, each row's cells (split on 2+ spaces)."""
    import re
    lines = [line for line in out.splitlines() if line.strip()]
    return re.split(r"\s{2,}", lines[0].strip()), [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]


def test_kubectl_get_pods_and_events_prints_the_server_columns_then_deletes_every_pod(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=RUN_MANIFEST.replace('"2"', '"60"'))
    advance(live_url, 1.5)
    header, rows = _table_rows(kubectl("get", "pods").stdout)
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    [[name, ready, status, restarts, age]] = rows
    assert name.startswith("runner-") and (ready, status, restarts, age) == ("1/1", "Running", "0", "1s")
    header, rows = _table_rows(kubectl("get", "pods", "-o", "wide").stdout)
    assert header[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert rows[0][7:] == ["<none>", "<none>"] and rows[0][6] == "emulator-node"
    header, rows = _table_rows(kubectl("get", "events", "--field-selector", f"involvedObject.name={name}").stdout)
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert [row[2] for row in rows] == ["Scheduled", "Pulled", "Created", "Started"]
    assert {row[3] for row in rows} == {f"pod/{name}"}
    header, _ = _table_rows(kubectl("get", "events.v1.events.k8s.io", "-o", "wide").stdout)
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT",
                      "NAME"]
    deleted = kubectl("delete", "pods", "--all", "--wait=false")
    assert deleted.stdout.strip().startswith(f'pod "{name}" deleted')  # 1.37 adds "from default namespace"
    advance(live_url, 1)
    _, rows = _table_rows(kubectl("get", "pods").stdout or "NAME\n")
    assert name not in [row[0] for row in rows]


def test_kubectl_labels_annotates_and_patches_a_running_pod(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=RUN_MANIFEST.replace('"2"', '"60"'))
    advance(live_url, 1.5)
    name = kubectl("get", "pods", "-l", "job-name=runner", "-o", "jsonpath={.items[0].metadata.name}").stdout
    assert kubectl("label", "pod", name, "tier=gold").stdout.strip() == f"pod/{name} labeled"
    assert kubectl("annotate", "pod", name, "note=seen").stdout.strip() == f"pod/{name} annotated"
    assert kubectl("get", "pods", "-l", "tier=gold", "-o", "name").stdout.strip() == f"pod/{name}"
    image = '{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}'
    assert kubectl("patch", "pod", name, "-p", image).stdout.strip() == f"pod/{name} patched"
    pod = json.loads(kubectl("get", "pod", name, "-o", "json").stdout)
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.37" and pod["status"]["phase"] == "Running"
    assert pod["metadata"]["annotations"] == {"note": "seen"}
    refused = kubectl("patch", "pod", name, "-p", '{"spec":{"restartPolicy":"Always"}}', check=False)
    assert refused.returncode != 0
    assert f'The Pod "{name}" is invalid: spec: Forbidden: pod updates may not change fields' in refused.stderr
    assert kubectl("label", "pod", name, "tier-").stdout.strip() == f"pod/{name} unlabeled"
    assert kubectl("get", "pods", "-l", "tier=gold", "-o", "name").stdout == ""
    described = kubectl("describe", "pod", name).stdout
    for line in ("Controlled By:  Job/runner", "Status:           Running", "Image:          busybox:1.37",
                 "note: seen", "QoS Class:                   BestEffort",  # aligned with the token volume's keys
                 "/var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-", "TokenExpirationSeconds:  3607",
                 "ConfigMapName:           kube-root-ca.crt"):
        assert line in described, line
    assert [reason for reason in ("Scheduled", "Pulled", "Created", "Started") if reason in described.split(
        "Events:")[1]] == ["Scheduled", "Pulled", "Created", "Started"]


LIVE_MANIFEST = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: live
  annotations:
    cloud-job-emulator/logs: "one\\ntwo\\nthree"
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
"""


@pytest.mark.slow  # a real clock: each run takes the job's 4 s
def test_kubectl_on_a_live_clock_labels_a_running_job_follows_its_log_and_waits(kubectl_at):
    """No clock steering: the emulator's clock runs, each container 3 s (--job-duration 3)."""
    from live_process import emulator_process
    from waiting import wait_until

    with emulator_process("--port", "0", "--job-duration", "3", "--log-level", "warning") as (_, url):
        kubectl = kubectl_at(url)
        kubectl("create", "-f", "-", stdin=LIVE_MANIFEST)
        assert kubectl("label", "job", "live", "x=y").stdout.strip() == "job.batch/live labeled"
        phase = ("get", "pods", "-l", "job-name=live", "-o", "jsonpath={.items[0].status.phase}")
        wait_until(lambda: kubectl(*phase, check=False).stdout in ("Running", "Succeeded"), "its container started")
        assert kubectl("logs", "-f", "job/live").stdout == "one\ntwo\nthree\n"  # ends when the container does
        assert kubectl("wait", "--for=condition=complete", "job/live", "--timeout=30s").returncode == 0
        job = json.loads(kubectl("get", "job", "live", "-o", "json").stdout)
        assert job["metadata"]["labels"]["x"] == "y" and job["status"]["succeeded"] == 1
        described = kubectl("describe", "job", "live").stdout
        assert "SuccessfulCreate" in described and "Completed" in described


SOLO_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels: {app: solo}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.36
"""


NAMESPACE_MANIFEST = """\
apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels: {env: dev}
"""


def test_kubectl_applies_a_namespace_server_side_and_client_side(kubectl):
    created = kubectl("apply", "--server-side", "-f", "-", stdin=NAMESPACE_MANIFEST)
    assert created.stdout.strip() == "namespace/team serverside-applied" and created.stderr == ""
    kubectl("label", "namespace", "team", "env=prod", "--overwrite")  # kubectl-label takes the field over
    conflict = kubectl("apply", "--server-side", "-f", "-", stdin=NAMESPACE_MANIFEST, check=False)
    assert conflict.returncode != 0
    assert 'conflict with "kubectl-label" using v1: .metadata.labels.env' in conflict.stderr
    kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", stdin=NAMESPACE_MANIFEST)
    namespace = json.loads(kubectl("get", "namespace", "team", "-o", "json", "--show-managed-fields").stdout)
    assert namespace["metadata"]["labels"] == {"env": "dev", "kubernetes.io/metadata.name": "team"}
    [entry] = [e for e in namespace["metadata"]["managedFields"] if e["operation"] == "Apply"]
    assert entry["manager"] == "kubectl" and entry["fieldsV1"] == {"f:metadata": {"f:labels": {"f:env": {}}}}
    other = NAMESPACE_MANIFEST.replace("team", "plain")
    first = kubectl("apply", "-f", "-", stdin=other)  # client-side: a create, then patches, never a warning
    assert first.stdout.strip() == "namespace/plain created" and first.stderr == ""
    second = kubectl("apply", "-f", "-", stdin=other)
    assert second.stdout.strip() == "namespace/plain unchanged" and second.stderr == ""
    changed = kubectl("apply", "-f", "-", stdin=other.replace("env: dev", "env: qa"))
    assert changed.stdout.strip() == "namespace/plain configured" and changed.stderr == ""
    assert kubectl("get", "namespace", "plain", "-o", "jsonpath={.metadata.labels.env}").stdout == "qa"


def test_kubectl_hands_client_side_apply_over_to_server_side_apply_and_back(kubectl):
    """The documented migration: a client-side `apply`, then `apply --server-side` takes over the fields of
    kubectl-client-side-apply without conflicts (kubectl rewrites managedFields first), then a client-side apply
    again works from the last-applied annotation that server-side apply kept."""
    labelled = JOB_MANIFEST.replace("labels: {app: hello}", "labels: {app: hello, tier: a}")
    kubectl("apply", "-f", "-", stdin=labelled)
    before = json.loads(kubectl("get", "job", "hello", "-o", "json", "--show-managed-fields").stdout)
    assert [e["manager"] for e in before["metadata"]["managedFields"]] == ["kubectl-client-side-apply"]
    upgraded = kubectl("apply", "--server-side", "-f", "-", stdin=labelled.replace("tier: a", "tier: b"))
    assert upgraded.stdout.strip() == "job.batch/hello serverside-applied" and upgraded.stderr == ""
    job = json.loads(kubectl("get", "job", "hello", "-o", "json", "--show-managed-fields").stdout)
    managers = {(e["manager"], e["operation"]) for e in job["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers and ("kubectl-client-side-apply", "Update") not in managers
    assert job["metadata"]["labels"]["tier"] == "b"
    last = json.loads(job["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["metadata"]["labels"]["tier"] == "b"
    downgraded = kubectl("apply", "-f", "-", stdin=labelled.replace("tier: a", "tier: c"))
    assert downgraded.stdout.strip() == "job.batch/hello configured" and downgraded.stderr == ""
    assert kubectl("get", "job", "hello", "-o", "jsonpath={.metadata.labels.tier}").stdout == "c"


def test_kubectl_get_pods_watch_prints_each_phase_as_a_row(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=RUN_MANIFEST)
    advance(live_url, 0)  # the controller makes the pod
    watcher = subprocess.Popen([kubectl.binary, "get", "pods", "-w", "-l", "job-name=runner", "--request-timeout=30s"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kubectl.env)
    try:
        assert watcher.stdout.readline().split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        first = watcher.stdout.readline().split()
        assert first[0].startswith("runner-") and first[1:4] == ["0/1", "ContainerCreating", "0"]
        advance(live_url, 1.5)  # bound, then its container started
        advance(live_url, 5)  # it ran its 2 s and succeeded
        statuses = []
        while "Completed" not in statuses:  # each change is a row; the watch ends at --request-timeout at worst
            row = watcher.stdout.readline().split()
            assert row, f"the watch ended after {statuses}"
            assert row[0] == first[0]
            statuses.append(row[2])
        assert "Running" in statuses and statuses[-1] == "Completed"
    finally:
        watcher.kill()
        watcher.wait(timeout=10)


POD_MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: main
    image: busybox:1.36
"""


def test_kubectl_apply_creates_a_bare_pod_then_changes_its_image_and_is_refused_the_rest(kubectl):
    # --validate=false: kubectl's client-side schema check reads the Pod schema from /openapi/v3/api/v1
    apply = ("apply", "--validate=false", "-f", "-")
    assert kubectl(*apply, stdin=SOLO_POD).stdout.strip() == "pod/solo created"
    assert kubectl(*apply, stdin=SOLO_POD).stdout.strip() == "pod/solo unchanged"
    newer = SOLO_POD.replace("busybox:1.36", "busybox:1.37")
    assert kubectl(*apply, stdin=newer).stdout.strip() == "pod/solo configured"
    assert kubectl("get", "pod", "solo", "-o", "jsonpath={.spec.containers[0].image}").stdout == "busybox:1.37"
    refused = kubectl(*apply, stdin=newer.replace("restartPolicy: Never", "restartPolicy: Always"), check=False)
    assert refused.returncode != 0
    assert 'The Pod "solo" is invalid: spec: Forbidden: pod updates may not change fields other than' in refused.stderr


def test_kubectl_applies_sets_the_image_of_and_labels_a_pod(kubectl):
    created = kubectl("apply", "--server-side", "-f", "-", stdin=POD_MANIFEST)
    assert created.stdout.strip() == "pod/web serverside-applied" and created.stderr == ""
    assert kubectl("set", "image", "pod/web", "main=busybox:1.37").stdout.strip() == "pod/web image updated"
    conflict = kubectl("apply", "--server-side", "-f", "-", stdin=POD_MANIFEST, check=False)
    assert conflict.returncode != 0
    assert 'conflict with "kubectl-set" using v1: .spec.containers[name="main"].image' in conflict.stderr
    kubectl("label", "pod", "web", "tier=a")
    pod = json.loads(kubectl("get", "pod", "web", "-o", "json", "--show-managed-fields").stdout)
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.37" and pod["metadata"]["labels"]["tier"] == "a"
    managers = {(e["manager"], e["operation"]) for e in pod["metadata"]["managedFields"]}
    assert {("kubectl", "Apply"), ("kubectl-set", "Update"), ("kubectl-label", "Update")} <= managers
    ported = POD_MANIFEST.replace("image: busybox:1.36", "image: busybox:1.37\n    ports: [{containerPort: 80}]")
    refused = kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", stdin=ported, check=False)
    assert refused.returncode != 0 and "pod updates may not change fields other than" in refused.stderr
    first = kubectl("apply", "-f", "-", stdin=POD_MANIFEST.replace("web", "plain"))  # client-side, twice
    assert first.stdout.strip() == "pod/plain created" and first.stderr == ""
    second = kubectl("apply", "-f", "-", stdin=POD_MANIFEST.replace("web", "plain"))
    assert second.stdout.strip() == "pod/plain unchanged" and second.stderr == ""


def test_kubectl_replace_of_a_pod_changes_its_image(kubectl):
    """The stored pod with a new image replaces it; the bare manifest does not, as on a cluster (its spec lacks
    what the server added: service account, tolerations, priority)."""
    kubectl("create", "-f", "-", stdin=POD_MANIFEST)
    stored = kubectl("get", "pod", "web", "-o", "json").stdout
    assert kubectl("replace", "-f", "-", stdin=stored.replace("busybox:1.36", "busybox:1.37")).stdout.strip() == \
        "pod/web replaced"
    assert kubectl("get", "pod", "web", "-o", "jsonpath={.spec.containers[0].image}").stdout == "busybox:1.37"
    refused = kubectl("replace", "-f", "-", stdin=POD_MANIFEST.replace("busybox:1.36", "busybox:1.38"), check=False)
    assert refused.returncode != 0 and "pod updates may not change fields other than" in refused.stderr


GATED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: gated
spec:
  schedulingGates:
  - name: example.com/quota
  containers:
  - name: main
    image: busybox:1.36
"""


def test_kubectl_shows_a_gated_pod_then_releases_it_with_a_json_patch(kubectl, live_url):
    assert kubectl("apply", "-f", "-", stdin=GATED_POD).stdout.strip() == "pod/gated created"
    advance(live_url, 10)
    _, [row] = _table_rows(kubectl("get", "pod", "gated").stdout)
    assert row[:4] == ["gated", "0/1", "SchedulingGated", "0"]
    message = kubectl("get", "pod", "gated", "-o",
                      "jsonpath={.status.conditions[?(@.type=='PodScheduled')].message}").stdout
    assert message == "Scheduling is blocked due to non-empty scheduling gates"
    added = kubectl("patch", "pod", "gated", "--type=json", "-p",
                    '[{"op":"add","path":"/spec/schedulingGates/-","value":{"name":"example.com/more"}}]', check=False)
    assert added.returncode != 0
    assert ('The Pod "gated" is invalid: spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found '
            "new scheduling gate 'example.com/more'") in added.stderr
    released = kubectl("patch", "pod", "gated", "--type=json", "-p", '[{"op":"remove","path":"/spec/schedulingGates"}]')
    assert released.stdout.strip() == "pod/gated patched"
    advance(live_url, 1.5)
    _, [row] = _table_rows(kubectl("get", "pod", "gated", "-o", "wide").stdout)
    assert row[:3] == ["gated", "1/1", "Running"] and row[6] == "emulator-node"


def test_kubectl_get_namespaces_watch_and_delete_by_field(kubectl):
    watcher = subprocess.Popen([kubectl.binary, "get", "namespaces", "-w", "--request-timeout=30s"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kubectl.env)
    try:
        assert watcher.stdout.readline().split() == ["NAME", "STATUS", "AGE"]
        assert watcher.stdout.readline().split()[:2] == ["default", "Active"]
        kubectl("create", "namespace", "brief")
        assert kubectl("get", "namespaces", "--field-selector", "metadata.name=brief", "-o", "name").stdout == \
            "namespace/brief\n"
        kubectl("delete", "namespace", "brief")  # waits for the namespace to be gone
        deadline = time.monotonic() + 30
        seen = []
        while time.monotonic() < deadline and ["brief", "Terminating"] not in seen:
            seen.append(watcher.stdout.readline().split()[:2])
        assert seen[-1] == ["brief", "Terminating"] and ["brief", "Active"] in seen
    finally:
        watcher.kill()
        watcher.wait(timeout=10)


def test_kubectl_patches_a_pods_status_subresource(kubectl, live_url):
    assert kubectl("apply", "-f", "-", stdin=GATED_POD.replace("gated", "plain").replace(
        "  schedulingGates:\n  - name: example.com/quota\n", "")).stdout.strip() == "pod/plain created"
    advance(live_url, 1.5)
    patch = '{"status":{"conditions":[{"type":"example.com/checked","status":"True"}]}}'
    out = kubectl("patch", "pod", "plain", "--subresource=status", "--type=strategic", "-p", patch).stdout
    assert out.strip() == "pod/plain patched"
    found = kubectl("get", "pod", "plain", "--subresource=status", "-o",
                    "jsonpath={.status.conditions[?(@.type=='example.com/checked')].status}").stdout
    assert found == "True"


INIT_MANIFEST = RUN_MANIFEST.replace("name: runner", "name: prepared").replace("""      containers:
""", """      initContainers:
      - name: proxy
        image: busybox:1.36
        restartPolicy: Always
      - name: fetch
        image: busybox:1.36
      containers:
""")


def test_kubectl_shows_init_containers_then_the_sidecar_beside_main(kubectl, live_url):
    kubectl("create", "-f", "-", stdin=INIT_MANIFEST)
    advance(live_url, 1)
    pod = kubectl("get", "pods", "-l", "job-name=prepared", "-o", "name").stdout.strip().removeprefix("pod/")
    _, [row] = _table_rows(kubectl("get", "pod", pod).stdout)
    assert row[:4] == [pod, "1/2", "Init:1/2", "0"]  # the sidecar started and is ready; fetch runs
    waiting = kubectl("logs", pod, "-c", "main", check=False)
    assert waiting.returncode != 0
    assert f'container "main" in pod "{pod}" is waiting to start: PodInitializing' in waiting.stderr
    advance(live_url, 1)
    assert kubectl("logs", pod, "-c", "fetch").stdout == (
        "container fetch (image busybox:1.36) started\ncontainer fetch completed\n")
    _, [row] = _table_rows(kubectl("get", "pod", pod).stdout)
    assert row[:4] == [pod, "2/2", "Running", "0"]
    described = kubectl("describe", "pod", pod).stdout
    assert "Init Containers:" in described and "Reason:       Completed" in described
    advance(live_url, 3)
    _, [row] = _table_rows(kubectl("get", "pod", pod).stdout)
    assert row[:4] == [pod, "0/2", "Completed", "0"]
    assert kubectl("wait", "--for=condition=complete", "job/prepared", "--timeout=10s").returncode == 0


def test_kubectl_sees_resources_in_canonical_form_and_the_apiservers_quantity_error(kubectl, live_url):
    """A manifest's `cpu: 0.5` and `memory: 1024Mi` come back as `500m` and `1Gi` (what `kubectl get -o yaml` and
    a diff against the cluster show); a Pod made from the Job has them, and `describe` its QoS class; a
    misspelt unit is the apiserver's decode error."""
    sized = RUN_MANIFEST.replace("image: busybox:1.36", "image: busybox:1.36\n        resources:\n"
                                 "          limits: {cpu: 0.5, memory: 1024Mi}")
    kubectl("create", "-f", "-", stdin=sized)
    resources = kubectl("get", "job", "runner", "-o", "jsonpath={.spec.template.spec.containers[0].resources}")
    assert json.loads(resources.stdout) == {"limits": {"cpu": "500m", "memory": "1Gi"}}
    advance(live_url, 1)
    pod = json.loads(kubectl("get", "pods", "-l", "job-name=runner", "-o", "json").stdout)["items"][0]
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    described = kubectl("describe", "pod", pod["metadata"]["name"]).stdout
    assert "QoS Class:                   Guaranteed" in described and "cpu:     500m" in described
    bad = RUN_MANIFEST.replace("name: runner", "name: misspelt").replace(
        "image: busybox:1.36", "image: busybox:1.36\n        resources: {limits: {memory: 1gb}}")
    result = kubectl("create", "-f", "-", stdin=bad, check=False)
    assert result.returncode != 0 and "quantities must match the regular expression" in result.stderr
    assert kubectl("get", "job", "misspelt", check=False).returncode != 0


def test_kubectl_shows_a_failing_init_container_as_init_error_and_its_log(kubectl, live_url):
    """A Job whose init container is scripted to exit 2: `kubectl get pods` prints Init:Error for its pod, and
    `kubectl logs -c` the init container's last line."""
    failing = RUN_MANIFEST.replace("name: runner", "name: migrator").replace("backoffLimit: 1", "backoffLimit: 0") \
        .replace("    cloud-job-emulator/duration-seconds", "    cloud-job-emulator/exit-code.schema: \"2\"\n"
                 "    cloud-job-emulator/duration-seconds").replace(
        "      containers:", "      initContainers:\n      - name: schema\n        image: busybox:1.36\n      containers:")
    kubectl("create", "-f", "-", stdin=failing)
    advance(live_url, 2)
    header, rows = _table_rows(kubectl("get", "pods", "-l", "job-name=migrator").stdout)
    assert [row[header.index("STATUS")] for row in rows] == ["Init:Error"]
    log = kubectl("logs", rows[0][0], "-c", "schema").stdout
    assert log.splitlines()[-1] == "container schema exiting with code 2"


def test_kubectl_set_image_on_a_running_pod_restarts_its_container(kubectl, live_url):
    """`kubectl set image` on a running pod: the kubelet restarts the container with the new image (RESTARTS 1,
    `describe` shows the Killing event and the last state)."""
    kubectl("create", "-f", "-", stdin=POD_MANIFEST)
    advance(live_url, 2)
    assert kubectl("set", "image", "pod/web", "main=busybox:1.37").stdout.strip() == "pod/web image updated"
    advance(live_url, 1)
    header, [row] = _table_rows(kubectl("get", "pod", "web").stdout)
    assert (row[header.index("STATUS")], row[header.index("RESTARTS")].split()[0]) == ("Running", "1")
    described = kubectl("describe", "pod", "web").stdout
    assert "Container main definition changed, will be restarted" in described
    assert "Last State:     Terminated" in described and "Exit Code:    143" in described
    image = kubectl("get", "pod", "web", "-o", "jsonpath={.status.containerStatuses[0].image}").stdout
    assert image == "docker.io/library/busybox:1.37"


def test_kubectl_describe_prints_a_probe_with_the_apiservers_defaults(kubectl):
    """A probe sent with only its handler: `kubectl describe` prints the timeout, period and thresholds the
    apiserver defaulted (it prints nothing for zero values)."""
    probed = POD_MANIFEST.replace("image: busybox:1.36", "image: busybox:1.36\n    readinessProbe:\n"
                                  "      httpGet: {port: 8080}\n    ports: [{containerPort: 8080}]")
    kubectl("create", "-f", "-", stdin=probed)
    described = kubectl("describe", "pod", "web").stdout
    import re  # kubectl 1.30 prints #success=1 #failure=3, later ones successThreshold=1 failureThreshold=3
    assert re.search(r"Readiness:\s+http-get http://:8080/ delay=0s timeout=1s period=10s "
                     r"(#success|successThreshold)=1 (#failure|failureThreshold)=3\n", described), described
    assert re.search(r"Port:\s+8080/TCP\n", described)
