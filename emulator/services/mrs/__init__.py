"""Huawei MRS v1.1 job objects (Sahara-compatible) (being built)."""
from __future__ import annotations

from aiohttp import web

from emulator import jsonio
from emulator.core.errors import ApiError
from emulator.services import Core


class MrsService:
    name = "mrs"
    prefixes = ("/v1.1/",)

    def __init__(self, core: Core) -> None:
        self.core = core

    def add_routes(self, router: web.UrlDispatcher) -> None:
        pass

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        return web.Response(body=jsonio.dumps({"message": error.message}), status=error.status)

    def load_fixture(self, document: dict) -> None:
        pass

    def reset(self) -> None:
        pass

    def summary(self) -> dict[str, int]:
        return {}
