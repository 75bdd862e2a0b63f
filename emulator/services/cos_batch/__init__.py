"""Tencent COS Batch Operations jobs (being built)."""
from __future__ import annotations

from aiohttp import web

from emulator import jsonio
from emulator.core.errors import ApiError
from emulator.services import Core


class CosBatchService:
    name = "cos_batch"
    prefixes = ("/jobs",)

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
