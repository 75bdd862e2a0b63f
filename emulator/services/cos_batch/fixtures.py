"""Fixture documents for COS batch: an APPID's jobs (through the CreateJob path) and signing keys.

    service: cos_batch
    appid: "1250000000"                 # required with jobs
    credentials: {<SecretId>: <SecretKey>}   # optional: keys whose signatures are checked
    jobs:
      - JobId: 53dc6228-...             # optional (a UUID is made); letters, digits, - and _
        Status: Complete                # optional, default New
        CreationTime: "2019-12-19T18:00:30Z"      # optional, default now
        CreateJobRequest: {...}         # required: the request body's children, as XML would nest
                                        # them (Fields: {member: [Bucket, Key]})
        ProgressSummary: {NumberOfTasksFailed, NumberOfTasksSucceeded, TotalNumberOfTasks}
        StatusUpdateReason, SuspendedCause, SuspendedDate, TerminationDate: optional
        FailureReasons: [{FailureCode, FailureReason}]
        next_step_seconds: 3600         # optional: when an unfinished job takes its next step
    buckets:                            # optional: buckets of the object store, with objects
      - name: examplebucket-1250000000  # <name>-<APPID>
        region: ap-guangzhou            # optional
        objects:
          - key: manifests/m.csv
            body: "examplebucket-1250000000,a.txt"   # a text body, or
            file: data/m.csv            # a file under the fixture folder
            storage_class: ARCHIVE      # optional, default STANDARD
            content_type: text/csv      # optional

The CreateJobRequest is written out as XML and read back by the same parser and validator
CreateJob uses; omitted state gets what the job would carry in that status.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.services.cos_batch import lifecycle, validation, xmlio

_DOCUMENT_KEYS = {"service", "appid", "credentials", "jobs", "buckets"}
_BUCKET_KEYS = {"name", "region", "objects"}
_OBJECT_KEYS = {"key", "body", "file", "storage_class", "content_type"}
_JOB_KEYS = {"JobId", "Status", "CreationTime", "CreateJobRequest", "ProgressSummary", "StatusUpdateReason",
             "SuspendedCause", "SuspendedDate", "TerminationDate", "FailureReasons", "next_step_seconds"}
PROGRESS_KEYS = ("NumberOfTasksFailed", "NumberOfTasksSucceeded", "TotalNumberOfTasks")
_TIMES = ("CreationTime", "SuspendedDate", "TerminationDate")  # an entry leaves one out: the load's time
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _mapping(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping")
    return value


def _unknown(given: dict, known: set[str], what: str) -> None:
    extra = sorted(set(given) - known)
    if extra:
        raise ValueError(f"{what}: unknown keys {', '.join(map(str, extra))} (known: {', '.join(sorted(known))})")


def _text(value: Any, what: str, max_bytes: int) -> str:
    if not isinstance(value, str) or len(value.encode("utf-8")) > max_bytes or not xmlio.xml_safe(value):
        raise ValueError(f"{what} must be text of at most {max_bytes} bytes")
    return value


def _time(value: Any, what: str) -> str:
    try:
        return rfc3339(parse_rfc3339(value if isinstance(value, str) else str(value)))
    except ValueError:
        raise ValueError(f"{what} must be an RFC 3339 timestamp, not {value!r}") from None


def _progress(value: Any) -> dict[str, int]:
    _unknown(_mapping(value, "ProgressSummary"), set(PROGRESS_KEYS), "ProgressSummary")
    counts = {key: value.get(key, 0) for key in PROGRESS_KEYS}
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts.values()):
        raise ValueError("ProgressSummary counts must be whole numbers, 0 or more")
    return counts


def _failures(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValueError("FailureReasons must be a list")
    return [{"FailureCode": _text(_mapping(item, "a FailureReasons item").get("FailureCode", ""), "FailureCode", 64),
             "FailureReason": _text(item.get("FailureReason", ""), "FailureReason", 256)} for item in value]


def job_state(entry: dict) -> tuple[dict[str, Any], float | None]:
    """The state fields a fixture job gives, checked, and the delay before its next step (None: the default).
    A time or the counts it leaves out are None: `started` fills them in as of the load."""
    status = entry.get("Status", "New")
    if status not in lifecycle.STATUSES:
        raise ValueError(f"Status must be one of {', '.join(lifecycle.STATUSES)}, not {status!r}")
    state: dict[str, Any] = {"Status": status}
    if "JobId" in entry:
        if not isinstance(entry["JobId"], str) or not JOB_ID.fullmatch(entry["JobId"]):
            raise ValueError("JobId must be 1-64 letters, digits, '-' or '_'")
        state["JobId"] = entry["JobId"]
    state["CreationTime"] = _time(entry["CreationTime"], "CreationTime") if "CreationTime" in entry else None
    progress = entry.get("ProgressSummary")
    state["ProgressSummary"] = None if progress is None else _progress(progress)
    state["FailureReasons"] = _failures(entry.get("FailureReasons", []))
    reason = entry.get("StatusUpdateReason", lifecycle.COMPLETE_REASON if status == "Complete" else None)
    state["StatusUpdateReason"] = None if reason is None else _text(reason, "StatusUpdateReason", 256)
    suspended = status == "Suspended" or "SuspendedDate" in entry
    if suspended:
        state["SuspendedDate"] = _time(entry["SuspendedDate"], "SuspendedDate") if "SuspendedDate" in entry else None
        state["SuspendedCause"] = _text(entry.get("SuspendedCause", lifecycle.SUSPENDED_CAUSE), "SuspendedCause",
                                        1024)
    if status in lifecycle.TERMINAL:
        state["TerminationDate"] = (_time(entry["TerminationDate"], "TerminationDate") if "TerminationDate" in entry
                                    else None)
    delay = entry.get("next_step_seconds")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise ValueError("next_step_seconds must be a number of seconds, 0 or more")
    return state, delay


def started(state: dict[str, Any], now: str, tasks: int) -> dict[str, Any]:
    """`job_state`'s fields with what the entry left out: the time `now`, the counts of a job of `tasks` tasks
    that has come as far as its status."""
    filled = {key: now if value is None and key in _TIMES else value for key, value in state.items()}
    if filled["ProgressSummary"] is None:
        total = 0 if state["Status"] in ("New", "Preparing") else tasks
        done = total if state["Status"] in ("Completing", "Complete") else 0
        filled["ProgressSummary"] = {"NumberOfTasksFailed": 0, "NumberOfTasksSucceeded": done,
                                     "TotalNumberOfTasks": total}
    return filled


def create_job_request(entry: dict) -> dict[str, Any]:
    """The entry's CreateJobRequest through the XML parser and validator CreateJob uses."""
    request = _mapping(entry.get("CreateJobRequest"), "CreateJobRequest")
    try:
        root, tree = xmlio.parse(xmlio.dumps("CreateJobRequest", request))
    except ExpatError as error:
        raise ValueError(f"CreateJobRequest does not make an XML document: {error}") from None
    return validation.create_job_request(root, tree)


def read(document: dict) -> tuple[str | None, dict[str, str], list[dict]]:
    """(APPID, credentials, job entries) of one document, its shape checked."""
    _unknown(document, _DOCUMENT_KEYS, "a cos_batch fixture")
    credentials = _mapping(document.get("credentials", {}), "credentials")
    for secret_id, secret_key in credentials.items():
        if not isinstance(secret_id, str) or not isinstance(secret_key, str) or not secret_id or not secret_key:
            raise ValueError("credentials map each SecretId to its SecretKey, both non-empty text")
    jobs = document.get("jobs", [])
    if not isinstance(jobs, list):
        raise ValueError("jobs must be a list")
    appid = document.get("appid")
    if appid is not None:
        appid = str(appid)
        if not 1 <= len(appid.encode("utf-8")) <= validation.MAX_APPID_BYTES:
            raise ValueError("appid must be 1-64 bytes")
    elif jobs:
        raise ValueError("appid is required with jobs")
    for entry in jobs:
        _unknown(_mapping(entry, "a job"), _JOB_KEYS, "a job")
    return appid, credentials, jobs


def buckets(document: dict, folder: Path | None) -> list[tuple[str, str | None, list[tuple[str, bytes, dict]]]]:
    """(name, region, [(key, body, attributes)]) of the document's buckets; files are read from `folder`."""
    entries = document.get("buckets", [])
    if not isinstance(entries, list):
        raise ValueError("buckets must be a list")
    found = []
    for entry in entries:
        _unknown(_mapping(entry, "a bucket"), _BUCKET_KEYS, "a bucket")
        name = _text(entry.get("name"), "a bucket's name", 64)
        region = entry.get("region")
        objects = []
        for item in entry.get("objects", []) or []:
            _unknown(_mapping(item, "an object"), _OBJECT_KEYS, "an object")
            key = _text(item.get("key"), "an object's key", 850)
            if ("body" in item) == ("file" in item):
                raise ValueError(f"object {key}: give body (text) or file (a path under the fixture folder)")
            if "body" in item:
                body = _text(item["body"], f"object {key}'s body", 1 << 20).encode("utf-8")
            else:
                if folder is None:
                    raise ValueError(f"object {key}: file needs a fixture folder")
                path = (folder / _text(item["file"], f"object {key}'s file", 1024)).resolve()
                if not path.is_relative_to(folder.resolve()) or not path.is_file():
                    raise ValueError(f"object {key}: {item['file']} is no file under the fixture folder")
                body = path.read_bytes()
            attributes: dict[str, Any] = {"storage_class": str(item.get("storage_class", "STANDARD")).upper()}
            if item.get("content_type"):
                attributes["headers"] = {"Content-Type": str(item["content_type"])}
            objects.append((key, body, attributes))
        found.append((name, None if region is None else str(region), objects))
    return found
