"""Kubernetes strict authentication: a bearer token (or Huawei's X-Auth-Token) from the configured list."""
from __future__ import annotations

from collections.abc import Collection

from aiohttp import web

from emulator.core.credentials import same_secret
from emulator.core.errors import ApiError

# What kube-apiserver's RBAC lets system:anonymous read (system:public-info-viewer); discovery is not in it.
ANONYMOUS_PATHS = frozenset({"/version", "/version/"})


def presented(request: web.Request) -> list[str]:
    """The tokens a request carries: `Authorization: Bearer <token>` as the apiserver reads it, and X-Auth-Token."""
    tokens = []
    scheme, _, rest = request.headers.get("Authorization", "").strip().partition(" ")
    bearer = rest.split(" ", 1)[0]
    if scheme.lower() == "bearer" and bearer:
        tokens.append(bearer)
    gateway = request.headers.get("X-Auth-Token", "").strip()
    if gateway:
        tokens.append(gateway)
    return tokens


def authenticate(request: web.Request, tokens: Collection[str]) -> None:
    """Pass a request with a listed token, or an anonymous one to /version; 401 Unauthorized otherwise.

    A token that is presented but not listed is refused on every path, /version too, as the
    apiserver refuses a failed authentication before it looks at anonymous access.
    """
    given = presented(request)
    if any(same_secret(token, known) for token in given for known in tokens):
        return
    if not given and request.path in ANONYMOUS_PATHS:
        return
    raise ApiError(401, "Unauthorized", "Unauthorized")
