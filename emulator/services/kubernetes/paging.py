"""Lists a page at a time: `limit`, and the continue token that says where the next page starts."""
from __future__ import annotations

import base64
import binascii

from emulator.core import jsonio
from emulator.core.store import Collection
from emulator.services.kubernetes import errors
from emulator.services.kubernetes.filters import Predicate


def page(items: Collection, revision: int, namespace: str | None, predicate: Predicate | None, limit: int,
         continue_token: str | None) -> tuple[list[dict], str | None, int | None]:
    """Up to `limit` objects (0: all) in key order after the token; the next token and what remains."""
    after = _decode_continue(continue_token, namespace) if continue_token else None
    found: list[dict] = []
    last_key = None
    for key, obj in items.scan(namespace, after):
        if predicate is not None and not predicate(obj):
            continue
        if limit and len(found) == limit:
            remaining = None if predicate else items.count(namespace, last_key)
            return found, _encode_continue(last_key, namespace, revision), remaining
        found.append(obj)
        last_key = key
    return found, None, None


def _encode_continue(key: tuple[str, str], namespace: str | None, revision: int) -> str:
    start = key[1] if namespace is not None else f"{key[0]}/{key[1]}"
    token = {"v": "meta.k8s.io/v1", "rv": revision, "start": start + "\x00"}
    return base64.urlsafe_b64encode(jsonio.dumps(token)).decode().rstrip("=")


def _decode_continue(token: str, namespace: str | None) -> tuple[str, str]:
    try:
        data = jsonio.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        start = data["start"].rstrip("\x00")
        if data.get("v") != "meta.k8s.io/v1" or not isinstance(data.get("rv"), int):
            raise ValueError("unsupported continue token version")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as error:
        raise errors.bad_request(f"invalid continue token: continue key is not valid: {error}") from None
    if namespace is not None:
        return namespace, start
    scope, _, name = start.partition("/")
    return scope, name
