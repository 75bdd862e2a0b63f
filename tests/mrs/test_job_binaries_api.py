"""Job-binary routes over HTTP: create, get, list, PUT, DELETE, their validation and the in-use refusal."""
from __future__ import annotations

import pytest
from mrs_support import BINARY_ID, JOB_ID, NOW, PROJECT, UUID4

from emulator.services.mrs.shapes import BINARY_FIELDS


def binary(**fields):
    return {"name": "jb-x", "url": "/simple/mapreduce/program", **fields}


async def test_create_binary_answers_202_with_the_binary_and_no_extra(mrs):
    reply = await mrs.post("job-binaries", binary(description="d", extra={"user": "u", "password": "p"}))
    assert reply.status == 202
    shown = reply.body["job_binary"]
    assert list(reply.body) == ["job_binary"]
    assert list(shown) == list(BINARY_FIELDS)
    assert UUID4.fullmatch(shown["id"])
    assert shown == {"name": "jb-x", "url": "/simple/mapreduce/program", "description": "d", "created_at": NOW,
                     "updated_at": None, "id": shown["id"], "tenant_id": PROJECT, "is_public": False,
                     "is_protected": False}


async def test_get_binary_answers_the_seed_binary(mrs):
    reply = await mrs.get(f"job-binaries/{BINARY_ID}")
    assert reply.status == 200
    assert reply.body == {"job_binary": {
        "name": "my-job-binary-666", "url": "/simple/mapreduce/program",
        "description": "this is the job binary template", "created_at": "2017-06-22T12:05:58",
        "updated_at": None, "id": BINARY_ID, "tenant_id": PROJECT, "is_public": False, "is_protected": None}}


async def test_list_binaries_answers_them_under_binaries(mrs):
    created = await mrs.new_binary("listed")
    reply = await mrs.get("job-binaries")
    assert reply.status == 200
    assert list(reply.body) == ["binaries"]
    assert sorted(b["id"] for b in reply.body["binaries"]) == sorted([BINARY_ID, created["id"]])


async def test_put_binary_replaces_the_given_fields_and_stamps_updated_at(mrs):
    created = await mrs.new_binary("before", description="old")
    await mrs.advance(5)
    reply = await mrs.put(f"job-binaries/{created['id']}", {"name": "after", "is_public": True})
    assert reply.status == 202
    shown = reply.body["job_binary"]
    assert (shown["name"], shown["description"], shown["is_public"]) == ("after", "old", True)
    assert (shown["created_at"], shown["updated_at"]) == (NOW, "2026-01-01T00:00:05")
    assert (await mrs.get(f"job-binaries/{created['id']}")).body == {"job_binary": shown}


async def test_put_binary_that_does_not_exist_is_404(mrs):
    reply = await mrs.put("job-binaries/nope", {"name": "x"})
    assert reply.status == 404
    assert reply.error() == ("NOT_FOUND", "Object with {'id': 'nope'} not found")


async def test_put_binary_refuses_a_bad_body_and_keeps_the_binary(mrs):
    before = (await mrs.get(f"job-binaries/{BINARY_ID}")).body
    reply = await mrs.put(f"job-binaries/{BINARY_ID}", {"url": "hdfs://x", "name": "ok"})
    assert reply.status == 400
    assert reply.error() == ("VALIDATION_ERROR", "url: 'hdfs://x' is not a 'valid_job_location'")
    assert (await mrs.get(f"job-binaries/{BINARY_ID}")).body == before


async def test_put_binary_refuses_a_name_in_use(mrs):
    await mrs.new_binary("taken")
    reply = await mrs.put(f"job-binaries/{BINARY_ID}", {"name": "taken"})
    assert reply.status == 400
    assert reply.error() == ("DB_DUPLICATE_ENTRY", "Duplicate entry for JobBinary: ['name', 'tenant_id']")


async def test_delete_binary_answers_204_and_forgets_it(mrs):
    created = await mrs.new_binary("gone")
    reply = await mrs.delete(f"job-binaries/{created['id']}")
    assert (reply.status, reply.raw) == (204, b"")
    assert (await mrs.get(f"job-binaries/{created['id']}")).status == 404
    assert (await mrs.delete(f"job-binaries/{created['id']}")).status == 404


@pytest.mark.parametrize("field", ["mains", "libs"])
async def test_delete_binary_a_job_uses_is_refused(mrs, field):
    used = await mrs.new_binary("used")
    await mrs.new_job("user", "Hive" if field == "mains" else "MapReduce", **{field: [used["id"]]})
    reply = await mrs.delete(f"job-binaries/{used['id']}")
    assert reply.status == 400
    assert reply.error() == ("DELETION_FAILED", "JobBinary is referenced and cannot be deleted")
    assert (await mrs.get(f"job-binaries/{used['id']}")).status == 200


async def test_seed_binary_is_in_use_by_the_seed_job(mrs):
    assert (await mrs.delete(f"job-binaries/{BINARY_ID}")).status == 400
    assert (await mrs.get(f"jobs/{JOB_ID}")).body["job"]["libs"][0]["id"] == BINARY_ID


@pytest.mark.parametrize("fields", [
    {"name": "n" * 80}, {"url": "/" + "u" * 254}, {"url": "s3a://bucket/app.jar"}, {"url": "/"},
    {"description": "d" * 65535}, {"description": None}, {"is_public": None, "is_protected": True},
    {"extra": None},
])
async def test_create_binary_accepts_values_at_the_limits(mrs, fields):
    reply = await mrs.post("job-binaries", binary(**fields))
    assert reply.status == 202, reply.body


@pytest.mark.parametrize("fields, message", [
    ({"name": "n" * 81}, f"name: '{'n' * 81}' is too long"),
    ({"name": "a b"}, "name: 'a b' is not a 'valid_name'"),
    ({"url": "/" + "u" * 255}, f"url: '{'/' + 'u' * 255}' is too long"),
    ({"url": ""}, "url: '' should be non-empty\nurl: '' is not a 'valid_job_location'"),
    ({"url": "hdfs://nn/app.jar"}, "url: 'hdfs://nn/app.jar' is not a 'valid_job_location'"),
    ({"url": "s3://bucket/app.jar"}, "url: 's3://bucket/app.jar' is not a 'valid_job_location'"),
    ({"url": 7}, "url: 7 is not of type 'string'"),
    ({"description": "d" * 65536}, f"description: '{'d' * 65536}' is too long"),
    ({"extra": "secret"}, "extra: 'secret' is not of type 'object', 'null'"),
    ({"is_public": "no"}, "is_public: 'no' is not of type 'boolean', 'null'"),
    ({"data": "x"}, "Additional properties are not allowed ('data' was unexpected)"),
])
async def test_create_binary_rejects_values_past_the_limits(mrs, fields, message):
    reply = await mrs.post("job-binaries", binary(**fields))
    assert reply.status == 400
    assert reply.error() == ("VALIDATION_ERROR", message)


async def test_create_binary_requires_name_and_url(mrs):
    reply = await mrs.post("job-binaries", {})
    assert reply.error() == ("VALIDATION_ERROR", "'name' is a required property\n'url' is a required property")


async def test_create_binary_refuses_a_name_in_use(mrs):
    reply = await mrs.post("job-binaries", binary(name="my-job-binary-666"))
    assert reply.status == 400
    assert reply.error() == ("DB_DUPLICATE_ENTRY", "Duplicate entry for JobBinary: ['name', 'tenant_id']")


async def test_a_job_read_after_its_binary_changed_shows_the_binary_as_it_is_now(mrs):
    binary_id = (await mrs.new_binary("jb-used"))["id"]
    job_id = (await mrs.new_job("uses-it", "MapReduce", mains=[], libs=[binary_id]))["id"]
    before = (await mrs.get(f"jobs/{job_id}")).body["job"]
    assert before["libs"][0]["name"] == "jb-used"
    await mrs.put(f"job-binaries/{binary_id}", {"name": "renamed"})
    after = (await mrs.get(f"jobs/{job_id}")).body["job"]
    assert after["libs"] == [{**before["libs"][0], "name": "renamed"}]
    assert {**after, "libs": before["libs"]} == before
