"""The admin routes under /_emulator/: health, reset, clock, state, snapshot, fixtures, journal, faults, transitions,
collections and the dashboard's files."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiohttp import web

from emulator import __version__
from emulator.admin import browse, live, openapi
from emulator.core import jsonio
from emulator.core.clock import parse_rfc3339
from emulator.core.credentials import shown
from emulator.core.errors import ApiError, FixtureError
from emulator.runtime import fixture_files
from emulator.runtime.emulator import EMULATOR, Emulator


def _emulator(request: web.Request) -> Emulator:
    return request.config_dict[EMULATOR]


def _json(value: object, status: int = 200) -> web.Response:
    return web.Response(body=jsonio.dumps(value), status=status, content_type="application/json")


async def _json_value(request: web.Request) -> object:
    """The request's JSON value; an empty body is an empty object."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return jsonio.loads(raw)
    except ValueError as error:
        raise ApiError(400, "BadRequest", f"the body is not valid JSON: {error}") from None


async def _json_body(request: web.Request) -> dict:
    """The request's JSON object; an empty body is an empty object."""
    body = await _json_value(request)
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the body must be a JSON object")
    return body


async def health(request: web.Request) -> web.Response:
    emulator = _emulator(request)
    return _json({
        "status": "ok",
        "version": __version__,
        "services": {name: service.summary() for name, service in emulator.services.items()},
        "state_file": emulator.settings.state_file is not None,
    })


def _moment(body: dict, field: str) -> datetime | None:
    """The RFC 3339 timestamp `body[field]` as a datetime, or None when it is not given; 400 when it is not one."""
    value = body.get(field)
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except (ValueError, TypeError):
        raise ApiError(400, "BadRequest", f'"{field}" must be an RFC 3339 timestamp, not {value!r}') from None


def _flag(body: dict, field: str) -> bool | None:
    """`body[field]` if it is true or false, None when it is not given; 400 otherwise."""
    value = body.get(field)
    if value is not None and not isinstance(value, bool):
        raise ApiError(400, "BadRequest", f'"{field}" must be true or false')
    return value


async def reset(request: web.Request) -> web.Response:
    """Back to the start; `fixtures: false` empties, `clock` and `frozen` place the clock before fixtures load."""
    body = await _json_body(request)
    load = _flag(body, "fixtures")
    load = True if load is None else load
    _emulator(request).reset(load_fixtures=load, clock=_moment(body, "clock"), frozen=_flag(body, "frozen"))
    return _json({"reset": True, "fixtures": load})


async def read_clock(request: web.Request) -> web.Response:
    return _json(_emulator(request).clock_state())


async def update_clock(request: web.Request) -> web.Response:
    """Apply, in this order, `frozen`, `set` and `advance_seconds`; due transitions run before the answer."""
    body = await _json_body(request)
    unknown = set(body) - {"set", "advance_seconds", "frozen"}
    if unknown or not body:
        raise ApiError(400, "BadRequest", 'give one or more of "set", "advance_seconds", "frozen"'
                       + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else ""))
    frozen, moment, seconds = _flag(body, "frozen"), _moment(body, "set"), body.get("advance_seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
        raise ApiError(400, "BadRequest", '"advance_seconds" must be a number of seconds, 0 or more')
    try:
        _emulator(request).move_clock(frozen, moment, seconds)
    except ValueError as error:
        raise ApiError(400, "BadRequest", f'"advance_seconds": {error}') from None
    return _json(_emulator(request).clock_state())


async def state(request: web.Request) -> web.Response:
    """Every store as JSON, with the clock, but no secret (see `credentials.shown`); reading it changes nothing."""
    emulator = _emulator(request)
    return _json({"clock": emulator.clock_state(), **shown(emulator.core.store.snapshot())})


async def snapshot(request: web.Request) -> web.Response:
    """Write the state file now, as on a graceful stop."""
    emulator = _emulator(request)
    if emulator.settings.state_file is None:
        raise ApiError(409, "Conflict", "no state file is configured: start the emulator with --state-file PATH "
                                        "(or EMULATOR_STATE_FILE)")  # the request is fine, the server cannot
    try:
        path = await emulator.save_off_loop()
    except OSError as error:
        raise ApiError(500, "SnapshotFailed", f"could not write {emulator.settings.state_file}: "
                                              f"{error.strerror or error}") from None
    return _json({"saved": str(path), "revision": emulator.core.store.revision, "clock": emulator.clock_state()})


async def load_fixtures(request: web.Request) -> web.Response:
    """One fixture document or a list of them, through the create paths; all or nothing."""
    emulator = _emulator(request)
    body = await _json_value(request)
    if not isinstance(body, (dict, list)):
        raise ApiError(400, "BadRequest", "give one fixture document (an object) or a list of them")
    try:
        loaded = emulator.load(fixture_files.parse_value(body, "request"))
    except FixtureError as error:
        raise ApiError(400, "BadRequest", str(error)) from None
    return _json({"loaded": loaded})


async def list_requests(request: web.Request) -> web.Response:
    """The journal, oldest first, filtered by `service`, `operation` and `status` when given; `limit`: the newest N."""
    query = request.query
    status, limit = _whole(query, "status"), _whole(query, "limit")
    return _json({"requests": _emulator(request).journal.list(query.get("service") or None,
                                                              query.get("operation") or None, status, limit)})


def _whole(query, name: str) -> int | None:
    """A whole-number query parameter, None when absent or empty; 400 otherwise."""
    text = query.get(name)
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ApiError(400, "BadRequest", f'"{name}" must be a whole number, not {text!r}')
    return int(text)


async def clear_requests(request: web.Request) -> web.Response:
    _emulator(request).clear_journal()
    return _json({"requests": []})


async def list_faults(request: web.Request) -> web.Response:
    return _json(_emulator(request).fault_list())


async def add_fault(request: web.Request) -> web.Response:
    rule = _emulator(request).add_fault(await _json_body(request))
    return _json(rule.describe(), status=201)


async def clear_faults(request: web.Request) -> web.Response:
    _emulator(request).clear_faults()
    return _json({"faults": []})


async def transition(request: web.Request) -> web.Response:
    """Move one job to a status now, through its service's own status rules."""
    emulator = _emulator(request)
    body = await _json_body(request)
    named = body.get("service")
    service = emulator.services.get(named) if isinstance(named, str) else None
    if service is None or not service.can_transition:
        able = sorted(name for name, s in emulator.services.items() if s.can_transition)
        raise ApiError(400, "BadRequest", f'"service" must be one of {", ".join(able)}')
    return _json(service.transition(body))


async def openapi_document(request: web.Request) -> web.Response:
    """The OpenAPI 3 document of every service route and the admin API, built from the live router."""
    return _json(openapi.build(request.match_info.apps[0]))  # the root app, which holds every route


async def list_collections(request: web.Request) -> web.Response:
    """Every collection of the store (but those holding secrets) with how many objects it holds."""
    store = _emulator(request).core.store
    return _json({"collections": {kind: len(store.collection(kind)) for kind in browse.kinds(store)}})


async def read_collection(request: web.Request) -> web.Response:
    """One page of a collection (see `browse.page` for the query)."""
    return _json(browse.page(_emulator(request).core.store, request.match_info["kind"], request.query))


async def collection_scopes(request: web.Request) -> web.Response:
    return _json({"scopes": browse.scopes(_emulator(request).core.store, request.match_info["kind"])})


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events for the dashboard (see `live.stream`)."""
    return await live.stream(request, _emulator(request))


async def dashboard(request: web.Request) -> web.FileResponse:
    """The dashboard page; it reads everything else through this API (with the admin token, when one is set)."""
    return web.FileResponse(UI / "index.html")


UI = Path(__file__).resolve().parent / "ui"  # the dashboard: a page, its script and style, vendor/ (Alpine.js)


def create_admin_app() -> web.Application:
    admin = web.Application()
    admin.router.add_get("/health", health)
    admin.router.add_post("/reset", reset)
    admin.router.add_get("/clock", read_clock)
    admin.router.add_post("/clock", update_clock)
    admin.router.add_get("/state", state)
    admin.router.add_post("/snapshot", snapshot)
    admin.router.add_post("/fixtures", load_fixtures)
    admin.router.add_get("/requests", list_requests)
    admin.router.add_delete("/requests", clear_requests)
    admin.router.add_get("/faults", list_faults)
    admin.router.add_post("/faults", add_fault)
    admin.router.add_delete("/faults", clear_faults)
    admin.router.add_post("/transitions", transition)
    admin.router.add_get("/openapi.json", openapi_document)
    admin.router.add_get("/collections", list_collections)
    admin.router.add_get("/collections/{kind}", read_collection)
    admin.router.add_get("/collections/{kind}/scopes", collection_scopes)
    admin.router.add_get("/events", events)
    admin.router.add_get("/ui", dashboard)
    admin.router.add_static("/ui/", UI, name="ui")
    return admin
