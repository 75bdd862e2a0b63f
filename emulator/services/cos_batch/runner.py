"""Batch jobs doing their work: the manifest read in Preparing, tasks run on the object store while Active, the report at the end.

The job book drives it from its clock steps. A run is stored per (APPID, JobId) in `cos_runs`, so the
state file keeps it: the manifest's task tuples (read once, never changed), how many ran, how many
failed and each failure's result (a task that ran and is not listed succeeded). Each step stores a
new run dict that shares the task list, so a snapshot's view of it costs nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from emulator.core.errors import ApiError
from emulator.core.store import Collection
from emulator.services.cos_batch import errors, reports
from emulator.services.cos_batch.manifests import InvalidManifest, Task, arn_resource, csv_tasks, decoded_key, \
    inventory_tasks
from emulator.services.cos_batch.objects import BUCKET, ENCRYPTION, CosObject, ObjectStore, current_version, owner
from emulator.services.cos_batch.validation import new_metadata, new_tags, since_time

log = logging.getLogger("emulator.cos_batch")
Job = dict[str, Any]
Result = tuple[int, str, str]  # (HTTP status, error code or "", message)
SUCCEEDED: Result = (200, "", "Successful")


def failure(code: str, reason: str) -> dict[str, str]:
    """One JobFailure: FailureCode up to 64 bytes, FailureReason up to 256."""
    return {"FailureCode": code[:64], "FailureReason": reason.encode("utf-8")[:256].decode("utf-8", "ignore")}


def _members(tree: Any, outer: str, inner: str) -> list[dict]:
    found = (tree or {}).get(outer) if isinstance(tree, dict) else None
    found = found.get(inner) if isinstance(found, dict) else None
    return [item for item in (found if isinstance(found, list) else [found]) if isinstance(item, dict)]


def batch_grants(operation: dict) -> dict[str, list[str]]:
    """AccessControlGrants/COSGrant/{Grantee/Identifier, Permission} as permission -> grantee ids
    (CreateJob checked their shape)."""
    found: dict[str, list[str]] = {}
    for grant in _members(operation, "AccessControlGrants", "COSGrant"):
        found.setdefault(grant["Permission"], []).append(grant["Grantee"]["Identifier"])
    return found


def copy_changes(source: CosObject, operation: dict) -> dict[str, Any]:
    """The destination's storage class, ACL, headers, metadata and tags under the operation's directives:
    Copy (the default) keeps the source's, Replaced takes only the operation's, Add lays the operation's over the
    source's. Encryption is never the source's: only NewObjectMetadata/SSEAlgorithm (Replaced, Add) asks for it."""
    headers, meta = new_metadata(operation)  # CreateJob checked them
    tags = new_tags(operation)
    changes: dict[str, Any] = {"storage_class": operation.get("StorageClass") or "STANDARD"}
    acl = operation.get("AccessControlDirective", "Copy")
    if acl != "Copy":
        canned, grants = operation.get("CannedAccessControlList"), batch_grants(operation)
        if acl == "Replaced":
            changes.update(acl=canned, grants=grants)
        else:  # Add: the source's ACL with the operation's on top
            merged = {permission: list(ids) for permission, ids in source.grants.items()}
            for permission, ids in grants.items():
                held = merged.setdefault(permission, [])
                held += [grantee for grantee in ids if grantee not in held]
            changes.update(acl=canned or source.acl, grants=merged)
    directive = operation.get("MetadataDirective", "Copy")
    if directive == "Replaced":
        changes.update(headers=headers, meta=meta, encryption=headers.get(ENCRYPTION))
    elif directive == "Add":
        changes.update(headers={**source.headers, **headers}, meta={**source.meta, **meta},
                       encryption=headers.get(ENCRYPTION))
    tagging = operation.get("TaggingDirective", "Copy")
    if tagging == "Replaced":
        changes["tags"] = tags
    elif tagging == "Add":
        changes["tags"] = {**source.tags, **tags}
    return changes


def run(tasks: list[Task], done: int = 0, failed: int = 0, failures: list | None = None) -> dict[str, Any]:
    """A stored run: `failures` holds [task index, HTTP status, error code, message] of each failed task."""
    return {"tasks": tasks, "done": done, "failed": failed, "failures": failures or []}


def results(stored: dict[str, Any]) -> list[Result]:
    """The result of each task that ran, in task order."""
    found = [SUCCEEDED] * stored["done"]
    for index, status, code, message in stored["failures"]:
        found[index] = (status, code, message)
    return found


def since_constraints(operation: dict) -> tuple[datetime | None, datetime | None]:
    """COSPutObjectCopy's (ModifiedSinceConstraint, UnModifiedSinceConstraint) as moments, None when absent;
    CreateJob checked them (`validation.since_time`)."""
    modified, unmodified = (operation.get(name) for name in ("ModifiedSinceConstraint", "UnModifiedSinceConstraint"))
    return (None if modified is None else since_time(modified),
            None if unmodified is None else since_time(unmodified))


class Runner:
    """Runs the jobs whose manifest the object store holds; the others keep their imaginary tasks."""

    def __init__(self, store: ObjectStore, runs: Collection, tasks_per_second: int, strict_manifests: bool,
                 failure_min_tasks: int, failure_ratio: float) -> None:
        self.store = store
        self.tasks_per_second = tasks_per_second
        self.strict_manifests = strict_manifests
        self.failure_min_tasks = failure_min_tasks
        self.failure_ratio = failure_ratio
        self.runs = runs  # (APPID, JobId) -> run()

    def has(self, appid: str, job_id: str) -> bool:
        return self.runs.get(appid, job_id) is not None

    def forget(self, appid: str, job_id: str) -> None:
        self.runs.delete(appid, job_id)

    # --- Preparing -----------------------------------------------------------------------------

    def prepare(self, appid: str, job: Job) -> int | dict[str, str] | None:
        """The task count of a readable manifest, a JobFailure for one that is not, or None for an imaginary one."""
        location, spec = job["Manifest"]["Location"], job["Manifest"]["Spec"]
        try:
            bucket, _, key = arn_resource(location["ObjectArn"]).partition("/")
        except InvalidManifest as error:
            return failure("InvalidManifest", str(error))
        if not self.store.has_bucket(bucket):
            if not self.strict_manifests:
                return None  # as before the object store: a bucket the emulator does not hold, ten good tasks
            return failure("NoSuchBucket", "Reading the manifest failed: 404 NoSuchBucket")
        if owner(bucket) != appid:
            return failure("AccessDenied", "Reading the manifest is forbidden: 403 Forbidden")
        found = self.store.find(bucket, key)
        if found is None:
            return failure("NoSuchKey", "Reading the manifest failed: 404 NoSuchKey")
        if location.get("ObjectVersionId", "null") != "null":
            return failure("NoSuchVersion", "Reading the manifest failed: 404 NoSuchVersion")
        if location["ETag"].strip('"') != found.etag:
            return failure("InvalidManifest", "The manifest ETag does not match")
        report = job["Report"]
        if report.get("Enabled"):
            try:
                report_bucket = arn_resource(report["Bucket"])
            except InvalidManifest as error:
                return failure("InvalidManifest", str(error))
            if not self.store.has_bucket(report_bucket):
                return failure("NoSuchBucket", f"The report bucket {report_bucket} does not exist")
            if owner(report_bucket) != appid:
                return failure("AccessDenied", f"Writing the report to {report_bucket} is forbidden: 403 Forbidden")
        target = job["Operation"].get("COSPutObjectCopy", {}).get("TargetResource")
        if target is not None:
            try:
                target_bucket = arn_resource(target)
            except InvalidManifest as error:
                return failure("InvalidArgument", f"TargetResource: {error}")
            if not BUCKET.fullmatch(target_bucket):
                return failure("InvalidArgument", f"TargetResource: {target_bucket} is not a bucket (<name>-<APPID>)")
        try:
            if spec["Format"] == "COSInventoryReport_CSV_V1":
                def read(name: str) -> bytes | None:
                    listed = self.store.find(bucket, name)
                    return None if listed is None else listed.body
                tasks = inventory_tasks(found.body, read)
            else:
                tasks = csv_tasks(found.body, spec.get("Fields", {}).get("member", []))
        except InvalidManifest as error:
            return failure("InvalidManifest", str(error))
        self.runs.put(appid, job["JobId"], run(tasks))
        return len(tasks)

    # --- Active --------------------------------------------------------------------------------

    def step(self, appid: str, job: Job) -> tuple[dict[str, int], dict[str, str] | None, bool]:
        """Run the next tasks_per_second tasks: (ProgressSummary, JobFailure if the threshold was crossed, all ran)."""
        stored = self.runs.get(appid, job["JobId"])
        tasks, done, failed = stored["tasks"], stored["done"], stored["failed"]
        operation_name, operation = next(iter(job["Operation"].items()))
        perform = self._copy if operation_name == "COSPutObjectCopy" else self._restore
        crossed, failures = None, []
        for bucket, listed, version in tasks[done:done + self.tasks_per_second]:
            result = self._task(appid, bucket, listed, version, operation, perform)
            if result is not SUCCEEDED:
                failures.append([done, *result])
                failed += 1
            done += 1
            if done > self.failure_min_tasks and failed > done * self.failure_ratio:
                crossed = failure("TaskFailureThresholdExceeded",
                                  f"{failed} of {done} tasks failed (more than {self.failure_ratio:.0%} after "
                                  f"{self.failure_min_tasks} tasks)")
                break
        # a new dict (the task list shared, the failures copied only when some were added): a snapshot's view
        # taken before this step keeps the run as it was
        self.runs.put(appid, job["JobId"], run(tasks, done, failed,
                                               stored["failures"] + failures if failures else stored["failures"]))
        progress = {"NumberOfTasksFailed": failed, "NumberOfTasksSucceeded": done - failed,
                    "TotalNumberOfTasks": len(tasks)}
        return progress, crossed, done == len(tasks)

    def _task(self, appid: str, bucket: str, listed: str, version: str, operation: dict, perform) -> Result:
        key = decoded_key(listed)
        try:
            if key is None:
                raise errors.object_error("InvalidObjectName")
            current_version(version)
            if owner(bucket) != appid:
                raise errors.object_error("AccessDenied")
            perform(bucket, key, operation, appid)
        except ApiError as error:
            return error.status, error.code, error.message
        return SUCCEEDED

    def _copy(self, bucket: str, key: str, operation: dict, appid: str) -> None:
        """COSPutObjectCopy of one object, as PUT Object - Copy with the operation's directives."""
        target = arn_resource(operation["TargetResource"])
        if owner(target) != appid:
            raise errors.object_error("AccessDenied")
        self.store.bucket(target)
        try:
            source = self.store.get(bucket, key)
        except ApiError:
            raise errors.object_error("NoSuchCopySource") from None
        modified_since, unmodified_since = since_constraints(operation)
        stamp = source.modified.replace(microsecond=0)  # Last-Modified shows whole seconds
        if modified_since is not None and stamp <= modified_since \
                or unmodified_since is not None and stamp > unmodified_since:
            raise errors.object_error("PreconditionFailed")
        if not source.readable(self.store.clock.now()):
            raise errors.object_error("InvalidObjectState")
        destination = key
        if str(operation.get("PrefixReplace", "")).lower() == "true":
            old, new = operation.get("ResourcesPrefix") or "", operation.get("TargetKeyPrefix") or ""
            if key.startswith(old):
                destination = new + key[len(old):]
        changes = copy_changes(source, operation)
        if (bucket, key) == (target, destination) and changes.get("storage_class") == source.storage_class \
                and operation.get("MetadataDirective", "Copy") == "Copy":
            raise errors.object_error("InvalidRequest", errors.SELF_COPY)
        self.store.copy(target, destination, source, **changes)

    def _restore(self, bucket: str, key: str, operation: dict, appid: str) -> None:
        """COSInitiateRestoreObject of one object: ongoing restores fail, valid copies are renewed."""
        self.store.restore(bucket, key, int(operation["ExpirationInDays"]), operation["JobTier"])

    # --- the end -------------------------------------------------------------------------------

    def finish(self, appid: str, job: Job) -> None:
        """A finished job's report, if enabled and at least one task ran; the run is then dropped."""
        stored = self.runs.delete(appid, job["JobId"])
        if stored is None or not stored["done"] or not job["Report"].get("Enabled"):
            return
        try:
            reports.write(self.store, job, stored["tasks"], results(stored))
        except ApiError as error:  # the store's bound: the job ends all the same
            log.warning("COS job %s/%s: its report was not written: %s", appid, job["JobId"], error.message)
