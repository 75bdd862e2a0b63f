"""The Kubernetes service as the runtime sees it: its parts wired together behind the Service hooks."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.credentials import token_projects
from emulator.core.errors import ApiError
from emulator.services.kubernetes import authn, errors, fixtures, openapi, routes, validation, wire
from emulator.services.kubernetes.controller import JobController
from emulator.services.kubernetes.handlers import JobHandlers, NamespaceHandlers
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.registry import Jobs
from emulator.services.kubernetes.watch import WatchHub
from emulator.services.protocol import Core, ServiceDefaults


class KubernetesService(ServiceDefaults):
    name = "kubernetes"
    prefixes = ("/api", "/version", "/openapi")
    can_transition = True

    def __init__(self, core: Core) -> None:
        self.core = core
        self.hub = WatchHub(core.settings.watch_history, core.settings.watch_buffer, core.settings.max_watches)
        self.namespaces = Namespaces(core)
        self.jobs = Jobs(core, self.namespaces, self.hub)
        self.namespaces.on_delete.append(self.jobs.delete_namespace_contents)  # the namespace controller's part
        self.controller = JobController(self.jobs, core.clock, core.store, core.settings.job_duration)
        if core.settings.job_controller:
            self.jobs.listeners.append(self.controller.heard)
        self.tokens = tuple(token_projects(core.settings.tokens))  # any listed token, whatever its project

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before the handler (see `authn`)."""
        authn.authenticate(request, self.tokens)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        routes.add_routes(router, JobHandlers(self.jobs, self.hub), NamespaceHandlers(self.namespaces))

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        body = errors.status_for(error)
        retry = (body.get("details") or {}).get("retryAfterSeconds")  # the apiserver sets the header from it
        return wire.respond(request, body, error.status, {"Retry-After": str(retry)} if retry else None)

    def owns_fixture(self, document: dict[str, Any]) -> bool:
        """Its own documents, and every plain manifest (apiVersion and kind, no `service` key)."""
        named = document.get("service")
        return named == self.name or named is None and "apiVersion" in document and "kind" in document

    def load_fixture(self, document: dict[str, Any]) -> None:
        fixtures.load(document, self.jobs, self.namespaces)

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        return validation.stored_problem(kind, scope, name, obj)

    def reset(self) -> None:
        self.hub.reset()
        self.controller.reset()
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
        self.controller.restored()

    def close(self) -> None:
        self.hub.close()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.items), "namespaces": len(self.namespaces.items), "watches": len(self.hub.watchers)}

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        return openapi.describe(operation, method)
