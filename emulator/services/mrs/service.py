"""The MRS service as the app sees it: its routes, its error envelope, fixtures, reset and counts."""
from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiohttp import web

from emulator.core.credentials import token_projects
from emulator.core.errors import ApiError
from emulator.core.ids import Ids
from emulator.services.protocol import Core, ServiceDefaults
from emulator.services.mrs import authn, edp, errors, fixtures, openapi, routes, stored, validation
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.clusters import ClusterRegistry
from emulator.services.mrs.datasources import DataSourceRegistry
from emulator.services.mrs.edp import EdpRegistry
from emulator.services.mrs.executions import ExecutionRegistry
from emulator.services.mrs.handlers import MrsApi
from emulator.services.mrs.handlers_edp import EdpApi
from emulator.services.mrs.handlers_native import MrsNativeApi
from emulator.services.mrs.jobs import JobRegistry


class MrsService(ServiceDefaults):
    """Huawei MRS v1.1 job objects and job binaries, clusters and v2 job executions, per project, on the shared store."""

    name = "mrs"
    prefixes = ("/v1.1/", "/v2/")
    can_transition = True
    transition_schema = openapi.TRANSITION
    request_id_header = "X-Request-Id"  # native answers carry a 32-hex id (as the gateway's); others get the layer's

    def __init__(self, core: Core) -> None:
        self.core = core
        self.binaries = BinaryRegistry(core)
        self.jobs = JobRegistry(core, self.binaries)
        self.clusters = ClusterRegistry(core)
        self.sources = DataSourceRegistry(core)
        duration = core.settings.mrs_job_duration
        self.edp = EdpRegistry(core, self.jobs, self.sources, self.clusters, duration)
        self.api = MrsApi(self.jobs, self.binaries, self.edp.uses_job, self.edp.pending_uses_binary)
        self.edp_api = EdpApi(self.edp, self.sources)
        self.executions = ExecutionRegistry(core, self.clusters, duration)
        seed = core.settings.id_seed
        # Sahara's "Error ID" uuids and the native answers' request ids: sources of their own, so neither shifts
        # the ids of objects (nor the one the other)
        self._error_ids = Ids(None if seed is None else seed + 1)
        self._request_ids = Ids(None if seed is None else seed + 2)
        self.native = MrsNativeApi(self.executions, self.clusters, self.edp, self._request_ids)
        self.tokens = token_projects(core.settings.tokens)
        self.keys = {access_key: (secret_key, project) for access_key, secret_key, project in core.settings.huawei_keys}
        self.native_routes: frozenset[str] = frozenset()  # route names of MRS's own APIs (see add_routes)

    def authenticate(self, request: web.Request) -> Awaitable[None]:
        """Strict authentication, before routing (see `authn`): a token, or an AK/SK signature on the emulator's clock."""
        return authn.authenticate(request, self.tokens, self.keys, self.core.clock.now())

    def add_routes(self, router: web.UrlDispatcher) -> None:
        self.native_routes = routes.add_routes(router, self.api, self.edp_api, self.native)

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        route = request.match_info.route.name  # an operation answers in its own envelope; a routing miss by its path
        native = route in self.native_routes if route else errors.is_native_path(request.path)
        if native or error.details.get("gateway"):
            return errors.render_native(request, error, self._error_ids.uuid4().replace("-", ""))
        return errors.render(request, error, self._error_ids.uuid4())

    def load_fixture(self, document: dict[str, Any]) -> None:
        fixtures.load(document, self.jobs, self.binaries, self.clusters, self.core.fixtures)

    def reset(self) -> None:
        self._error_ids.reset()
        self._request_ids.reset()
        self.executions.reset()
        self.edp.reset()

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        return stored.problem(kind, scope, name, obj)

    def restored(self) -> None:
        for line in stored.dangling(self.core.store):
            raise ValueError(line)  # the state file's restore words it in its one line
        self.executions.restored()
        self.edp.restored()

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Admin: move one execution now through its own steps: a v2 job (see executions.path_to) or a
        Sahara / submit-job execution (see edp.EdpRegistry.transition), whichever has the id."""
        project, job_id, target = (request.get(key) for key in ("project_id", "job_execution_id", "status"))
        if not all(isinstance(value, str) and value for value in (project, job_id, target)):
            raise ApiError(400, "BadRequest", 'give "project_id", "job_execution_id" and "status"')
        if self.edp.collection.get(project, job_id) is not None:  # type: ignore[arg-type]
            targets: tuple[str, ...] = ("RUNNING",) + edp.TERMINAL
            if target not in targets:
                raise ApiError(400, "BadRequest", f'"status" of a Sahara execution must be one of {", ".join(targets)}')
            moved = self.edp.transition(project, job_id, target)  # type: ignore[arg-type]
            return {"service": self.name, "id": moved["id"], "status": moved["status"]}
        targets = validation.V2_STATES + ("SUCCEEDED",)
        if target not in targets:
            raise ApiError(400, "BadRequest", f'"status" of a v2 job execution must be one of {", ".join(targets)}')
        job = self.executions.transition(project, job_id, target)  # type: ignore[arg-type]
        return {"service": self.name, "id": job["job_id"], "status": job["job_state"], "result": job["job_result"]}

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.collection), "job_binaries": len(self.binaries.collection),
                "clusters": len(self.clusters.collection), "data_sources": len(self.sources.collection),
                "job_executions": len(self.executions.collection) + len(self.edp.collection)}

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        return openapi.describe(operation, method)
