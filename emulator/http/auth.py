"""Optional strict authentication: the layer that asks a strict service to check a request's credentials."""
from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from emulator.core.credentials import same_secret
from emulator.core.errors import ApiError
from emulator.runtime.emulator import Emulator
from emulator.services.protocol import Service

ADMIN_HEADER = "X-Emulator-Admin-Token"
OPEN_ADMIN_PATHS = frozenset({"/_emulator/health",  # the container's HEALTHCHECK calls it without a token
                              "/_emulator/ui"})  # the dashboard's page, which asks for the token itself
OPEN_ADMIN_PREFIX = "/_emulator/ui/"  # the page's script, style and vendored library: no data in them

log = logging.getLogger("emulator.auth")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def middleware(emulator: Emulator) -> Callable | None:
    """The check that runs inside the emulator's layer, or None when nothing needs checking (the default).

    A request on a strict service's paths goes to that service's `authenticate(request)`: the service whose route
    took it (a COS key or bucket may begin like another service's path; COS's object routes, off its paths, check
    their own signatures), or for a routing miss the one whose path it is; the admin API wants the admin token,
    when one is set, in `X-Emulator-Admin-Token` (health stays open).
    """
    settings = emulator.settings
    strict = settings.strict
    admin_token = settings.admin_token
    if not strict and admin_token is None:
        return None
    log.info("strict authentication for %s; admin token %s", ", ".join(sorted(strict)) or "no service",
             "required" if admin_token is not None else "not required")

    async def authenticate(request: web.Request, handler: Handler,
                           service: Service | None = None) -> web.StreamResponse:
        path = request.path
        if path.startswith("/_emulator/"):
            if admin_token is not None and path not in OPEN_ADMIN_PATHS and not path.startswith(OPEN_ADMIN_PREFIX) \
                    and not same_secret(request.headers.get(ADMIN_HEADER), admin_token):
                raise ApiError(401, "Unauthorized", f"the admin API wants the admin token in {ADMIN_HEADER}")
        elif strict:
            service = service or emulator.service_for(path)
            if service is not None and service.name in strict and path.startswith(service.prefixes):
                checked = service.authenticate(request)
                if inspect.isawaitable(checked):  # a check that reads the body (a signed payload hash)
                    await checked
        return await handler(request)

    return authenticate
