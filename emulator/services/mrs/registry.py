"""What the job and job-binary registries share: one project-scoped collection, lookups by id, unique names."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.core.store import Collection
from emulator.services.protocol import Core
from emulator.services.mrs import errors
from emulator.services.mrs.listing import Listing, Markers, page, parse_query


class Registry:
    """Objects of one kind, keyed by (project, id); `entity` names the kind in Sahara's messages."""

    kind = ""
    entity = ""
    list_rules: Listing

    def __init__(self, core: Core) -> None:
        self._core = core
        self.collection: Collection = core.store.collection(self.kind)

    def find(self, project: str, object_id: str) -> dict[str, Any] | None:
        return self.collection.get(project, object_id)

    def get(self, project: str, object_id: str) -> dict[str, Any]:
        """The object, or 404 with Sahara's check_exists message."""
        found = self.collection.get(project, object_id)
        if found is None:
            raise errors.not_found(object_id)
        return found

    def list(self, project: str, args: Mapping[str, str]) -> tuple[list[dict[str, Any]], Markers | None]:
        """One page of the project's objects for the query string `args`."""
        query = parse_query(args, self.list_rules, lambda marker: self.collection.get(project, marker))
        return page([found for _, found in self.collection.scan(project)], query)

    def _new_id(self, project: str, given: str | None) -> str:
        """A fresh uuid4, or the id a fixture gives, which must be free."""
        if given is None:
            return self._core.ids.uuid4()
        if self.collection.get(project, given) is not None:
            raise ValueError(f"{self.entity} {given} already exists in project {project}")
        return given

    def _require_unique_name(self, project: str, name: str, own_id: str | None) -> None:
        for _, other in self.collection.scan(project):
            if other["name"] == name and other["id"] != own_id:
                raise errors.duplicate_entry(self.entity)
