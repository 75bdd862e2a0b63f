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
])
def test_bad_fixture_documents_are_refused_by_name(make_app, tmp_path, bad: dict, words: str) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(FixtureError) as caught:
        make_app(fixtures=tmp_path)
    assert "bad.json" in str(caught.value)
    assert words in str(caught.value)
