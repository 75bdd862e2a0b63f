"""Job-object validation: each rule at and past its limit, with Sahara's status, name and message."""
from __future__ import annotations

import pytest
from mrs_support import BINARY_ID, JOB_ID, OTHER_PROJECT

CREATE_TYPES = "['MapReduce', 'Spark', 'Hive', 'hql', 'DistCp', 'SparkScript', 'SparkSql']"
UPDATE_TYPES = "['MapReduce', 'Spark', 'Hive', 'DistCp', 'SparkScript']"


def job(**fields):
    """A valid create body, changed by `fields`."""
    return {"name": "job-x", "type": "MapReduce", "libs": [BINARY_ID], **fields}


async def rejected(reply, name="VALIDATION_ERROR", status=400):
    assert reply.status == status, reply.body
    error_name, message = reply.error()
    assert error_name == name
    return message


# --- name -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "a" * 80, "Job_01-x", "-leading-dash", "_", "9"])
async def test_create_accepts_names_of_1_to_80_letters_digits_dashes_underscores(mrs, name):
    reply = await mrs.post("jobs", job(name=name))
    assert reply.status == 202, reply.body
    assert reply.body["job"]["name"] == name


@pytest.mark.parametrize("name, message", [
    ("a" * 81, f"name: '{'a' * 81}' is too long"),
    ("", "name: '' should be non-empty\nname: '' is not a 'valid_name'"),
    ("a b", "name: 'a b' is not a 'valid_name'"),
    ("a.b", "name: 'a.b' is not a 'valid_name'"),
    ("jöb", "name: 'jöb' is not a 'valid_name'"),
    ("job\n", "name: 'job\\n' is not a 'valid_name'"),
    (123, "name: 123 is not of type 'string'"),
    (None, "name: None is not of type 'string'"),
])
async def test_create_rejects_bad_names(mrs, name, message):
    assert await rejected(await mrs.post("jobs", job(name=name))) == message


@pytest.mark.parametrize("name, message", [
    ("b" * 80, None),
    ("b" * 81, f"name: '{'b' * 81}' is too long"),
    ("x y", "name: 'x y' is not a 'valid_name'"),
    (False, "name: False is not of type 'string'"),
])
async def test_patch_checks_names_like_create(mrs, name, message):
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"name": name})
    if message is None:
        assert reply.status == 202 and reply.body["job"]["name"] == name
    else:
        assert await rejected(reply) == message


async def test_create_refuses_a_name_the_project_already_uses(mrs):
    message = await rejected(await mrs.post("jobs", job(name="my-mapreduce-job")), "DB_DUPLICATE_ENTRY")
    assert message == "Duplicate entry for Job: ['name', 'tenant_id']"


async def test_same_name_in_another_project_is_fine(mrs):
    other = mrs.in_project(OTHER_PROJECT)
    assert (await other.new_job("my-mapreduce-job"))["name"] == "my-mapreduce-job"


async def test_patch_refuses_renaming_onto_another_job(mrs):
    await mrs.new_job("taken")
    message = await rejected(await mrs.patch(f"jobs/{JOB_ID}", {"name": "taken"}), "DB_DUPLICATE_ENTRY")
    assert message == "Duplicate entry for Job: ['name', 'tenant_id']"


# --- type -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("job_type", ["MapReduce", "Spark", "Hive", "hql", "DistCp", "SparkScript", "SparkSql"])
async def test_create_accepts_huaweis_create_types(mrs, job_type):
    created = await mrs.new_job(f"t-{job_type}", job_type)
    assert created["type"] == job_type


@pytest.mark.parametrize("job_type, message", [
    ("Jar", f"type: 'Jar' is not one of {CREATE_TYPES}"),
    ("Pig", f"type: 'Pig' is not one of {CREATE_TYPES}"),
    ("mapreduce", f"type: 'mapreduce' is not one of {CREATE_TYPES}"),
    (5, f"type: 5 is not of type 'string'\ntype: 5 is not one of {CREATE_TYPES}"),
])
async def test_create_rejects_other_types(mrs, job_type, message):
    assert await rejected(await mrs.post("jobs", job(type=job_type))) == message


@pytest.mark.parametrize("job_type", ["MapReduce", "Spark", "Hive", "DistCp", "SparkScript"])
async def test_patch_accepts_huaweis_update_types(mrs, job_type):
    reply = await mrs.patch(f"jobs/{JOB_ID}", {"type": job_type})
    assert reply.status == 202 and reply.body["job"]["type"] == job_type


@pytest.mark.parametrize("job_type", ["hql", "SparkSql", "Pig"])
async def test_patch_rejects_types_outside_the_update_list(mrs, job_type):
    message = await rejected(await mrs.patch(f"jobs/{JOB_ID}", {"type": job_type}))
    assert message == f"type: '{job_type}' is not one of {UPDATE_TYPES}"


# --- description ----------------------------------------------------------------------------------

@pytest.mark.parametrize("description", ["", "d" * 65535, None])
async def test_create_and_patch_accept_descriptions_up_to_65535_characters_or_null(mrs, description):
    created = await mrs.post("jobs", job(description=description))
    assert created.status == 202 and created.body["job"]["description"] == description
    patched = await mrs.patch(f"jobs/{JOB_ID}", {"description": description})
    assert patched.status == 202 and patched.body["job"]["description"] == description


@pytest.mark.parametrize("method", ["post", "patch"])
async def test_description_of_65536_characters_is_too_long(mrs, method):
    body = {"description": "d" * 65536}
    reply = await (mrs.post("jobs", job(**body)) if method == "post" else mrs.patch(f"jobs/{JOB_ID}", body))
    assert await rejected(reply) == f"description: '{'d' * 65536}' is too long"


async def test_description_must_be_a_string(mrs):
    message = await rejected(await mrs.post("jobs", job(description=5)))
    assert message == "description: 5 is not of type 'string', 'null'"


# --- mains and libs -------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["mains", "libs"])
@pytest.mark.parametrize("value, message", [
    ("a", "{f}: 'a' is not of type 'array'"),
    (None, "{f}: None is not of type 'array'"),
    (["a", "a"], "{f}: ['a', 'a'] has non-unique elements"),
    ([""], "{f}[0]: '' should be non-empty"),
    ([BINARY_ID, 7], "{f}[1]: 7 is not of type 'string'"),
])
async def test_mains_and_libs_are_arrays_of_distinct_non_empty_strings(mrs, field, value, message):
    expected = message.format(f=field)
    assert await rejected(await mrs.post("jobs", job(**{field: value}))) == expected
    assert await rejected(await mrs.patch(f"jobs/{JOB_ID}", {field: value})) == expected


@pytest.mark.parametrize("job_type", ["Hive", "SparkScript", "hql"])
async def test_script_types_need_mains(mrs, job_type):
    message = await rejected(await mrs.post("jobs", job(type=job_type, mains=[])), "INVALID_DATA")
    assert message == "If the job type is Hive or Spark Script, the value of the mains should not be left blank."


@pytest.mark.parametrize("job_type", ["MapReduce", "Spark"])
async def test_mapreduce_and_spark_need_libs(mrs, job_type):
    message = await rejected(await mrs.post("jobs", {"name": "j", "type": job_type}), "INVALID_DATA")
    assert message == "If the job type is MapReduce or Spark, the value of the libs should not be left blank."


@pytest.mark.parametrize("job_type", ["DistCp", "SparkSql"])
async def test_other_types_need_neither(mrs, job_type):
    reply = await mrs.post("jobs", {"name": "j", "type": job_type, "mains": [], "libs": []})
    assert reply.status == 202


async def test_create_refuses_a_binary_that_does_not_exist(mrs):
    missing = "00000000-0000-4000-8000-000000000000"
    message = await rejected(await mrs.post("jobs", job(libs=[BINARY_ID, missing])), "NOT_FOUND")
    assert message == f"Job binary '{missing}' does not exist"


async def test_create_checks_mains_before_libs(mrs):
    reply = await mrs.post("jobs", job(type="Hive", mains=["main-missing"], libs=["lib-missing"]))
    assert await rejected(reply, "NOT_FOUND") == "Job binary 'main-missing' does not exist"


async def test_create_refuses_another_projects_binary(mrs):
    foreign = await mrs.in_project(OTHER_PROJECT).new_binary("foreign")
    message = await rejected(await mrs.post("jobs", job(libs=[foreign["id"]])), "NOT_FOUND")
    assert message == f"Job binary '{foreign['id']}' does not exist"


# --- flags and interface --------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["is_public", "is_protected"])
async def test_flags_are_booleans_or_null(mrs, field):
    expected = f"{field}: 'yes' is not of type 'boolean', 'null'"
    assert await rejected(await mrs.post("jobs", job(**{field: "yes"}))) == expected
    assert await rejected(await mrs.patch(f"jobs/{JOB_ID}", {field: 1})) == f"{field}: 1 is not of type 'boolean', 'null'"


async def test_interface_must_be_an_array(mrs):
    expected = "interface: 'x' is not of type 'array', 'null'"
    assert await rejected(await mrs.post("jobs", job(interface="x"))) == expected
    assert await rejected(await mrs.patch(f"jobs/{JOB_ID}", {"interface": "x"})) == expected


async def test_create_refuses_interface_arguments_the_current_version_does_not_support(mrs):
    message = await rejected(await mrs.post("jobs", job(interface=[{"name": "a"}])), "INVALID_DATA")
    assert message == "interface: The current version does not support this function."


async def test_create_accepts_an_empty_or_null_interface(mrs):
    assert (await mrs.post("jobs", job(name="i1", interface=[]))).status == 202
    assert (await mrs.post("jobs", job(name="i2", interface=None))).body["job"]["interface"] == []


# --- the body as a whole --------------------------------------------------------------------------

async def test_create_requires_name_and_type(mrs):
    message = await rejected(await mrs.post("jobs", {}))
    assert message == "'name' is a required property\n'type' is a required property"


async def test_unknown_keys_are_refused(mrs):
    one = await rejected(await mrs.post("jobs", job(foo=1)))
    assert one == "Additional properties are not allowed ('foo' was unexpected)"
    two = await rejected(await mrs.patch(f"jobs/{JOB_ID}", {"foo": 1, "bar": 2}))
    assert two == "Additional properties are not allowed ('bar', 'foo' were unexpected)"


async def test_patch_refuses_keys_of_the_create_body_it_does_not_know(mrs):
    message = await rejected(await mrs.patch(f"jobs/{JOB_ID}", {"streaming": True}))
    assert message == "Additional properties are not allowed ('streaming' was unexpected)"


async def test_every_problem_is_reported_in_schema_order(mrs):
    message = await rejected(await mrs.post("jobs", {"name": "", "type": "Jar", "foo": 1}))
    assert message.split("\n") == [
        "name: '' should be non-empty",
        "name: '' is not a 'valid_name'",
        f"type: 'Jar' is not one of {CREATE_TYPES}",
        "Additional properties are not allowed ('foo' was unexpected)",
    ]


@pytest.mark.parametrize("body, message", [
    ([], "[] is not of type 'object'"),
    ("job", "'job' is not of type 'object'"),
    (None, "None is not of type 'object'"),
    (3, "3 is not of type 'object'"),
])
async def test_a_body_that_is_not_an_object_is_refused(mrs, body, message):
    assert await rejected(await mrs.post("jobs", body)) == message
    assert await rejected(await mrs.patch(f"jobs/{JOB_ID}", body)) == message


async def test_refused_updates_change_nothing(mrs):
    before = (await mrs.get(f"jobs/{JOB_ID}")).body
    for body in ({"name": "ok-name", "type": "Jar"}, {"name": "ok-name", "foo": 1}, [], {"description": 1}):
        assert (await mrs.patch(f"jobs/{JOB_ID}", body)).status == 400
    assert (await mrs.get(f"jobs/{JOB_ID}")).body == before


async def test_refused_creates_store_nothing(mrs):
    for body in (job(name="new", libs=["missing"]), job(name="my-mapreduce-job"), job(name="new", foo=1)):
        assert (await mrs.post("jobs", body)).status == 400
    assert len((await mrs.get("jobs")).body["jobs"]) == 1


async def test_a_missing_job_is_404_before_the_body_is_checked(mrs):
    reply = await mrs.patch("jobs/nope", {"type": "Jar"})
    assert await rejected(reply, "NOT_FOUND", 404) == "Object with {'id': 'nope'} not found"
