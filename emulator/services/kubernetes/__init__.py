"""Kubernetes batch/v1 Jobs as Huawei Cloud CCE and CCI serve them (a 1.31-era kube-apiserver).

Emulated: Jobs (create, read, replace, patch with JSON/merge/strategic merge/apply, delete with
propagation policies and finalizers, list with label/field selectors and paging, watch), the
/status subresource (read, replace, patch), Namespaces (create, read, list, delete), discovery
and the OpenAPI v3 pieces kubectl reads, every error as a metav1.Status. Huawei's flavour:
`metadata.enable` and `selfLink` in responses, `X-Auth-Token` accepted.
Not emulated: Pods (nothing runs), server-side apply's field ownership, protobuf and CBOR,
authentication and RBAC (tokens are accepted, not checked), Table output.
"""
from __future__ import annotations

from aiohttp import web

from emulator.core.errors import ApiError
from emulator.services import Core
from emulator.services.kubernetes import status, wire
from emulator.services.kubernetes.handlers import DiscoveryHandlers, JobHandlers, NamespaceHandlers
from emulator.services.kubernetes.registry import Jobs, Namespaces
from emulator.services.kubernetes.watch import WatchHub

JOBS = "/apis/batch/v1/namespaces/{namespace}/jobs"


class KubernetesService:
    name = "kubernetes"
    prefixes = ("/api", "/version", "/openapi")

    def __init__(self, core: Core) -> None:
        self.core = core
        self.hub = WatchHub(core.settings.watch_history, core.settings.watch_buffer)
        self.namespaces = Namespaces(core)
        self.jobs = Jobs(core, self.namespaces, self.hub)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        jobs = JobHandlers(self.jobs, self.hub)
        namespaces = NamespaceHandlers(self.namespaces, self.jobs)
        discovery = DiscoveryHandlers
        routes = [
            ("GET", JOBS + "/{name}/status", jobs.read_namespaced_job_status),
            ("PUT", JOBS + "/{name}/status", jobs.replace_namespaced_job_status),
            ("PATCH", JOBS + "/{name}/status", jobs.patch_namespaced_job_status),
            ("GET", JOBS + "/{name}", jobs.read_namespaced_job),
            ("PUT", JOBS + "/{name}", jobs.replace_namespaced_job),
            ("PATCH", JOBS + "/{name}", jobs.patch_namespaced_job),
            ("DELETE", JOBS + "/{name}", jobs.delete_namespaced_job),
            ("GET", JOBS, jobs.list_namespaced_job),
            ("POST", JOBS, jobs.create_namespaced_job),
            ("GET", "/apis/batch/v1/jobs", jobs.list_job_for_all_namespaces),
            ("GET", "/api/v1/namespaces", namespaces.list_namespace),
            ("POST", "/api/v1/namespaces", namespaces.create_namespace),
            ("GET", "/api/v1/namespaces/{name}", namespaces.read_namespace),
            ("DELETE", "/api/v1/namespaces/{name}", namespaces.delete_namespace),
            ("GET", "/version", discovery.get_code_version),
            ("GET", "/api", discovery.get_core_api_versions),
            ("GET", "/api/v1", discovery.get_core_v1_resources),
            ("GET", "/apis", discovery.get_api_versions),
            ("GET", "/apis/batch", discovery.get_batch_api_group),
            ("GET", "/apis/batch/v1", discovery.get_batch_v1_resources),
            ("GET", "/openapi/v3", discovery.get_openapi_v3_root),
            ("GET", "/openapi/v3/apis/batch/v1", discovery.get_openapi_v3_batch_v1),
            ("GET", "/openapi/v3/api/v1", discovery.get_openapi_v3_core_v1),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, handler)

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        return wire.respond(request, status.status_for(error), error.status)

    def load_fixture(self, document: dict) -> None:
        """A Job or Namespace manifest (or a v1 List of them), stored as given."""
        kind = document.get("kind")
        if kind == "List":
            for item in document.get("items") or []:
                self.load_fixture(item)
        elif kind == "Namespace":
            self.namespaces.load_fixture(document)
        elif kind == "Job":
            self.jobs.load_fixture(document)
        else:
            raise ValueError(f"kind {kind!r} is not served: fixtures hold Job, Namespace or List manifests")

    def reset(self) -> None:
        self.hub.reset()
        self.namespaces.create_system()

    def close(self) -> None:
        self.hub.close()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.items), "namespaces": len(self.namespaces.items)}
