"""Sahara EDP data sources of each project, on the store: create, read, update (PUT), delete and list."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.credentials import SECRET_SUFFIX
from emulator.services.protocol import Core
from emulator.services.mrs import acl, errors, listing, validation
from emulator.services.mrs.registry import Registry
from emulator.services.mrs.shapes import timestamp

KIND = "mrs_data_sources"
LISTING = listing.Listing(sort_fields=("id", "name", "type", "created_at", "updated_at"),
                          regex_filters=("name", "description", "url"), equal_filters=("id", "type"))
SECRETS = KIND + SECRET_SUFFIX  # (project, id) -> {"credentials": ...}: in the state file, never in /_emulator/state
FIELDS = ("name", "type", "url", "description", "created_at", "updated_at", "id", "tenant_id", "is_public",
          "is_protected")
FLAGS = ("is_public", "is_protected")  # stored as booleans: a null sent is false
MAX_PER_PROJECT = 10000  # one more is refused with 400 INVALID_DATA
DataSource = dict[str, Any]
Uses = Callable[[str, str, bool], bool]  # (project, data source id, pending only) -> used by an execution


def render(source: DataSource) -> dict[str, Any]:
    return {field: source[field] for field in FIELDS}


def resolved_url(url: str, execution_id: str, letters: Callable[[int], str]) -> str:
    """The url as an execution runs with it: %JOB_EXEC_ID% is its id, each %RANDSTR(n)% `letters(n)`."""
    url = url.replace("%JOB_EXEC_ID%", execution_id)
    return validation.RANDSTR.sub(lambda found: letters(int(found.group(1))), url)


class DataSourceRegistry(Registry):
    """Input and output locations of job executions; their `credentials` are kept apart and never shown."""

    kind = KIND
    list_rules = LISTING
    entity = "DataSource"

    def __init__(self, core: Core) -> None:
        super().__init__(core)
        self.secrets = core.store.collection(SECRETS)

    def _keep_credentials(self, project: str, source_id: str, values: dict[str, Any]) -> None:
        if values.get("credentials") is not None:
            self.secrets.put(project, source_id, {"credentials": values["credentials"]})

    def _require_free_name(self, project: str, name: str, own_id: str | None) -> None:
        if any(other["name"] == name and other["id"] != own_id for _, other in self.collection.scan(project)):
            raise errors.sahara("NAME_ALREADY_EXISTS", f"Data source with name '{name}' already exists")

    def create(self, project: str, body: Any) -> DataSource:
        values = validation.check(validation.DATA_SOURCE_CREATE, body)
        if self.collection.count(project) >= MAX_PER_PROJECT:
            raise errors.invalid_data(f"A project keeps at most {MAX_PER_PROJECT} data sources in the emulator")
        self._require_free_name(project, values["name"], None)
        validation.check_data_source_url(values["type"], values["url"])
        source_id = self._new_id(project, None)
        source = {
            "name": values["name"], "type": values["type"], "url": values["url"],
            "description": values.get("description"), "created_at": timestamp(self._core.clock.now()),
            "updated_at": None, "id": source_id, "tenant_id": project,
            "is_public": values.get("is_public") or False, "is_protected": values.get("is_protected") or False,
        }
        self.collection.put(project, source_id, source)
        self._keep_credentials(project, source_id, values)
        return source

    def update(self, project: str, source_id: str, body: Any, used: Uses) -> DataSource:
        """PUT, in Sahara's order: 404, schema, used by a PENDING execution, unique name, the merged url rules,
        protection (only an unprotecting or an is_public-only change passes)."""
        source = self.get(project, source_id)
        values = validation.check(validation.DATA_SOURCE_UPDATE, body)
        if used(project, source_id, True):
            raise errors.sahara("UPDATE_FAILED", "DataSource is used in a PENDING Job and can not be updated.")
        if "name" in values:
            self._require_free_name(project, values["name"], source_id)
        shown = {key: bool(value) if key in FLAGS else value for key, value in values.items() if key != "credentials"}
        merged = {**source, **shown, "updated_at": timestamp(self._core.clock.now())}
        validation.check_data_source_url(merged["type"], merged["url"])
        acl.check_update(self.entity, source, values)
        self.collection.put(project, source_id, merged)
        self._keep_credentials(project, source_id, values)
        return merged

    def delete(self, project: str, source_id: str, used: Uses) -> None:
        acl.check_delete(self.entity, self.get(project, source_id))
        if used(project, source_id, False):
            raise errors.deletion_failed("Data Source deletion failed on foreign key constraint")
        self.collection.delete(project, source_id)
        self.secrets.delete(project, source_id)
