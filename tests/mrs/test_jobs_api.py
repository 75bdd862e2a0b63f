"""Job-object routes over HTTP: create, get, list, PATCH and DELETE, with their codes and shapes."""
from __future__ import annotations

from emulator.services.mrs.shapes import JOB_FIELDS, NESTED_BINARY_FIELDS
from mrs_support import BINARY_ID, JOB_ID, NOW, PROJECT, UUID4


async def test_create_job_answers_202_with_the_whole_job_in_wire_order(mrs):
    second = await mrs.new_binary("jb-2", description="second")
    reply = await mrs.post("jobs", {"name": "wordcount", "type": "MapReduce", "description": "counts",
                                    "libs": [second["id"], BINARY_ID]})
    assert reply.status == 202
    job = reply.body["job"]
    assert list(reply.body) == ["job"]
    assert list(job) == list(JOB_FIELDS)
    assert UUID4.fullmatch(job["id"])
    assert job["tenant_id"] == PROJECT
    assert (job["name"], job["type"], job["description"]) == ("wordcount", "MapReduce", "counts")
    assert job["created_at"] == job["updated_at"] == NOW
    assert (job["is_public"], job["is_protected"], job["interface"], job["mains"]) == (False, False, [], [])
    assert [lib["id"] for lib in job["libs"]] == [second["id"], BINARY_ID]  # request order
    assert job["libs"][0] == {"name": "jb-2", "url": "/simple/mapreduce/program", "description": "second",
                              "id": second["id"], "tenant_id": PROJECT, "is_public": False,
                              "is_protected": False, "extra": None}
    assert all(list(lib) == list(NESTED_BINARY_FIELDS) for lib in job["libs"])


async def test_create_job_defaults_description_to_null_and_keeps_given_flags(mrs):
    job = await mrs.new_job("flags", is_public=True, is_protected=None)
    assert job["description"] is None
    assert (job["is_public"], job["is_protected"]) == (True, None)


async def test_get_job_answers_what_create_answered(mrs):
    created = await mrs.new_job("readable", "Hive", description="d")
    reply = await mrs.get(f"jobs/{created['id']}")
    assert reply.status == 200
    assert reply.body == {"job": created}
    assert reply.headers["Content-Type"].startswith("application/json")


async def test_list_jobs_answers_every_job_of_the_project_without_markers(mrs):
    created = await mrs.new_job("listed", "DistCp")
    reply = await mrs.get("jobs")
    assert reply.status == 200
    assert list(reply.body) == ["jobs"]
    assert sorted(job["id"] for job in reply.body["jobs"]) == sorted([JOB_ID, created["id"]])
    assert created in reply.body["jobs"]


async def test_patch_job_changes_name_description_and_type_and_stamps_updated_at(mrs):
    await mrs.advance(90)
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"name": "renamed", "description": "new", "type": "Spark"})
    assert reply.status == 202
    job = reply.body["job"]
    assert (job["name"], job["description"], job["type"]) == ("renamed", "new", "Spark")
    assert job["created_at"] == "2017-06-22T12:05:58"
    assert job["updated_at"] == "2026-01-01T00:01:30"
    assert (await mrs.get(f"jobs/{JOB_ID}")).body == {"job": job}


async def test_patch_job_leaves_the_fields_the_current_version_does_not_update(mrs):
    before = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]
    other = await mrs.new_binary("other")
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"mains": [other["id"]], "libs": [], "is_public": True,
                                               "is_protected": True, "interface": [{"name": "x"}]})
    assert reply.status == 202
    after = reply.body["job"]
    for field in ("mains", "libs", "is_public", "is_protected", "interface", "name", "type", "description"):
        assert after[field] == before[field], field


async def test_patch_job_with_an_empty_object_changes_only_updated_at(mrs):
    before = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]
    reply = await mrs.patch(f"jobs/{JOB_ID}", {})
    assert reply.status == 202
    assert reply.body["job"] == {**before, "updated_at": NOW}


async def test_patch_job_with_no_body_is_an_empty_update(mrs):
    reply = await mrs.patch(f"jobs/{JOB_ID}")
    assert reply.status == 202
    assert reply.body["job"]["name"] == "my-mapreduce-job"


async def test_patch_job_sets_description_to_null(mrs):
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"description": None})
    assert reply.status == 202
    assert reply.body["job"]["description"] is None


async def test_patch_job_may_keep_its_own_name(mrs):
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"name": "my-mapreduce-job"})
    assert reply.status == 202


async def test_delete_job_answers_204_with_no_body_and_forgets_the_job(mrs):
    reply = await mrs.delete(f"jobs/{JOB_ID}")
    assert (reply.status, reply.raw) == (204, b"")
    assert (await mrs.get(f"jobs/{JOB_ID}")).status == 404
    assert (await mrs.get("jobs")).body == {"jobs": []}
    assert (await mrs.delete(f"jobs/{JOB_ID}")).status == 404


async def test_deleting_a_job_keeps_its_binaries_and_frees_them_for_deletion(mrs):
    assert (await mrs.delete(f"jobs/{JOB_ID}")).status == 204
    assert (await mrs.get(f"job-binaries/{BINARY_ID}")).status == 200
    assert (await mrs.delete(f"job-binaries/{BINARY_ID}")).status == 204


async def test_job_shows_its_binaries_as_they_are_now(mrs):
    reply = await mrs.put(f"job-binaries/{BINARY_ID}", {"name": "renamed-binary", "url": "s3a://bucket/app.jar"})
    assert reply.status == 202
    lib = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]["libs"][0]
    assert (lib["name"], lib["url"]) == ("renamed-binary", "s3a://bucket/app.jar")


async def test_health_counts_jobs_and_binaries(mrs):
    await mrs.new_job("counted")
    async with mrs.client.get("/_emulator/health") as response:
        health = await response.json()
    assert health["services"]["mrs"] == {"jobs": 2, "job_binaries": 2, "clusters": 1,
                                         "data_sources": 0, "job_executions": 0}


async def test_reset_brings_back_the_fixtures(mrs):
    await mrs.delete(f"jobs/{JOB_ID}")
    await mrs.new_job("temporary")
    async with mrs.client.post("/_emulator/reset") as response:
        assert response.status == 200
    jobs = (await mrs.get("jobs")).body["jobs"]
    assert [job["id"] for job in jobs] == [JOB_ID]
