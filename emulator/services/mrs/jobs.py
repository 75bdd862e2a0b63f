"""Job objects of each project, on the store: create, read, update (PATCH), delete and list.

Checks run in Sahara's order: the path id (404), the schema (400 VALIDATION_ERROR), Huawei's
per-type rules (400 INVALID_DATA), the referenced binaries (400 NOT_FOUND), the unique name
(400 DB_DUPLICATE_ENTRY). Nothing is stored until every check has passed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.services.protocol import Core
from emulator.services.mrs import errors, listing, validation
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.registry import Registry
from emulator.services.mrs.shapes import timestamp

KIND = "mrs_jobs"
LISTING = listing.Listing(sort_fields=("id", "name", "type", "created_at", "updated_at"),
                          regex_filters=("name", "description"), equal_filters=("id", "type"))
# PATCH changes these; seed 002 sends mains, libs, interface, is_public and is_protected too,
# which "the current version does not support": they are checked and left as they are.
UPDATABLE = ("name", "description", "type")
Job = dict[str, Any]


def checked(body: Any) -> dict[str, Any]:
    """A create body's values, through the checks that need no stored object: the schema, the per-type rules."""
    values = validation.check(validation.JOB_CREATE, body)
    validation.check_job_content(values["type"], values.get("mains", []), values.get("libs", []),
                                 values.get("interface"))
    return values


class JobRegistry(Registry):
    """Job objects, kept per project; `mains` and `libs` are stored as binary ids in request order."""

    kind = KIND
    list_rules = LISTING
    entity = "Job"

    def __init__(self, core: Core, binaries: BinaryRegistry) -> None:
        super().__init__(core)
        self._binaries = binaries

    def create(self, project: str, body: Any) -> Job:
        """A new job from a request body."""
        return self.add(project, checked(body))

    def add(self, project: str, values: dict[str, Any], *, object_id: str | None = None,
            created_at: str | None = None, updated_at: str | None = None) -> Job:
        """A new job from a body that passed `checked`: its binaries, its name, then stored; a fixture also gives its
        id and times."""
        mains, libs = values.get("mains", []), values.get("libs", [])
        self._binaries.require(project, mains + libs)
        self._require_unique_name(project, values["name"], None)
        job_id = self._new_id(project, object_id)
        created_at = created_at or timestamp(self._core.clock.now())
        job = {  # wire order (wire.JOB_FIELDS), so rendering is a copy
            "name": values["name"],
            "type": values["type"],
            "description": values.get("description"),
            "mains": list(mains),
            "libs": list(libs),
            "created_at": created_at,
            "updated_at": updated_at or created_at,  # Huawei prints updated_at = created_at for a new job
            "id": job_id,
            "tenant_id": project,
            "is_public": values.get("is_public", False),
            "is_protected": values.get("is_protected", False),
            "interface": [],
        }
        self.collection.put(project, job_id, job)
        return job

    def update(self, project: str, job_id: str, body: Any) -> Job:
        """PATCH: name, description and type change; updated_at is now."""
        job = self.get(project, job_id)
        values = validation.check(validation.JOB_UPDATE, body)
        changes = {key: values[key] for key in UPDATABLE if key in values}
        if changes.get("name", job["name"]) != job["name"]:
            self._require_unique_name(project, changes["name"], job_id)
        updated = {**job, **changes, "updated_at": timestamp(self._core.clock.now())}
        self.collection.put(project, job_id, updated)
        return updated

    def delete(self, project: str, job_id: str, used: Callable[[str, str], bool]) -> None:
        """Delete, unless an execution refers to the job (Sahara's foreign-key refusal)."""
        self.get(project, job_id)
        if used(project, job_id):
            raise errors.deletion_failed("Job deletion failed on foreign key constraint")
        self.collection.delete(project, job_id)

    def uses_binary(self, project: str, binary_id: str) -> bool:
        return any(binary_id in job["mains"] or binary_id in job["libs"]
                   for _, job in self.collection.scan(project))
