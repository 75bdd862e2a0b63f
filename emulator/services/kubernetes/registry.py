"""The Job registry: kube-apiserver's generic store logic for Jobs over the emulator's store.

Preconditions, resourceVersion and generation, no-op writes, graceful deletion with finalizers,
paging and watch events live here; defaults and validation come from `strategy` and `validation`.
Every method is synchronous, so no other request runs between a read and the write it leads to.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from emulator.services.protocol import Core
from emulator.services.kubernetes import apply as field_manager
from emulator.services.kubernetes import patch as patches
from emulator.services.kubernetes import schema, errors, strategy, validation
from emulator.services.kubernetes.filters import Predicate
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.options import WriteOptions, cannot_handle
from emulator.services.kubernetes.paging import page
from emulator.services.kubernetes.shapes import job_body
from emulator.services.kubernetes.errors import FieldError
from emulator.services.kubernetes.watch import WatchHub

# What a listener hears after each accepted write (not after a dry run): how the job was written, and the
# job as stored. "created" (through the API), "updated" and "status" (a client's write of the job or of its
# status, no-ops included), "deleted" (the job is gone). The emulator's own status writes (`write_status`)
# are not told: the controller that makes them knows.
WRITES = ("created", "updated", "status", "deleted")
Listener = Callable[[str, dict], None]


class Jobs:
    """batch/v1 Jobs: create, read, replace, patch, delete, list, for the resource and its /status."""

    def __init__(self, core: Core, namespaces: Namespaces, hub: WatchHub) -> None:
        self.core = core
        self.namespaces = namespaces
        self.hub = hub
        self.items = core.store.collection("jobs")
        self.listeners: list[Listener] = []  # told of every write (see WRITES), as a controller's watch would be
        self.fields = field_manager.job_fields()
        # The garbage collector: told of each job deleted (not dry-run) and its propagation policy; for Orphan
        # and Foreground it removes the job's `orphan`/`foregroundDeletion` finalizer once it is done.
        self.collector: Callable[[dict, str], None] | None = None

    # --- reads -----------------------------------------------------------------------------------

    def get(self, namespace: str, name: str) -> dict:
        job = self.items.get(namespace, name)
        if job is None:
            raise errors.not_found(name)
        return job

    def page(self, namespace: str | None, predicate: Predicate | None, limit: int,
             continue_token: str | None) -> tuple[list[dict], str | None, int | None]:
        return page(self.items, self.core.store.revision, namespace, predicate, limit, continue_token)

    # --- create ------------------------------------------------------------------------------------

    def create(self, namespace: str, body: dict, options: WriteOptions, managed: Any = False) -> dict:
        """POST (and an apply that creates, with its `managed` fields)."""
        body = self._decode(body, options)
        meta = body.get("metadata") or {}
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
        if meta.get("resourceVersion"):
            raise errors.unclassified("resourceVersion should not be set on objects to be created")
        if not self.namespaces.exists(namespace):
            raise errors.not_found(namespace, "namespaces", "")
        meta = {**meta, "namespace": namespace}
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + self.core.ids.suffix()
        job, foreign_selector = strategy.prepare_for_create({**body, "metadata": meta}, self.core.ids.uuid4(),
                                                            self.core.clock.stamp())
        problems = validation.object_meta_errors(job["metadata"], namespaced=True)
        if foreign_selector is not None:
            problems.append(FieldError.invalid("spec.selector", foreign_selector, "`selector` not auto-generated"))
        problems += validation.job_spec_errors(job["spec"])
        name = job["metadata"].get("name") or ""
        if problems:
            raise errors.invalid(name, problems)
        if self.items.get(namespace, name) is not None:
            raise errors.already_exists(name)
        strategy.copy_template_labels(job)
        if managed is False:
            managed = self.fields.update(None, {**job, "metadata": {**job["metadata"], "managedFields": meta.get(
                "managedFields")}}, options.manager, "", self.core.clock.stamp())
        _set_managed(job, managed)
        if options.dry_run:
            return job
        job = self._commit(job, None)
        self._tell("created", job)
        return job

    def load_fixture(self, document: dict) -> None:
        """A fixture Job, validated like API input but stored as given (spec §Fixtures of issue 2)."""
        document = self.core.fixtures.get(  # decoding walks the whole document: once per document a reset loads
            "kubernetes.job", document, lambda given: self._decode(given, WriteOptions(field_validation="Ignore")))
        meta = document.get("metadata") or {}
        namespace, name = meta.get("namespace") or "default", meta.get("name") or ""
        job = strategy.prepare_fixture({**document, "metadata": {**meta, "namespace": namespace}},
                                       self.core.ids.uuid4(), self.core.clock.stamp())
        if "selector" not in job["spec"] and job["spec"].get("manualSelector") is not True \
                and isinstance(job["spec"].get("template"), dict):  # a plain manifest: what create would generate
            strategy.generate_selector(job)
            strategy.copy_template_labels(job)
        # What the load adds (a new uid, the clock's stamp, the labels and selector made of them) is valid whatever
        # its value, so a document that passed once passes on every reset: checked once (~30 us a job and reset)
        self.core.fixtures.get("kubernetes.job.valid", document, lambda _: _valid_fixture(name, job))
        if not self.namespaces.exists(namespace):
            raise errors.not_found(namespace, "namespaces", "")
        if self.items.get(namespace, name) is not None:
            raise errors.already_exists(name)
        given = job["metadata"]["resourceVersion"]
        if not (isinstance(given, str) and given.isdigit()):
            self._commit(job, None)
            return
        store = self.core.store  # the seed's resourceVersion stays, so replaying a seed request matches
        store.revision = max(store.revision, int(given))
        self.items.put(namespace, name, job)
        self.hub.publish("ADDED", job, None, int(given))

    # --- update --------------------------------------------------------------------------------

    def replace(self, namespace: str, name: str, body: dict, status_only: bool, options: WriteOptions) -> dict:
        """PUT: the body replaces the job (or its status and metadata, on /status)."""
        body = self._identified(namespace, name, self._decode(body, options))
        meta = body["metadata"]
        old = self.get(namespace, name)
        if meta.get("uid") and meta["uid"] != old["metadata"]["uid"]:
            raise errors.uid_changed(f"/registry/jobs/{namespace}/{name}", meta["uid"], old)
        self._check_version(name, meta.get("resourceVersion"), old)
        return self._written(self._update(old, body, status_only, options), status_only, options)

    def patch(self, namespace: str, name: str, patch_type: str, document: Any, status_only: bool,
              options: WriteOptions) -> dict:
        """PATCH: the patch applied to the stored JSON, then on as a PUT of the result."""
        old = self.get(namespace, name)
        current = job_body(old)
        patched = patches.patched_object(current, patch_type, document, schema.JOB, options)
        patched = self._identified(namespace, name, patched)
        self._check_version(name, patched["metadata"].get("resourceVersion"), old)
        return self._written(self._update(old, patched, status_only, options), status_only, options)

    def apply(self, namespace: str, name: str, document: Any, status_only: bool, force: bool,
              options: WriteOptions) -> tuple[dict, bool]:
        """Server-side apply: the job as applied by `options.manager`, and whether it was created."""
        field_manager.check_applied(document, "batch/v1", "Job", name, namespace)
        document = self._decode(document, options)
        old = self.items.get(namespace, name)
        subresource, now = ("status" if status_only else ""), self.core.clock.stamp()
        if old is None:
            if status_only:  # subresources never create
                raise errors.not_found(name)
            merged, managed = self.fields.apply(None, document, options.manager, "", force, now)
            return self.create(namespace, merged, options, managed), True
        merged, managed = self.fields.apply(job_body(old), document, options.manager, subresource, force, now)
        merged = self._identified(namespace, name, merged)
        self._check_version(name, merged["metadata"].get("resourceVersion"), old)
        return self._written(self._update(old, merged, status_only, options, managed), status_only, options), False

    def _written(self, job: dict, status_only: bool, options: WriteOptions) -> dict:
        """Tell the listeners of a client's write (of the job, or of its status); the job as written."""
        if not options.dry_run:
            self._tell("status" if status_only else "updated", job)
        return job

    def _tell(self, how: str, job: dict) -> None:
        for listener in self.listeners:
            listener(how, job)

    def write_status(self, namespace: str, name: str, new_status: dict) -> dict:
        """A status write by the emulator itself (the simulated controller): validated like a client's."""
        old = self.get(namespace, name)
        return self._update(old, {**old, "status": new_status}, True, WriteOptions(manager="kube-controller-manager"))

    def _decode(self, body: dict, options: WriteOptions) -> dict:
        """The body as decoding it into a Job leaves it (unknown fields dropped), or a 400."""
        try:
            unknown = schema.check_object(body, schema.JOB)
        except schema.DecodeError as error:
            raise cannot_handle("Job")(str(error)) from None
        api_version = body.get("apiVersion")
        if api_version and api_version != "batch/v1":
            raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected "
                                     "API version (batch/v1)")
        kind = body.get("kind")
        if kind and kind != "Job":
            raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected kind (Job)")
        options.unknown_fields(unknown, cannot_handle("Job"))
        return schema.prune(body, schema.JOB) if unknown else body

    @staticmethod
    def _identified(namespace: str, name: str, body: dict) -> dict:
        """The body, checked to name the URL's job; an empty namespace is the URL's, as the apiserver fills it."""
        meta = body.get("metadata") or {}
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
        if meta.get("name") != name:
            raise errors.bad_request(f"the name of the object ({meta.get('name') or ''}) does not match the name on the URL ({name})")
        return body if meta.get("namespace") else {**body, "metadata": {**meta, "namespace": namespace}}

    @staticmethod
    def _check_version(name: str, version: str | None, old: dict) -> None:
        if not version or version == old["metadata"]["resourceVersion"]:
            return  # Jobs allow unconditional updates
        if not version.isdigit():
            raise errors.bad_request(f'invalid resourceVersion "{version}": must be a decimal number')
        raise errors.stale(name)

    def _update(self, old: dict, body: dict, status_only: bool, options: WriteOptions, managed: Any = False) -> dict:
        new = strategy.prepare_for_status_update(body, old) if status_only else strategy.prepare_for_update(body, old)
        if managed is False:
            managed = self.fields.update(old, new, options.manager, "status" if status_only else "",
                                         self.core.clock.stamp())
        _set_managed(new, managed)
        if new == old:  # the stored job passed the checks below when it was written
            return old  # a no-op write keeps its resourceVersion and tells no watcher
        problems: list[FieldError] = []
        if status_only:
            problems += validation.job_status_update_errors(new["status"], old["status"])
        else:
            problems += validation.job_spec_errors(new["spec"])
            problems += validation.immutable_spec_errors(strategy.defaulted_spec(new["spec"]),
                                                       strategy.defaulted_spec(old["spec"]))
        problems = validation.immutable_meta_errors(new["metadata"], old["metadata"]) + \
            validation.label_errors("metadata.labels", new["metadata"].get("labels")) + problems
        if problems:
            raise errors.invalid(old["metadata"]["name"], problems)
        if options.dry_run:
            return new
        return self._commit(new, old)

    def _commit(self, job: dict, old: dict | None) -> dict:
        meta = job["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        revision = self.core.store.next_revision()
        meta["resourceVersion"] = str(revision)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.items.delete(namespace, name)
            self.hub.publish("DELETED", job, old, revision)
            self._tell("deleted", job)
            return job
        self.items.put(namespace, name, job)
        self.hub.publish("ADDED" if old is None else "MODIFIED", job, old, revision)
        return job

    # --- delete ---------------------------------------------------------------------------------

    def delete(self, namespace: str, name: str, options: dict, dry_run: bool) -> tuple[dict, bool]:
        """Delete a job as its propagation policy says: (response body, whether it is a Job object)."""
        old = self.get(namespace, name)
        self._check_delete_preconditions(name, old, options.get("preconditions") or {})
        policy = options.get("propagationPolicy")
        if policy is None:
            orphan = options.get("orphanDependents")
            policy = "Background" if orphan is False else "Orphan"  # batch/v1 orphans by default
        meta = old["metadata"]
        finalizer = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}.get(policy)
        if finalizer is None and not meta.get("finalizers"):
            removed = {**old, "metadata": dict(meta)}
            if not dry_run:
                removed["metadata"]["deletionTimestamp"] = self.core.clock.stamp()
                removed["metadata"]["deletionGracePeriodSeconds"] = 0
                self._commit(removed, old)
                if self.collector is not None:
                    self.collector(removed, policy)
            return errors.success({"name": name, "group": errors.GROUP, "kind": errors.RESOURCE,
                                   "uid": meta["uid"]}), False
        marked = copy.deepcopy(old)
        marked_meta = marked["metadata"]
        if finalizer and finalizer not in marked_meta.get("finalizers", []):
            marked_meta["finalizers"] = [*marked_meta.get("finalizers", []), finalizer]
        if not marked_meta.get("deletionTimestamp"):
            marked_meta["deletionTimestamp"] = self.core.clock.stamp()
            marked_meta["deletionGracePeriodSeconds"] = 0
            marked_meta["generation"] = marked_meta.get("generation", 1) + 1
        if dry_run:
            return marked, True
        response = self._commit(marked, old) if marked != old else old
        if self.collector is not None:
            self.collector(response, policy)
        elif finalizer:  # no garbage collector: nothing to orphan or wait for, it lets go at once
            self.remove_finalizer(namespace, name, finalizer)
        return response, True

    def delete_collection(self, namespace: str, predicate: Predicate | None, limit: int, continue_token: str | None,
                          options: dict, dry_run: bool) -> tuple[list[dict], str | None, int | None]:
        """deletecollection: the matching page (all matches without `limit`), each deleted as by `delete`;
        the jobs as listed before deletion, the next token and what remains."""
        items, token, remaining = self.page(namespace, predicate, limit, continue_token)
        for job in items:
            meta = job["metadata"]
            if self.items.get(meta["namespace"], meta["name"]) is job:  # not gone meanwhile
                self.delete(meta["namespace"], meta["name"], options, dry_run)
        return items, token, remaining

    def remove_finalizer(self, namespace: str, name: str, finalizer: str) -> None:
        """The garbage collector's write: the job without that finalizer (gone if it was the last while deleting)."""
        job = self.items.get(namespace, name)
        if job is None or finalizer not in (job["metadata"].get("finalizers") or ()):
            return
        released = copy.deepcopy(job)
        released["metadata"]["finalizers"] = [f for f in released["metadata"]["finalizers"] if f != finalizer]
        if not released["metadata"]["finalizers"]:
            del released["metadata"]["finalizers"]
        self._commit(released, job)

    @staticmethod
    def _check_delete_preconditions(name: str, old: dict, preconditions: dict) -> None:
        uid, version = preconditions.get("uid"), preconditions.get("resourceVersion")
        meta = old["metadata"]
        if uid and uid != meta["uid"]:
            raise errors.conflict(name, f"the UID in the precondition ({uid}) does not match the UID in record "
                                  f"({meta['uid']}). The object might have been deleted and then recreated",
                                  qualified="Job.batch", kind="Job")
        if version and version != meta["resourceVersion"]:
            raise errors.conflict(name, f"the ResourceVersion in the precondition ({version}) does not match the "
                                  f"ResourceVersion in record ({meta['resourceVersion']}). The object might have "
                                  "been modified", qualified="Job.batch", kind="Job")

    def delete_namespace_contents(self, namespace: str) -> None:
        for _, job in list(self.items.scan(namespace)):
            gone = {**job, "metadata": {**job["metadata"], "deletionTimestamp": self.core.clock.stamp()}}
            gone["metadata"].pop("finalizers", None)
            self._commit(gone, job)


def _set_managed(job: dict, managed: list[dict] | None) -> None:
    """The job's managedFields, last in its metadata as the apiserver orders ObjectMeta; none: no key."""
    meta = job["metadata"]
    meta.pop("managedFields", None)
    if managed:
        meta["managedFields"] = managed


def _valid_fixture(name: str, job: dict) -> bool:
    """True, or the 422 that creating the job would answer."""
    problems = validation.object_meta_errors(job["metadata"], namespaced=True)
    problems += validation.job_spec_errors(job["spec"]) + validation.job_status_errors(job["status"])
    if problems:
        raise errors.invalid(name, problems)
    return True
