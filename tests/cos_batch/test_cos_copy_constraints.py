"""COSPutObjectCopy's ModifiedSinceConstraint / UnModifiedSinceConstraint: checked at CreateJob (400 InvalidArgument
for a bad one), applied to each task's source (412 PreconditionFailed in the completion report when it fails)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
import requests
from cos_live import REGION, served
from cos_support import error_of, request_body, request_tree, xml

SRC, DST, REP = "src-1250000000", "dst-1250000000", "rep-1250000000"
STEP = 2
START = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the served emulator's frozen clock


def copy_operation(**constraints: str) -> dict:
    return {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}", **constraints}}


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "1e9", "9" * 20, "2026-13-01T00:00:00Z", "１７００"])
@pytest.mark.parametrize("name", ["ModifiedSinceConstraint", "UnModifiedSinceConstraint"])
async def test_a_constraint_that_is_no_time_is_refused_at_create_job(cos, name, value):
    status, body, _ = await cos.call("POST", "/jobs", data=request_body(
        Operation=copy_operation(**{name: value})))
    assert (status, error_of(body)[0]) == (400, "InvalidArgument"), body


@pytest.mark.parametrize("value", ["1767225600", "2026-01-01T00:00:00Z", "2026-01-01T08:00:00+08:00"])
async def test_unix_seconds_and_iso_8601_times_are_accepted(cos, value):
    status, body, _ = await cos.call("POST", "/jobs", data=request_body(
        Operation=copy_operation(ModifiedSinceConstraint=value, UnModifiedSinceConstraint=value)))
    assert status == 200, body
    job = xml((await cos.call("GET", f"/jobs/{xml(body)['CreateJobResult']['JobId']}"))[1])["DescribeJobResult"]
    assert job["Job"]["Operation"]["COSPutObjectCopy"]["ModifiedSinceConstraint"] == value


@pytest.fixture(scope="module")
def emulator():
    with served() as running:
        yield running


@pytest.fixture
def sdk(emulator):
    """A CosS3Client on the served emulator, reset, with the three buckets."""
    requests.post(f"{emulator.url}/_emulator/reset", json={}, timeout=30)
    client = emulator.client()
    for bucket in (SRC, DST, REP):
        client.create_bucket(Bucket=bucket)
    return client


def run_copy(emulator, cos, manifest_etag: str, token: str, **constraints: str) -> tuple[dict, dict]:
    """A copy job with `constraints`, run to its end; (DescribeJob's Job, the report's rows by status)."""
    tree = request_tree(
        ClientRequestToken=token, ConfirmationRequired="false",
        Manifest={"Location": {"ETag": manifest_etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/m.csv"},
                  "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"}},
        Operation=copy_operation(**constraints),
        Report={"Bucket": f"qcs::cos:{REGION}::{REP}", "Enabled": "true", "Format": "Report_CSV_V1",
                "Prefix": token, "ReportScope": "AllTasks"})
    answer = emulator.batch("POST", "/jobs", request_body(tree))
    assert answer.status_code == 200, answer.text
    job_id = xml(answer.content)["CreateJobResult"]["JobId"]
    for _ in range(5):  # New, Preparing, Ready, Active (every task in one second), Completing
        emulator.advance(STEP)
    job = xml(emulator.batch("GET", f"/jobs/{job_id}").content)["DescribeJobResult"]["Job"]
    manifest = json.loads(cos.get_object(Bucket=REP, Key=f"{token}/job-{job_id}/manifest.json")["Body"]
                          .get_raw_stream().read())
    rows = {}
    for result in manifest["Results"]:
        text = cos.get_object(Bucket=REP, Key=result["Key"])["Body"].get_raw_stream().read().decode()
        rows[result["TaskExecutionStatus"]] = sorted(csv.reader(io.StringIO(text)))
    return job, rows


def test_each_task_copies_only_a_source_that_meets_the_constraint(emulator, sdk):
    cos = sdk
    cos.put_object(Bucket=SRC, Key="old.txt", Body=b"old")  # modified at START
    emulator.advance(100)
    cos.put_object(Bucket=SRC, Key="new.txt", Body=b"new")  # modified at START + 100 s
    etag = cos.put_object(Bucket=SRC, Key="m.csv", Body=f"{SRC},old.txt\n{SRC},new.txt\n".encode())["ETag"]
    since = str(int(START.timestamp()))  # exactly old.txt's time: not modified after it, not after it either
    refused = [SRC, "{key}", "", "failed", "412", "PreconditionFailed", "Precondition not match."]

    job, rows = run_copy(emulator, cos, etag, "modified", ModifiedSinceConstraint=since)
    assert (job["Status"], job["ProgressSummary"]) == ("Complete", {
        "NumberOfTasksFailed": "1", "NumberOfTasksSucceeded": "1", "TotalNumberOfTasks": "2"})
    assert rows["failed"] == [[cell.format(key="old.txt") for cell in refused]]
    assert [row[1] for row in rows["succeeded"]] == ["new.txt"]
    assert [item["Key"] for item in cos.list_objects(Bucket=DST)["Contents"]] == ["new.txt"]

    cos.delete_object(Bucket=DST, Key="new.txt")
    job, rows = run_copy(emulator, cos, etag, "unmodified", UnModifiedSinceConstraint="2026-01-01T00:00:00Z")
    assert rows["failed"] == [[cell.format(key="new.txt") for cell in refused]]
    assert [row[1] for row in rows["succeeded"]] == ["old.txt"]
    assert [item["Key"] for item in cos.list_objects(Bucket=DST)["Contents"]] == ["old.txt"]
