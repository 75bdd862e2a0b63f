"""The COS request signature (q-sign-algorithm=sha1): recomputed from the request and compared.

The signature comes in the Authorization header, or for a presigned URL in the query string (the same
fields as query parameters, which the signature does not cover).

Without strict authentication only keys the emulator knows (fixture `credentials`, `--cos-key`)
are checked, and a signature by an unknown SecretId is accepted unchecked: the time window is not
checked then, since the emulator's clock is often frozen far from the client's wall clock. Strict
authentication (`--auth cos_batch`) refuses unsigned requests and unknown SecretIds, and checks
the window against the emulator's clock.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from urllib.parse import quote

from aiohttp import web

from emulator.services.cos_batch import errors

SIGNATURE_FIELDS = ("q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
                    "q-signature")  # an Authorization value's, or a presigned URL's query names
_KEY_TIME = re.compile(r"([0-9]{1,12});([0-9]{1,12})")


def _encode(text: str) -> str:
    """COS's UrlEncode: UTF-8 percent-encoding of everything but A-Z a-z 0-9 - _ . ~"""
    return quote(text, safe="-_.~")


def _pairs(values: Mapping[str, str], names: list[str]) -> str:
    return "&".join(f"{name}={values.get(name, '')}" for name in names)


def signature(secret_key: str, key_time: str, method: str, path: str, params: str, headers: str) -> str:
    """q-signature over an already-built HttpParameters and HttpHeaders string."""
    http_string = f"{method.lower()}\n{path}\n{params}\n{headers}\n"
    string_to_sign = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()


def parse_authorization(value: str) -> dict[str, str]:
    """The fields of an Authorization value; 403 AccessDenied unless all seven are there, sha1."""
    fields: dict[str, str] = {}
    for part in value.split("&"):
        name, _, field = part.partition("=")
        fields[name.strip()] = field.strip()
    if any(name not in fields for name in SIGNATURE_FIELDS) or fields["q-sign-algorithm"] != "sha1":
        raise errors.access_denied()
    key_time = _KEY_TIME.fullmatch(fields["q-key-time"])
    if key_time is None or int(key_time[1]) > int(key_time[2]) or not fields["q-ak"]:
        raise errors.access_denied()
    return fields


def _listed(items: object, names: list[str]) -> dict[str, str]:
    """The encoded values of the listed names only (the first of repeated ones), keyed by encoded lower-case name."""
    wanted = set(names)
    found: dict[str, str] = {}
    for name, value in items:  # type: ignore[attr-defined]
        key = _encode(name).lower()
        if key in wanted and key not in found:
            found[key] = _encode(value)
    return found


def _window(text: str) -> tuple[int, int] | None:
    matched = _KEY_TIME.fullmatch(text)
    return (int(matched[1]), int(matched[2])) if matched else None


def _check_window(fields: Mapping[str, str], now: float) -> None:
    """Both q-sign-time and q-key-time must hold `now`; COS answers "Request has expired" otherwise."""
    for name in ("q-sign-time", "q-key-time"):
        window = _window(fields[name])
        if window is None or window[0] > window[1]:
            raise errors.access_denied()
        if not window[0] <= now <= window[1]:
            raise errors.access_denied(errors.EXPIRED)


def _host_forms(host: str) -> list[str]:
    """The Host header as received and without its port, lower-cased (the Python SDK signs the latter)."""
    bare = host.rpartition(":")[0] if host.rpartition(":")[2].isdigit() and not host.endswith("]") else host
    return list(dict.fromkeys((host, bare.lower())))


def verify(request: web.Request, secret_key_of: Callable[[str], str | None], now: float | None = None,
           paths: tuple[str, ...] = ()) -> str | None:
    """Accept the request's signature or raise the 403 COS answers with; the SecretId whose signature was
    checked (None when none was).

    With `now` (strict authentication, the emulator clock's Unix time) a request must be signed,
    by a known SecretId, within its time window; without it only known keys' signatures are checked.
    `paths` are the signed paths accepted (default: the request's path).
    """
    required = now is not None
    value = request.headers.get("Authorization", "")
    if not value and "q-signature" in request.query:  # a presigned URL: the same fields, in the query string
        value = "&".join(f"{name}={request.query[name]}" for name in SIGNATURE_FIELDS if name in request.query)
    if not value:
        if required:
            raise errors.access_denied()
        return None
    fields = parse_authorization(value)
    secret_key = secret_key_of(fields["q-ak"])
    if secret_key is None:
        if required:
            raise errors.unknown_access_key()
        return None
    if now is not None:
        _check_window(fields, now)
    param_names = [name for name in fields["q-url-param-list"].lower().split(";") if name]
    header_names = [name for name in fields["q-header-list"].lower().split(";") if name]
    params = _pairs(_listed(request.query.items(), param_names), param_names)
    headers = _listed(request.headers.items(), header_names)
    hosts = _host_forms(request.headers.get("Host", "")) if "host" in header_names else [""]
    given = fields["q-signature"].lower()
    for host in hosts:
        if "host" in header_names:
            headers["host"] = _encode(host)
        for path in paths or (request.path,):
            expected = signature(secret_key, fields["q-key-time"], request.method, path, params,
                                 _pairs(headers, header_names))
            if hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape")):  # str: ASCII only
                return fields["q-ak"]
    raise errors.signature_mismatch()
