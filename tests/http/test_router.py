"""The segment router finds the very route (and path values) aiohttp's own lookup finds, for every route and miss."""
from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from emulator.http.app import create_app
from emulator.http.router import RECENT_HOSTS, RECENT_PATHS, SegmentRouter, application
from emulator.settings import Settings

METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS")
VALUES = ("pi", "a%2Fb", "x%25y", "%7Bz%7D", "n%20m")  # plain, encoded slash, encoded percent, braces, space


def frozen_app() -> web.Application:
    app = create_app(Settings(clock_frozen=True))
    app.freeze()
    return app


def paths(app: web.Application) -> list[str]:
    """Each route's path with every sample value, plus misses next to them."""
    found = set()
    for resource in app.router.resources():
        canonical = resource.canonical
        for value in VALUES:
            path = re.sub(r"\{\w+\}", value, canonical)
            found |= {path, path + "/", path + "/extra", path.replace("/", "//", 1)}
    return sorted(found | {"/", "/nothing", "/apis/batch/v1/namespaces//jobs", "/_emulator", "/_emulator/health"})


def outcome(match: web.UrlMappingMatchInfo) -> tuple:
    """The route found (or the routing error) and the path's values."""
    return match.route if match.http_exception is None else type(match.http_exception), dict(match)


async def resolve_both(app: web.Application, method: str, path: str):
    router = app.router
    fast = await router.resolve(make_mocked_request(method, path, app=app))
    plain = await web.UrlDispatcher.resolve(router, make_mocked_request(method, path, app=app))
    return fast, plain


async def test_the_emulator_is_routed_by_the_segment_tree():
    app = frozen_app()
    assert isinstance(app.router, SegmentRouter) and app.router._root is not None
    values, route = app.router._walk("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status", "GET")
    assert route.name == "kubernetes.readBatchV1NamespacedJobStatus"
    assert values == {"namespace": "namespace-test", "name": "pi"}


@pytest.mark.slow
async def test_every_route_and_every_miss_resolves_as_aiohttp_resolves_it():
    app = frozen_app()
    checked = walked = 0
    for path in paths(app):
        for method in METHODS:
            fast, plain = await resolve_both(app, method, path)
            again, _ = await resolve_both(app, method, path)  # the second time from the recent paths
            assert outcome(fast) == outcome(plain) == outcome(again), (method, path)
            checked += 1
            walked += app.router._walk(make_mocked_request(method, path).rel_url.path_safe, method) is not None
    assert checked > 500 and walked > 100  # the tree answered many of them, aiohttp's lookup the rest


@pytest.mark.parametrize("routes", [
    ["/a/{x}", "/a/b"],            # a segment both literal and {name}: aiohttp goes by registration order
    ["/a/{x:\\d+}", "/a/{y}"],     # a pattern of its own under a non-root prefix would be tried first
])
async def test_route_tables_where_the_tree_could_differ_use_aiohttp_lookup(routes):
    async def answer(request: web.Request) -> web.Response:
        return web.Response()

    app = application()
    for path in routes:
        app.router.add_get(path, answer)
    app.freeze()
    assert app.router._root is None
    match = await app.router.resolve(make_mocked_request("GET", "/a/7", app=app))
    assert match.route.resource.canonical == routes[0].replace(":\\d+", "")


async def test_recent_paths_are_bounded_and_each_request_gets_its_own_values():
    app = frozen_app()
    first = await app.router.resolve(make_mocked_request("GET", "/jobs/a", app=app))
    again = await app.router.resolve(make_mocked_request("GET", "/jobs/a", app=app))
    assert dict(first) == dict(again) == {"job_id": "a"} and first is not again
    dict.__setitem__(first, "job_id", "changed")  # match_info is frozen for handlers; even so, nothing is shared
    assert dict(await app.router.resolve(make_mocked_request("GET", "/jobs/a", app=app))) == {"job_id": "a"}
    for number in range(RECENT_PATHS + 10):
        await app.router.resolve(make_mocked_request("GET", f"/jobs/{number}", app=app))
    assert 0 < len(app.router._recent) <= RECENT_PATHS


async def test_hosts_no_host_route_takes_are_remembered_boundedly_and_bucket_hosts_still_route():
    """A Host the COS host route answered None for goes straight to path routing next time; the set is bounded,
    and a bucket's virtual host (or a COS host naming no bucket) is routed by its Host however many came first."""
    app = frozen_app()

    async def route(host: str, path: str = "/jobs/a") -> str:
        match = await app.router.resolve(make_mocked_request("GET", path, headers={"Host": host}, app=app))
        return match.route.name

    for number in range(RECENT_HOSTS + 10):
        assert await route(f"10.0.0.{number}:8080") == "cos_batch.DescribeJob"
    assert 0 < len(app.router._hostless) <= RECENT_HOSTS
    bucket = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
    for _ in range(2):
        assert await route(bucket, "/jobs/a") == "cos_batch.GetObject"
        assert await route("NotABucket.cos.ap-guangzhou.myqcloud.com") == "cos_batch.GetBucket"
    assert bucket not in app.router._hostless and "10.0.0.300:8080" not in app.router._hostless


async def test_a_literal_beside_a_name_keeps_the_tree_when_no_path_and_method_reach_both():
    async def answer(request: web.Request) -> web.Response:
        return web.Response()

    app = application()
    app.router.add_get("/a/{x}", answer)  # as MRS's GET /jobs/{job_id} beside POST /jobs/submit-job
    app.router.add_post("/a/{x}/run", answer)
    app.router.add_post("/a/b", answer)
    app.freeze()
    assert app.router._root is not None
    for method, path, canonical in (("POST", "/a/b", "/a/b"), ("GET", "/a/b", "/a/{x}"), ("GET", "/a/c", "/a/{x}"),
                                    ("POST", "/a/b/run", "/a/{x}/run")):
        fast, plain = await resolve_both(app, method, path)
        assert outcome(fast) == outcome(plain), (method, path)
        assert fast.route.resource.canonical == canonical
