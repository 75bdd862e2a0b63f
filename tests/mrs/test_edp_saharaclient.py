"""Sahara EDP through python-saharaclient against a live emulator: data sources, execute, job executions on its clock."""
from __future__ import annotations

import json
import re

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from mrs_support import BINARY_ID, JOB_ID, PROJECT, TOKEN
from saharaclient import client as sahara_client
from saharaclient.api.base import APIException

from emulator.pytest_plugin import CloudJobEmulator

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
T0 = "2026-01-01T00:00:00"


@pytest.fixture
def emulator(live_url) -> CloudJobEmulator:
    return CloudJobEmulator(live_url)


@pytest.fixture
def sahara(live_url):
    auth = token_endpoint.Token(endpoint=f"{live_url}/v1.1/{PROJECT}", token=TOKEN)
    return sahara_client.Client("1.1", session=ks_session.Session(auth=auth))


def at(seconds: int) -> str:
    return f"2026-01-01T00:00:{seconds:02d}"


def sources(sahara) -> tuple[str, str]:
    source_in = sahara.data_sources.create("in", "input", "hdfs", "/user/input")
    source_out = sahara.data_sources.create("out", None, "obs", "s3a://bucket/output")
    return source_in.id, source_out.id


def refused(call, *args, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(APIException) as raised:
        call(*args, **kwargs)
    return raised.value.error_code, raised.value.error_name, raised.value.error_message.split("\nError ID:")[0]


def test_data_sources_create_get_list_update_delete(sahara):
    created = sahara.data_sources.create("my-data-source", "this is the data source template", "hdfs",
                                         "/simple/mapreduce/input", credential_user="u", credential_pass="p")
    assert created.to_dict() == {
        "name": "my-data-source", "type": "hdfs", "url": "/simple/mapreduce/input",
        "description": "this is the data source template", "created_at": T0, "updated_at": None, "id": created.id,
        "tenant_id": PROJECT, "is_public": False, "is_protected": False}
    assert sahara.data_sources.get(created.id).to_dict() == created.to_dict()
    sahara.data_sources.create("obs-source", None, "obs", "obs://bucket/data")
    assert [source.name for source in sahara.data_sources.list(sort_by="name")] == ["my-data-source", "obs-source"]
    sahara.data_sources.update(created.id, {"url": "hdfs://namenode/in", "name": "renamed"})
    updated = sahara.data_sources.get(created.id)
    assert (updated.name, updated.url, updated.updated_at) == ("renamed", "hdfs://namenode/in", T0)
    assert refused(sahara.data_sources.create, "renamed", None, "hdfs", "/x") == (
        400, "NAME_ALREADY_EXISTS", "Data source with name 'renamed' already exists")
    assert refused(sahara.data_sources.create, "bad", None, "hdfs", "s3a://bucket/x") == (
        400, "INVALID_DATA", "URL scheme must be 'hdfs'")
    assert refused(sahara.data_sources.create, "bad", None, "swift", "swift://c.sahara/o") == (
        400, "INVALID_DATA", "Invalid data source")  # Sahara's type, which MRS does not support
    assert refused(sahara.data_sources.create, "bad", None, "s3", "s3://b/o")[:2] == (400, "VALIDATION_ERROR")
    sahara.data_sources.delete(created.id)
    assert refused(sahara.data_sources.get, created.id)[:2] == (404, "NOT_FOUND")


def test_execute_runs_pending_running_succeeded_on_the_clock(sahara, emulator):
    source_in, source_out = sources(sahara)
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out,
                                             configs={"configs": {"mapreduce.job.maps": "2"}, "args": ["wordcount"]})
    assert execution.to_dict() == {
        "id": execution.id, "tenant_id": PROJECT, "job_id": JOB_ID, "cluster_id": CLUSTER, "input_id": source_in,
        "output_id": source_out, "start_time": None, "end_time": None, "info": {"status": "PENDING"},
        "engine_job_id": None, "oozie_job_id": None, "return_code": None,
        "job_configs": {"configs": {"mapreduce.job.maps": "2"}, "args": ["wordcount"], "job_execution_info": {}},
        "data_source_urls": None, "is_public": False, "is_protected": False, "created_at": T0, "updated_at": None}
    emulator.advance(1)
    running = sahara.job_executions.get(execution.id)
    assert (running.info, running.start_time, running.end_time) == ({"status": "RUNNING"}, at(1), None)
    assert running.updated_at == at(1)  # each status change updates the row (oslo.db's onupdate)
    assert running.engine_job_id == running.oozie_job_id and running.engine_job_id.endswith("-oozie-omm-W")
    assert running.data_source_urls == {source_in: "/user/input", source_out: "s3a://bucket/output"}
    emulator.advance(10)
    done = sahara.job_executions.get(execution.id)
    assert (done.info, done.start_time, done.end_time, done.updated_at) == ({"status": "SUCCEEDED"}, at(1), at(11),
                                                                          at(11))


@pytest.mark.parametrize("outcome", ["FAILED", "KILLED"])
def test_a_scripted_outcome_ends_the_run_after_its_duration(sahara, emulator, outcome):
    source_in, source_out = sources(sahara)
    configs = {"configs": {"cloud-job-emulator.duration-seconds": 4, "cloud-job-emulator.outcome": outcome}}
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out, configs=configs)
    emulator.advance(4.999)
    assert sahara.job_executions.get(execution.id).info == {"status": "RUNNING"}
    emulator.advance(0.001)
    ended = sahara.job_executions.get(execution.id)
    assert (ended.info, ended.start_time, ended.end_time) == ({"status": outcome}, at(1), at(5))


def test_cancel_while_running_then_after_the_end(sahara, emulator):
    source_in, source_out = sources(sahara)
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    emulator.advance(3)
    cancel = f"/job-executions/{execution.id}/cancel"
    answered = sahara.job_executions.api.get(cancel).json()["job_execution"]
    assert answered["info"] == {"status": "RUNNING"}  # the record as it was before the cancel
    assert sahara.job_executions.get(execution.id).info == {"status": "TOBEKILLED"}
    emulator.advance(1)
    killed = sahara.job_executions.get(execution.id)
    assert (killed.info, killed.start_time, killed.end_time) == ({"status": "KILLED"}, at(1), at(4))
    assert sahara.job_executions.api.get(cancel).json()["job_execution"]["info"] == {"status": "KILLED"}
    emulator.advance(30)
    assert sahara.job_executions.get(execution.id).to_dict() == killed.to_dict()
    refreshed = sahara.job_executions.api.get(f"/job-executions/{execution.id}/refresh-status").json()
    assert refreshed["job_execution"] == killed.to_dict()


def test_list_update_delete_and_what_an_execution_holds_on_to(sahara, emulator):
    source_in, source_out = sources(sahara)
    first = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    emulator.advance(1)
    second = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    assert sorted(item.id for item in sahara.job_executions.list()) == sorted([first.id, second.id])
    assert [item.id for item in sahara.job_executions.list(search_opts={"status": "pending"})] == [second.id]
    assert [item.id for item in sahara.job_executions.list(sort_by="status")] == [second.id, first.id]
    sahara.job_executions.update(first.id, is_protected=True)
    assert sahara.job_executions.get(first.id).is_protected is True
    assert refused(sahara.job_executions.delete, first.id) == (
        400, "DELETION_FAILED", f"JobExecution with id '{first.id}' could not be deleted because it's marked as "
                                "protected")
    assert refused(sahara.data_sources.update, source_in, {"url": "/elsewhere"}) == (
        400, "UPDATE_FAILED", "DataSource is used in a PENDING Job and can not be updated.")
    assert refused(sahara.data_sources.delete, source_in) == (
        400, "DELETION_FAILED", "Data Source deletion failed on foreign key constraint")
    assert refused(sahara.jobs.delete, JOB_ID) == (400, "DELETION_FAILED",
                                                   "Job deletion failed on foreign key constraint")
    sahara.job_executions.update(first.id, is_protected=False)
    sahara.job_executions.delete(first.id)
    sahara.job_executions.delete(second.id)
    assert refused(sahara.job_executions.get, first.id)[:2] == (404, "NOT_FOUND")
    sahara.data_sources.delete(source_in)
    sahara.jobs.delete(JOB_ID)


def test_execute_refusals_in_saharas_order(sahara, emulator):
    source_in, source_out = sources(sahara)
    missing = "00000000-0000-4000-8000-000000000000"
    assert refused(sahara.job_executions.create, missing, CLUSTER, source_in, source_out)[:2] == (404, "NOT_FOUND")
    assert refused(sahara.job_executions.create, JOB_ID, "abc", source_in, source_out) == (
        400, "VALIDATION_ERROR", "cluster_id: 'abc' is not a 'uuid'")
    assert refused(sahara.job_executions.create, JOB_ID, missing, source_in, source_out) == (
        400, "INVALID_REFERENCE", f"Cluster with id '{missing}' doesn't exist")
    assert refused(sahara.job_executions.create, JOB_ID, CLUSTER, source_in) == (
        400, "INVALID_DATA", "MapReduce job requires 'input_id' and 'output_id'")
    assert refused(sahara.job_executions.create, JOB_ID, CLUSTER, source_in, missing) == (
        400, "INVALID_REFERENCE", f"DataSource with id '{missing}' doesn't exist")
    assert refused(sahara.job_executions.create, JOB_ID, CLUSTER, source_in, source_in) == (
        400, "INVALID_DATA", "Provided input and output DataSources reference the same location: /user/input")
    assert sahara.job_executions.list() == []


def test_admin_transitions_move_a_sahara_execution(sahara, emulator):
    source_in, source_out = sources(sahara)
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    moved = emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=execution.id, status="RUNNING")
    assert moved == {"service": "mrs", "id": execution.id, "status": "RUNNING"}
    emulator.advance(2)
    emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=execution.id, status="DONEWITHERROR")
    ended = sahara.job_executions.get(execution.id)
    assert (ended.info, ended.start_time, ended.end_time) == ({"status": "DONEWITHERROR"}, T0, at(2))
    with pytest.raises(Exception, match="409"):
        emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=execution.id, status="KILLED")
    with pytest.raises(Exception, match="400"):
        emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=execution.id, status="FINISHED")


def test_job_executions_page_with_saharas_markers(sahara, emulator):
    source_in, source_out = sources(sahara)
    ids = sorted(sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out).id for _ in range(3))
    page = sahara.job_executions.list(limit=2)
    assert ([item.id for item in page], page.prev, page.next) == (ids[:2], None, ids[1])
    rest = sahara.job_executions.list(limit=2, marker=page.next)
    assert [item.id for item in rest] == ids[2:]
    assert [item.id for item in sahara.job_executions.list(sort_by="id", reverse=True)] == ids[::-1]
    assert [item.id for item in sahara.job_executions.list(search_opts={"cluster_id": CLUSTER})] == ids
    with pytest.raises(APIException) as raised:
        sahara.job_executions.list(sort_by="created_at")
    assert (raised.value.error_code, raised.value.error_message.split("\nError ID:")[0]) == (
        400, "Unknown field for sorting created_at")


def test_data_source_credentials_are_kept_but_never_shown(sahara, emulator):
    source = sahara.data_sources.create("secret", None, "hdfs", "/user/x", credential_user="u",
                                        credential_pass="very-secret-password")
    sahara.data_sources.update(source.id, {"credentials": {"user": "u2", "password": "another-secret"}})
    state = json.dumps(emulator.state())
    assert source.id in state
    assert "very-secret-password" not in state and "another-secret" not in state
    assert "credentials" not in sahara.data_sources.get(source.id).to_dict()


def test_credential_configs_read_back_empty_and_are_not_kept(sahara, emulator):
    source_in, source_out = sources(sahara)
    secrets = {"fs.s3a.access.key": "AK-7f3e", "fs.s3a.secret.key": "SK-9c1d",
               "fs.swift.service.sahara.username": "u-4b", "fs.swift.service.sahara.password": "p-2a"}
    created = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out,
                                           configs={"configs": {**secrets, "mapreduce.job.maps": "2"}})
    shown = {"configs": {**dict.fromkeys(secrets, ""), "mapreduce.job.maps": "2"}, "job_execution_info": {}}
    assert created.job_configs == shown
    assert sahara.job_executions.get(created.id).job_configs == shown
    assert [item.job_configs for item in sahara.job_executions.list()] == [shown]
    state = json.dumps(emulator.state())
    assert created.id in state and not [value for value in secrets.values() if value in state]


def test_a_protected_data_source_takes_only_an_is_public_change_until_unprotected(sahara):
    source = sahara.data_sources.create("guarded", None, "hdfs", "/user/guarded", is_protected=True)
    protected = f"DataSource with id '{source.id}' could not be %s because it's marked as protected"
    assert refused(sahara.data_sources.update, source.id, {"url": "/user/elsewhere"}) == (
        400, "UPDATE_FAILED", protected % "updated")
    assert refused(sahara.data_sources.update, source.id, {"is_public": True, "name": "renamed"}) == (
        400, "UPDATE_FAILED", protected % "updated")
    assert refused(sahara.data_sources.delete, source.id) == (400, "DELETION_FAILED", protected % "deleted")
    sahara.data_sources.update(source.id, {"is_public": True, "name": "guarded"})  # nothing else changes
    assert (sahara.data_sources.get(source.id).is_public, sahara.data_sources.get(source.id).url) == (
        True, "/user/guarded")
    sahara.data_sources.update(source.id, {"is_protected": None, "url": "/user/elsewhere"})  # null unprotects
    assert sahara.data_sources.get(source.id).to_dict()["is_protected"] is False
    sahara.data_sources.delete(source.id)
    assert refused(sahara.data_sources.get, source.id)[:2] == (404, "NOT_FOUND")


def test_a_protected_execution_takes_an_is_public_only_change(sahara):
    source_in, source_out = sources(sahara)
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out, is_protected=True)
    sahara.job_executions.update(execution.id, is_public=True)
    shown = sahara.job_executions.get(execution.id)
    assert (shown.is_public, shown.is_protected) == (True, True)
    sahara.job_executions.update(execution.id, is_public=False, is_protected=True)  # is_protected unchanged
    assert refused(sahara.job_executions.update, execution.id, is_protected=True) == (
        400, "UPDATE_FAILED", f"JobExecution with id '{execution.id}' could not be updated because it's marked as "
                              "protected")
    sahara.job_executions.update(execution.id, is_protected=False)
    assert sahara.job_executions.get(execution.id).to_dict()["is_protected"] is False


def test_a_binary_cannot_be_updated_while_a_pending_execution_uses_it(sahara, emulator):
    source_in, source_out = sources(sahara)
    sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)  # seed 002's job: BINARY_ID in its libs
    assert refused(sahara.job_binaries.update, BINARY_ID, {"description": "new"}) == (
        400, "UPDATE_FAILED", f"JobBinary Id '{BINARY_ID}' is used in a PENDING job and can not be updated.")
    assert sahara.job_binaries.get(BINARY_ID).description != "new"
    emulator.advance(1)  # RUNNING: no longer pending
    assert sahara.job_binaries.update(BINARY_ID, {"description": "new"}).description == "new"


def test_url_placeholders_are_checked_and_resolved_when_the_run_starts(sahara, emulator):
    for url, message in [("obs://b/out/%RANDSTR(0)%", "Requested RANDSTR length must be positive."),
                         ("obs://b/%RANDSTR(-3)%", "Requested RANDSTR length must be positive."),
                         ("obs://b/%RANDSTR(1000)%/%RANDSTR(25)%",
                          "Requested RANDSTR length is too long, please choose a value less than 1024.")]:
        assert refused(sahara.data_sources.create, "placeholders", None, "obs", url) == (400, "INVALID_DATA", message)
    source_in = sahara.data_sources.create("in", None, "hdfs", "/user/input").id
    url = "obs://b/out/%JOB_EXEC_ID%/%RANDSTR(4)%-%RANDSTR(1000)%"
    source_out = sahara.data_sources.create("out", None, "obs", url).id
    assert refused(sahara.data_sources.update, source_out, {"url": "obs://b/%RANDSTR(0)%"}) == (
        400, "INVALID_DATA", "Requested RANDSTR length must be positive.")
    execution = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    emulator.advance(1)
    urls = sahara.job_executions.get(execution.id).data_source_urls
    assert urls[source_in] == "/user/input"
    assert re.fullmatch(rf"obs://b/out/{execution.id}/[a-z]{{4}}-[a-z]{{1000}}", urls[source_out]), urls
    assert sahara.data_sources.get(source_out).url == url  # the data source keeps its placeholders


def test_executions_filter_by_job_and_cluster_name_and_by_a_flag(sahara, emulator):
    source_in, source_out = sources(sahara)
    shell = sahara.jobs.create("shell-job", "MapReduce", libs=[BINARY_ID])
    seed_run = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out, is_public=True)
    shell_run = sahara.job_executions.create(shell.id, CLUSTER, source_in, source_out)

    def listed(**search) -> list[str]:
        return sorted(item.id for item in sahara.job_executions.list(search_opts=search))

    assert listed(**{"job.name": "^my-mapreduce"}) == [seed_run.id]
    assert listed(**{"job.name": "job$"}) == sorted([seed_run.id, shell_run.id])
    assert listed(**{"cluster.name": "emulator-cluster"}) == sorted([seed_run.id, shell_run.id])
    assert listed(**{"cluster.name": "elsewhere"}) == []
    assert listed(is_public="false") == [shell_run.id] and listed(is_public="true") == [seed_run.id]
    assert listed(is_protected="false", **{"job.name": "shell"}) == [shell_run.id]
    with pytest.raises(APIException) as raised:
        sahara.job_executions.list(search_opts={"is_public": "maybe"})
    assert (raised.value.error_code, raised.value.error_message.split("\nError ID:")[0]) == (
        400, "Invalid value for filtering is_public: maybe")
