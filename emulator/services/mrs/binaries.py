"""Job binaries of each project, on the store: create, read, update (PUT), delete and list."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.services.mrs import errors, listing, validation
from emulator.services.mrs.registry import Registry
from emulator.services.mrs.shapes import timestamp

KIND = "mrs_job_binaries"
LISTING = listing.Listing(sort_fields=("id", "name", "created_at", "updated_at"),
                          regex_filters=("name", "description", "url"), equal_filters=("id",))
Binary = dict[str, Any]


def checked(body: Any) -> dict[str, Any]:
    """A create body's values, through the schema."""
    return validation.check(validation.BINARY_CREATE, body)


class BinaryRegistry(Registry):
    """The job binaries that jobs' `mains` and `libs` refer to, kept per project."""

    kind = KIND
    list_rules = LISTING
    entity = "JobBinary"
    updates = 0  # PUTs so far: a job's rendering (its binaries expanded) holds while this stays the same

    def require(self, project: str, binary_ids: list[str]) -> None:
        """Every id names a binary of the project; the first that does not is a 400."""
        for binary_id in binary_ids:
            if self.collection.get(project, binary_id) is None:
                raise errors.binary_missing(binary_id)

    def create(self, project: str, body: Any) -> Binary:
        """A new binary from a request body."""
        return self.add(project, checked(body))

    def add(self, project: str, values: dict[str, Any], *, object_id: str | None = None,
            created_at: str | None = None, updated_at: str | None = None) -> Binary:
        """A new binary from a body that passed `checked`: its name, then stored; a fixture also gives its id and
        times."""
        self._require_unique_name(project, values["name"], None)
        binary_id = self._new_id(project, object_id)
        binary = {
            "name": values["name"],
            "url": values["url"],
            "description": values.get("description"),
            "created_at": created_at or timestamp(self._core.clock.now()),
            "updated_at": updated_at,
            "id": binary_id,
            "tenant_id": project,
            "is_public": values.get("is_public", False),
            "is_protected": values.get("is_protected", False),
            "extra": values.get("extra"),
        }
        self.collection.put(project, binary_id, binary)
        return binary

    def update(self, project: str, binary_id: str, body: Any, pending: Callable[[str, str], bool]) -> Binary:
        """PUT: the given fields replace the stored ones, unless a PENDING execution's job uses the binary
        (`pending` says whether one does), as Sahara refuses it."""
        binary = self.get(project, binary_id)
        values = validation.check(validation.BINARY_UPDATE, body)
        if pending(project, binary_id):
            raise errors.sahara("UPDATE_FAILED", f"JobBinary Id '{binary_id}' is used in a PENDING job and can not "
                                                 "be updated.")
        if "name" in values:
            self._require_unique_name(project, values["name"], binary_id)
        updated = {**binary, **values, "updated_at": timestamp(self._core.clock.now())}
        self.collection.put(project, binary_id, updated)
        self.updates += 1
        return updated

    def delete(self, project: str, binary_id: str, referenced: Callable[[str, str], bool]) -> None:
        self.get(project, binary_id)
        if referenced(project, binary_id):
            raise errors.deletion_failed("JobBinary is referenced and cannot be deleted")
        self.collection.delete(project, binary_id)
