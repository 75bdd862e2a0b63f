"""The MRS wire: the token and project a request names, its JSON body, and JSON answers."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator.core import jsonio
from emulator.core.errors import RouteNotFound
from emulator.core.responses import bytes_response
from emulator.services.mrs import errors

# Keystone project ids (32 lower-case hex on Huawei Cloud; Keystone's column holds 64): never '/', '.' or '%'
PROJECT_ID = re.compile(r"[0-9A-Za-z_-]{1,64}\Z")


def routed_project(request: web.Request) -> str | None:
    """The project id the route read from the path (None off the MRS routes); a 404 for one no project has."""
    project = request.match_info.get("project_id")
    if project is not None and not PROJECT_ID.match(project):
        raise RouteNotFound(request.path)
    return project


def _credentialed(request: web.Request) -> bool:
    """A token, or an AK/SK signature as huaweicloudsdkcore sends one (by default any passes: strict
    authentication checks them before routing)."""
    return errors.has_token(request) or request.headers.get("Authorization", "").startswith("SDK-HMAC-")


def project_of(request: web.Request) -> str:
    """The path's project, once the request carries credentials (Keystone's 401 without)."""
    if not _credentialed(request):
        raise errors.unauthorized()
    return routed_project(request)  # type: ignore[return-value]  # every MRS route has one


def native_project_of(request: web.Request) -> str:
    """The path's project on MRS's own APIs; without credentials, refused as Huawei's gateway refuses it."""
    if not _credentialed(request):
        raise errors.gateway_unauthorized()
    return request.match_info["project_id"]


async def native_body(request: web.Request) -> Any:
    """The parsed JSON body of a native call (`{}` when empty); text that is not JSON is MRS's invalid parameter."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        return jsonio.loads(raw)
    except ValueError:
        raise errors.native(errors.INVALID_PARAMETER) from None


async def json_body(request: web.Request) -> Any:
    """The parsed body, `{}` when there is none; whether it is an object is the schema's call.

    As in Sahara: an empty body is `{}` whatever its type, a body must be JSON (no Content-Type
    or application/json), and text that is not JSON is MALFORMED_REQUEST_BODY.
    """
    raw = await request.read()  # over the size limit: 413 from aiohttp, rendered by the service
    if not raw:
        return {}
    mimetype = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if mimetype and mimetype != "application/json":
        raise errors.unsupported_content_type(mimetype)
    try:
        return jsonio.loads(raw)
    except ValueError:
        raise errors.malformed_body() from None


def answer(status: int, payload: dict[str, Any]) -> web.Response:
    """A JSON answer."""
    return answer_bytes(status, jsonio.dumps(payload))


def answer_bytes(status: int, body: bytes) -> web.Response:
    """An answer of JSON already encoded."""
    return bytes_response(body, status, content_type="application/json")


def listed(key: str, items: list[dict[str, Any]], markers: dict | None) -> web.Response:
    """A list answer, with Sahara's paging `markers` when a page was asked for."""
    payload: dict[str, Any] = {key: items}
    if markers is not None:
        payload["markers"] = markers
    return answer(200, payload)
