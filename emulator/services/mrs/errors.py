"""MRS's error catalogue (Sahara names and texts) and the one JSON envelope every error is rendered in.

The envelope carries both client families' fields: Sahara's `error_code` (the HTTP status as an
integer), `error_name` and `error_message` (with Sahara's "\\nError ID: <uuid>" suffix), which
python-saharaclient reads, and Huawei's `error_msg` (the bare text), which the Huawei SDK reads.
A missing token is answered the way keystonemiddleware answers it, before any MRS code runs.
"""
from __future__ import annotations

from aiohttp import web

from emulator import jsonio
from emulator.core.errors import ApiError, BodyTooLarge, MethodNotAllowed, RouteNotFound

KEYSTONE_401 = jsonio.dumps({"error": {
    "code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication.",
}})

# Errors raised outside MRS code (routing, body limit, crashes): Sahara's Flask/werkzeug wording, no Error ID.
_FOREIGN = {
    RouteNotFound: ("NOT_FOUND", "The requested URL was not found on the server. If you entered the URL "
                                 "manually please check your spelling and try again."),
    MethodNotAllowed: ("METHOD_NOT_ALLOWED", "The method is not allowed for the requested URL."),
    BodyTooLarge: ("REQUEST_ENTITY_TOO_LARGE", "The data value transmitted exceeds the capacity limit."),
}


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "The request you have made requires authentication.")


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


def has_token(request: web.Request) -> bool:
    return bool(request.headers.get("X-Auth-Token", "").strip())


def render(request: web.Request, error: ApiError, error_id: str) -> web.Response:
    """`error` in the MRS envelope; `error_id` is the uuid Sahara appends to its own errors."""
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
