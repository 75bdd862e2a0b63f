"""Optional strict authentication: which services check credentials, and the middleware that asks them."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.core.errors import ApiError
from emulator.settings import Settings

if TYPE_CHECKING:
    from emulator.app import Emulator

SERVICES = ("kubernetes", "mrs", "cos_batch")
ADMIN_HEADER = "X-Emulator-Admin-Token"
OPEN_ADMIN_PATHS = frozenset({"/_emulator/health"})  # the container's HEALTHCHECK calls it without a token
SECRET_SUFFIX = "_secrets"  # store collections named so are kept in the state file but never shown

log = logging.getLogger("emulator.auth")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_mode(text: str) -> frozenset[str]:
    """`strict` (every service), a comma-separated list of service names, or `off`/empty; ValueError otherwise."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if names in ([], ["off"]):
        return frozenset()
    if names == ["strict"]:
        return frozenset(SERVICES)
    unknown = [name for name in names if name not in SERVICES]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} is not strict, off or a service ({', '.join(SERVICES)})")
    return frozenset(names)


def strict_services(settings: Settings) -> frozenset[str]:
    """The services that refuse requests without valid credentials (`--cos-require-signature` is `cos_batch`)."""
    return settings.auth | ({"cos_batch"} if settings.cos_require_signature else set())


def token_projects(tokens: Iterable[str]) -> dict[str, str | None]:
    """`TOKEN` or `TOKEN@PROJECT_ID` entries as token -> the project it is bound to (None: any project)."""
    table: dict[str, str | None] = {}
    for entry in tokens:
        token, at, project = entry.rpartition("@")
        if at and token and project:
            table[token] = project
        else:
            table[entry] = None
    return table


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so a wrong token takes as long to refuse as a nearly right one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def shown(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A store snapshot without the collections that hold secrets, for `/_emulator/state`."""
    collections = {kind: entries for kind, entries in snapshot["collections"].items()
                   if not kind.endswith(SECRET_SUFFIX)}
    return {**snapshot, "collections": collections}


def middleware(emulator: Emulator) -> Callable | None:
    """The middleware that checks credentials, or None when nothing needs checking (the default).

    Service paths of a strict service go to that service's `authenticate(request)`; the admin API
    wants the admin token, when one is set, in `X-Emulator-Admin-Token` (health stays open).
    """
    settings = emulator.settings
    strict = strict_services(settings)
    admin_token = settings.admin_token
    if not strict and admin_token is None:
        return None
    log.info("strict authentication for %s; admin token %s", ", ".join(sorted(strict)) or "no service",
             "required" if admin_token is not None else "not required")

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path.startswith("/_emulator/"):
            if admin_token is not None and path not in OPEN_ADMIN_PATHS \
                    and not same_secret(request.headers.get(ADMIN_HEADER), admin_token):
                raise ApiError(401, "Unauthorized", f"the admin API wants the admin token in {ADMIN_HEADER}")
        elif strict:
            service = emulator.service_for(path)
            if service is not None and service.name in strict:
                service.authenticate(request)  # type: ignore[attr-defined]
        return await handler(request)

    return authenticate
