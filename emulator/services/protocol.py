"""The contract between the runtime and each emulated service: the shared core and every hook a service offers."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from collections.abc import Awaitable
from typing import Any, Protocol

from aiohttp import web

from emulator.core.clock import Clock
from emulator.core.errors import ApiError
from emulator.core.fixture_memo import FixtureMemo
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
    fixtures: FixtureMemo = field(default_factory=FixtureMemo)  # values worked out from reset's documents


class Service(Protocol):
    """One emulated cloud API, as the runtime, the HTTP layer and the admin API see it."""

    name: str  # "kubernetes", "mrs", "cos_batch": the name the admin API, fixtures and route names use
    prefixes: tuple[str, ...]  # path prefixes it owns, so unrouted requests get its envelope
    request_id_header: str | None  # the header it numbers its own answers with; None: the layer's X-Request-Id
    can_transition: bool  # whether `transition` moves its jobs (the admin API lists those that can)
    transition_schema: dict[str, Any] | None  # the request `transition` takes, as a strict OpenAPI schema
    # Routes some requests by their Host header before any path routing (COS buckets): (match values, route) or None.
    # None must depend on the Host alone: the router does not ask again for a Host it answered None for.
    route_by_host: Callable[[web.Request], tuple[dict[str, str], web.AbstractRoute] | None] | None

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Its routes, each named `<service>.<operation>` after the real API's operation."""

    def render_error(self, request: web.Request, error: ApiError) -> web.StreamResponse:
        """The error in the service's own envelope."""

    def authenticate(self, request: web.Request) -> Awaitable[None] | None:
        """Under strict authentication, before the handler: raise ApiError unless the credentials are valid
        (a coroutine when the check reads the body, which the handler can read again)."""

    def owns_fixture(self, document: dict[str, Any]) -> bool:
        """Whether a fixture document is this service's (by default: its `service` key names it)."""

    def load_fixture(self, document: dict[str, Any]) -> None:
        """Store one fixture document through the create path; raise ApiError or ValueError if bad."""

    def reset(self) -> None:
        """Forget everything besides what the store holds (watchers, timers, caches)."""

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        """What makes one object of a state file unusable for this service (None: fine, or not its kind)."""

    def restored(self) -> None:
        """The store was just restored from a state file: schedule again what its jobs were waiting for."""

    def rolled_back(self) -> None:
        """The store was just rolled back to a checkpoint (a fixture batch refused): what the service keeps beside
        it (indexes, counts) follows the store again."""

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Admin: move one job to a status now, through the service's own status rules."""

    def close(self) -> None:
        """End open streams (watches) so the server can stop at once."""

    def summary(self) -> dict[str, int]:
        """Object counts for the health endpoint."""

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        """The OpenAPI `parameters`, `responses` and (if it reads one) `requestBody` of one of its operations."""


class ServiceDefaults:
    """The hooks a service may leave as they are: no own request ids, no transitions, nothing to resume or close."""

    name = ""
    request_id_header: str | None = None
    can_transition = False
    transition_schema: dict[str, Any] | None = None  # the admin transition request it takes, for the OpenAPI document
    route_by_host: Callable[[web.Request], tuple[dict[str, str], web.AbstractRoute] | None] | None = None

    def owns_fixture(self, document: dict[str, Any]) -> bool:
        return document.get("service") == self.name

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        raise ApiError(400, "BadRequest", f"{self.name} has no job transitions")

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        return None

    def restored(self) -> None:
        return None

    def rolled_back(self) -> None:
        return None

    def close(self) -> None:
        return None
