"""How batch jobs fail, as COS says: each task's reason in the report, the failure threshold, and a manifest or
report location that cannot be used failing the job in Preparing, each with its FailureReasons/JobFailure."""
from __future__ import annotations

import gzip
import hashlib
import json

import pytest
import requests
from cos_live import REGION, served
from cos_runs import DST, REP, SRC, STEP, create_job, describe, fresh_buckets, progress, read_report, report, \
    run_to_the_end, upload_manifest
from cos_support import request_body, request_tree, xml

OTHER = "other-1250000001"  # a bucket of another APPID (the test key belongs to 1250000000)
COPY = {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}}
RESTORE = {"COSInitiateRestoreObject": {"ExpirationInDays": "1", "JobTier": "Standard"}}


@pytest.fixture(scope="module")
def emulator():
    with served(cos_max_store_bytes=4000) as running:
        yield running


@pytest.fixture
def cos(emulator):
    client = fresh_buckets(emulator)
    assert requests.put(f"{emulator.url}/{OTHER}", timeout=10).status_code == 200  # unsigned: no APPID to check
    assert requests.put(f"{emulator.url}/{OTHER}/x", data=b"x", timeout=10).status_code == 200
    return client


def failed_rows(cos, job_id: str) -> dict[str, list[str]]:
    """The failed rows of a job's report by key: [HTTPStatusCode, ErrorCode, ResultMessage]."""
    _, rows = read_report(cos, job_id)
    return {row[1]: row[4:] for row in rows.get("failed", [])}


def test_each_copy_task_fails_for_its_own_reason(emulator, cos):
    cos.put_object(Bucket=SRC, Key="here", Body=b"h")
    cos.put_object(Bucket=SRC, Key="cold", Body=b"c", StorageClass="ARCHIVE")
    cos.put_object(Bucket=SRC, Key="big", Body=b"b" * 2000)  # a copy would pass the store's 4,000 bytes
    lines = [f"{SRC},here", f"{SRC},gone", f"{OTHER},x", f"{SRC},cold", f"{SRC},big", f"{SRC},bad%FF",
             f"{SRC},here"]
    job_id = create_job(emulator, upload_manifest(cos, lines), COPY, confirm=False)
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 7, 2, 5)
    assert failed_rows(cos, job_id) == {
        "gone": ["404", "NoSuchCopySource", "The specified copy source does not exist."],
        "x": ["403", "AccessDenied", "Access Denied."],
        "cold": ["403", "InvalidObjectState", "The operation is not valid for the object storage class."],
        "big": ["400", "EntityTooLarge", "The object store is full (--cos-max-store-bytes)."],
        "bad%FF": ["400", "InvalidObjectName", "The object name is not valid."]}


def test_a_version_other_than_null_is_no_such_version(emulator, cos):
    cos.put_object(Bucket=SRC, Key="here", Body=b"h")
    etag = upload_manifest(cos, [f"{SRC},here,null", f"{SRC},here,v1"])
    job_id = create_job(emulator, etag, COPY, confirm=False, Manifest={
        "Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/manifests/m.csv"},
        "Spec": {"Fields": {"member": ["Bucket", "Key", "VersionId"]}, "Format": "COSBatchOperations_CSV_V1"}})
    run_to_the_end(emulator)
    _, rows = read_report(cos, job_id)
    assert rows["succeeded"] == [[SRC, "here", "null", "succeeded", "200", "", "Successful"]]
    assert rows["failed"] == [[SRC, "here", "v1", "failed", "404", "NoSuchVersion",
                               "The specified version does not exist."]]


@pytest.mark.parametrize(("target", "status", "code"), [
    ("nosuch-1250000000", "404", "NoSuchBucket"), (OTHER, "403", "AccessDenied")])
def test_a_target_bucket_missing_or_of_another_appid_fails_every_task(emulator, cos, target, status, code):
    cos.put_object(Bucket=SRC, Key="here", Body=b"h")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},here"]), confirm=False,
                        operation={"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{target}"}})
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 0, 1)
    assert failed_rows(cos, job_id)["here"][:2] == [status, code]


def test_each_restore_task_fails_for_its_own_reason(emulator, cos):
    cos.put_object(Bucket=SRC, Key="cold", Body=b"c", StorageClass="ARCHIVE")
    cos.put_object(Bucket=SRC, Key="warming", Body=b"w", StorageClass="DEEP_ARCHIVE")
    cos.put_object(Bucket=SRC, Key="warm", Body=b"w")
    cos.restore_object(Bucket=SRC, Key="warming", RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Bulk"}})
    lines = [f"{SRC},cold", f"{SRC},warming", f"{SRC},warm", f"{SRC},gone", f"{OTHER},x"]
    job_id = create_job(emulator, upload_manifest(cos, lines), RESTORE, confirm=False)
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 5, 1, 4)
    assert failed_rows(cos, job_id) == {
        "warming": ["409", "RestoreAlreadyInProgress", "Object restore is already in progress."],
        "warm": ["405", "RestoreNonArchiveObject", "Non-archived objects cannot be restored."],
        "gone": ["404", "NoSuchKey", "The specified key does not exist."],
        "x": ["403", "AccessDenied", "Access Denied."]}


def inventory(cos, rows: bytes, checksum: str | None = None, key: str = "inv/data/1.csv.gz") -> str:
    """An inventory manifest.json naming one gzip CSV file (uploaded unless the key says 'absent'); its ETag."""
    packed = gzip.compress(rows)
    if "absent" not in key:
        cos.put_object(Bucket=SRC, Key=key, Body=packed)
    checksum = checksum or hashlib.md5(packed).hexdigest()
    document = {"sourceBucket": "src", "fileFormat": "CSV", "fileSchema": "Appid, Bucket, Key, Size",
                "files": [{"key": key, "size": len(packed), "md5Checksum": checksum}]}
    return cos.put_object(Bucket=SRC, Key="inv/manifest.json", Body=json.dumps(document).encode())["ETag"]


def inventory_job(emulator, etag: str) -> str:
    return create_job(emulator, etag, COPY, confirm=False, Manifest={
        "Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/inv/manifest.json"},
        "Spec": {"Format": "COSInventoryReport_CSV_V1"}})


ROWS = b'"1250000000","src","x/1","3"\n'


@pytest.mark.parametrize(("make", "code", "reason"), [
    (lambda cos, em: create_job(em, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=False,
                                Manifest={"Location": {"ETag": '"' + "0" * 32 + '"',
                                                       "ObjectArn": f"qcs::cos:{REGION}::{SRC}/manifests/m.csv"},
                                          "Spec": {"Fields": {"member": ["Bucket", "Key"]},
                                                   "Format": "COSBatchOperations_CSV_V1"}}),
     "InvalidManifest", "The manifest ETag does not match"),
    (lambda cos, em: create_job(em, '"x"', COPY, confirm=False, manifest_key="none.csv"),
     "NoSuchKey", "Reading the manifest failed: 404 NoSuchKey"),
    (lambda cos, em: create_job(em, '"x"', COPY, confirm=False, manifest_bucket=OTHER, manifest_key="x"),
     "AccessDenied", "Reading the manifest is forbidden: 403 Forbidden"),
    (lambda cos, em: create_job(em, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=False,
                                Report=report(bucket="nosuch-1250000000")),
     "NoSuchBucket", "The report bucket nosuch-1250000000 does not exist"),
    (lambda cos, em: create_job(em, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=False,
                                Report=report(bucket=OTHER)),
     "AccessDenied", f"Writing the report to {OTHER} is forbidden: 403 Forbidden"),
    (lambda cos, em: create_job(em, upload_manifest(cos, [f"{SRC},a", f"{SRC},b,c"]), COPY, confirm=False),
     "InvalidManifest", "Manifest line 2: expected 2 fields"),
    (lambda cos, em: create_job(em, upload_manifest(cos, ["", " ", ""]), COPY, confirm=False),
     "InvalidManifest", "The manifest lists no objects"),
    (lambda cos, em: create_job(em, cos.put_object(Bucket=SRC, Key="m", Body=b"\xff\xfe")["ETag"], COPY,
                                confirm=False, manifest_key="m"),
     "InvalidManifest", "The manifest is not UTF-8"),
    (lambda cos, em: inventory_job(em, inventory(cos, ROWS, checksum="0" * 32)),
     "InvalidManifest", "The inventory file inv/data/1.csv.gz does not match its md5Checksum"),
    (lambda cos, em: inventory_job(em, inventory(cos, ROWS, key="inv/absent.csv.gz")),
     "InvalidManifest", "The inventory file inv/absent.csv.gz does not exist"),
    (lambda cos, em: inventory_job(em, cos.put_object(Bucket=SRC, Key="inv/manifest.json", Body=b"{}")["ETag"]),
     "InvalidManifest", "manifest.json is not an inventory manifest"),
    (lambda cos, em: inventory_job(em, inventory(cos, b'"1250000000","src"\n')),
     "InvalidManifest", "inv/data/1.csv.gz: expected 4 fields"),
], ids=["etag", "no-key", "other-appid", "no-report-bucket", "report-other-appid", "fields", "empty",
        "not-utf8", "inventory-md5", "inventory-file", "inventory-json", "inventory-fields"])
def test_a_manifest_or_report_location_that_cannot_be_used_fails_the_job_in_preparing(emulator, cos, make, code,
                                                                                      reason):
    job_id = make(cos, emulator)
    emulator.advance(STEP)  # New -> Preparing
    emulator.advance(STEP)  # the manifest read
    job = describe(emulator, job_id)
    assert progress(job) == ("Failing", 0, 0, 0)
    assert job["FailureReasons"]["JobFailure"] == {"FailureCode": code, "FailureReason": reason}
    emulator.advance(STEP)
    job = describe(emulator, job_id)
    assert (job["Status"], job["TerminationDate"]) == ("Failed", "2026-01-01T00:00:06Z")
    assert "Contents" not in cos.list_objects(Bucket=REP)  # no task ran: no report


def test_a_manifest_etag_is_compared_with_or_without_its_quotes(emulator, cos):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    etag = upload_manifest(cos, [f"{SRC},a"])
    jobs = [create_job(emulator, etag, COPY, confirm=False, token="quoted"),
            create_job(emulator, etag.strip('"'), COPY, confirm=False, token="bare")]
    run_to_the_end(emulator)
    assert [progress(describe(emulator, job_id)) for job_id in jobs] == [("Complete", 1, 1, 0)] * 2


def test_the_threshold_counts_executed_tasks_and_names_itself_in_the_failure():
    """With the threshold's settings lowered to 10 tasks: the job fails on the 11th task, not before."""
    with served(cos_failure_min_tasks=10) as running:
        cos = running.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        cos.put_object(Bucket=SRC, Key="here", Body=b"h")
        lines = [f"{SRC},here"] * 5 + [f"{SRC},gone-{n}" for n in range(20)]
        job_id = create_job(running, upload_manifest(cos, lines), COPY, confirm=False)
        running.advance(3 * STEP)  # New, Preparing, Ready: Active
        running.advance(STEP)  # 25 tasks fit in one step, but the 11th (6 failed of 11) stops it
        job = describe(running, job_id)
        assert progress(job) == ("Failing", 25, 5, 6)
        assert job["FailureReasons"]["JobFailure"] == {
            "FailureCode": "TaskFailureThresholdExceeded",
            "FailureReason": "6 of 11 tasks failed (more than 50% after 10 tasks)"}
        running.advance(STEP)
        assert progress(describe(running, job_id)) == ("Failed", 25, 5, 6)
        _, rows = read_report(cos, job_id)
        assert (len(rows["succeeded"]), len(rows["failed"])) == (5, 6)


def test_exactly_at_the_threshold_a_job_runs_on():
    """All 10 tasks ran, 6 of them failed: not 'more than 10 ran', so the job completes with its failures."""
    with served(cos_failure_min_tasks=10) as running:
        cos = running.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        cos.put_object(Bucket=SRC, Key="here", Body=b"h")
        lines = [f"{SRC},gone-{n}" for n in range(6)] + [f"{SRC},here"] * 4
        job_id = create_job(running, upload_manifest(cos, lines), COPY, confirm=False)
        run_to_the_end(running)
        job = describe(running, job_id)
        assert progress(job) == ("Complete", 10, 4, 6)
        assert job["FailureReasons"]["JobFailure"] == {"FailureCode": None, "FailureReason": None}


def test_an_unsigned_create_job_of_the_same_request_is_as_good(emulator, cos):
    """The job API's own call without CosS3Auth (unsigned is accepted by default) runs the same job."""
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    etag = upload_manifest(cos, [f"{SRC},a"])
    tree = request_tree(ClientRequestToken="unsigned", ConfirmationRequired="false",
                        Manifest={"Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/manifests/m.csv"},
                                  "Spec": {"Fields": {"member": ["Bucket", "Key"]},
                                           "Format": "COSBatchOperations_CSV_V1"}},
                        Operation=COPY, Report=report())
    answer = requests.post(f"{emulator.url}/jobs", data=request_body(tree), headers={"x-cos-appid": "1250000000"},
                           timeout=10)
    job_id = xml(answer.content)["CreateJobResult"]["JobId"]
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
