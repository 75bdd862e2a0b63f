"""Wire shapes of job objects and job binaries: every key, in the order seed 002 and Huawei's pages print them.

Stored objects keep their keys in wire order, so rendering is a copy: a job's `mains` and `libs`
hold binary ids in request order and are expanded here into nested binaries (Huawei's nested
shape: no timestamps, `extra` always null); a binary's stored `extra` is never shown.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"

JOB_FIELDS = ("name", "type", "description", "mains", "libs", "created_at", "updated_at",
              "id", "tenant_id", "is_public", "is_protected", "interface")
BINARY_FIELDS = ("name", "url", "description", "created_at", "updated_at",
                 "id", "tenant_id", "is_public", "is_protected")
NESTED_BINARY_FIELDS = ("name", "url", "description", "id", "tenant_id", "is_public", "is_protected", "extra")

BinaryLookup = Callable[[str, str], "dict[str, Any] | None"]  # (project, binary id) -> stored binary


def timestamp(moment: datetime) -> str:
    """Sahara's form: ISO 8601 with a T, whole seconds, UTC, no zone suffix."""
    if moment.year < 1000:  # strftime leaves such a year unpadded
        return moment.strftime(TIME_FORMAT)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")  # the same text, several times faster


def render_binary(binary: dict[str, Any]) -> dict[str, Any]:
    return {field: binary[field] for field in BINARY_FIELDS}


def nested_binary(binary: dict[str, Any]) -> dict[str, Any]:
    shown = {field: binary[field] for field in NESTED_BINARY_FIELDS[:-1]}
    shown["extra"] = None  # the last field: credentials are never shown
    return shown


def _expand(project: str, binary_ids: list[str], lookup: BinaryLookup) -> list[dict[str, Any]]:
    expanded = []
    for binary_id in binary_ids:
        binary = lookup(project, binary_id)
        if binary is not None:  # deleting a referenced binary is refused, so this always holds
            expanded.append(nested_binary(binary))
    return expanded


def render_job(job: dict[str, Any], lookup: BinaryLookup) -> dict[str, Any]:
    """The job as MRS prints it, `mains` and `libs` expanded to binaries of the job's project."""
    project = job["tenant_id"]
    return {**job, "mains": _expand(project, job["mains"], lookup), "libs": _expand(project, job["libs"], lookup)}
