"""The aiohttp internals the HTTP layer's speed-ups rely on: if an upgrade changes one, this fails loudly here.

Each speed-up names its measured gain in its module (http/layer.py, http/router.py, http/access_log.py,
http/direct.py, whose bytes tests/http/test_direct.py compares with aiohttp's own);
without these internals it would silently stop working or serve requests outside the emulator's layer.
"""
from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from emulator.http.app import create_app
from emulator.http.router import SegmentRouter
from emulator.settings import Settings

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:emulator.*")


def test_aiohttp_is_a_3x_release():
    """`route._handler` and `Application(router=...)` are aiohttp 3's; pyproject pins `aiohttp<4` for them."""
    assert aiohttp.__version__.split(".")[0] == "3", aiohttp.__version__


def test_each_route_keeps_its_handler_in_route_handler():
    """http/layer.py wraps each route by assigning `route._handler`; aiohttp must call what `handler` returns."""
    app = create_app(Settings(clock_frozen=True))
    routes = [route for route in app.router.routes() if route.name and "." in route.name]
    assert routes
    for route in routes:
        assert route.handler is route._handler, route.name  # the attribute is where aiohttp 3 keeps the handler
        assert route.handler.__qualname__.endswith("wrap.<locals>.handle"), route.name  # ... and the layer is in it


async def test_requests_pass_the_layer_and_the_segment_router(aiohttp_client):
    """A request reaches the handler through the layer (its X-Request-Id and journal entry), routed by the
    SegmentRouter's own walk (its kept walks grow), not aiohttp's lookup alone."""
    app = create_app(Settings(clock_frozen=True))
    assert isinstance(app.router, SegmentRouter)
    client = await aiohttp_client(app)
    response = await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
    assert response.status == 200 and response.headers["X-Request-Id"] == "000000000001"
    assert ("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status", "GET") in app.router._recent
    missing = await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/nobody")
    assert missing.status == 404 and (await missing.json())["kind"] == "Status"  # misses pass the layer too


def test_the_router_reads_resources_as_aiohttp_3_describes_them():
    """The segment tree is built from `canonical`, `get_info()["pattern"]` and these resource classes."""
    app = create_app(Settings(clock_frozen=True))
    app.freeze()
    dynamic = [r for r in app.router.resources() if isinstance(r, web.DynamicResource)]
    assert dynamic and all(hasattr(r.get_info()["pattern"], "pattern") and r.canonical.startswith("/") for r in dynamic)
    assert any(isinstance(r, web.PlainResource) for r in app.router.resources())
    assert any(isinstance(r, web.PrefixedSubAppResource) for r in app.router.resources())
    assert app.router._root is not None  # the walk is in use, not the fallback to aiohttp's lookup alone
    web.UrlMappingMatchInfo({"name": "x"}, next(iter(dynamic[0])))  # the constructor the walk answers with


def test_a_dynamic_resource_keeps_its_parse_in_three_attributes():
    """http/router.py's `_Dynamic` takes `_orig_path`, `_pattern` and `_formatter` from the DynamicResource aiohttp
    made first for the path: a copy must match, format and describe itself as aiohttp's own does."""
    from emulator.http.router import _Dynamic

    path = "/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status"
    made, copied = web.DynamicResource(path, name="a"), _Dynamic(path, name="b")
    assert set(vars(made)) == set(vars(copied)) >= {"_orig_path", "_pattern", "_formatter"}
    assert copied.get_info() == made.get_info() and copied.canonical == made.canonical
    assert copied._match("/apis/batch/v1/namespaces/n/jobs/j/status") == {"namespace": "n", "name": "j"}
    assert str(copied.url_for(namespace="n", name="j")) == "/apis/batch/v1/namespaces/n/jobs/j/status"
    copied.add_prefix("/p")  # a sub-application's routes get their prefix: the kept parse is not changed
    assert copied.canonical == "/p" + made.canonical and _Dynamic(path).canonical == made.canonical
    with pytest.raises(ValueError):
        _Dynamic("/jobs/{name:[}")  # a bad pattern fails as aiohttp's does


async def test_the_served_site_reports_its_bound_port():
    """cli.serve reads the real port of `--port 0` from `site._server.sockets`."""
    runner = web.AppRunner(create_app(Settings(clock_frozen=True)), access_log=None, handler_cancellation=True)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = site._server.sockets[0].getsockname()[:2]
        assert host == "127.0.0.1" and port > 0
    finally:
        await runner.cleanup()


def test_the_request_url_goes_through_the_yarl_caches_that_limits_empties():
    """aiohttp's parser builds a request's URL with `URL.build(..., encoded=True)`, which yarl keeps in
    `build_pre_encoded_url`'s lru_cache: http/limits.forget_long_target empties it (and `pre_encoded_url`'s)."""
    from yarl import URL

    from emulator.http import limits

    limits.forget_long_target("/" * (limits.LONG_TARGET + 1))
    URL.build(path="/a" * 10, query_string="q=1", encoded=True)
    URL("/b" * 10, encoded=True)
    assert [cache.cache_info().currsize for cache in limits.URL_CACHES] == [1, 1]
    limits.forget_long_target("/short")
    assert [cache.cache_info().currsize for cache in limits.URL_CACHES] == [1, 1]
    limits.forget_long_target("/" * (limits.LONG_TARGET + 1))
    assert [cache.cache_info().currsize for cache in limits.URL_CACHES] == [0, 0]


async def test_the_request_handler_keeps_what_the_connection_guard_reads(aiohttp_client):
    """http/guard.py reads RequestHandler's `_waiter`, `_messages`, `_request_count` and `_current_request`."""
    from aiohttp.web_protocol import RequestHandler

    seen = {}

    async def handler(request: web.Request) -> web.Response:
        protocol = request.protocol
        assert isinstance(protocol, RequestHandler)
        seen.update(count=protocol._request_count, current=protocol._current_request is request,
                    queued=len(protocol._messages), waiter=protocol._waiter)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    assert (await client.get("/")).status == 200
    assert seen == {"count": 1, "current": True, "queued": 0, "waiter": None}


def test_the_direct_writer_finds_aiohttps_header_serializer():
    """http/direct.py writes a head with `aiohttp.http_writer._serialize_headers`, which refuses CR and LF."""
    from multidict import CIMultiDict

    from aiohttp.http_writer import _serialize_headers

    assert _serialize_headers("HTTP/1.1 200 OK", CIMultiDict({"A": "1"})) == b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n"
    with pytest.raises(ValueError):
        _serialize_headers("HTTP/1.1 200 OK", CIMultiDict({"A": "1\r\nB: 2"}))
