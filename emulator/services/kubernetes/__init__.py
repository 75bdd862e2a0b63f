"""Kubernetes batch/v1 Jobs as Huawei Cloud CCE and CCI serve them (a 1.31-era kube-apiserver).

Emulated: Jobs (create, read, replace, patch with JSON/merge/strategic merge/apply, delete with
propagation policies and finalizers, list with label/field selectors and paging, watch), the
/status subresource (read, replace, patch), Namespaces (create, read, list, delete), discovery
and the OpenAPI v3 pieces kubectl reads, every error as a metav1.Status. Huawei's flavour:
`metadata.enable` and `selfLink` in responses, `X-Auth-Token` accepted; under strict authentication
a listed token is required (`authn`).
A simulated job controller runs API-created jobs on the emulator's clock (see `controller`).
Not emulated: Pods (nothing runs), server-side apply's field ownership, protobuf and CBOR,
RBAC, Table output.
"""
from __future__ import annotations

from aiohttp import web

from emulator.auth import token_projects
from emulator.core.errors import ApiError
from emulator.services import Core
from emulator.services.kubernetes import authn, status, wire
from emulator.services.kubernetes.controller import JobController
from emulator.services.kubernetes import discovery
from emulator.services.kubernetes.handlers import JobHandlers, NamespaceHandlers, get_core_api_versions, serve_document
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.registry import Jobs
from emulator.services.kubernetes.watch import WatchHub

JOBS = "/apis/batch/v1/namespaces/{namespace}/jobs"


class KubernetesService:
    name = "kubernetes"
    prefixes = ("/api", "/version", "/openapi")

    def __init__(self, core: Core) -> None:
        self.core = core
        self.hub = WatchHub(core.settings.watch_history, core.settings.watch_buffer, core.settings.max_watches)
        self.namespaces = Namespaces(core)
        self.jobs = Jobs(core, self.namespaces, self.hub)
        self.controller = JobController(self.jobs, core.clock, core.store, core.settings.job_duration)
        if core.settings.job_controller:
            self.jobs.controller = self.controller
        self.tokens = tuple(token_projects(core.settings.tokens))  # any listed token, whatever its project

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before routing (see `authn`)."""
        authn.authenticate(request, self.tokens)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        jobs = JobHandlers(self.jobs, self.hub)
        namespaces = NamespaceHandlers(self.namespaces, self.jobs)
        routes = [
            ("GET", JOBS + "/{name}/status", jobs.read_namespaced_job_status, "readBatchV1NamespacedJobStatus"),
            ("PUT", JOBS + "/{name}/status", jobs.replace_namespaced_job_status, "replaceBatchV1NamespacedJobStatus"),
            ("PATCH", JOBS + "/{name}/status", jobs.patch_namespaced_job_status, "patchBatchV1NamespacedJobStatus"),
            ("GET", JOBS + "/{name}", jobs.read_namespaced_job, "readBatchV1NamespacedJob"),
            ("PUT", JOBS + "/{name}", jobs.replace_namespaced_job, "replaceBatchV1NamespacedJob"),
            ("PATCH", JOBS + "/{name}", jobs.patch_namespaced_job, "patchBatchV1NamespacedJob"),
            ("DELETE", JOBS + "/{name}", jobs.delete_namespaced_job, "deleteBatchV1NamespacedJob"),
            ("GET", JOBS, jobs.list_namespaced_job, "listBatchV1NamespacedJob"),
            ("POST", JOBS, jobs.create_namespaced_job, "createBatchV1NamespacedJob"),
            ("GET", "/apis/batch/v1/jobs", jobs.list_job_for_all_namespaces, "listBatchV1JobForAllNamespaces"),
            ("GET", "/api/v1/namespaces", namespaces.list_namespace, "listCoreV1Namespace"),
            ("POST", "/api/v1/namespaces", namespaces.create_namespace, "createCoreV1Namespace"),
            ("GET", "/api/v1/namespaces/{name}", namespaces.read_namespace, "readCoreV1Namespace"),
            ("DELETE", "/api/v1/namespaces/{name}", namespaces.delete_namespace, "deleteCoreV1Namespace"),
            ("GET", "/version", serve_document(discovery.VERSION), "getCodeVersion"),
            ("GET", "/api", get_core_api_versions, "getCoreAPIVersions"),
            ("GET", "/api/v1", serve_document(discovery.CORE_V1_RESOURCES), "getCoreV1APIResources"),
            ("GET", "/apis", serve_document(discovery.API_GROUP_LIST), "getAPIVersions"),
            ("GET", "/apis/batch", serve_document(discovery.API_GROUP), "getBatchAPIGroup"),
            ("GET", "/apis/batch/v1", serve_document(discovery.BATCH_V1_RESOURCES), "getBatchV1APIResources"),
            ("GET", "/openapi/v3", serve_document(discovery.OPENAPI_ROOT), "getOpenAPIV3"),
            ("GET", "/openapi/v3/apis/batch/v1", serve_document(discovery.OPENAPI_BATCH_V1), "getOpenAPIV3BatchV1"),
            ("GET", "/openapi/v3/api/v1", serve_document(discovery.OPENAPI_CORE_V1), "getOpenAPIV3CoreV1"),
        ]
        for method, path, handler, operation in routes:  # named after the OpenAPI operationId
            router.add_route(method, path, handler, name=f"{self.name}.{operation}")

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        body = status.status_for(error)
        retry = (body.get("details") or {}).get("retryAfterSeconds")  # the apiserver sets the header from it
        return wire.respond(request, body, error.status, {"Retry-After": str(retry)} if retry else None)

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
        self.controller.reset()
        self.namespaces.create_system()

    def transition(self, request: dict) -> dict:
        """Admin: finish one job now, as Complete or Failed, through the same status rules."""
        namespace, name, outcome = request.get("namespace"), request.get("name"), request.get("status")
        if not isinstance(namespace, str) or not isinstance(name, str) or outcome not in ("Complete", "Failed"):
            raise ApiError(400, "BadRequest", 'give "namespace", "name" and "status": "Complete" or "Failed"')
        job = self.controller.finish_now(namespace, name, outcome)
        return {"service": self.name, "id": f"{namespace}/{name}", "status": outcome,
                "resourceVersion": job["metadata"]["resourceVersion"]}

    def restored(self) -> None:
        """After a restart from a state file: the controller picks up where it stopped."""
        self.controller.restored()

    def close(self) -> None:
        self.hub.close()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.items), "namespaces": len(self.namespaces.items), "watches": len(self.hub.watchers)}
