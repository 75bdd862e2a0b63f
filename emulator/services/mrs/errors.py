"""MRS's error catalogue (Sahara names and texts) and the one JSON envelope every error is rendered in.

The envelope carries both client families' fields: Sahara's `error_code` (the HTTP status as an
integer), `error_name` and `error_message` (with Sahara's "\\nError ID: <uuid>" suffix), which
python-saharaclient reads, and Huawei's `error_msg` (the bare text), which the Huawei SDK reads.
A missing token is answered the way keystonemiddleware answers it, before any MRS code runs.
"""
from __future__ import annotations

import json

from aiohttp import web

from emulator.core import jsonio
from emulator.core.errors import ApiError, BodyTooLarge, BodyUnreadable, HeaderTooLarge, MethodNotAllowed, RouteNotFound

KEYSTONE_401 = jsonio.dumps({"error": {
    "code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication.",
}})

# Sahara's auth_valid raises webob's HTTPUnauthorized, which webob renders as the Accept header prefers.
TENANT_MISMATCH = "TOKEN_TENANT_MISMATCH"
_WEBOB_EXPLANATION = ("This server could not verify that you are authorized to access the document you requested. "
                      "Either you supplied the wrong credentials (e.g., bad password), or your browser does not "
                      "understand how to supply the credentials required.")
_WEBOB_401 = {
    "text/html": (f"<html>\n <head>\n  <title>401 Unauthorized</title>\n </head>\n <body>\n  <h1>401 Unauthorized"
                  f"</h1>\n  {_WEBOB_EXPLANATION}<br /><br />\nToken tenant != requested tenant\n\n\n </body>\n</html>"
                  ).encode(),
    "text/plain": f"401 Unauthorized\n\n{_WEBOB_EXPLANATION}\n\n Token tenant != requested tenant  ".encode(),
    "application/json": json.dumps({"message": f"{_WEBOB_EXPLANATION}<br /><br />\nToken tenant != requested "
                                               f"tenant\n\n", "code": "401 Unauthorized", "title": "Unauthorized"}
                                   ).encode(),  # Python's json with its default separators, as webob writes it
}

# Errors raised outside MRS code (routing, body limit, crashes): Sahara's Flask/werkzeug wording, no Error ID.
_FOREIGN = {
    RouteNotFound: ("NOT_FOUND", "The requested URL was not found on the server. If you entered the URL "
                                 "manually please check your spelling and try again."),
    MethodNotAllowed: ("METHOD_NOT_ALLOWED", "The method is not allowed for the requested URL."),
    BodyTooLarge: ("REQUEST_ENTITY_TOO_LARGE", "The data value transmitted exceeds the capacity limit."),
    BodyUnreadable: ("BAD_REQUEST", "The browser (or proxy) sent a request that this server could not understand."),
}


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "The request you have made requires authentication.")


def tenant_mismatch() -> ApiError:
    """Strict auth: a token bound to another project than the path's (Sahara's auth_valid middleware)."""
    return ApiError(401, TENANT_MISMATCH, "Token tenant != requested tenant")


def not_found(object_id: str) -> ApiError:
    """A path id or list marker that names nothing in the project (Sahara's check_exists)."""
    return ApiError(404, "NOT_FOUND", f"Object with {({'id': object_id})!r} not found")


def validation_error(messages: list[str]) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", "\n".join(messages))


def invalid_data(message: str) -> ApiError:
    return ApiError(400, "INVALID_DATA", message)


def binary_missing(binary_id: str) -> ApiError:
    """A job's mains/libs names no binary: Sahara reports it as 400 with the NOT_FOUND name."""
    return ApiError(400, "NOT_FOUND", f"Job binary '{binary_id}' does not exist")


def duplicate_entry(kind: str) -> ApiError:
    return ApiError(400, "DB_DUPLICATE_ENTRY", f"Duplicate entry for {kind}: ['name', 'tenant_id']")


def deletion_failed(message: str) -> ApiError:
    return ApiError(400, "DELETION_FAILED", message)


def bad_query(message: str) -> ApiError:
    """Sahara's pagination/sorting checks raise SaharaException(msg, 400): the name is the integer 400."""
    return ApiError(400, "400", message, error_name=400)


def malformed_body() -> ApiError:
    return ApiError(400, "MALFORMED_REQUEST_BODY", "Malformed message body: cannot understand JSON")


def unsupported_content_type(mimetype: str) -> ApiError:
    return ApiError(400, "INVALID_DATA", f"Content type {mimetype!r} isn't supported", error_id=False)


def _quality(ranges: list[tuple[str, float]], offer: str) -> float:
    """The q of the most specific media range that matches `offer` (0 when none does)."""
    kind = offer.split("/")[0]
    matches = [(3 if media == offer else 2 if media == f"{kind}/*" else 1, q)
               for media, q in ranges if media in (offer, f"{kind}/*", "*/*")]
    return max(matches)[1] if matches else 0.0


def _webob_choice(accept: str | None) -> str:
    """What webob's HTTPException picks: plain text without Accept, else the best q, ties to html, plain, json.

    An Accept header webob cannot parse counts as accepting everything, so html.
    """
    if not accept:
        return "text/plain"
    ranges = []
    for part in accept.split(","):
        media, *params = (item.strip() for item in part.split(";"))
        q = next((value for name, _, value in (p.partition("=") for p in params) if name.strip() == "q"), "1")
        try:
            ranges.append((media.lower(), float(q)))
        except ValueError:
            return "text/html"
        if "/" not in media:
            return "text/html"
    offers = ("text/html", "text/plain", "application/json")
    best = max(offers, key=lambda offer: (_quality(ranges, offer), -offers.index(offer)))
    return best if _quality(ranges, best) > 0 else "text/plain"


def has_token(request: web.Request) -> bool:
    return bool(request.headers.get("X-Auth-Token", "").strip())


def render(request: web.Request, error: ApiError, error_id: str) -> web.Response:
    """`error` in the MRS envelope; `error_id` is the uuid Sahara appends to its own errors."""
    if isinstance(error, HeaderTooLarge):  # refused in front of Sahara (API gateway, eventlet alike) with a 400
        error = ApiError(400, "BAD_REQUEST", "Request Header Or Cookie Too Large", error_id=False)
    if error.code == TENANT_MISMATCH:
        media_type = _webob_choice(request.headers.get("Accept"))
        charset = "" if media_type == "application/json" else "; charset=UTF-8"
        return web.Response(body=_WEBOB_401[media_type], status=401, headers={"Content-Type": media_type + charset})
    if error.status == 401 or (isinstance(error, (RouteNotFound, MethodNotAllowed)) and not has_token(request)):
        return web.Response(body=KEYSTONE_401, status=401, content_type="application/json",
                            headers={"WWW-Authenticate": f'Keystone uri="{request.scheme}://{request.host}/identity"'})
    foreign = _FOREIGN.get(type(error))
    if foreign is not None:
        name, message, with_id = foreign[0], foreign[1], False
    elif error.status >= 500:
        name, message, with_id = "INTERNAL_SERVER_ERROR", "Internal Server Error", False
    else:
        name, message = error.details.get("error_name", error.code), error.message
        with_id = error.details.get("error_id", True)
    body = {
        "error_code": error.status,
        "error_message": f"{message}\nError ID: {error_id}" if with_id else message,
        "error_name": name,
        "error_msg": message,
    }
    return web.Response(body=jsonio.dumps(body), status=error.status, content_type="application/json")
