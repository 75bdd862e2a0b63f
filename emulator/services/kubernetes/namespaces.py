"""core/v1 Namespaces: the few a Job needs around it, with the system ones always present; each write a watch event."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from emulator.services.protocol import Core
from emulator.services.kubernetes import apply, errors, patch, schema, strategy, validation
from emulator.services.kubernetes.filters import Predicate
from emulator.services.kubernetes.options import WriteOptions, cannot_handle
from emulator.services.kubernetes.paging import page
from emulator.services.kubernetes.shapes import NAME_LABEL, namespace_body, new_namespace
from emulator.services.kubernetes.watch import WatchHub

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
KEPT_ON_CREATE = ("ownerReferences", "finalizers")  # metadata a create keeps beside labels and annotations


class Namespaces:
    def __init__(self, core: Core, hub: WatchHub) -> None:
        self.core = core
        self.hub = hub
        self.items = core.store.collection("namespaces")
        self.fields = apply.namespace_fields()
        self.on_delete: list[Callable[[str], None]] = []  # told the name of each namespace deleted, to empty it

    def create_system(self) -> None:
        for name in SYSTEM_NAMESPACES:
            if self.items.get("", name) is None:
                self._put(new_namespace(name, self.core.ids.uuid4(), self.core.clock.stamp()))

    def _put(self, namespace: dict, old: dict | None = None) -> dict:
        revision = self.core.store.next_revision()
        namespace["metadata"]["resourceVersion"] = str(revision)
        self.items.put("", namespace["metadata"]["name"], namespace)
        self.hub.publish("ADDED" if old is None else "MODIFIED", namespace, old, revision)
        return namespace

    def exists(self, name: str) -> bool:
        return self.items.get("", name) is not None

    def get(self, name: str) -> dict:
        found = self.items.get("", name)
        if found is None:
            raise errors.not_found(name, "namespaces", "")
        return found

    def _decode(self, body: dict, options: WriteOptions) -> dict:
        """The body as decoding it into a Namespace leaves it (unknown fields dropped), or a 400."""
        try:
            unknown = schema.check_object(body, schema.NAMESPACE)
        except schema.DecodeError as error:
            raise cannot_handle("Namespace")(str(error)) from None
        options.unknown_fields(unknown, cannot_handle("Namespace"))
        return schema.prune(body, schema.NAMESPACE) if unknown else body

    def create(self, body: dict, options: WriteOptions, tracked: bool = True, managed: Any = False) -> dict:
        """POST (and an apply that creates, with its `managed` fields); `tracked`: with managedFields for its
        writer (not for fixtures, stored as before tracking)."""
        body = self._decode(body, options)
        meta = body.get("metadata") or {}
        name = meta.get("name") or ""
        problems = validation.object_meta_errors(meta, namespaced=False, name_errors=validation.dns_label_errors)
        if problems:
            raise errors.invalid(name, problems, kind="Namespace", group="")
        if self.exists(name):
            raise errors.already_exists(name, "namespaces", "")
        namespace = new_namespace(name, self.core.ids.uuid4(), self.core.clock.stamp(),
                                  meta.get("labels"), meta.get("annotations"))
        namespace["metadata"].update({key: meta[key] for key in KEPT_ON_CREATE if meta.get(key)})
        if tracked and managed is False:
            managed = self.fields.update(None, namespace, options.manager, "", self.core.clock.stamp())
        if tracked and managed:
            namespace["metadata"]["managedFields"] = managed
        return namespace if options.dry_run else self._put(namespace)

    def replace(self, name: str, body: dict, options: WriteOptions) -> dict:
        """PUT: labels, annotations, finalizers and owners from the body; spec and status stay (only the
        namespace controller and /finalize change them)."""
        body = self._decode(body, options)
        old = self.get(name)
        uid = (body.get("metadata") or {}).get("uid")
        if uid and uid != old["metadata"]["uid"]:
            raise errors.uid_changed(f"/registry/namespaces/{name}", uid, old, "namespaces", "namespaces", "")
        return self._update(old, self._identified(name, body), options)

    def patch(self, name: str, patch_type: str, document: Any, options: WriteOptions) -> dict:
        """PATCH with a json, merge or strategic patch: on as a PUT of the patched namespace."""
        old = self.get(name)
        patched = patch.patched_object(namespace_body(old), patch_type, document, schema.NAMESPACE, options)
        return self._update(old, self._identified(name, patched), options)

    def apply(self, name: str, document: Any, force: bool, options: WriteOptions) -> tuple[dict, bool]:
        """Server-side apply by `options.manager`: the namespace, and whether the apply created it."""
        apply.check_applied(document, "v1", "Namespace", name)
        document = self._decode(document, options)
        old, now = self.items.get("", name), self.core.clock.stamp()
        if old is None:
            merged, managed = self.fields.apply(None, document, options.manager, "", force, now)
            return self.create(merged, options, managed=managed), True
        merged, managed = self.fields.apply(namespace_body(old), document, options.manager, "", force, now)
        return self._update(old, merged, options, managed), False

    @staticmethod
    def _identified(name: str, body: dict) -> dict:
        given = (body.get("metadata") or {}).get("name")
        if given != name:
            raise errors.bad_request(f"the name of the object ({given or ''}) does not match the name on the URL "
                                     f"({name})")
        return body

    def _update(self, old: dict, body: dict, options: WriteOptions, managed: Any = False) -> dict:
        """The namespace strategy's update: metadata from the body (the name label put back), spec and status kept;
        managedFields given to the writer; a no-op keeps its resourceVersion."""
        name, version = old["metadata"]["name"], (body.get("metadata") or {}).get("resourceVersion")
        if version and version != old["metadata"]["resourceVersion"]:
            raise errors.stale(name, "namespaces", "namespaces", "")
        meta = strategy.updated_meta(body.get("metadata") or {}, old["metadata"])
        meta["labels"] = {**(meta.get("labels") or {}), NAME_LABEL: name}
        new = {"metadata": meta, "spec": old["spec"], "status": old["status"]}
        if managed is False:
            managed = self.fields.update(old, new, options.manager, "", self.core.clock.stamp())
        meta.pop("managedFields", None)
        if managed:
            meta["managedFields"] = managed
        if new == old:
            return old
        problems = validation.immutable_meta_errors(meta, old["metadata"])
        problems += validation.object_meta_errors(meta, namespaced=False, name_errors=validation.dns_label_errors)
        if problems:
            raise errors.invalid(name, problems, kind="Namespace", group="")
        return new if options.dry_run else self._put(new, old)

    def load_fixture(self, document: dict) -> None:
        name = (document.get("metadata") or {}).get("name") or ""
        if not self.exists(name):
            self.create(document, WriteOptions(), tracked=False)

    def page(self, namespace: str | None, predicate: Predicate | None, limit: int,
             continue_token: str | None) -> tuple[list[dict], str | None, int | None]:
        return page(self.items, self.core.store.revision, namespace, predicate, limit, continue_token)

    def delete(self, name: str, options: WriteOptions) -> dict:
        """DELETE: the namespace Terminating (the answer), then emptied by the namespace controller and gone."""
        namespace = self.get(name)
        if name in SYSTEM_NAMESPACES:
            raise errors.forbidden(f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                                   {"name": name, "kind": "namespaces"})
        terminating = copy.deepcopy(namespace)
        terminating["metadata"]["deletionTimestamp"] = self.core.clock.stamp()
        terminating["status"] = {"phase": "Terminating"}
        if options.dry_run:
            return terminating
        self._put(terminating, namespace)
        for empty in self.on_delete:
            empty(name)
        self.items.delete("", name)
        revision = self.core.store.next_revision()
        gone = {**terminating, "metadata": {**terminating["metadata"], "resourceVersion": str(revision)}}
        self.hub.publish("DELETED", gone, terminating, revision)
        return terminating
