"""Batch jobs that do their work, end to end: objects and a manifest uploaded with CosS3Client, the job created,
confirmed and described with CosS3Auth-signed calls while the clock moves, the report downloaded and parsed."""
from __future__ import annotations

import json

import pytest
from cos_live import REGION, served
from cos_runs import DST, REP, SRC, STEP, create_job, describe, fresh_buckets, progress, read_report, upload_manifest
from cos_support import request_body, request_tree, xml


@pytest.fixture(scope="module")
def emulator():
    with served() as running:
        yield running


@pytest.fixture
def cos(emulator):
    return fresh_buckets(emulator)

COPY = {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}", "PrefixReplace": "true",
                             "ResourcesPrefix": "in/", "TargetKeyPrefix": "out/", "StorageClass": "STANDARD_IA"}}


def test_a_copy_job_reads_its_manifest_copies_counts_and_writes_its_report(emulator, cos):
    keys = [f"in/{n:03d}.txt" for n in range(250)]
    for key in keys:
        cos.put_object(Bucket=SRC, Key=key, Body=key.encode())
    etag = upload_manifest(cos, [f"{SRC},{key}" for key in keys])
    job_id = create_job(emulator, etag, COPY)
    emulator.advance(STEP)  # New -> Preparing
    emulator.advance(STEP)  # the manifest read: 250 tasks, waiting for confirmation
    assert progress(describe(emulator, job_id)) == ("Suspended", 250, 0, 0)
    assert emulator.batch("POST", f"/jobs/{job_id}/status", params={"requestedJobStatus": "Ready"}).status_code == 200
    emulator.advance(STEP)  # Ready -> Active
    seen = []
    for seconds in (STEP, 1, 1, STEP):  # 100 tasks per emulator second while Active; Completing takes a step
        emulator.advance(seconds)
        seen.append(progress(describe(emulator, job_id)))
    assert seen == [("Active", 250, 100, 0), ("Active", 250, 200, 0), ("Completing", 250, 250, 0),
                    ("Complete", 250, 250, 0)]
    copied = cos.get_object(Bucket=DST, Key="out/007.txt")
    assert copied["Body"].get_raw_stream().read() == b"in/007.txt"
    assert copied["x-cos-storage-class"] == "STANDARD_IA"
    manifest, rows = read_report(cos, job_id)
    assert manifest["Format"] == "Report_CSV_V1" and manifest["ReportCreationDate"].endswith(".000Z")
    assert [r["TaskExecutionStatus"] for r in manifest["Results"]] == ["succeeded"]
    assert rows["succeeded"][0] == [SRC, "in/000.txt", "", "succeeded", "200", "", "Successful"]
    assert len(rows["succeeded"]) == 250


def test_a_restore_job_restores_archived_objects_on_the_clock(emulator, cos):
    for n in range(3):
        cos.put_object(Bucket=SRC, Key=f"cold/{n}", Body=b"cold", StorageClass="ARCHIVE")
    cos.put_object(Bucket=SRC, Key="warm", Body=b"warm")
    etag = upload_manifest(cos, [f"{SRC},cold/0", f"{SRC},cold/1", f"{SRC},cold/2", f"{SRC},warm"])
    job_id = create_job(emulator, etag, {"COSInitiateRestoreObject": {"ExpirationInDays": "2", "JobTier": "Bulk"}},
                        confirm=False)
    for _ in range(4):
        emulator.advance(STEP)  # New, Preparing, Ready, Active: the four requests issued
    assert progress(describe(emulator, job_id)) == ("Completing", 4, 3, 1)
    emulator.advance(STEP)
    assert progress(describe(emulator, job_id)) == ("Complete", 4, 3, 1)
    assert cos.head_object(Bucket=SRC, Key="cold/1")["x-cos-restore"] == 'ongoing-request="true"'
    _, rows = read_report(cos, job_id)
    assert rows["failed"] == [[SRC, "warm", "", "failed", "405", "RestoreNonArchiveObject",
                               "Non-archived objects cannot be restored."]]
    emulator.advance(5 * 3600)  # Bulk on ARCHIVE: 5 hours
    assert cos.get_object(Bucket=SRC, Key="cold/1")["Body"].get_raw_stream().read() == b"cold"


def test_a_third_missing_completes_with_the_failures_in_the_report(emulator, cos):
    lines = []
    for n in range(30):
        if n % 3:
            cos.put_object(Bucket=SRC, Key=f"in/{n}", Body=b"x")
        lines.append(f"{SRC},in/{n}")
    job_id = create_job(emulator, upload_manifest(cos, lines), COPY, scope="FailedTasksOnly", confirm=False)
    for _ in range(5):
        emulator.advance(STEP)
    job = describe(emulator, job_id)
    assert progress(job) == ("Complete", 30, 20, 10)
    assert job["FailureReasons"]["JobFailure"] == {"FailureCode": None, "FailureReason": None}
    manifest, rows = read_report(cos, job_id)
    assert list(rows) == ["failed"]
    assert [row[1] for row in rows["failed"]] == [f"in/{n}" for n in range(0, 30, 3)]
    assert rows["failed"][0][3:] == ["failed", "404", "NoSuchCopySource", "The specified copy source does not exist."]


def test_most_sources_missing_fail_the_job_past_the_threshold(emulator, cos):
    lines = []
    for n in range(1200):
        if n % 5 == 0:
            cos.put_object(Bucket=SRC, Key=f"in/{n}", Body=b"x")
        lines.append(f"{SRC},in/{n}")
    job_id = create_job(emulator, upload_manifest(cos, lines), COPY, confirm=False)
    for _ in range(3):
        emulator.advance(STEP)  # Active
    emulator.advance(STEP + 9)  # ten steps: 1,000 tasks ran, not yet more than 1,000
    assert progress(describe(emulator, job_id)) == ("Active", 1200, 200, 800)
    emulator.advance(1)  # after the 1,001st task (in/1000, there) 800 of 1,001 failed: more than half
    job = describe(emulator, job_id)
    assert progress(job) == ("Failing", 1200, 201, 800)
    assert job["FailureReasons"]["JobFailure"]["FailureCode"] == "TaskFailureThresholdExceeded"
    emulator.advance(STEP)
    job = describe(emulator, job_id)
    assert job["Status"] == "Failed" and job["TerminationDate"]
    _, rows = read_report(cos, job_id)
    assert (len(rows["succeeded"]), len(rows["failed"])) == (201, 800)


def test_a_manifest_that_cannot_be_read_fails_the_job_in_preparing(emulator, cos):
    upload_manifest(cos, [f"{SRC},a"])
    wrong = create_job(emulator, '"00000000000000000000000000000000"', COPY, confirm=False)
    missing = create_job(emulator, '"00000000000000000000000000000000"', COPY, confirm=False,
                         manifest_key="manifests/none.csv", token="token-2")
    emulator.advance(STEP)
    emulator.advance(STEP)
    reasons = {job_id: describe(emulator, job_id)["FailureReasons"]["JobFailure"] for job_id in (wrong, missing)}
    assert reasons[wrong] == {"FailureCode": "InvalidManifest", "FailureReason": "The manifest ETag does not match"}
    assert reasons[missing]["FailureCode"] == "NoSuchKey"
    emulator.advance(STEP)
    assert [progress(describe(emulator, job_id)) for job_id in (wrong, missing)] == [("Failed", 0, 0, 0)] * 2
    assert "Contents" not in cos.list_objects(Bucket=REP)  # no task ran: no report


def test_fixtures_hold_buckets_and_objects_and_strict_manifests_fail_unknown_buckets(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "m.csv").write_text(f"{SRC},a.txt\n")
    (tmp_path / "cos.json").write_text(json.dumps({"service": "cos_batch", "buckets": [
        {"name": SRC, "objects": [{"key": "a.txt", "body": "hello world"},
                                  {"key": "manifests/m.csv", "file": "data/m.csv"},
                                  {"key": "cold", "body": "c", "storage_class": "ARCHIVE"}]},
        {"name": DST}, {"name": REP}]}))
    with served(fixtures=tmp_path, cos_strict_manifests=True) as running:
        cos = running.client()
        assert cos.head_object(Bucket=SRC, Key="a.txt")["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
        assert cos.head_object(Bucket=SRC, Key="cold")["x-cos-storage-class"] == "ARCHIVE"
        etag = cos.head_object(Bucket=SRC, Key="manifests/m.csv")["ETag"]
        real = create_job(running, etag, COPY, confirm=False)
        elsewhere = request_tree(ClientRequestToken="token-2", ConfirmationRequired="false")  # sourcebucket-...: absent
        answer = running.batch("POST", "/jobs", request_body(elsewhere))
        unknown = xml(answer.content)["CreateJobResult"]["JobId"]
        for _ in range(5):
            running.advance(STEP)
        assert progress(describe(running, real)) == ("Complete", 1, 1, 0)
        assert describe(running, unknown)["FailureReasons"]["JobFailure"]["FailureCode"] == "NoSuchBucket"
        assert cos.get_object(Bucket=DST, Key="a.txt")["Body"].get_raw_stream().read() == b"hello world"


def test_without_strict_manifests_a_job_on_an_unknown_bucket_runs_its_imaginary_tasks(emulator, cos):
    answer = emulator.batch("POST", "/jobs", request_body(ConfirmationRequired="false"))
    job_id = xml(answer.content)["CreateJobResult"]["JobId"]
    for _ in range(5):
        emulator.advance(STEP)
    assert progress(describe(emulator, job_id)) == ("Complete", 10, 10, 0)


def test_a_100000_line_manifest_runs_every_task_and_reports_each(emulator, cos):
    """Every task of a 100,000-line manifest runs and is reported; its time and memory are measured by
    benchmarks/cos_manifest.py, never asserted here."""
    cos.put_object(Bucket=SRC, Key="one", Body=b"1")
    body = "".join(f"{SRC},one\n" if n % 3 else f"{SRC},gone-{n}\n" for n in range(100_000)).encode()
    etag = cos.put_object(Bucket=SRC, Key="manifests/m.csv", Body=body)["ETag"]
    copy_one = {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}}
    job_id = create_job(emulator, etag, copy_one, confirm=False)
    for _ in range(3):
        emulator.advance(STEP)  # read, Ready, Active
    emulator.advance(STEP + 999)  # 100 tasks per second: 1,000 steps, the first a status step after Active
    emulator.advance(STEP)  # Completing -> Complete, the report written
    assert progress(describe(emulator, job_id)) == ("Complete", 100_000, 66_666, 33_334)
    _, rows = read_report(cos, job_id)
    assert (len(rows["succeeded"]), len(rows["failed"])) == (66_666, 33_334)
    assert rows["failed"][-1][:2] == [SRC, "gone-99999"]


def test_an_inventory_manifest_names_its_gzip_csv_files(emulator, cos):
    import gzip
    import hashlib
    for key in ("x/1", "x/2"):
        cos.put_object(Bucket=SRC, Key=key, Body=key.encode())
    packed = gzip.compress(b'"1250000000","src","x/1","3"\n"1250000000","src","x/2","3"\n')
    cos.put_object(Bucket=SRC, Key="inv/data/1.csv.gz", Body=packed)
    manifest = {"sourceBucket": "src", "fileFormat": "CSV", "fileSchema": "Appid, Bucket, Key, Size",
                "files": [{"key": "inv/data/1.csv.gz", "size": len(packed),
                           "md5Checksum": hashlib.md5(packed).hexdigest()}]}
    etag = cos.put_object(Bucket=SRC, Key="inv/manifest.json", Body=json.dumps(manifest).encode())["ETag"]
    tree = request_tree(
        ClientRequestToken="inventory", ConfirmationRequired="false",
        Manifest={"Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/inv/manifest.json"},
                  "Spec": {"Format": "COSInventoryReport_CSV_V1"}},
        Operation={"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}},
        Report={"Bucket": f"qcs::cos:{REGION}::{REP}", "Enabled": "false", "Format": "Report_CSV_V1",
                "ReportScope": "AllTasks"})
    job_id = xml(emulator.batch("POST", "/jobs", request_body(tree)).content)["CreateJobResult"]["JobId"]
    for _ in range(5):
        emulator.advance(STEP)
    assert progress(describe(emulator, job_id)) == ("Complete", 2, 2, 0)
    assert cos.get_object(Bucket=DST, Key="x/2")["Body"].get_raw_stream().read() == b"x/2"
    assert "Contents" not in cos.list_objects(Bucket=REP)  # the report was not enabled


def test_a_job_cancelled_while_active_reports_the_tasks_that_ran(emulator, cos):
    keys = [f"in/{n}" for n in range(300)]
    for key in keys:
        cos.put_object(Bucket=SRC, Key=key, Body=b"x")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},{key}" for key in keys]), COPY, confirm=False)
    for _ in range(4):
        emulator.advance(STEP)  # ... Active, and its first 100 tasks
    cancelled = emulator.batch("POST", f"/jobs/{job_id}/status", params={"requestedJobStatus": "Cancelled"})
    assert xml(cancelled.content)["UpdateJobStatusResult"]["Status"] == "Cancelling"
    emulator.advance(STEP)
    assert progress(describe(emulator, job_id)) == ("Cancelled", 300, 100, 0)
    _, rows = read_report(cos, job_id)
    assert len(rows["succeeded"]) == 100


def test_copy_directives_replace_metadata_and_add_tags(emulator, cos):
    cos.put_object(Bucket=SRC, Key="m", Body=b"x", Metadata={"x-cos-meta-old": "1"}, Tagging="a=1",
                   ContentType="text/plain")
    operation = {"COSPutObjectCopy": {
        "TargetResource": f"qcs::cos:{REGION}::{DST}", "MetadataDirective": "Replaced",
        "NewObjectMetadata": {"ContentType": "application/json",
                              "UserMetadata": {"member": [{"Key": "x-cos-meta-new", "Value": "2"}]}},
        "TaggingDirective": "Add", "NewObjectTagging": {"COSTag": [{"Key": "b", "Value": "2"}]}}}
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), operation, confirm=False)
    for _ in range(5):
        emulator.advance(STEP)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
    head = cos.head_object(Bucket=DST, Key="m")
    assert (head["Content-Type"], head.get("x-cos-meta-old"), head["x-cos-meta-new"]) == ("application/json", None, "2")
    assert cos.get_object_tagging(Bucket=DST, Key="m")["TagSet"]["Tag"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]


@pytest.mark.parametrize(("target", "reason"), [
    ("dst-1250000000", "TargetResource: dst-1250000000 is not a COS resource name"),
    (f"qcs::cos:{REGION}::dst", "TargetResource: dst is not a bucket (<name>-<APPID>)"),
    (f"qcs::cos:{REGION}::{DST}/some/key", f"TargetResource: {DST}/some/key is not a bucket (<name>-<APPID>)"),
])
def test_a_target_that_is_no_bucket_resource_name_fails_the_job_in_preparing(emulator, cos, target, reason):
    etag = upload_manifest(cos, [f"{SRC},a"])
    job_id = create_job(emulator, etag, {"COSPutObjectCopy": {"TargetResource": target}}, confirm=False)
    for _ in range(3):
        emulator.advance(STEP)
    job = describe(emulator, job_id)
    assert job["Status"] == "Failed"
    assert job["FailureReasons"]["JobFailure"] == {"FailureCode": "InvalidArgument", "FailureReason": reason}
