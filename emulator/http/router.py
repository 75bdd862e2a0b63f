"""Routing in one pass over the path's segments, for routes made of literal and `{name}` segments."""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aiohttp import hdrs, web

_VARIABLE = re.compile(r"\{([_a-zA-Z][_a-zA-Z0-9]*)\}")
_LITERAL = re.compile(r"[A-Za-z0-9._~-]*")  # segments a path spells the same decoded or not
_SEGMENT_PATTERNS = ("[^{}/]+", "[^/]*")  # aiohttp's default for `{name}`, and any segment, even empty
_ANY = "*"
RECENT_PATHS = 1024  # paths whose walk is kept: clients poll the same few (their jobs' status) again and again
# (measured A/B: K8s GET 31.8 -> 28.7 us CPU per request, COS 404 36.3 -> 35.0)
RECENT_HOSTS = 256  # Host values no host route takes, not asked again: a host route's None holds for its Host
# whatever the rest of the request (see Service.route_by_host)
# (measured A/B, Xeon: K8s GET 63.0 -> 57.2 us CPU per request, COS DescribeJob 70.7 -> 65.0, K8s 404 75.4 -> 72.3)
MAX_HOST_LENGTH = 255  # only Hosts up to a DNS name's length are kept
RECENT_PATH_LENGTH = 512  # only paths up to this long are kept (a Job's is ~100): the cache holds 1024 * 512 at most


class _Node:
    __slots__ = ("literal", "variable", "any_segment", "leaf")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.variable: _Node | None = None  # the child for a `{name}` segment ...
        self.any_segment = False  # ... which takes any segment (`{name:[^/]*}`), or a non-empty one without braces
        self.leaf: list[tuple[tuple[str, ...], dict[str, web.AbstractRoute]]] = []  # (names, routes by method)


class SegmentRouter(web.UrlDispatcher):
    """aiohttp's router, with a faster way to the routes it would find.

    aiohttp tries the resources of each shorter prefix of the path in turn, matching regular
    expressions. Here each literal/`{name}` route sits in a tree of its segments, and a path walks
    that tree once, where that is sure to end at the route aiohttp would find (see `_tree`); the
    last RECENT_PATHS paths walked (of at most RECENT_PATH_LENGTH characters) are not walked again.
    Whatever the walk does not end at with a route for the method (routing misses, 405s,
    sub-applications, routes with their own regular expressions) goes through aiohttp's lookup, so
    those answer exactly as before.

    Measured A/B against aiohttp's lookup, CPU per request: K8s GET 35.8 -> 33.0 us, MRS GET 37.4 -> 31.9,
    COS DescribeJob 41.8 -> 34.5. tests/http/test_router.py compares both lookups for every route,
    and tests/http/test_aiohttp_internals.py the aiohttp internals this relies on.
    """

    def __init__(self) -> None:
        super().__init__()
        self._root: _Node | None = None
        self._recent: dict[tuple[str, str], tuple[dict[str, str], web.AbstractRoute]] = {}  # (path, method): walked
        self.host_routes: list[Callable[[web.Request], tuple[dict[str, str], web.AbstractRoute] | None]] = []
        self._hostless: set[str] = set()  # recent Host values no host route takes

    def freeze(self) -> None:
        super().freeze()
        self._root = _tree(self.resources())

    def add_resource(self, path: str, *, name: str | None = None) -> web.Resource:
        """aiohttp's, with a `{name}` path's regular expression and formatter worked out once per process (see
        `_Dynamic`); every other path, and aiohttp's reuse of the last resource, as aiohttp does them."""
        last = self._resources[-1] if self._resources else None
        if ("{" not in path and "}" not in path) or (last is not None and last.name == name and last.raw_match(path)):
            return super().add_resource(path, name=name)
        resource = _Dynamic(path, name=name)
        self.register_resource(resource)
        return resource

    async def resolve(self, request: web.Request) -> web.UrlMappingMatchInfo:
        host = request.headers.get(hdrs.HOST, "")
        if host not in self._hostless:
            for by_host in self.host_routes:  # services that route some requests by their Host header (COS buckets)
                picked = by_host(request)
                if picked is not None:
                    return web.UrlMappingMatchInfo(*picked)
            if len(self._hostless) >= RECENT_HOSTS:
                self._hostless.clear()
            if len(host) <= MAX_HOST_LENGTH:
                self._hostless.add(host)
        key = (request.rel_url.path_safe, request.method)
        found = self._recent.get(key)
        if found is None and self._root is not None:
            found = self._walk(*key)
            if found is not None and len(key[0]) <= RECENT_PATH_LENGTH:
                if len(self._recent) >= RECENT_PATHS:
                    self._recent.clear()
                self._recent[key] = found
        if found is None:
            return await super().resolve(request)
        values, route = found
        return web.UrlMappingMatchInfo(dict(values), route)

    def _walk(self, path: str, method: str) -> tuple[dict[str, str], web.AbstractRoute] | None:
        """The path's values and the route for `method`, where the tree has one."""
        node: _Node | None = self._root
        values = []
        for segment in path.split("/")[1:]:
            child = node.literal.get(segment)  # type: ignore[union-attr]
            if child is None:
                child = node.variable  # type: ignore[union-attr]
                if child is None or not (node.any_segment or segment and "{" not in segment and "}" not in segment):  # type: ignore[union-attr]
                    return None
                values.append(segment if "%" not in segment else segment.replace("%2F", "/").replace("%25", "%"))
            node = child
        for names, routes in node.leaf:  # type: ignore[union-attr]
            route = routes.get(method) or routes.get(_ANY)
            if route is not None:
                return dict(zip(names, values)), route
        return None


class _Dynamic(web.DynamicResource):
    """A DynamicResource whose pattern and formatter come from the one aiohttp made first for its path.

    An app factory registers the same ~130 `{name}` paths per app, and aiohttp parses each into a
    regular expression and a URL formatter again (44 % of registering the routes). The parsed pair
    depends on the path alone, so it is kept per path (measured: the app factory, 32.7 -> 23.0 M
    instructions per app; 5.2-5.4 -> 3.9-4.2 ms).
    tests/http/test_aiohttp_internals.py checks the three attributes aiohttp's class keeps it in.
    """

    def __init__(self, path: str, *, name: str | None = None) -> None:
        web.Resource.__init__(self, name=name)
        self._orig_path, self._pattern, self._formatter = _parsed(path)


@lru_cache(maxsize=1024)
def _parsed(path: str) -> tuple[str, re.Pattern[str], str]:
    """aiohttp's parse of a `{name}` path (ValueError for a bad one, as aiohttp raises it)."""
    made = web.DynamicResource(path)
    return made._orig_path, made._pattern, made._formatter


def _tree(resources: list[web.AbstractResource]) -> _Node | None:
    """The tree of the literal/`{name}` resources, or None when walking it could find another route than aiohttp.

    That could happen where a segment can be both a literal and a `{name}` and one path and method
    has a route on both sides (aiohttp would then go by registration order), where a resource outside the tree could match first (one with its own
    pattern under a non-root prefix), or under a sub-application's prefix: none of which the
    emulator has, so this only guards against a future route table.
    """
    root = _Node()
    sub_prefixes = []
    for resource in resources:
        segments = _segments(resource)
        if segments is None:
            if isinstance(resource, web.PrefixedSubAppResource):
                sub_prefixes.append(resource.canonical.rstrip("/") + "/")
            elif not resource.canonical.startswith("/{"):  # a pattern of its own tried before the root's
                return None
            continue
        node, names = root, []
        for segment, pattern in segments:
            if pattern is None:
                node = node.literal.setdefault(segment, _Node())
                continue
            any_segment = pattern == _SEGMENT_PATTERNS[1]
            if node.variable is not None and node.any_segment != any_segment:
                return None  # two patterns for one segment
            names.append(segment)
            node.variable, node.any_segment = node.variable or _Node(), any_segment
            node = node.variable
        node.leaf.append((tuple(names), {route.method: route for route in resource}))
        if resource.canonical.startswith(tuple(sub_prefixes)):
            return None
    return None if _ambiguous(root) else root


def _ambiguous(node: _Node) -> bool:
    """Whether one path and method could reach a route both through a literal segment and through `{name}`.

    The walk takes the literal where there is one (and leaves a miss to aiohttp); that finds what
    aiohttp would only when no path and method has a route on both sides (MRS: `/jobs/submit-job`
    beside `/jobs/{job_id}`, POST on the one, GET/PATCH/DELETE on the other). An empty literal (a
    trailing slash) cannot be a `{name}` that takes only non-empty segments.
    """
    if node.literal and node.variable is not None:
        variable_ends = _ends(node.variable)
        if any((segment or node.any_segment) and _overlap(_ends(child), variable_ends)
               for segment, child in node.literal.items()):
            return True
    return any(_ambiguous(child) for child in [*node.literal.values(), node.variable] if child is not None)


def _ends(node: _Node, depth: int = 0) -> set[tuple[int, str]]:
    """(segments below `node`, method) of every route under it."""
    ends = {(depth, method) for _, routes in node.leaf for method in routes}
    for child in [*node.literal.values(), node.variable]:
        if child is not None:
            ends |= _ends(child, depth + 1)
    return ends


def _overlap(one: set[tuple[int, str]], other: set[tuple[int, str]]) -> bool:
    return any((depth, method) in other or (depth, _ANY) in other or method == _ANY and
               any(other_depth == depth for other_depth, _ in other) for depth, method in one)


def _segments(resource: web.AbstractResource) -> list[tuple[str, str | None]] | None:
    """The resource's segments as (literal, None) or (name, pattern), when each is a plain literal or a name with
    one of the _SEGMENT_PATTERNS; else None."""
    if not isinstance(resource, (web.PlainResource, web.DynamicResource)):
        return None
    canonical = resource.canonical
    compiled = resource.get_info()["pattern"].pattern if isinstance(resource, web.DynamicResource) else None
    segments: list[tuple[str, str | None]] = []
    expected = ""
    for segment in canonical.split("/")[1:]:
        variable = _VARIABLE.fullmatch(segment)
        if variable is None:
            if not _LITERAL.fullmatch(segment):
                return None
            segments.append((segment, None))
            expected += "/" + re.escape(segment)
            continue
        name = variable.group(1)
        pattern = next((p for p in _SEGMENT_PATTERNS if f"(?P<{name}>{p})" in (compiled or "")), None)
        if pattern is None:
            return None
        segments.append((name, pattern))
        expected += f"/(?P<{name}>{pattern})"
    if compiled is not None and compiled != expected:
        return None  # a pattern of its own somewhere: aiohttp's lookup decides
    return segments


def application(**kwargs: Any) -> web.Application:
    """A web.Application routed by SegmentRouter (aiohttp still takes `router=`, with a deprecation warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return web.Application(router=SegmentRouter(), **kwargs)
