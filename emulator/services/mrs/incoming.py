"""Reading MRS requests: the token that admits them, the project they name, and their JSON body."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator import jsonio
from emulator.services.mrs import errors


def project_of(request: web.Request) -> str:
    """The path's project, once the request carries a token (any non-empty one is accepted)."""
    if not errors.has_token(request):
        raise errors.unauthorized()
    return request.match_info["project_id"]


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
