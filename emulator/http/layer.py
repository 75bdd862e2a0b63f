"""The emulator's layer around every route: faults, header limits, the service's error envelope, journal, access log.

aiohttp would compose middlewares for each request and add a layer of its own per application;
here each route's handler is wrapped once, when the app is built, by a closure that already knows
its service and operation (measured at the time: K8s GET 37.2 -> 34.3 us CPU per request, 404s
40.1 -> 35.3). It relies on aiohttp 3 keeping a route's handler in `route._handler`
(tests/http/test_aiohttp_internals.py fails loudly if an upgrade changes that).
"""
from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import HttpVersion11, web
from aiohttp.web_urldispatcher import _default_expect_handler as _default_expect
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from emulator.core.errors import ApiError, BodyTooLarge, BodyUnreadable, MethodNotAllowed, RouteNotFound
from emulator.http.access_log import AccessLog
from emulator.http.direct import Outbox, send_whole
from emulator.http.limits import check_header_sizes, forget_long_target
from emulator.runtime.emulator import Emulator
from emulator.runtime.faults import Fault, Faults
from emulator.runtime.journal import BODY_BYTES, CUT_MARK, ENTRY_TARGET_BYTES, bounded
from emulator.services.protocol import Service

log = logging.getLogger("emulator")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Wrap = Callable[[str | None, Handler], Handler]


async def no_route(request: web.Request) -> web.StreamResponse:
    """The last route of an application, taking every path: 405 where another route of it takes the path
    with other methods, else 404 (what aiohttp's router answers, here inside the emulator's layer).

    A catch-all route instead of a middleware keeps the layer out of aiohttp's per-request middleware
    composition (measured with the per-route layer: 404s K8s 40.1 -> 35.3 us, MRS 44.6 -> 37.8, COS 47.1 -> 42.0)."""
    methods: set[str] = set()
    for resource in request.app.router.resources():  # a path's routes may sit in more than one resource
        match, allowed = await resource.resolve(request)
        if match is None:
            methods |= allowed
    if methods:
        raise MethodNotAllowed(request.method, request.path, tuple(sorted(methods)))
    raise RouteNotFound(request.path)


def wrap_routes(app: web.Application, wrap: Wrap) -> None:
    """Each route's handler inside the emulator's layer: `wrap(route name, handler)`, composed once here.

    The application gets a last route taking every path (`no_route`), so routing misses pass the
    layer too. Call it before the application is frozen or added as a sub-application (whose
    routes its parent leaves alone).
    """
    app.router.add_route("*", "/{path:.*}", no_route)
    for resource in app.router.resources():
        if isinstance(resource, web.PrefixedSubAppResource):
            continue
        for route in resource:
            route._handler = wrap(route.name, route.handler)  # type: ignore[attr-defined]  # where aiohttp keeps it
            route._expect_handler = wrap.expect  # type: ignore[attr-defined]  # the same: Expect: 100-continue


def render_error(service: Service | None, request: web.Request, failure: ApiError) -> web.StreamResponse:
    """The error in the envelope of the service that owns the path (plain JSON for the admin API); a 405 names
    the methods the path takes in `Allow`, as RFC 9110 wants."""
    if service is None:
        response = web.json_response({"code": failure.status, "error": failure.code, "message": failure.message},
                                     status=failure.status)
    else:
        response = service.render_error(request, failure)
    if response.status == 405 and failure.details.get("allowed"):  # (a service may word a 405 as its 404)
        response.headers["Allow"] = ", ".join(failure.details["allowed"])
    return response


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
    journal, faults, clock, services = emulator.journal, emulator.faults, emulator.core.clock, emulator.services
    header_limit = emulator.settings.max_header_bytes
    counter = itertools.count(1)
    perf_counter = time.perf_counter
    log_request = access_log.request if access_log is not None else None
    outbox = Outbox()  # whole answers, written together at the end of each turn of the loop

    def wrap(name: str | None, handler: Handler) -> Handler:
        named, _, operation = (name or "").partition(".")
        operation = operation.partition(":")[0]  # `service.operation:variant`: another path form of the operation
        named_service = services.get(named)
        if checking is not None:  # the route's own service checks it, whatever its path looks like
            handler = functools.partial(checking, handler=handler, service=named_service)
        label = name if named_service is not None else "-"  # the access log's service.operation

        async def handle(request: web.Request) -> web.StreamResponse:
            started = perf_counter()
            service, service_name = named_service, named
            if service is None and not admin:
                service = emulator.service_for(request.path)  # a routing miss: the service that owns the path
                service_name = service.name if service else ""
            rule = None
            try:
                if faults.rules and not admin:
                    rule = faults.take(service_name, operation, request.method, request.path)
                response = await _fault(service, request, rule) if rule is not None else None
                if response is None:
                    check_header_sizes(request, header_limit)
                    response = await handler(request)
                    if rule is not None and rule.truncate_bytes is not None:
                        response = await _truncate(request, response, rule.truncate_bytes)
            except ConnectionResetError:
                raise
            except Exception as error:
                response = _failure(emulator, service, request, error)
            method, status, raw_path = request.method, response.status, request.raw_path
            elapsed = (perf_counter() - started) * 1000
            fault = None if rule is None else rule.id
            if admin:
                request_id = "-"
            else:  # a service that numbers its own answers (a routing miss's too) keeps its id
                own_id = service.request_id_header if service is not None else None
                request_id = response.headers.get(own_id) if own_id else None
                if request_id is None:
                    request_id = "%012d" % next(counter)
                    if not response.prepared:
                        response.headers["X-Request-Id"] = request_id
                bodies = await _bodies(request, response) if journal.bodies else None
                journal.record((clock.now(), service_name, operation, method, bounded(request.rel_url, raw_path), status,
                        elapsed, request_id, fault, bodies))
            if log_request is not None:
                log_request(method, raw_path if len(raw_path) <= ENTRY_TARGET_BYTES else  # a line, not a flood
                            raw_path[:ENTRY_TARGET_BYTES] + CUT_MARK % (len(raw_path) - ENTRY_TARGET_BYTES),
                            status, elapsed, request_id,
                            label if service_name == named else f"{service_name or '-'}.{operation or '-'}", fault)
            forget_long_target(raw_path)
            await send_whole(request, response, outbox)
            return response

        return handle

    body_limit = emulator.settings.max_body_bytes

    async def expect(request: web.Request) -> web.StreamResponse | None:
        """`Expect: 100-continue`: a declared body over the limit gets the service's 413 at once, instead of
        `100 Continue` and a body to read and throw away; any other gets aiohttp's answer. (aiohttp returns this
        response as it is: it is journaled and logged here.)"""
        if request.headers.get("Expect", "").lower() != "100-continue":  # aiohttp's 417 would echo it, undecodable
            if request.version == HttpVersion11:
                raise web.HTTPExpectationFailed(text="the only Expect understood is 100-continue")
            return None
        if (request.content_length or 0) <= body_limit:
            return await _default_expect(request)
        name, _, operation = (request.match_info.route.name or "").partition(".")
        service = None if admin else services.get(name) or emulator.service_for(request.path)
        response = render_error(service, request, BodyTooLarge(body_limit))
        response.force_close()
        if not admin:
            journal.record((clock.now(), name or (service.name if service else ""), operation, request.method,
                    bounded(request.rel_url, request.raw_path), 413, 0.0, "%012d" % next(counter), None, None))
        if log_request is not None:
            log_request(request.method, request.raw_path[:ENTRY_TARGET_BYTES], 413, 0.0, "-",
                        request.match_info.route.name or "-")
        return response

    wrap.expect = expect  # type: ignore[attr-defined]
    return wrap


def _routing_error(emulator: Emulator, request: web.Request, error: web.HTTPException) -> ApiError | None:
    if isinstance(error, web.HTTPMethodNotAllowed):
        return MethodNotAllowed(request.method, request.path, tuple(sorted(error.allowed_methods)))
    if isinstance(error, web.HTTPNotFound):
        return RouteNotFound(request.path)
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return BodyTooLarge(emulator.settings.max_body_bytes)
    return None


def _failure(emulator: Emulator, service: Service | None, request: web.Request, error: Exception) -> web.StreamResponse:
    """The answer to what a handler raised: an ApiError or routing miss in the service's envelope, a bug of ours
    logged with its traceback and answered without one; any other aiohttp HTTPException is raised on."""
    if not isinstance(error, ApiError):  # (the usual case, a service's own error, asks nothing more)
        if isinstance(error, (RequestPayloadError, HttpProcessingError)):  # e.g. Content-Encoding: gzip, plain body
            cause = error.__cause__ if isinstance(error, RequestPayloadError) and error.__cause__ else error
            error = BodyUnreadable(getattr(cause, "message", "") or type(cause).__name__)
        elif isinstance(error, web.HTTPException):
            routed = _routing_error(emulator, request, error)
            if routed is None:
                raise error
            error = routed
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
            error = ApiError(500, "InternalError", "the emulator failed to handle this request")
    if error.status < 500 and log.isEnabledFor(logging.DEBUG):
        log.debug("%s %s answered %d %s: %s", request.method, request.path, error.status, error.code, error.message)
    return render_error(service, request, error)


async def _fault(service: Service | None, request: web.Request, rule: Fault) -> web.StreamResponse | None:
    """The answer the fault rule gives this call (after its delay), or None to answer it as usual (then cut,
    with `truncate_bytes`). `reset` closes the connection: the client gets no answer, the journal status 0."""
    if rule.delay_ms:
        await asyncio.sleep(rule.delay_ms / 1000)
    if rule.reset:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=0)  # journaled as status 0; aiohttp finds no connection to write it to
    if rule.status is None:
        return None
    error = Faults.error(rule)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("%s %s answered %d %s: fault rule %d", request.method, request.path, error.status, error.code,
                  rule.id)
    return render_error(service, request, error)


async def _truncate(request: web.Request, response: web.StreamResponse, size: int) -> web.StreamResponse:
    """The answer's head with its full Content-Length, then only `size` bytes of its body, then the connection
    closed: the client reads a short body."""
    body = response.body if isinstance(response, web.Response) and isinstance(response.body, bytes) else None
    if body is None or response.prepared:
        return response  # a stream (a watch) is already on its way: nothing to cut
    cut = web.StreamResponse(status=response.status, reason=response.reason, headers=response.headers)
    cut.content_length = len(body)
    await cut.prepare(request)
    await cut.write(body[:size])
    if request.transport is not None:
        request.transport.close()
    return cut


async def _bodies(request: web.Request, response: web.StreamResponse) -> tuple[bytes, bytes]:
    """The request and response bodies as the journal keeps them (--journal-bodies), each cut past BODY_BYTES."""
    try:
        sent = await request.read()  # what the handler read (aiohttp keeps it), or the rest of an unread body
    except (ConnectionError, web.HTTPException):  # gone, or over --max-body-bytes (already answered 413)
        sent = b""
    answered = response.body if isinstance(response, web.Response) and isinstance(response.body, bytes) else b""
    return sent[:BODY_BYTES + 1], answered[:BODY_BYTES + 1]
