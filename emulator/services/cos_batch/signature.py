"""The COS request signature (q-sign-algorithm=sha1): recomputed from the request and compared.

Only keys the emulator knows (fixture `credentials`) can be checked; a signature by an unknown
SecretId is accepted unchecked unless signatures are required. The signature's time window is not
checked: the emulator's clock is often frozen far from the client's wall clock.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import quote

from aiohttp import web

from emulator.services.cos_batch import errors

_FIELDS = ("q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
           "q-signature")
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
    if any(name not in fields for name in _FIELDS) or fields["q-sign-algorithm"] != "sha1":
        raise errors.access_denied()
    key_time = _KEY_TIME.fullmatch(fields["q-key-time"])
    if key_time is None or int(key_time[1]) > int(key_time[2]) or not fields["q-ak"]:
        raise errors.access_denied()
    return fields


def _encoded(items: object) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in items:  # type: ignore[attr-defined]
        found.setdefault(_encode(name).lower(), _encode(value))
    return found


def _host_forms(host: str) -> list[str]:
    """The Host header as received and without its port, lower-cased (the Python SDK signs the latter)."""
    bare = host.rpartition(":")[0] if host.rpartition(":")[2].isdigit() and not host.endswith("]") else host
    return list(dict.fromkeys((host, bare.lower())))


def verify(request: web.Request, credentials: Mapping[str, str], required: bool) -> None:
    """Accept the request's signature or raise the 403 COS answers with."""
    value = request.headers.get("Authorization", "")
    if not value:
        if required:
            raise errors.access_denied()
        return
    fields = parse_authorization(value)
    secret_key = credentials.get(fields["q-ak"])
    if secret_key is None:
        if required:
            raise errors.unknown_access_key()
        return
    param_names = [name for name in fields["q-url-param-list"].lower().split(";") if name]
    header_names = [name for name in fields["q-header-list"].lower().split(";") if name]
    params = _pairs(_encoded(request.query.items()), param_names)
    headers = _encoded(request.headers.items())
    hosts = _host_forms(request.headers.get("Host", "")) if "host" in header_names else [""]
    given = fields["q-signature"].lower()
    for host in hosts:
        if "host" in header_names:
            headers["host"] = _encode(host)
        expected = signature(secret_key, fields["q-key-time"], request.method, request.path, params,
                             _pairs(headers, header_names))
        if hmac.compare_digest(expected, given):
            return
    raise errors.signature_mismatch()
