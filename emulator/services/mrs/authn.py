"""MRS strict authentication: a listed X-Auth-Token (keystonemiddleware's 401 otherwise), bound to the path's project."""
from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from emulator.core.credentials import same_secret
from emulator.services.mrs import errors
from emulator.services.mrs.wire import routed_project


def path_project(path: str) -> str | None:
    """The project segment of `/v1.1/{project_id}/...`, as Sahara's auth_valid middleware splits the path."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) > 2 and parts[2] else None


def authenticate(request: web.Request, tokens: Mapping[str, str | None]) -> None:
    """A listed token passes for its own project (an unbound one for any); 401 otherwise, as upstream answers.

    The order is upstream's: keystonemiddleware refuses a missing or unknown token, then Sahara's
    auth_valid refuses a token whose project is not the path's ("Token tenant != requested tenant").
    """
    given = request.headers.get("X-Auth-Token", "").strip()
    for token, project in tokens.items():
        if given and same_secret(given, token):
            requested = routed_project(request) or path_project(request.path)  # the project the route reads
            if project is not None and requested not in (None, project):
                raise errors.tenant_mismatch()
            return
    raise errors.unauthorized()
