"""The Kubernetes service as the runtime sees it: its parts wired together behind the Service hooks."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.credentials import token_projects
from emulator.core.errors import ApiError
from emulator.services.kubernetes import authn, errors, fixtures, openapi, routes, stored, validation, wire
from emulator.services.kubernetes.collector import GarbageCollector, TtlController
from emulator.services.kubernetes.controller import JobController
from emulator.services.kubernetes.events import Events
from emulator.services.kubernetes.handlers import EventHandlers, JobHandlers, NamespaceHandlers, PodHandlers
from emulator.services.kubernetes.kubelet import Kubelet
from emulator.services.kubernetes.pods import Pods
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.openapi_schemas import Documents
from emulator.services.kubernetes.registry import Jobs
from emulator.services.kubernetes.tables import Tables
from emulator.services.kubernetes.version import KubeVersion
from emulator.services.kubernetes.watch import WatchHub
from emulator.services.protocol import Core, ServiceDefaults


MAX_EVENTS = 10000  # Events stored at most; past it the oldest goes (each also expires 1 h after its last write)


class KubernetesService(ServiceDefaults):
    name = "kubernetes"
    prefixes = ("/api", "/version", "/openapi")
    can_transition = True
    transition_schema = openapi.TRANSITION

    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings
        self.hubs = [WatchHub(settings.watch_history, settings.watch_buffer, settings.max_watches) for _ in range(4)]
        for hub in self.hubs:  # one limit on open watches over the four resources
            hub.peers = self.hubs
        self.hub, pod_hub, event_hub, namespace_hub = self.hubs
        self.namespaces = Namespaces(core, namespace_hub)
        self.jobs = Jobs(core, self.namespaces, self.hub)
        self.pods = Pods(core, pod_hub)
        self.events = Events(core, event_hub, MAX_EVENTS)
        for registry in (self.jobs, self.pods, self.events):  # the namespace controller's part
            self.namespaces.on_delete.append(registry.delete_namespace_contents)
        self.version = KubeVersion.parse(settings.kubernetes_version)
        self.kubelet = Kubelet(self.pods, self.events, core.clock, core.store, self.version.minor,
                              settings.job_duration)  # (#15: bare Pods run for the default too)
        self.controller = JobController(self.jobs, self.pods, self.kubelet, self.events, core.clock, core.store,
                                        settings.job_duration)
        self.collector = GarbageCollector(self.jobs, self.pods)
        self.ttl = TtlController(self.jobs, core.clock)
        self.jobs.listeners.append(self.ttl.heard)
        self.controller.on_finished.append(self.ttl.check)
        if settings.job_controller:
            self.jobs.listeners.append(self.controller.heard)
            self.pods.listeners.append(self.controller.heard_pod)
        self.tokens = tuple(token_projects(core.settings.tokens))  # any listed token, whatever its project

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before the handler (see `authn`)."""
        authn.authenticate(request, self.tokens)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        tables = Tables(self.version, self.core.clock.now)
        routes.add_routes(router, JobHandlers(self.jobs, self.hub, tables), NamespaceHandlers(self.namespaces, tables),
                          PodHandlers(self.pods, self.kubelet, self.namespaces, tables), EventHandlers(self.events, tables),
                          self.version.document(), Documents.for_version(self.version.git_version), self.core.clock.now)

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        body = errors.status_for(error)
        retry = (body.get("details") or {}).get("retryAfterSeconds")  # the apiserver sets the header from it
        try:
            target = wire.negotiate(request)
        except ApiError:  # nothing acceptable: the apiserver then writes its error as JSON
            target = None
        return wire.respond(request, body, error.status, {"Retry-After": str(retry)} if retry else None, target)

    def owns_fixture(self, document: dict[str, Any]) -> bool:
        """Its own documents, and every plain manifest (apiVersion and kind, no `service` key)."""
        named = document.get("service")
        return named == self.name or named is None and "apiVersion" in document and "kind" in document

    def load_fixture(self, document: dict[str, Any]) -> None:
        fixtures.load(document, self.jobs, self.namespaces, self.pods, self.events)

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        return validation.stored_problem(kind, scope, name, obj) or stored.problem(kind, scope, name, obj)

    def reset(self) -> None:
        for hub in self.hubs:
            hub.reset()
        for part in (self.pods, self.events, self.kubelet, self.controller, self.collector, self.ttl):
            part.reset()
        self.namespaces.create_system()

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Admin: finish one job now, as Complete or Failed, through the same status rules."""
        namespace, name, outcome = request.get("namespace"), request.get("name"), request.get("status")
        if not isinstance(namespace, str) or not isinstance(name, str) or outcome not in ("Complete", "Failed"):
            raise ApiError(400, "BadRequest", 'give "namespace", "name" and "status": "Complete" or "Failed"')
        job = self.controller.finish_now(namespace, name, outcome)
        return {"service": self.name, "id": f"{namespace}/{name}", "status": outcome,
                "resourceVersion": job["metadata"]["resourceVersion"]}

    def restored(self) -> None:
        """After a restart from a state file: the controller picks up where it stopped."""
        self.pods.reindex()
        self.events.restored()
        self.kubelet.restored()
        self.controller.restored()
        self.collector.restored()
        self.ttl.restored()

    def rolled_back(self) -> None:
        self.pods.reindex()
        self.events.reindex()
        for hub in self.hubs:
            hub.withdraw(self.core.store.revision)

    def close(self) -> None:
        for hub in self.hubs:
            hub.close()
        self.kubelet.reset()  # log followers end

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.items), "pods": len(self.pods.items), "events": len(self.events.items),
                "namespaces": len(self.namespaces.items),
                "watches": sum(len(h.watchers) for h in self.hubs)}

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        return openapi.describe(operation, method)
