"""The emulated services, and the contract each one fulfils for the app that hosts it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from emulator.core.clock import Clock
from emulator.core.errors import ApiError
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.settings import Settings


@dataclass(frozen=True)
class Core:
    """What every service of one emulator shares."""

    store: Store
    clock: Clock
    ids: Ids
    settings: Settings


class Service(Protocol):
    """One emulated cloud API."""

    name: str  # "kubernetes", "mrs", "cos_batch": the name the admin API and fixtures use
    prefixes: tuple[str, ...]  # path prefixes it owns, so unrouted requests get its envelope

    def add_routes(self, router: web.UrlDispatcher) -> None: ...

    def render_error(self, request: web.Request, error: ApiError) -> web.StreamResponse: ...

    def load_fixture(self, document: dict[str, Any]) -> None:
        """Store one fixture document through the create path; raise ApiError or ValueError if bad."""

    def reset(self) -> None:
        """Forget everything besides what the store holds (watchers, timers, caches)."""

    def summary(self) -> dict[str, int]:
        """Object counts for the health endpoint."""

    # Optional: `close()` ends open streams (watches) when the server stops.


def create_services(core: Core) -> list[Service]:
    from emulator.services.cos_batch import CosBatchService
    from emulator.services.kubernetes import KubernetesService
    from emulator.services.mrs import MrsService

    return [KubernetesService(core), MrsService(core), CosBatchService(core)]
