"""The root application: core objects, the services' routes, the admin sub-app and error rendering."""
from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

from aiohttp import web

from emulator import auth, fixtures, limits, router, state
from emulator.access_log import AccessLog
from emulator.admin.faults import Faults
from emulator.admin.journal import Journal
from emulator.core.clock import Clock
from emulator.core.errors import ApiError, BodyTooLarge, MethodNotAllowed, RouteNotFound
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.services import Core, Service, create_services
from emulator.settings import Settings

log = logging.getLogger("emulator")


class Emulator:
    """One emulator's state: core objects, services, and the fixture documents reset goes back to."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core = Core(Store(), Clock(settings.clock_start, settings.clock_frozen), Ids(settings.id_seed), settings)
        self.services: dict[str, Service] = {s.name: s for s in create_services(self.core)}
        self.journal = Journal(settings.journal_size)
        self.faults = Faults()
        folder = settings.fixtures_dir
        self.fixture_documents = fixtures.read_folder(folder) if folder else []
        saved = None
        if settings.state_file:
            saved = state.read(settings.state_file)
            state.check_writable(settings.state_file)
        self.reset(load_fixtures=saved is None)
        if saved is not None:
            state.restore(self, saved, settings.state_file)
        self.source = (f"state file {settings.state_file}" if saved is not None
                       else f"fixtures {folder}" if folder else "no fixtures")

    def reset(self, load_fixtures: bool = True, clock: datetime | None = None, frozen: bool | None = None) -> None:
        """Everything back to how the process started: fixtures, clock, ids, revisions, journal, faults.

        `clock` and `frozen` place the clock first, so the fixtures load at that time.
        """
        self.journal.clear()
        self.faults.clear()
        self.core.store.reset()
        self.core.clock.reset(clock, frozen)
        self.core.ids.reset()
        for service in self.services.values():
            service.reset()
        if load_fixtures:
            fixtures.apply(self.fixture_documents, self.services)

    def close(self) -> None:
        """End what keeps connections open (watch streams), so the server can stop at once."""
        for service in self.services.values():
            close = getattr(service, "close", None)
            if close is not None:
                close()

    def service_for(self, path: str) -> Service | None:
        for service in self.services.values():
            if path.startswith(service.prefixes):
                return service
        return None


EMULATOR = web.AppKey("emulator", Emulator)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _routing_error(emulator: Emulator, request: web.Request, error: web.HTTPException) -> ApiError | None:
    if isinstance(error, web.HTTPMethodNotAllowed):
        return MethodNotAllowed(request.method, request.path)
    if isinstance(error, web.HTTPNotFound):
        return RouteNotFound(request.path)
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return BodyTooLarge(emulator.settings.max_body_bytes)
    return None


async def _no_route(request: web.Request) -> web.StreamResponse:
    """The last route of an application, taking every path: 405 where another route of it takes the path
    with other methods, else 404 (what aiohttp's router answers, here inside the emulator's layers)."""
    for resource in request.app.router.resources():
        match, allowed = await resource.resolve(request)
        if match is None and allowed:
            raise MethodNotAllowed(request.method, request.path)
    raise RouteNotFound(request.path)


Wrap = Callable[[str | None, Handler], Handler]


def _wrap_routes(app: web.Application, wrap: Wrap) -> None:
    """Each route's handler inside the emulator's layers: `wrap(route name, handler)`, composed once here.

    aiohttp would compose middlewares for each request and add a layer of its own per application;
    this way a request passes only the emulator's layer, which knows its route before any request
    comes. The application gets a last route taking every path, so routing misses pass it too.
    Call it before the application is frozen or added as a sub-application (whose routes its parent
    leaves alone).
    """
    app.router.add_route("*", "/{path:.*}", _no_route)
    for resource in app.router.resources():
        if isinstance(resource, web.PrefixedSubAppResource):
            continue
        for route in resource:
            route._handler = wrap(route.name, route.handler)  # type: ignore[attr-defined]  # where aiohttp keeps it


def render_error(service: Service | None, request: web.Request, failure: ApiError) -> web.StreamResponse:
    """The error in the envelope of the service that owns the path (plain JSON for the admin API)."""
    if service is None:
        return web.json_response({"code": failure.status, "error": failure.code, "message": failure.message},
                                 status=failure.status)
    return service.render_error(request, failure)


OWN_REQUEST_ID = {"cos_batch": "x-cos-request-id"}  # the services that number their own answers; else X-Request-Id


def handling(emulator: Emulator, checking: Callable | None = None, access_log: AccessLog | None = None,
             admin: bool = False) -> Wrap:
    """The emulator's layer around each route: answer the calls a fault rule picks, refuse over-long header
    lines, render every ApiError, routing miss and unexpected failure in the owning service's envelope,
    journal every service call and write each request's access-log line (when there is an access log).
    `checking` (strict authentication) runs inside it, when given.

    Service routes are named `<service>.<operation>` (the real API's operation names), so both
    the journal and fault rules speak the real API's language; an unnamed route (a routing miss)
    belongs to the service that owns its path. Admin calls (`admin`) are not journaled.
    """
    record, faults, clock, services = emulator.journal.record, emulator.faults, emulator.core.clock, emulator.services
    header_limit = emulator.settings.max_header_bytes
    counter = itertools.count(1)
    check_header_sizes, perf_counter = limits.check_header_sizes, time.perf_counter
    log_request = access_log.request if access_log is not None else None

    def wrap(name: str | None, handler: Handler) -> Handler:
        if checking is not None:
            handler = functools.partial(checking, handler=handler)
        named, _, operation = (name or "").partition(".")
        named_service = services.get(named)
        own_id = OWN_REQUEST_ID.get(named)

        async def handle(request: web.Request) -> web.StreamResponse:
            started = perf_counter()
            service, service_name = named_service, named
            if service is None and not admin:
                service = emulator.service_for(request.path)  # a routing miss: the service that owns the path
                service_name = service.name if service else ""
            try:
                response = await _fault(emulator, service, request, service_name, operation) \
                    if faults.rules and not admin else None
                if response is None:
                    check_header_sizes(request, header_limit)
                    response = await handler(request)
            except ConnectionResetError:
                raise
            except Exception as error:
                response = _failure(emulator, service, request, error)
            method, status = request.method, response.status
            elapsed = (perf_counter() - started) * 1000
            if admin:
                request_id = "-"
            else:
                request_id = response.headers.get(own_id) if own_id else None
                if request_id is None:
                    request_id = "%012d" % next(counter)
                    if not response.prepared:
                        response.headers["X-Request-Id"] = request_id
                record((clock.now(), service_name, operation, method, request.rel_url, status, elapsed, request_id))
            if log_request is not None:
                log_request(method, request.raw_path, status, elapsed, request_id)
            return response

        return handle

    return wrap


def _failure(emulator: Emulator, service: Service | None, request: web.Request, error: Exception) -> web.StreamResponse:
    """The answer to what a handler raised: an ApiError or routing miss in the service's envelope, a bug of ours
    logged with its traceback and answered without one; any other aiohttp HTTPException is raised on."""
    if isinstance(error, ApiError):
        return render_error(service, request, error)
    if isinstance(error, web.HTTPException):
        routed = _routing_error(emulator, request, error)
        if routed is None:
            raise error
        return render_error(service, request, routed)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(service, request, ApiError(500, "InternalError", "the emulator failed to handle this request"))


async def _fault(emulator: Emulator, service: Service | None, request: web.Request, service_name: str,
                 operation: str) -> web.StreamResponse | None:
    """The answer a fault rule gives this call (after its delay), or None to answer it as usual."""
    faults = emulator.faults
    rule = faults.take(service_name, operation, request.method, request.path)
    if rule is None:
        return None
    if rule.delay_ms:
        await asyncio.sleep(rule.delay_ms / 1000)
    return None if rule.status is None else render_error(service, request, faults.error(rule))


def tick(clock: Clock) -> None:
    """One beat of the ticker: run what is due on a live clock; whatever fails is logged, never raised."""
    try:
        if not clock.frozen:
            clock.run_due()
    except Exception:  # the ticker must outlive any failure, or no job would progress again
        log.exception("the clock ticker failed to run the due callbacks")


async def _clock_ticker(app: web.Application) -> AsyncIterator[None]:
    """Run the clock's due callbacks while it is live; a frozen clock is moved by advance() instead."""
    clock = app[EMULATOR].core.clock

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.2)
            tick(clock)

    task = asyncio.create_task(ticker())
    yield
    task.cancel()


async def _close_streams(app: web.Application) -> None:
    app[EMULATOR].close()


def create_app(settings: Settings | None = None, access_log: AccessLog | None = None) -> web.Application:
    """A complete emulator as an aiohttp application; raises FixtureError or StateFileError for bad input.

    With `access_log`, each request gets its line there (serve it with aiohttp's own access log off).
    """
    from emulator.admin.routes import create_admin_app

    settings = settings or Settings()
    emulator = Emulator(settings)
    checking = auth.middleware(emulator)  # None unless --auth or --admin-token: no cost by default
    app = router.application(client_max_size=settings.max_body_bytes)
    app[EMULATOR] = emulator
    admin = create_admin_app()
    _wrap_routes(admin, handling(emulator, checking, access_log, admin=True))
    app.router.add_route("*", "/_emulator", _no_route)  # the bare prefix, which the sub-app would answer unwrapped
    app.add_subapp("/_emulator/", admin)
    for service in emulator.services.values():
        service.add_routes(app.router)
    _wrap_routes(app, handling(emulator, checking, access_log))
    app.cleanup_ctx.append(_clock_ticker)
    app.cleanup_ctx.append(state.keeper(emulator))
    app.on_shutdown.append(_close_streams)
    return app
