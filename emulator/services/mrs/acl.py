"""Sahara's protection rules (its acl checks): what an object marked `is_protected` refuses."""
from __future__ import annotations

from typing import Any

from emulator.services.mrs import errors


def check_update(entity: str, stored: dict[str, Any], body: dict[str, Any]) -> None:
    """A protected object takes an update only if the body unprotects it (`is_protected` false or null) or
    changes nothing but `is_public`; else 400 UPDATE_FAILED. `entity` names the kind as Sahara does."""
    if not stored["is_protected"] or not body.get("is_protected", True):
        return
    if "is_public" in body and all(key == "is_public" or (key in stored and stored[key] == value)
                                   for key, value in body.items()):
        return
    raise errors.sahara("UPDATE_FAILED", f"{entity} with id '{stored['id']}' could not be updated because it's "
                                         "marked as protected")


def check_delete(entity: str, stored: dict[str, Any]) -> None:
    if stored["is_protected"]:
        raise errors.deletion_failed(f"{entity} with id '{stored['id']}' could not be deleted because it's marked "
                                     "as protected")
