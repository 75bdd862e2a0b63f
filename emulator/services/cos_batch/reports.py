"""Completion reports as COS objects: `<Prefix>/job-<JobId>/manifest.json` and `results/<40 hex>.csv` in the report bucket."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from emulator.services.cos_batch.manifests import Task, arn_resource
from emulator.services.cos_batch.objects import ObjectStore

FORMAT = "Report_CSV_V1"
SCHEMA = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write(store: ObjectStore, job: dict[str, Any], tasks: list[Task], results: list[tuple[int, str, str]]) -> None:
    """The report objects of a job whose tasks ran (results[i] is task i's), per its ReportScope.

    Rows: Bucket, Key (as listed), VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage —
    the HTTP status before the error code, as S3's reports put it although their schema names them the other way.
    """
    report = job["Report"]
    bucket = arn_resource(report["Bucket"])
    prefix = report.get("Prefix")
    base = f"{prefix}/job-{job['JobId']}" if prefix else f"job-{job['JobId']}"
    rows: dict[str, list[list[str]]] = {"succeeded": [], "failed": []}
    for (task_bucket, key, version), (status, code, message) in zip(tasks, results):
        outcome = "succeeded" if not code else "failed"
        rows[outcome].append([task_bucket, key, version, outcome, str(status), code, message])
    wanted = ("succeeded", "failed") if report.get("ReportScope") == "AllTasks" else ("failed",)
    files, writes = [], []
    for outcome in wanted:
        if not rows[outcome]:
            continue
        body = _csv(rows[outcome])
        digest = hashlib.sha1(("%s:%s" % (job["JobId"], outcome)).encode()).hexdigest()
        name = f"{base}/results/{digest}.csv"
        writes.append((name, body, "text/csv"))
        files.append({"TaskExecutionStatus": outcome, "Bucket": bucket, "MD5Checksum": hashlib.md5(body).hexdigest(),
                      "Key": name})
    manifest = {"Format": FORMAT, "ReportCreationDate": _millis(store.clock.stamp()), "Results": files,
                "ReportSchema": SCHEMA}
    writes.append((f"{base}/manifest.json", json.dumps(manifest).encode(), "application/json"))
    store.check_room(bucket, [(name, len(body)) for name, body, _ in writes])  # the whole report or none of it
    for name, body, content_type in writes:
        store.put(bucket, name, body, headers={"Content-Type": content_type})


def _millis(stamp: str) -> str:
    """2026-01-01T00:00:05Z -> 2026-01-01T00:00:05.000Z"""
    return stamp[:-1] + ".000Z" if stamp.endswith("Z") and "." not in stamp else stamp
