"""The app factory: one emulator's services and admin API as an aiohttp application, every route in the layer."""
from __future__ import annotations

from aiohttp import web

from emulator.core.errors import RouteNotFound
from emulator.core.fixture_memo import FixtureMemo

from emulator.admin.routes import create_admin_app
from emulator.http import auth, router
from emulator.http.access_log import AccessLog
from emulator.http.layer import handling, no_route, wrap_routes
from emulator.runtime.emulator import EMULATOR, Emulator, clock_ticker, close_streams, state_keeper
from emulator.settings import Settings


async def root(request: web.Request) -> web.StreamResponse:
    """`GET /`: a browser goes to the dashboard; any other client gets the 404 it always got."""
    if "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPFound("/_emulator/ui")
    raise RouteNotFound(request.path)


def service_routes(app: web.Application) -> list[tuple[str, str, str]]:
    """(service, operation, path template) of each named service route: the operations the OpenAPI document lists."""
    found = []
    for route in app.router.routes():
        name = route.name or (route.resource.name if route.resource else None)
        service, dot, operation = (name or "").partition(".")
        if dot and route.method not in ("HEAD", "*") and route.resource is not None:
            found.append((service, operation, route.resource.canonical))
    return found


def create_app(settings: Settings | None = None, access_log: AccessLog | None = None,
               fixture_memo: FixtureMemo | None = None) -> web.Application:
    """A complete emulator as an aiohttp application; raises FixtureError or StateFileError for bad input.

    With `access_log`, each request gets its line there (serve it with aiohttp's own access log off).
    With `fixture_memo`, what the services work out from fixture documents is shared with the other apps given
    the same memo (the pytest plugin's factory gives one per session).
    """
    settings = settings or Settings()
    emulator = Emulator(settings, fixture_memo)
    checking = auth.middleware(emulator)  # None unless --auth or --admin-token: no cost by default
    app = router.application(client_max_size=settings.max_body_bytes)
    app[EMULATOR] = emulator
    admin = create_admin_app()
    wrap_routes(admin, handling(emulator, checking, access_log, admin=True))
    app.router.add_route("*", "/_emulator", no_route)  # the bare prefix, which the sub-app would answer unwrapped
    app.add_subapp("/_emulator/", admin)
    app.router.add_get("/", root)
    for service in emulator.services.values():
        service.add_routes(app.router)
        if service.route_by_host is not None:
            app.router.host_routes.append(service.route_by_host)  # type: ignore[attr-defined]
    emulator.faults.know(service_routes(app))
    wrap_routes(app, handling(emulator, checking, access_log))
    app.cleanup_ctx.append(clock_ticker)
    app.cleanup_ctx.append(state_keeper)
    app.on_shutdown.append(close_streams)
    return app
