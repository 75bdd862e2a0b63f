"""core/v1 Namespaces: the few a Job needs around it, with the system ones always present."""
from __future__ import annotations

import copy
from collections.abc import Callable

from emulator.services.protocol import Core
from emulator.services.kubernetes import apply, schema, errors, validation
from emulator.services.kubernetes.options import WriteOptions, cannot_handle
from emulator.services.kubernetes.shapes import new_namespace

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


class Namespaces:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.items = core.store.collection("namespaces")
        self.on_delete: list[Callable[[str], None]] = []  # told the name of each namespace deleted, to empty it

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
            raise errors.not_found(name, "namespaces", "")
        return found

    def create(self, body: dict, options: WriteOptions, tracked: bool = True) -> dict:
        """POST; `tracked`: with managedFields for its writer (not for fixtures, stored as before tracking)."""
        try:
            options.unknown_fields(schema.check_object(body, schema.NAMESPACE), cannot_handle("Namespace"))
        except schema.DecodeError as error:
            raise cannot_handle("Namespace")(str(error)) from None
        meta = body.get("metadata") or {}
        name = meta.get("name") or ""
        problems = validation.object_meta_errors(meta, namespaced=False, name_errors=validation.dns_label_errors)
        if problems:
            raise errors.invalid(name, problems, kind="Namespace", group="")
        if self.exists(name):
            raise errors.already_exists(name, "namespaces", "")
        namespace = new_namespace(name, self.core.ids.uuid4(), self.core.clock.stamp(),
                                  meta.get("labels"), meta.get("annotations"))
        managed = apply.NAMESPACES.update(None, namespace, options.manager, "", self.core.clock.stamp())
        if tracked and managed:
            namespace["metadata"]["managedFields"] = managed
        return namespace if options.dry_run else self._put(namespace)

    def load_fixture(self, document: dict) -> None:
        name = (document.get("metadata") or {}).get("name") or ""
        if not self.exists(name):
            self.create(document, WriteOptions(), tracked=False)

    def list(self) -> list[dict]:
        return [ns for _, ns in self.items.scan("")]

    def delete(self, name: str, options: WriteOptions) -> dict:
        namespace = self.get(name)
        if name in SYSTEM_NAMESPACES:
            raise errors.forbidden(f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                   {"name": name, "kind": "namespaces"})
        terminating = copy.deepcopy(namespace)
        terminating["metadata"]["deletionTimestamp"] = self.core.clock.stamp()
        terminating["status"] = {"phase": "Terminating"}
        if not options.dry_run:  # the namespace controller empties it, then it is gone
            for empty in self.on_delete:
                empty(name)
            self.items.delete("", name)
            self.core.store.next_revision()
        return terminating
