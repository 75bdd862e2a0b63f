"""COS fixture documents: the bundled four, the defaults a fixture job gets, and bad documents refused."""
from __future__ import annotations

import json

import pytest
from cos_support import (ACTIVE_ID, APPID, CANCELLED_ID, COMPLETE_ID, STEP_SECONDS, SUSPENDED_ID, Cos,
                         request_tree, with_path)

from emulator.core.errors import FixtureError


def document(*jobs: dict, **extra: object) -> dict:
    return {"service": "cos_batch", "appid": APPID, "jobs": list(jobs), **extra}


def job(**fields: object) -> dict:
    return {"CreateJobRequest": request_tree(), **fields}


async def emulator_with(aiohttp_client, make_app, tmp_path, *documents: dict) -> Cos:
    (tmp_path / "cos.json").write_text(json.dumps(list(documents)))
    return Cos(await aiohttp_client(make_app(fixtures=tmp_path)))


async def test_bundled_fixtures_hold_one_job_per_interesting_status(cos: Cos) -> None:
    statuses = {job_id: await cos.status_of(job_id) for job_id in (SUSPENDED_ID, ACTIVE_ID, COMPLETE_ID, CANCELLED_ID)}
    assert statuses == {SUSPENDED_ID: "Suspended", ACTIVE_ID: "Active", COMPLETE_ID: "Complete",
                        CANCELLED_ID: "Cancelled"}
    health = await (await cos.client.get("/_emulator/health")).json()
    assert health["services"]["cos_batch"] == {"jobs": 4, "buckets": 0, "objects": 0}


async def test_fixture_job_defaults_follow_its_status(aiohttp_client, make_app, tmp_path) -> None:
    cos = await emulator_with(aiohttp_client, make_app, tmp_path, document(
        job(JobId="done", Status="Complete", CreateJobRequest=request_tree(ClientRequestToken="a")),
        job(JobId="waiting", Status="Suspended", CreateJobRequest=request_tree(ClientRequestToken="b")),
        job(JobId="failed", Status="Failed", CreateJobRequest=request_tree(ClientRequestToken="c"),
            FailureReasons=[{"FailureCode": "ManifestReadFailed", "FailureReason": "no such manifest"}]),
        job(CreateJobRequest=request_tree(ClientRequestToken="d")),
    ))
    done = await cos.describe("done")
    assert (done["StatusUpdateReason"], done["TerminationDate"], done["CreationTime"]) == (
        "Job complete", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    assert done["ProgressSummary"] == {"NumberOfTasksFailed": "0", "NumberOfTasksSucceeded": "10",
                                       "TotalNumberOfTasks": "10"}
    waiting = await cos.describe("waiting")
    assert (waiting["SuspendedDate"], "TerminationDate" in waiting) == ("2026-01-01T00:00:00Z", False)
    failed = await cos.describe("failed")
    assert failed["FailureReasons"] == {"JobFailure": {"FailureCode": "ManifestReadFailed",
                                                       "FailureReason": "no such manifest"}}
    assert "TerminationDate" in failed
    status, body, _ = await cos.call("GET", "/jobs", params={"jobStatuses": "New"})
    assert body.count(b"<member>") == 1  # the one without a JobId got a generated one


async def test_a_reset_at_another_time_dates_what_a_fixture_job_leaves_out_then(aiohttp_client, make_app,
                                                                                  tmp_path) -> None:
    cos = await emulator_with(aiohttp_client, make_app, tmp_path, document(
        job(JobId="done", Status="Complete", CreateJobRequest=request_tree(ClientRequestToken="a")),
        job(JobId="waiting", Status="Suspended", CreationTime="2025-05-05T05:05:05Z",
            CreateJobRequest=request_tree(ClientRequestToken="b"))))
    for clock in ("2030-01-01T00:00:00Z", "2031-06-01T12:00:00Z"):
        assert (await cos.client.post("/_emulator/reset", json={"clock": clock})).status == 200
        done, waiting = await cos.describe("done"), await cos.describe("waiting")
        assert (done["CreationTime"], done["TerminationDate"]) == (clock, clock)
        assert (waiting["CreationTime"], waiting["SuspendedDate"]) == ("2025-05-05T05:05:05Z", clock)
        assert done["ProgressSummary"]["TotalNumberOfTasks"] == "10"


async def test_unfinished_fixture_jobs_take_their_next_step_after_load(aiohttp_client, make_app, tmp_path) -> None:
    cos = await emulator_with(aiohttp_client, make_app, tmp_path, document(
        job(JobId="new", Status="New", CreateJobRequest=request_tree(ClientRequestToken="a")),
        job(JobId="slow", Status="Ready", next_step_seconds=60, CreateJobRequest=request_tree(ClientRequestToken="b")),
    ))
    await cos.advance(STEP_SECONDS)
    assert (await cos.status_of("new"), await cos.status_of("slow")) == ("Preparing", "Ready")
    await cos.advance(60 - STEP_SECONDS)
    assert await cos.status_of("slow") == "Active"


async def test_appid_may_be_a_yaml_number(aiohttp_client, make_app, tmp_path) -> None:
    (tmp_path / "cos.yaml").write_text("service: cos_batch\nappid: 1250000000\njobs:\n  - JobId: y\n"
                                       "    CreateJobRequest: " + json.dumps(request_tree()) + "\n")
    cos = Cos(await aiohttp_client(make_app(fixtures=tmp_path)))
    assert await cos.status_of("y") == "New"


@pytest.mark.parametrize("bad, words", [
    (document(job(), colour="blue"), "unknown keys colour"),
    ({"service": "cos_batch", "jobs": [job()]}, "appid is required"),
    (document(job(Status="Done")), "Status must be one of"),
    (document(job(JobId="has space")), "JobId must be"),
    (document(job(CreationTime="yesterday")), "CreationTime must be an RFC 3339 timestamp"),
    (document(job(next_step_seconds=-1)), "next_step_seconds"),
    (document(job(ProgressSummary={"TotalNumberOfTasks": -1})), "ProgressSummary"),
    (document(job(CreateJobRequest=with_path(request_tree(), "RoleArn", None))), "RoleArn is required"),
    (document(job(CreateJobRequest=request_tree(Priority="high"))), "Priority must be an integer"),
    (document(job(CreateJobRequest="<CreateJobRequest/>")), "CreateJobRequest must be a mapping"),
    (document(job(CreateJobRequest={"Bad Name": "x"})), "does not make an XML document"),
    (document(job(JobId="twice"), job(JobId="twice", CreateJobRequest=request_tree(ClientRequestToken="z"))),
     "already exists"),
    (document(job(JobId="one"), job(JobId="two")), "ClientRequestToken already exists"),
    (document(credentials={"AKID": 5}), "credentials"),
    (document(jobs="none"), "jobs must be a list"),
    (document(appid="1" * 65), "appid must be 1-64 bytes"),
    (document(buckets="src-1250000000"), "buckets must be a list"),
    (document(buckets=[{"name": "Bad_Name"}]), "bucket Bad_Name: InvalidBucketName"),
    (document(buckets=[{"name": "src-1250000000", "colour": "blue"}]), "a bucket: unknown keys colour"),
    (document(buckets=[{"name": "src-1250000000", "objects": [{"key": "a", "body": "x", "file": "x"}]}]),
     "object a: give body (text) or file"),
    (document(buckets=[{"name": "src-1250000000", "objects": [{"key": "a"}]}]), "object a: give body (text) or file"),
    (document(buckets=[{"name": "src-1250000000", "objects": [{"key": "a", "body": "x", "storage_class": "COLD"}]}]),
     "object a: storage_class must be one of"),
    (document(buckets=[{"name": "src-1250000000", "objects": [{"key": "a", "body": "x", "tags": "t=1"}]}]),
     "an object: unknown keys tags"),
])
def test_bad_fixture_documents_are_refused_by_name(make_app, tmp_path, bad: dict, words: str) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(FixtureError) as caught:
        make_app(fixtures=tmp_path)
    assert "bad.json" in str(caught.value)
    assert words in str(caught.value)


async def test_fixture_buckets_hold_text_and_file_objects(aiohttp_client, make_app, tmp_path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "blob.bin").write_bytes(bytes(range(256)))
    cos = await emulator_with(aiohttp_client, make_app, tmp_path, {"service": "cos_batch", "buckets": [
        {"name": "src-1250000000", "region": "ap-chengdu", "objects": [
            {"key": "a.txt", "body": "hello world", "content_type": "text/plain"},
            {"key": "dir/blob.bin", "file": "data/blob.bin", "storage_class": "standard_ia"}]},
        {"name": "empty-1250000000"}]})
    host = {"Host": "src-1250000000.cos.ap-chengdu.myqcloud.com"}
    status, body, headers = await cos.call("GET", "/a.txt", headers=host)
    assert (status, body, headers["Content-Type"], headers["ETag"]) == (
        200, b"hello world", "text/plain", '"5eb63bbbe01eeed093cb22bb8f5acdc3"')
    status, body, headers = await cos.call("GET", "/src-1250000000/dir/blob.bin")
    assert (status, body, headers["x-cos-storage-class"]) == (200, bytes(range(256)), "STANDARD_IA")
    status, _, headers = await cos.call("HEAD", "/src-1250000000")
    assert (status, headers["x-cos-bucket-region"]) == (200, "ap-chengdu")
    health = await (await cos.client.get("/_emulator/health")).json()
    assert health["services"]["cos_batch"] == {"jobs": 0, "buckets": 2, "objects": 2}


def test_a_fixture_object_past_the_object_bound_is_refused(make_app, tmp_path) -> None:
    (tmp_path / "big.json").write_text(json.dumps({"service": "cos_batch", "buckets": [
        {"name": "src-1250000000", "objects": [{"key": "big", "body": "x" * 11}]}]}))
    with pytest.raises(FixtureError, match="bucket src-1250000000: EntityTooLarge"):
        make_app(fixtures=tmp_path, cos_max_object_bytes=10)


@pytest.mark.parametrize("name", ["../secret.txt", "link.txt", "data"])
def test_a_fixture_file_must_be_a_file_inside_the_fixture_folder(make_app, tmp_path, name) -> None:
    (tmp_path / "secret.txt").write_text("not for fixtures")
    folder = tmp_path / "fixtures"
    (folder / "data").mkdir(parents=True)
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "cos.json").write_text(json.dumps({"service": "cos_batch", "buckets": [
        {"name": "src-1250000000", "objects": [{"key": "a", "file": name}]}]}))
    with pytest.raises(FixtureError, match=f"object a: {name} is no file under the fixture folder"):
        make_app(fixtures=folder)
