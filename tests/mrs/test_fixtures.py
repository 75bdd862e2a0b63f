"""MRS fixture documents: the bundled seed 002 objects, and bad documents failing loudly with their file named."""
from __future__ import annotations

import json

import pytest
from mrs_support import BINARY_ID, JOB_ID, PROJECT, Mrs

from emulator.core.errors import FixtureError

BINARY_DOC = {"service": "mrs", "project_id": PROJECT, "job_binary": {
    "id": BINARY_ID, "created_at": "2017-06-22T12:05:58", "name": "jb", "url": "/app.jar"}}
JOB_DOC = {"service": "mrs", "project_id": PROJECT, "job": {
    "id": JOB_ID, "created_at": "2017-06-22T12:05:58", "name": "j", "type": "MapReduce", "libs": [BINARY_ID]}}


def app_with(make_app, tmp_path, *documents):
    (tmp_path / "mrs.json").write_text(json.dumps(list(documents)))
    return make_app(fixtures=tmp_path)


async def test_bundled_fixtures_hold_the_seed_job_and_binary(mrs):
    job = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]
    assert (job["name"], job["created_at"], job["updated_at"]) == ("my-mapreduce-job", "2017-06-22T12:05:58",
                                                                    "2017-06-22T12:05:58")
    assert [lib["id"] for lib in job["libs"]] == [BINARY_ID]
    binary = (await mrs.get(f"job-binaries/{BINARY_ID}")).body["job_binary"]
    assert (binary["created_at"], binary["updated_at"]) == ("2017-06-22T12:05:58", None)


async def test_a_fixture_job_defaults_updated_at_to_created_at(aiohttp_client, make_app, tmp_path):
    mrs = Mrs(await aiohttp_client(app_with(make_app, tmp_path, BINARY_DOC, JOB_DOC)))
    job = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]
    assert job["updated_at"] == job["created_at"] == "2017-06-22T12:05:58"


async def test_each_reset_brings_a_changed_fixture_job_and_binary_back(aiohttp_client, make_app, tmp_path):
    mrs = Mrs(await aiohttp_client(app_with(make_app, tmp_path, BINARY_DOC, JOB_DOC)))
    job, binary = (await mrs.get(f"jobs/{JOB_ID}")).body, (await mrs.get(f"job-binaries/{BINARY_ID}")).body
    for round_ in range(2):  # the second reset takes what the first worked out from the documents
        assert (await mrs.patch(f"jobs/{JOB_ID}", {"name": f"renamed-{round_}", "description": "d"})).status == 202
        changed = {"name": f"jb-{round_}", "url": "/other.jar", "extra": {"user": "u", "password": "p"}}
        assert (await mrs.put(f"job-binaries/{BINARY_ID}", changed)).status == 202
        assert (await mrs.client.post("/_emulator/reset")).status == 200
        assert (await mrs.get(f"jobs/{JOB_ID}")).body == job
        assert (await mrs.get(f"job-binaries/{BINARY_ID}")).body == binary


@pytest.mark.parametrize("documents, reason", [
    ([JOB_DOC], f"Job binary '{BINARY_ID}' does not exist"),
    ([BINARY_DOC, {**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "name": "jb-2"}}],
     f"JobBinary {BINARY_ID} already exists in project {PROJECT}"),
    ([BINARY_DOC, BINARY_DOC], "Duplicate entry for JobBinary"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "url": "ftp://x"}}], "valid_job_location"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "id": "not-a-uuid"}}], "id must be"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "created_at": "2017-06-22 12:05:58"}}],
     "created_at must be"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "created_at": "2017-13-40T12:05:58"}}],
     "created_at must be"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "updated_at": "2017-02-29T24:00:00"}}],
     "updated_at must be"),
    ([{**BINARY_DOC, "job_binary": {**BINARY_DOC["job_binary"], "updated_at": "2017-06-22T12:05:58Z"}}],
     "updated_at must be"),
    ([{"service": "mrs", "project_id": PROJECT}], "exactly one of job, job_binary"),
    ([{**BINARY_DOC, "job": JOB_DOC["job"]}], "exactly one of job, job_binary"),
    ([{**BINARY_DOC, "project_id": ""}], "project_id"),
    ([{**BINARY_DOC, "cluster": {}}], "give exactly one of job, job_binary, cluster"),
    ([{**BINARY_DOC, "clusters": {}}], "unknown keys ['clusters']"),
    ([{"service": "mrs", "project_id": "p", "cluster": {"id": "c"}}], "a cluster needs a non-empty id and name"),
    ([{"service": "mrs", "project_id": "p", "cluster": {"id": "c", "name": "n", "state": "up"}}], "cluster state must be one of"),
    ([{**BINARY_DOC, "job_binary": []}], "job_binary must be an object"),
])
def test_a_bad_document_names_its_file_and_reason(make_app, tmp_path, documents, reason):
    with pytest.raises(FixtureError) as raised:
        app_with(make_app, tmp_path, *documents)
    assert "mrs.json" in str(raised.value)
    assert reason in str(raised.value)
