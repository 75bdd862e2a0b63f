"""Credentials every service compares the same way: constant-time secrets, token bindings, hidden collections."""
from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

SECRET_SUFFIX = "_secrets"  # store collections named so are kept in the state file but never shown


def token_projects(tokens: Iterable[str]) -> dict[str, str | None]:
    """`TOKEN` or `TOKEN@PROJECT_ID` entries as token -> the project it is bound to (None: any project)."""
    table: dict[str, str | None] = {}
    for entry in tokens:
        token, at, project = entry.rpartition("@")
        if at and token and project:
            table[token] = project
        else:
            table[entry] = None
    return table


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so a wrong token takes as long to refuse as a nearly right one.

    A header's undecodable bytes reach here as surrogates (aiohttp decodes with surrogateescape);
    they are compared as the bytes the client sent, so they are refused, never raised on."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                     expected.encode("utf-8", "surrogateescape"))


def shown(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A store snapshot without the collections that hold secrets, for `/_emulator/state`."""
    collections = {kind: entries for kind, entries in snapshot["collections"].items()
                   if not kind.endswith(SECRET_SUFFIX)}
    return {**snapshot, "collections": collections}
