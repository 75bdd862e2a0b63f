"""MRS strict authentication: a listed X-Auth-Token bound to the path's project, or an AK/SK SDK-HMAC-SHA256 signature.

The signature is recomputed as huaweicloudsdkcore's Signer makes it and Huawei's API gateway checks
it: canonical request = method, the path (each segment decoded then encoded, RFC 3986 unreserved
kept, ending in `/`), the query pairs sorted and encoded alike, `name:value` of each signed header,
the signed header names, and the SHA-256 of the body (or X-Sdk-Content-Sha256); string to sign =
`SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<sha256 of the canonical request>`; signature = HMAC-SHA256 with
the SK. The X-Sdk-Date must be within 15 minutes of the emulator's clock.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import quote, unquote

from aiohttp import web

from emulator.core.credentials import same_secret
from emulator.services.mrs import errors
from emulator.services.mrs.wire import routed_project

ALGORITHM = "SDK-HMAC-SHA256"
HUAWEI_SIGNATURES = ("SDK-", "V11-")  # what Huawei's SDKs sign with; only SDK-HMAC-SHA256 can pass
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
WINDOW_SECONDS = 15 * 60
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
VERIFY_FAILED = "Incorrect IAM authentication information: verify aksk signature fail"
UNKNOWN_AK = "Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist"
Keys = Mapping[str, "tuple[str, str | None]"]  # AK -> (SK, the project it is bound to or None)


def path_project(path: str) -> str | None:
    """The project segment of `/v1.1/{project_id}/...` or `/v2/{project_id}/...`."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) > 2 and parts[2] else None


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_request(method: str, raw_path: str, query: list[tuple[str, str]], headers: Mapping[str, str],
                      signed: list[str], payload_hash: str) -> str:
    """The six lines the SDK hashes, from what the server received."""
    path = "/".join(_encode(segment) for segment in unquote(raw_path.split("?", 1)[0]).split("/"))
    if not path.endswith("/"):
        path += "/"
    pairs = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in sorted(query))
    lines = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    return "\n".join((method.upper(), path, pairs, lines, ";".join(signed), payload_hash))


def signature(secret_key: str, date: str, canonical: str) -> str:
    string_to_sign = f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret_key.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def _parse(value: str) -> tuple[str, list[str], str]:
    """(AK, signed header names, signature) of an Authorization value; the gateway's 401 if it is not one."""
    algorithm, _, rest = value.partition(" ")
    fields = {}
    for part in rest.split(","):
        name, _, field = part.strip().partition("=")
        fields[name] = field
    if algorithm != ALGORITHM or not all(fields.get(name) for name in ("Access", "SignedHeaders", "Signature")):
        raise errors.gateway_unauthorized(VERIFY_FAILED)
    return fields["Access"], fields["SignedHeaders"].split(";"), fields["Signature"]


async def verify_signature(request: web.Request, keys: Keys, now: datetime) -> None:
    """An SDK-HMAC-SHA256 signature by a known AK over this request, made within the window; 401 otherwise."""
    access_key, signed, given = _parse(request.headers["Authorization"])
    entry = keys.get(access_key)
    if entry is None:
        raise errors.gateway_unauthorized(UNKNOWN_AK)
    secret_key, project = entry
    date = request.headers.get("X-Sdk-Date", "")
    try:
        moment = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise errors.gateway_unauthorized(VERIFY_FAILED) from None
    if "host" not in signed or "x-sdk-date" not in signed or abs((now - moment).total_seconds()) > WINDOW_SECONDS:
        raise errors.gateway_unauthorized(VERIFY_FAILED)
    body = await request.read()
    payload = request.headers.get("X-Sdk-Content-Sha256") or (hashlib.sha256(body).hexdigest() if body else EMPTY_HASH)
    headers = {name.lower(): value for name, value in request.headers.items()}
    canonical = canonical_request(request.method, request.raw_path, list(request.query.items()), headers, signed,
                                  payload)
    if not same_secret(given, signature(secret_key, date, canonical)):
        raise errors.gateway_unauthorized(VERIFY_FAILED)
    if project is not None and path_project(request.path) not in (None, project):
        raise errors.gateway_unauthorized(f"Incorrect IAM authentication information: the AK may not access "
                                          f"project {path_project(request.path)}")


def check_token(request: web.Request, tokens: Mapping[str, str | None]) -> None:
    """A listed token passes for its own project (an unbound one for any); 401 otherwise.

    On Sahara's paths the order is upstream's: keystonemiddleware refuses a missing or unknown token,
    then Sahara's auth_valid refuses a token whose project is not the path's ("Token tenant !=
    requested tenant"). MRS's own APIs sit behind Huawei's API gateway, which refuses both with its
    401 APIGW.0301 "decrypt token fail".
    """
    given = request.headers.get("X-Auth-Token", "").strip()
    for token, project in tokens.items():
        if given and same_secret(given, token):
            requested = routed_project(request) or path_project(request.path)  # the project the route reads
            if project is not None and requested not in (None, project):
                raise _refused(request, errors.tenant_mismatch())
            return
    raise _refused(request, errors.unauthorized())


def _refused(request: web.Request, sahara_answer: Exception) -> Exception:
    """A refused token: Sahara's answer on its paths, the gateway's "decrypt token fail" on MRS's own."""
    if errors.is_native_path(request.path):
        return errors.gateway_unauthorized(errors.GATEWAY_BAD_TOKEN)
    return sahara_answer


async def authenticate(request: web.Request, tokens: Mapping[str, str | None], keys: Keys, now: datetime) -> None:
    """A token is checked as Keystone would (on MRS's own APIs as the gateway would); otherwise an Authorization
    header as the API gateway would; neither is Keystone's 401 on Sahara's paths and the gateway's on MRS's own."""
    if errors.has_token(request):
        check_token(request, tokens)
    elif request.headers.get("Authorization", "").startswith(HUAWEI_SIGNATURES):
        await verify_signature(request, keys, now)
    elif errors.is_native_path(request.path):
        raise errors.gateway_unauthorized()
    else:
        raise errors.unauthorized()
