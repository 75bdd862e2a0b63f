"""MRS fixture documents: one job binary or one job of a project, with the id and times a seed shows.

    {"service": "mrs", "project_id": "<project>",
     "job_binary": {"id": "<uuid4>", "created_at": "YYYY-MM-DDTHH:MM:SS", "updated_at": null, <POST body>}}
    {"service": "mrs", "project_id": "<project>",
     "job": {"id": "<uuid4>", "created_at": "...", "updated_at": "...", <POST body>}}

The rest of the object is a POST body and goes through the same checks as one; `id` and
`created_at` are required, `updated_at` is optional (a binary's defaults to null, a job's to
`created_at`). Binaries must come before the jobs that use them.

    {"service": "mrs", "project_id": "<project>",
     "cluster": {"id": "<uuid>", "name": "...", "state": "running", "version": "MRS 3.1.0",
                 "components": ["Hadoop", "Spark2x", "Hive", "Flink", "Tez"], "created_at": <epoch s>}}

A cluster is what the job-execution APIs submit to; only `id` and `name` are required.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator.core.fixture_memo import FixtureMemo
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.binaries import checked as checked_binary
from emulator.services.mrs.clusters import ClusterRegistry
from emulator.services.mrs.jobs import JobRegistry
from emulator.services.mrs.jobs import checked as checked_job

_KEYS = {"service", "project_id", "job", "job_binary", "cluster"}
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def load(document: dict[str, Any], jobs: JobRegistry, binaries: BinaryRegistry, clusters: ClusterRegistry,
         memo: FixtureMemo) -> None:
    """Store the document's object; ValueError (or the API's ApiError) says what is wrong. What needs no stored
    object (the id, the times, the body's checks: ~20 us an object) is worked out once per document a reset loads."""
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise ValueError(f"unknown keys {unknown}; an mrs document has project_id and one of job, job_binary, cluster")
    project = document.get("project_id")
    if not isinstance(project, str) or not project:
        raise ValueError("project_id must be a non-empty string")
    kinds = [kind for kind in ("job_binary", "job", "cluster") if kind in document]
    if len(kinds) != 1:
        raise ValueError("give exactly one of job, job_binary, cluster")
    body = document[kinds[0]]
    if not isinstance(body, dict):
        raise ValueError(f"{kinds[0]} must be an object")
    if kinds[0] == "cluster":
        clusters.add(project, body)
        return
    registry, check = (jobs, checked_job) if kinds[0] == "job" else (binaries, checked_binary)
    object_id, created_at, updated_at, values = memo.get(f"mrs.{kinds[0]}", document, lambda _: _read(body, check))
    registry.add(project, values, object_id=object_id, created_at=created_at, updated_at=updated_at)


def _read(given: dict[str, Any], check: Callable[[Any], dict[str, Any]]) -> tuple[str, str, str | None, dict]:
    """A job's or binary's id and times, and the rest, a POST body, through `check`."""
    body = dict(given)
    object_id = _uuid(body.pop("id", None))
    created_at = _time("created_at", body.pop("created_at", None))
    updated_at = body.pop("updated_at", None)
    if updated_at is not None:
        updated_at = _time("updated_at", updated_at)
    return object_id, created_at, updated_at, check(body)


def _uuid(value: Any) -> str:
    try:
        if isinstance(value, str) and str(uuid.UUID(value)) == value:
            return value
    except ValueError:
        pass
    raise ValueError(f"id must be a dashed lower-case UUID, not {value!r}")


def _time(key: str, value: Any) -> str:
    if isinstance(value, str) and _TIME.fullmatch(value):
        try:  # the shape is shapes.TIME_FORMAT's; fromisoformat checks the ranges as strptime does, 30 times faster
            datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ValueError(f"{key} must be a UTC time as YYYY-MM-DDTHH:MM:SS, not {value!r}")
