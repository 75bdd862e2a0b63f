"""The strict-authentication options: --auth, --token, --cos-key, --admin-token and their EMULATOR_* variables."""
from __future__ import annotations

import argparse
import os
from typing import Any

from emulator.auth import SERVICES, parse_mode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags; the repeatable ones fall back to their comma-separated variable only when not given at all."""
    parser.add_argument("--auth", metavar="MODE", default=os.environ.get("EMULATOR_AUTH", "off"),
                        help="strict authentication: 'strict' for every service, or a comma-separated list of "
                             f"{', '.join(SERVICES)}; 'off' by default (EMULATOR_AUTH)")
    parser.add_argument("--token", action="append", metavar="TOKEN[@PROJECT_ID]",
                        help="a token strict authentication accepts, repeatable; Kubernetes takes any listed token, "
                             "MRS one bound to the path's project or an unbound one (EMULATOR_TOKEN, comma-separated)")
    parser.add_argument("--cos-key", action="append", metavar="SECRET_ID:SECRET_KEY",
                        help="a COS signing key pair, repeatable, besides the fixtures' keys "
                             "(EMULATOR_COS_KEY, comma-separated)")
    parser.add_argument("--admin-token", metavar="TOKEN", default=os.environ.get("EMULATOR_ADMIN_TOKEN") or None,
                        help="the admin API (/_emulator/, but health) then wants it in X-Emulator-Admin-Token "
                             "(EMULATOR_ADMIN_TOKEN; default: the admin API is open)")


def _listed(given: list[str] | None, variable: str) -> list[str]:
    if given is not None:
        return given
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The Settings fields of the parsed options; a bad one stops with a message that never repeats a secret."""
    try:
        auth = parse_mode(args.auth)
    except ValueError as error:
        parser.error(f"argument --auth: {error}")
    tokens = tuple(token.strip() for token in _listed(args.token, "EMULATOR_TOKEN"))
    if any(not token or token.startswith("@") for token in tokens):
        parser.error("argument --token: give TOKEN or TOKEN@PROJECT_ID, with a non-empty TOKEN")
    if auth & {"kubernetes", "mrs"} and not tokens:
        parser.error(f"argument --auth: {', '.join(sorted(auth & {'kubernetes', 'mrs'}))} needs at least one "
                     "--token (or EMULATOR_TOKEN)")
    keys = []
    for pair in _listed(args.cos_key, "EMULATOR_COS_KEY"):
        secret_id, _, secret_key = pair.partition(":")
        if not secret_id.strip() or not secret_key.strip():
            parser.error("argument --cos-key: give SECRET_ID:SECRET_KEY, both non-empty")
        keys.append((secret_id.strip(), secret_key.strip()))
    if args.admin_token is not None and not args.admin_token.strip():
        parser.error("argument --admin-token: give a non-empty token")
    admin_token = args.admin_token.strip() if args.admin_token else None
    return {"auth": auth, "tokens": tokens, "cos_keys": tuple(keys), "admin_token": admin_token}
