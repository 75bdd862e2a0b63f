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
from emulator.core.responses import bytes_response

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
    return ApiError(404, "NOT_FOUND", "Object with {'id': %r} not found" % (object_id,))  # repr of Sahara's dict


def validation_error(messages: list[str]) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", "\n".join(messages))


def invalid_data(message: str) -> ApiError:
    return ApiError(400, "INVALID_DATA", message)


def binary_missing(binary_id: str) -> ApiError:
    """A job's mains/libs names no binary: Sahara reports it as 400 with the NOT_FOUND name."""
    return ApiError(400, "NOT_FOUND", f"Job binary '{binary_id}' does not exist")


def duplicate_entry(kind: str) -> ApiError:
    return ApiError(400, "DB_DUPLICATE_ENTRY", f"Duplicate entry for {kind}: ['name', 'tenant_id']")


def sahara(name: str, message: str) -> ApiError:
    """A 400 of Sahara's with this error name (INVALID_REFERENCE, UPDATE_FAILED, CANCELING_FAILED, ...)."""
    return ApiError(400, name, message)


def deletion_failed(message: str) -> ApiError:
    return ApiError(400, "DELETION_FAILED", message)


def bad_query(message: str) -> ApiError:
    """Sahara's pagination/sorting checks raise SaharaException(msg, 400): the name is the integer 400."""
    return ApiError(400, "400", message, error_name=400)


def malformed_body() -> ApiError:
    return ApiError(400, "MALFORMED_REQUEST_BODY", "Malformed message body: cannot understand JSON")


def unsupported_content_type(mimetype: str) -> ApiError:
    return ApiError(400, "INVALID_DATA", f"Content type {mimetype!r} isn't supported", error_id=False)


# MRS's own codes (the native v1.1 and v2 job APIs): {"error_code": "<code>", "error_msg": "<text>"}, 400.
CLUSTER_MISSING = ("12000003", "The cluster does not exist.")
INVALID_PARAMETER = ("12000002", "The parameter is invalid.")
JOB_MISSING = ("0176", "The job does not exist.")
KILL_FAILED = ("0175", "Failed to kill the job.")
NOT_SQL_JOB = ("0179", "The job type must be SparkSql or SparkScript.")
SQL_RUNNING = ("0183", "The job is running.")
SQL_EMPTY = ("0181", "The SQL job result collection is empty.")
TOO_MANY_JOBS = ("0177", "The number of jobs in each cluster cannot exceed {limit} in the emulator.")
GATEWAY_NO_AUTH = "Incorrect IAM authentication information: x-auth-token not found"
GATEWAY_BAD_TOKEN = "Incorrect IAM authentication information: decrypt token fail"
GATEWAY_NO_ROUTE = "The API does not exist or has not been published in the environment."


def native(entry: tuple[str, str], status: int = 400, **format_args: object) -> ApiError:
    """An error of MRS's own APIs, in their envelope (`error_code` a string, `error_msg`)."""
    code, message = entry
    return ApiError(status, code, message.format(**format_args), native=True)


def cluster_missing() -> ApiError:
    """v2's answer for an unknown cluster: the one MRS error with camel-case keys (`errorCode`, `errorMsg`)."""
    return ApiError(400, CLUSTER_MISSING[0], CLUSTER_MISSING[1], native=True, camel=True)


def cluster_not_running(state: str) -> ApiError:
    return ApiError(400, "0056", f"Jobs cannot be submitted to a cluster in the {state} state.", native=True)


def component_missing(job_type: str) -> ApiError:
    """The cluster lacks the component the job type runs on (Spark, Hive or Flink)."""
    code, engine = {"Spark": ("0057", "Spark"), "Hive": ("0168", "Hive"), "Flink": ("0169", "Flink")}[job_type]
    return ApiError(400, code, f"{engine} jobs cannot be submitted.", native=True)


def gateway_unauthorized(message: str = GATEWAY_NO_AUTH) -> ApiError:
    """Huawei's API gateway refusing a request before MRS sees it (401 APIGW.0301)."""
    return ApiError(401, "APIGW.0301", message, native=True, gateway=True)


def is_native_path(path: str) -> bool:
    """Paths of MRS's own APIs (v2 jobs, v1.1 job-exes and submit-job, cluster_infos), not Sahara's."""
    if path.startswith("/v2/"):
        return True
    if not path.startswith("/v1.1/"):
        return False
    parts = path.split("/", 5)  # '', 'v1.1', project, section, and the segment after it
    return len(parts) > 3 and (parts[3] in ("job-exes", "cluster_infos") or parts[3:5] == ["jobs", "submit-job"])


def render_native(request: web.Request, error: ApiError, request_id: str) -> web.Response:
    """`error` as MRS's own APIs and Huawei's gateway answer: string code, `error_msg`, X-Request-Id."""
    if isinstance(error, (RouteNotFound, MethodNotAllowed)):
        status, code, message = 404, "APIGW.0101", GATEWAY_NO_ROUTE
    elif isinstance(error, HeaderTooLarge):
        status, code, message = 400, "APIGW.0201", "Request Header Or Cookie Too Large"
    elif error.details.get("native") or error.details.get("injected"):
        status, code, message = error.status, error.code, error.message
    elif isinstance(error, BodyTooLarge):
        status, code, message = 413, "APIGW.0201", "Request entity too large"
    elif error.status >= 500:
        status, code, message = error.status, "0162", "Failed to query the job."
    else:
        status, code, message = error.status, INVALID_PARAMETER[0], INVALID_PARAMETER[1]
    if error.details.get("camel"):
        body: dict = {"errorCode": code, "errorMsg": message}
    else:
        body = {"error_code": code, "error_msg": message}
    if error.details.get("gateway") or code.startswith("APIGW."):
        body["request_id"] = request_id
    return web.Response(body=jsonio.dumps(body), status=status, content_type="application/json",
                        headers={"X-Request-Id": request_id})


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
    elif error.status >= 500 and not error.details.get("injected"):  # a fault rule's code and text stand
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
    return bytes_response(jsonio.dumps(body), error.status, content_type="application/json")
