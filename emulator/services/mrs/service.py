"""The MRS service as the app sees it: its routes, its error envelope, fixtures, reset and counts."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.credentials import token_projects
from emulator.core.errors import ApiError
from emulator.core.ids import Ids
from emulator.services.protocol import Core, ServiceDefaults
from emulator.services.mrs import authn, errors, fixtures, openapi, routes
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.handlers import MrsApi
from emulator.services.mrs.jobs import JobRegistry


class MrsService(ServiceDefaults):
    """Huawei MRS v1.1 job objects and job binaries, per project, on the shared store."""

    name = "mrs"
    prefixes = ("/v1.1/",)

    def __init__(self, core: Core) -> None:
        self.core = core
        self.binaries = BinaryRegistry(core)
        self.jobs = JobRegistry(core, self.binaries)
        self.api = MrsApi(self.jobs, self.binaries)
        seed = core.settings.id_seed
        # Sahara's "Error ID" uuids: a source of their own, so errors never shift the ids of objects.
        self._error_ids = Ids(None if seed is None else seed + 1)
        self.tokens = token_projects(core.settings.tokens)

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before routing (see `authn`)."""
        authn.authenticate(request, self.tokens)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        routes.add_routes(router, self.api)

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        return errors.render(request, error, self._error_ids.uuid4())

    def load_fixture(self, document: dict[str, Any]) -> None:
        fixtures.load(document, self.jobs, self.binaries)

    def reset(self) -> None:
        self._error_ids.reset()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.collection), "job_binaries": len(self.binaries.collection)}

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        return openapi.describe(operation, method)
