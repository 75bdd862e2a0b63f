"""Kubernetes on the wire: request bodies in (JSON or YAML), objects out (compact or pretty JSON)."""
from __future__ import annotations

from typing import Any

import yaml
from aiohttp import web

from emulator.core import jsonio
from emulator.services.kubernetes import gojson, errors

_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_PRETTY_AGENTS = ("curl", "Wget", "Mozilla/5.0")
BODY_TYPES = ("application/json", "application/yaml")
PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)


def is_true(value: str | None) -> bool:
    """Go's strconv.ParseBool, with anything unparseable as false."""
    return value is not None and value in _TRUE


def is_pretty(request: web.Request) -> bool:
    """`?pretty=`, else the apiserver's guess from the User-Agent (curl, wget and browsers get indented JSON)."""
    value = request.query.get("pretty") if request.rel_url.raw_query_string else None  # no query: nothing to parse
    if value:
        return is_true(value)
    return request.headers.get("User-Agent", "").startswith(_PRETTY_AGENTS)


def encode(body: Any, pretty: bool) -> bytes:
    """An object as the apiserver prints it: compact with a trailing newline, or indented."""
    return jsonio.dumps(body, pretty=True) if pretty else jsonio.dumps(body) + b"\n"


def respond(request: web.Request, body: Any, status_code: int = 200, headers: dict | None = None) -> web.Response:
    return reply(encode(body, is_pretty(request)), status_code, headers)


def reply(data: bytes, status_code: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(body=data, status=status_code, content_type="application/json", headers=headers)


def media_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _hexdump_prefix(raw: bytes) -> str:
    head = raw[:30]
    if head[:1] == b"{":
        return head.decode("utf-8", "replace")
    return " ".join(f"{b:02x}" for b in head)


def decode_object(raw: bytes, content_type: str, kind: str) -> dict[str, Any]:
    """A create/replace body (JSON, or YAML when sent as such) as a dict; 400/415 as the apiserver says."""
    if content_type and content_type not in BODY_TYPES:
        raise errors.unsupported_media_type(
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json, application/yaml, application/vnd.kubernetes.protobuf")
    try:
        if content_type == "application/yaml":
            value = yaml.safe_load(raw.decode("utf-8"))
        else:
            value = jsonio.loads(raw)
    except (ValueError, yaml.YAMLError, UnicodeDecodeError) as error:
        reason = (content_type != "application/yaml" and gojson.syntax_error(raw)) or _first_line(error)
        raise errors.bad_request(
            f"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; "
            f"json parse error: {reason} ({_hexdump_prefix(raw)} ...)") from None
    if not isinstance(value, dict):
        raise errors.bad_request(
            f"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; "
            f"json parse error: json: cannot unmarshal {json_type(value)} into Go value of type struct "
            f'{{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }}')
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def json_type(value: Any) -> str:
    """The JSON type name Go's encoding/json prints in unmarshal errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"
