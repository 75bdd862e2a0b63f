"""Completion reports as COS writes them: `<Prefix>/job-<JobId>/manifest.json` and `results/<40 hex>.csv` in the
report bucket, each file's MD5 in the manifest, the row columns, both ReportScopes, read with GetObject."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import pytest
from cos_live import REGION, served
from cos_runs import DST, REP, SRC, STEP, body_of, create_job, describe, fresh_buckets, progress, read_report, report, \
    run_to_the_end, upload_manifest

from emulator.core.errors import ApiError
from emulator.runtime.emulator import Emulator
from emulator.services.cos_batch import reports
from emulator.settings import Settings

COPY = {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}}
SCHEMA = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def emulator():
    with served() as running:
        yield running


@pytest.fixture
def cos(emulator):
    return fresh_buckets(emulator)


def keys_in(cos, bucket: str) -> list[str]:
    return [entry["Key"] for entry in cos.list_objects(Bucket=bucket).get("Contents", [])]


def test_an_all_tasks_report_holds_a_manifest_and_one_csv_per_outcome(emulator, cos):
    cos.put_object(Bucket=SRC, Key="a b.txt", Body=b"spaced")
    cos.put_object(Bucket=SRC, Key="b.txt", Body=b"b")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a%20b.txt", f"{SRC},gone.txt", f"{SRC},b.txt"]),
                        COPY, confirm=False)
    run_to_the_end(emulator)  # the report is written when the job ends, at 10 s
    assert progress(describe(emulator, job_id)) == ("Complete", 3, 2, 1)
    manifest, rows = read_report(cos, job_id)
    assert (manifest["Format"], manifest["ReportCreationDate"], manifest["ReportSchema"]) == (
        "Report_CSV_V1", "2026-01-01T00:00:10.000Z", SCHEMA)
    assert [(result["TaskExecutionStatus"], result["Bucket"]) for result in manifest["Results"]] == [
        ("succeeded", REP), ("failed", REP)]
    for result in manifest["Results"]:
        assert re.fullmatch(rf"r/job-{job_id}/results/[0-9a-f]{{40}}\.csv", result["Key"]), result["Key"]
        assert result["MD5Checksum"] == hashlib.md5(body_of(cos, REP, result["Key"])).hexdigest()
        assert cos.head_object(Bucket=REP, Key=result["Key"])["Content-Type"] == "text/csv"
    assert cos.head_object(Bucket=REP, Key=f"r/job-{job_id}/manifest.json")["Content-Type"] == "application/json"
    # the key as the manifest lists it (URL-encoded), the object copied under its decoded name
    assert rows["succeeded"] == [[SRC, "a%20b.txt", "", "succeeded", "200", "", "Successful"],
                                 [SRC, "b.txt", "", "succeeded", "200", "", "Successful"]]
    assert rows["failed"] == [[SRC, "gone.txt", "", "failed", "404", "NoSuchCopySource",
                               "The specified copy source does not exist."]]
    assert body_of(cos, DST, "a b.txt") == b"spaced"
    assert sorted(keys_in(cos, REP)) == sorted([f"r/job-{job_id}/manifest.json"]
                                               + [result["Key"] for result in manifest["Results"]])


def test_a_failed_tasks_only_report_leaves_the_successes_out(emulator, cos):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a", f"{SRC},gone"]), COPY, scope="FailedTasksOnly",
                        confirm=False)
    run_to_the_end(emulator)
    manifest, rows = read_report(cos, job_id)
    assert [result["TaskExecutionStatus"] for result in manifest["Results"]] == ["failed"]
    assert rows == {"failed": [[SRC, "gone", "", "failed", "404", "NoSuchCopySource",
                                "The specified copy source does not exist."]]}


def test_a_failed_tasks_only_report_without_failures_is_a_manifest_with_no_results(emulator, cos):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a"]), COPY, scope="FailedTasksOnly", confirm=False)
    run_to_the_end(emulator)
    manifest, rows = read_report(cos, job_id)
    assert (manifest["Results"], rows) == ([], {})
    assert keys_in(cos, REP) == [f"r/job-{job_id}/manifest.json"]


@pytest.mark.parametrize(("prefix", "written"), [(None, ""), ("", ""), ("reports", "reports/"),
                                                 ("deep/reports/", "deep/reports//")])
def test_the_prefix_is_used_verbatim_followed_by_a_slash(emulator, cos, prefix, written):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=False,
                        Report=report(prefix=prefix))
    run_to_the_end(emulator)
    manifest, rows = read_report(cos, job_id, prefix=written)
    assert manifest["Results"][0]["Key"].startswith(f"{written}job-{job_id}/results/")
    assert rows["succeeded"] == [[SRC, "a", "", "succeeded", "200", "", "Successful"]]


def test_a_disabled_report_writes_nothing(emulator, cos):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=False,
                        Report=report(enabled="false"))
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
    assert keys_in(cos, REP) == []


def test_a_report_that_does_not_fit_in_the_store_is_left_out_and_the_job_still_ends():
    with served(cos_max_store_bytes=1100) as running:
        cos = running.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        cos.put_object(Bucket=SRC, Key="big", Body=b"x" * 1000)
        job_id = create_job(running, upload_manifest(cos, [f"{SRC},big", f"{SRC},gone"]), COPY, confirm=False)
        run_to_the_end(running)
        assert progress(describe(running, job_id)) == ("Complete", 2, 0, 2)
        assert keys_in(cos, REP) == [] and keys_in(cos, DST) == []


@pytest.mark.parametrize(("steps", "status_then"), [(2, "Suspended"), (3, "Active")])
def test_a_job_cancelled_before_any_task_ran_writes_no_report(emulator, cos, steps, status_then):
    cos.put_object(Bucket=SRC, Key="a", Body=b"a")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},a"]), COPY, confirm=status_then == "Suspended")
    for _ in range(steps):
        emulator.advance(STEP)  # the manifest read; and, unconfirmed, Ready -> Active with no task run yet
    assert progress(describe(emulator, job_id)) == (status_then, 1, 0, 0)
    assert emulator.batch("POST", f"/jobs/{job_id}/status", params={"requestedJobStatus": "Cancelled"}).ok
    run_to_the_end(emulator, 2)
    assert describe(emulator, job_id)["Status"] == "Cancelled"
    assert keys_in(cos, REP) == [] and keys_in(cos, DST) == []


def test_a_report_is_written_whole_or_not_at_all():
    """With room for the results file but not for manifest.json too, neither is written."""
    service = Emulator(Settings(clock_start=START, clock_frozen=True, load_fixtures=False)).services["cos_batch"]
    store = service.objects
    store.create_bucket(REP, REGION)
    job = {"JobId": "j", "Report": report()}
    tasks, results = [(SRC, "a", ""), (SRC, "b", "")], [(200, "", "Successful"), (404, "NoSuchKey", "Gone.")]
    reports.write(store, job, tasks, results)
    sizes = {key: found.size for (_, key), found in store.objects.scan(REP)}
    assert sorted(sizes)[0] == "r/job-j/manifest.json" and len(sizes) == 3
    for key in sizes:
        store.delete(REP, key)
    store.max_store_bytes = sum(sizes.values()) - 1
    with pytest.raises(ApiError) as refused:
        reports.write(store, job, tasks, results)
    assert (refused.value.code, store.count(REP), store.used) == ("EntityTooLarge", 0, 0)
    store.max_store_bytes += 1
    reports.write(store, job, tasks, results)
    assert store.count(REP) == 3
