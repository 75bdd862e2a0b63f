"""The admin surface under /_emulator/: health, reset and the clock (JSON in, JSON out)."""
from __future__ import annotations

from aiohttp import web

from emulator import __version__, jsonio
from emulator.app import EMULATOR, Emulator
from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import ApiError


def _emulator(request: web.Request) -> Emulator:
    return request.config_dict[EMULATOR]


def _json(value: object, status: int = 200) -> web.Response:
    return web.Response(body=jsonio.dumps(value), status=status, content_type="application/json")


async def _json_body(request: web.Request) -> dict:
    """The request's JSON object; an empty body is an empty object."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = jsonio.loads(raw)
    except ValueError as error:
        raise ApiError(400, "BadRequest", f"the body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the body must be a JSON object")
    return body


async def health(request: web.Request) -> web.Response:
    emulator = _emulator(request)
    return _json({
        "status": "ok",
        "version": __version__,
        "services": {name: service.summary() for name, service in emulator.services.items()},
    })


async def reset(request: web.Request) -> web.Response:
    body = await _json_body(request)
    load = body.get("fixtures", True)
    if not isinstance(load, bool):
        raise ApiError(400, "BadRequest", '"fixtures" must be true or false')
    _emulator(request).reset(load_fixtures=load)
    return _json({"reset": True, "fixtures": load})


def _clock_state(emulator: Emulator) -> dict:
    clock = emulator.core.clock
    return {"now": rfc3339(clock.now()), "frozen": clock.frozen}


async def read_clock(request: web.Request) -> web.Response:
    return _json(_clock_state(_emulator(request)))


async def update_clock(request: web.Request) -> web.Response:
    """Apply, in this order, `frozen`, `set` and `advance_seconds`; due transitions run before the answer."""
    body = await _json_body(request)
    unknown = set(body) - {"set", "advance_seconds", "frozen"}
    if unknown or not body:
        raise ApiError(400, "BadRequest", 'give one or more of "set", "advance_seconds", "frozen"'
                       + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else ""))
    frozen, moment, seconds = body.get("frozen"), body.get("set"), body.get("advance_seconds")
    if frozen is not None and not isinstance(frozen, bool):
        raise ApiError(400, "BadRequest", '"frozen" must be true or false')
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
        raise ApiError(400, "BadRequest", '"advance_seconds" must be a number of seconds, 0 or more')
    if moment is not None:
        try:
            moment = parse_rfc3339(moment)
        except (ValueError, TypeError):
            raise ApiError(400, "BadRequest", f'"set" must be an RFC 3339 timestamp, not {moment!r}') from None
    clock = _emulator(request).core.clock
    if frozen is not None:
        clock.freeze(frozen)
    if moment is not None:
        clock.set(moment)
    if seconds:
        clock.advance(seconds)
    return _json(_clock_state(_emulator(request)))


def create_admin_app() -> web.Application:
    admin = web.Application()
    admin.router.add_get("/health", health)
    admin.router.add_post("/reset", reset)
    admin.router.add_get("/clock", read_clock)
    admin.router.add_post("/clock", update_clock)
    return admin
