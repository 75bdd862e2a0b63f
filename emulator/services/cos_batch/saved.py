"""COS jobs, their next steps and keys, buckets, objects and runs as the state file holds them: each one checked at
start as its create path checks it, then made live again."""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from emulator.core.clock import parse_rfc3339
from emulator.core.store import Collection, Store
from emulator.core.credentials import SECRET_SUFFIX
from emulator.core.errors import ApiError
from emulator.services.cos_batch import fixtures, lifecycle, validation
from emulator.services.cos_batch.objects import BUCKET, MAX_BUCKET_NAME, STORAGE_CLASSES, Bucket, CosObject, \
    ObjectStore, Restore, crc64, owner

BUCKETS, OBJECTS, RUNS = "cos_buckets", "cos_objects", "cos_runs"
JOBS, STEPS, SECRETS = "cos_jobs", "cos_job_steps", "cos_batch" + SECRET_SUFFIX
REQUEST_FIELDS = ("ClientRequestToken", "ConfirmationRequired", "Description", "Manifest", "Operation", "Priority",
                  "Report", "RoleArn")
STATE_FIELDS = ("CreationTime", "FailureReasons", "JobId", "ProgressSummary", "Status", "StatusUpdateReason",
                "SuspendedCause", "SuspendedDate", "TerminationDate")
MAX_KEY_BYTES = 850
RESTORE_TIERS = ("expedited", "standard", "bulk")


def _time(value: Any) -> bool:
    try:
        parse_rfc3339(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _texts(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _whole(value: Any, low: int = 0) -> bool:
    return type(value) is int and value >= low


def problem(kind: str, scope: str, name: str, obj: Any, max_object_bytes: int) -> str | None:
    """What makes a saved bucket, object or run unusable (the checks its create path makes), or None."""
    if kind == BUCKETS:
        return _bucket_problem(scope, name, obj)
    if kind == OBJECTS:
        return _object_problem(scope, name, obj, max_object_bytes)
    if kind == RUNS:
        return _run_problem(obj)
    if kind == JOBS:
        return _job_problem(scope, name, obj)
    if kind == STEPS:
        if not _appid(scope) or not _time(obj.get("at")) or obj.get("from") not in lifecycle.STATUSES \
                or set(obj) != {"at", "from"}:
            return 'must be {"at": a time, "from": a COS job status} under an APPID'
        return None
    if kind == SECRETS:
        if scope or not name or set(obj) != {"SecretKey", "Appid"} or not isinstance(obj["SecretKey"], str) \
                or not obj["SecretKey"] or not (obj["Appid"] is None or _appid(obj["Appid"])):
            return 'must be {"SecretKey", "Appid" (or null: a key of a document without one)} under its SecretId, ' \
                   'in scope ""'
        return None
    return None


def _appid(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value.encode("utf-8", "surrogatepass")) <= validation.MAX_APPID_BYTES


def _job_problem(appid: str, job_id: str, job: dict) -> str | None:
    """A job as CreateJob (or a fixture) stores it: its request as the validator returns it, then its state."""
    if not _appid(appid) or job.get("JobId") != job_id or not fixtures.JOB_ID.fullmatch(job_id):
        return '"JobId" must name where it is stored, under an APPID'
    if set(job) != set(REQUEST_FIELDS + STATE_FIELDS):
        return f"must have exactly the fields {', '.join(REQUEST_FIELDS + STATE_FIELDS)}"
    request = {field: job[field] for field in REQUEST_FIELDS}
    try:
        checked = fixtures.create_job_request({"CreateJobRequest": {k: v for k, v in request.items() if v is not None}})
    except ApiError as error:
        return f"is no CreateJobRequest COS accepts ({error.code}: {error.message})"
    except (ValueError, TypeError, AttributeError) as error:
        return f"is no CreateJobRequest COS accepts ({error})"
    if checked != request:
        changed = [field for field in REQUEST_FIELDS if checked.get(field) != request[field]]
        return f"holds {', '.join(changed)} as CreateJob would not store them"
    if job["Status"] not in lifecycle.STATUSES:
        return f'"Status" must be one of {", ".join(lifecycle.STATUSES)}'
    progress = job["ProgressSummary"]
    if not isinstance(progress, dict) or set(progress) != set(fixtures.PROGRESS_KEYS) \
            or not all(_whole(count) for count in progress.values()):
        return f'"ProgressSummary" must count {", ".join(fixtures.PROGRESS_KEYS)}'
    reasons = job["FailureReasons"]
    if not isinstance(reasons, list) or not all(
            isinstance(item, dict) and set(item) == {"FailureCode", "FailureReason"}
            and all(isinstance(text, str) for text in item.values()) for item in reasons):
        return '"FailureReasons" must list {"FailureCode", "FailureReason"} texts'
    if not _time(job["CreationTime"]) or not all(
            job[field] is None or _time(job[field]) for field in ("SuspendedDate", "TerminationDate")):
        return '"CreationTime" must be a time, "SuspendedDate" and "TerminationDate" times or null'
    if not all(job[field] is None or isinstance(job[field], str) for field in ("StatusUpdateReason", "SuspendedCause")):
        return '"StatusUpdateReason" and "SuspendedCause" must be text or null'
    return None


def _bucket_problem(scope: str, name: str, obj: dict) -> str | None:
    if scope or not BUCKET.fullmatch(name) or len(name) > MAX_BUCKET_NAME:
        return "is not a COS bucket name (<name>-<APPID>, stored in scope \"\")"
    if obj.get("name") != name or obj.get("appid") != owner(name):
        return '"name" and "appid" must be the bucket\'s own'
    if not isinstance(obj.get("region"), str) or not obj["region"] or not _time(obj.get("created")):
        return 'must have a "region" and a "created" time'
    return None


def _object_problem(bucket: str, key: str, obj: dict, max_object_bytes: int) -> str | None:
    if not BUCKET.fullmatch(bucket):
        return "is not in a COS bucket"
    if not key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        return f"must have a key of 1 to {MAX_KEY_BYTES} bytes"
    try:
        body = base64.b64decode(obj.get("content"), validate=True)
    except (binascii.Error, TypeError, ValueError):
        return '"content" must be the body in base64'
    if obj.get("size") != len(body):
        return f'"size" must be the body\'s length ({len(body)})'
    if len(body) > max_object_bytes:
        return f"is larger than --cos-max-object-bytes ({max_object_bytes})"
    if obj.get("etag") != hashlib.md5(body).hexdigest() or obj.get("crc64") != crc64(body):
        return '"etag" and "crc64" must be the body\'s MD5 and CRC64'
    if not _time(obj.get("modified")) or obj.get("storage_class") not in STORAGE_CLASSES:
        return 'must have a "modified" time and a COS "storage_class"'
    if not all(_texts(obj.get(field)) for field in ("headers", "meta", "tags")) \
            or not isinstance(obj.get("acl"), (str, type(None))):
        return '"headers", "meta" and "tags" must map text to text, "acl" be text or null'
    grants = obj.get("grants", {})  # absent in state files written before grants were kept
    if not isinstance(grants, dict) or not all(
            isinstance(permission, str) and isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for permission, ids in grants.items()):
        return '"grants" must map each permission to a list of grantee ids'
    restore = obj.get("restore")
    if restore is not None and not (
            isinstance(restore, dict) and restore.get("tier") in RESTORE_TIERS and _time(restore.get("requested"))
            and _whole(restore.get("days"), 1) and (restore.get("expiry") is None or _time(restore["expiry"]))):
        return '"restore" must be null or {"tier", "requested", "days", "expiry"}'
    return None


def _run_problem(obj: dict) -> str | None:
    tasks, done, failed, failures = obj.get("tasks"), obj.get("done"), obj.get("failed"), obj.get("failures")
    if not isinstance(tasks, list) or not all(
            isinstance(task, list) and len(task) == 3 and all(isinstance(part, str) for part in task)
            for task in tasks):
        return '"tasks" must list [bucket, key, version id] triples'
    if not _whole(done) or done > len(tasks):
        return f'"done" must count the tasks that ran (0 to {len(tasks)})'
    if not isinstance(failures, list) or failed != len(failures):
        return '"failed" must count the "failures"'
    before = -1
    for entry in failures:
        if not (isinstance(entry, list) and len(entry) == 4 and _whole(entry[0]) and before < entry[0] < done
                and _whole(entry[1], 400) and entry[1] < 600 and isinstance(entry[2], str) and entry[2]
                and isinstance(entry[3], str)):
            return '"failures" must list [task index, HTTP status, error code, message] of tasks that ran, in order'
        before = entry[0]
    return None


def revive(store: Store, objects: ObjectStore, jobs: Collection) -> None:
    """The checked rows of a restored state made live: Bucket and CosObject in place of their saved dicts; every
    object in a saved bucket, every run of a job that is still under way, the bodies within the store's bound.
    ValueError (naming the object) otherwise."""
    buckets = store.collection(BUCKETS)
    for (_, name), row in list(buckets.scan()):
        if isinstance(row, dict):
            buckets.put("", name, Bucket(name, row["appid"], row["region"], parse_rfc3339(row["created"])))
    used = 0
    kept = store.collection(OBJECTS)
    for (bucket, key), row in list(kept.scan()):
        if not objects.has_bucket(bucket):
            raise ValueError(f"{OBJECTS} {bucket}/{key!r}: its bucket is not in the state file")
        if isinstance(row, dict):
            restore = row["restore"]
            kept.put(bucket, key, CosObject(
                row["content"], row["size"], row["etag"], row["crc64"], parse_rfc3339(row["modified"]),
                row["storage_class"], row["headers"], row["meta"], row["tags"], row["acl"],
                None if restore is None else Restore(
                    restore["tier"], parse_rfc3339(restore["requested"]), restore["days"],
                    None if restore["expiry"] is None else parse_rfc3339(restore["expiry"])),
                row.get("grants", {})))
        used += row["size"] if isinstance(row, dict) else row.size
    if used > objects.max_store_bytes:
        raise ValueError(f"the COS objects hold {used} bytes, more than --cos-max-store-bytes "
                         f"({objects.max_store_bytes})")
    for (appid, job_id), _ in store.collection(RUNS).scan():
        job = jobs.get(appid, job_id)
        if job is None or job["Status"] in lifecycle.TERMINAL:
            raise ValueError(f"{RUNS} {appid}/{job_id}: no job of that APPID is under way with that JobId")
