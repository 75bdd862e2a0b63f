"""core/v1 Namespaces: the few a Job needs around it, with the system ones always present."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from emulator.services import Core
from emulator.services.kubernetes import schema, status, validation
from emulator.services.kubernetes.options import WriteOptions, cannot_handle
from emulator.services.kubernetes.shapes import new_namespace

if TYPE_CHECKING:
    from emulator.services.kubernetes.registry import Jobs

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


class Namespaces:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.items = core.store.collection("namespaces")

    def create_system(self) -> None:
        for name in SYSTEM_NAMESPACES:
            if self.items.get("", name) is None:
                self._put(new_namespace(name, self.core.ids.uuid4(), self.core.clock.stamp()))

    def _put(self, namespace: dict) -> dict:
        namespace["metadata"]["resourceVersion"] = str(self.core.store.next_revision())
        self.items.put("", namespace["metadata"]["name"], namespace)
        return namespace

    def exists(self, name: str) -> bool:
        return self.items.get("", name) is not None

    def get(self, name: str) -> dict:
        found = self.items.get("", name)
        if found is None:
            raise status.not_found(name, "namespaces", "")
        return found

    def create(self, body: dict, options: WriteOptions) -> dict:
        try:
            options.unknown_fields(schema.check_object(body, schema.NAMESPACE), cannot_handle("Namespace"))
        except schema.DecodeError as error:
            raise cannot_handle("Namespace")(str(error)) from None
        meta = body.get("metadata") or {}
        name = meta.get("name") or ""
        errors = validation.object_meta_errors(meta, namespaced=False, name_errors=validation.dns_label_errors)
        if errors:
            raise status.invalid(name, errors, kind="Namespace", group="")
        if self.exists(name):
            raise status.already_exists(name, "namespaces", "")
        namespace = new_namespace(name, self.core.ids.uuid4(), self.core.clock.stamp(),
                                  meta.get("labels"), meta.get("annotations"))
        return namespace if options.dry_run else self._put(namespace)

    def load_fixture(self, document: dict) -> None:
        name = (document.get("metadata") or {}).get("name") or ""
        if not self.exists(name):
            self.create(document, WriteOptions())

    def list(self) -> list[dict]:
        return [ns for _, ns in self.items.scan("")]

    def delete(self, name: str, jobs: Jobs, options: WriteOptions) -> dict:
        namespace = self.get(name)
        if name in SYSTEM_NAMESPACES:
            raise status.forbidden(f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                   {"name": name, "kind": "namespaces"})
        terminating = copy.deepcopy(namespace)
        terminating["metadata"]["deletionTimestamp"] = self.core.clock.stamp()
        terminating["status"] = {"phase": "Terminating"}
        if not options.dry_run:  # the namespace controller empties it, then it is gone
            jobs.delete_namespace_contents(name)
            self.items.delete("", name)
            self.core.store.next_revision()
        return terminating
