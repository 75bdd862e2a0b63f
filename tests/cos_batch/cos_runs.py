"""Helpers for the batch-run tests: jobs created and described with signed calls, reports read with GetObject."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import requests

from cos_live import REGION, Served
from cos_support import request_body, request_tree, xml

SRC, DST, REP = "src-1250000000", "dst-1250000000", "rep-1250000000"
STEP = 2  # seconds between status steps (the default)


def upload_manifest(cos, lines: list[str], key: str = "manifests/m.csv") -> str:
    return cos.put_object(Bucket=SRC, Key=key, Body="\n".join(lines).encode())["ETag"]


def report(scope: str = "AllTasks", prefix: str | None = "r", bucket: str = REP, enabled: str = "true") -> dict:
    """A Report element; prefix None leaves Prefix out."""
    found = {"Bucket": f"qcs::cos:{REGION}::{bucket}", "Enabled": enabled, "Format": "Report_CSV_V1",
             "ReportScope": scope}
    return found if prefix is None else {**found, "Prefix": prefix}


def create_job(emulator: Served, etag: str, operation: dict, scope: str = "AllTasks", confirm: bool = True,
               manifest_key: str = "manifests/m.csv", token: str = "token-1", manifest_bucket: str = SRC,
               **changes: Any) -> str:
    """A job over a COSBatchOperations_CSV_V1 manifest with Bucket,Key fields; `changes` replace request children."""
    tree = request_tree(
        ClientRequestToken=token, ConfirmationRequired="true" if confirm else "false",
        Manifest={"Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{manifest_bucket}/{manifest_key}"},
                  "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"}},
        Operation=operation, Report=report(scope))
    tree.update(changes)
    answer = emulator.batch("POST", "/jobs", request_body(tree))
    assert answer.status_code == 200, answer.text
    return xml(answer.content)["CreateJobResult"]["JobId"]


def run_to_the_end(emulator: Served, steps: int = 5) -> None:
    """A job created with confirm=False: New -> Preparing -> Ready -> Active (its tasks) -> Completing -> Complete."""
    for _ in range(steps):
        emulator.advance(STEP)


def describe(emulator: Served, job_id: str) -> dict:
    answer = emulator.batch("GET", f"/jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    return xml(answer.content)["DescribeJobResult"]["Job"]


def progress(job: dict) -> tuple[str, int, int, int]:
    summary = job["ProgressSummary"]
    return (job["Status"], int(summary["TotalNumberOfTasks"]), int(summary["NumberOfTasksSucceeded"]),
            int(summary["NumberOfTasksFailed"]))


def body_of(cos, bucket: str, key: str) -> bytes:
    return cos.get_object(Bucket=bucket, Key=key)["Body"].get_raw_stream().read()


def read_report(cos, job_id: str, prefix: str = "r/") -> tuple[dict, dict[str, list[list[str]]]]:
    """manifest.json and the rows of each results file, by TaskExecutionStatus, downloaded with GetObject."""
    manifest = json.loads(body_of(cos, REP, f"{prefix}job-{job_id}/manifest.json"))
    rows = {}
    for result in manifest["Results"]:
        rows[result["TaskExecutionStatus"]] = list(csv.reader(io.StringIO(
            body_of(cos, result["Bucket"], result["Key"]).decode())))
    return manifest, rows


def fresh_buckets(emulator: Served):
    """The emulator reset and a signed client with the three buckets the runs use (source, target, report)."""
    requests.post(f"{emulator.url}/_emulator/reset", json={}, timeout=30)
    client = emulator.client()
    for bucket in (SRC, DST, REP):
        client.create_bucket(Bucket=bucket)
    return client
