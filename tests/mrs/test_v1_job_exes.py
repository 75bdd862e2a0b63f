"""MRS v1.1's own job API through huaweicloudsdkmrs's v1 client: submit-job, job-exes, delete; one store with Sahara's."""
from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkmrs.v1 import (CreateAndExecuteJobRequest, DeleteJobExecutionRequest, ListExecuteJobRequest,
                                  MrsClient, ShowClusterDetailsRequest, ShowJobExesRequest, SubmitJobReqV11)
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from mrs_support import JOB_ID, PROJECT, TOKEN
from saharaclient import client as sahara_client

from emulator.pytest_plugin import CloudJobEmulator

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
T0_S, T0_MS = 1767225600, 1767225600000
USER = "0c7a1f6a3c5a4b1e9a2d1f3b5c7d9e0f"


@pytest.fixture
def emulator(live_url) -> CloudJobEmulator:
    return CloudJobEmulator(live_url)


@pytest.fixture
def mrs(live_url):
    credentials = BasicCredentials("test-ak", "test-sk", PROJECT)
    return MrsClient.new_builder().with_credentials(credentials).with_endpoint(live_url).build()


def mapreduce(**fields) -> SubmitJobReqV11:
    body = {"job_type": 1, "job_name": "mrs_test_jobone", "cluster_id": CLUSTER,
            "jar_path": "s3a://mrs-opsadm/jarpath/hadoop-mapreduce-examples-2.7.2.jar", "arguments": "wordcount",
            "input": "s3a://mrs-opsadm/input/", "output": "s3a://mrs-opsadm/output/", "job_log": "s3a://mrs-opsadm/log/",
            "file_action": "", "hql": "", "hive_script_path": "", **fields}
    return SubmitJobReqV11(**body)


def refused(call, *args) -> tuple[int, str, str]:
    with pytest.raises(ClientRequestException) as raised:
        call(*args)
    return raised.value.status_code, raised.value.error_code, raised.value.error_msg


def test_submit_job_runs_at_once_and_completes_on_the_clock(mrs, emulator):
    submitted = mrs.create_and_execute_job(CreateAndExecuteJobRequest(body=mapreduce()))
    assert (submitted.job_state, submitted.job_final_status, submitted.created_at, submitted.start_time,
            submitted.job_id, submitted.job_type, submitted.info) == (2, 0, T0_S, T0_S, "", 1, None)
    item = mrs.show_job_exes(ShowJobExesRequest(job_exe_id=submitted.id)).job_execution.to_dict()
    assert item == {
        "id": submitted.id, "create_at": T0_MS, "update_at": T0_MS, "tenant_id": PROJECT, "job_id": "",
        "job_name": "mrs_test_jobone", "start_time": T0_MS, "end_time": None, "cluster_id": CLUSTER,
        "group_id": submitted.id, "jar_path": "s3a://mrs-opsadm/jarpath/hadoop-mapreduce-examples-2.7.2.jar",
        "input": "s3a://mrs-opsadm/input/", "output": "s3a://mrs-opsadm/output/", "job_log": "s3a://mrs-opsadm/log/",
        "job_type": 1, "file_action": "", "arguments": "wordcount", "hql": "", "job_state": 2,
        "job_final_status": 0, "hive_script_path": "", "create_by": USER, "finished_step": 0, "job_main_id": "",
        "job_step_id": "", "postpone_at": T0_MS, "step_name": "", "step_num": 0, "task_num": 0, "update_by": USER,
        "spend_time": 0.0, "step_seq": 0, "progress": "0%"}
    emulator.advance(10)  # --mrs-job-duration
    done = mrs.show_job_exes(ShowJobExesRequest(job_exe_id=submitted.id)).job_execution
    assert (done.job_state, done.job_final_status, done.end_time, done.update_at, done.spend_time, done.progress) == (
        3, 2, T0_MS + 10000, T0_MS + 10000, 10.0, "100%")


def test_job_exes_pages_and_filters_newest_first(mrs, emulator):
    ids = []
    for number in range(3):
        ids.append(mrs.create_and_execute_job(CreateAndExecuteJobRequest(body=mapreduce(job_name=f"j{number}"))).id)
        emulator.advance(5)
    # submitted at 0, 5 and 10 s, now 15 s: the first two (10 s runs) have completed, the last is running

    def listed(**query) -> tuple[int, list[str]]:
        answer = mrs.list_execute_job(ListExecuteJobRequest(**query))
        return answer.total_record, [item.id for item in answer.job_executions]

    assert listed() == (3, ids[::-1])
    assert listed(page_size="2", current_page="2") == (3, [ids[0]])
    assert listed(job_name="j1") == (1, [ids[1]])
    assert listed(state="3") == (2, [ids[1], ids[0]])
    assert listed(state="2", cluster_id=CLUSTER) == (1, [ids[2]])
    assert listed(id=ids[0]) == (1, [ids[0]])
    assert refused(mrs.list_execute_job, ListExecuteJobRequest(page_size="101")) == (
        400, "12000002", "The parameter is invalid.")


def test_delete_job_execution_and_the_sahara_view_of_the_same_store(mrs, emulator, live_url):
    sahara = sahara_client.Client("1.1", session=ks_session.Session(
        auth=token_endpoint.Token(endpoint=f"{live_url}/v1.1/{PROJECT}", token=TOKEN)))
    submitted = mrs.create_and_execute_job(CreateAndExecuteJobRequest(body=mapreduce()))
    seen = sahara.job_executions.get(submitted.id)
    assert (seen.job_id, seen.info, seen.cluster_id, seen.input_id, seen.start_time) == (
        "", None, CLUSTER, None, "2026-01-01T00:00:00")
    shown = seen.to_dict()  # as Huawei's example shows such a record
    blank = ("engine_job_id", "oozie_job_id", "is_public", "job_configs", "data_source_urls")
    assert {key: shown[key] for key in blank} == dict.fromkeys(blank)
    source_in = sahara.data_sources.create("in", None, "hdfs", "/user/in").id
    source_out = sahara.data_sources.create("out", None, "hdfs", "/user/out").id
    executed = sahara.job_executions.create(JOB_ID, CLUSTER, source_in, source_out)
    item = mrs.show_job_exes(ShowJobExesRequest(job_exe_id=executed.id)).job_execution
    assert (item.job_name, item.job_type, item.job_state, item.jar_path) == ("my-mapreduce-job", 1, 1, "")
    sahara.job_executions.api.get(f"/job-executions/{submitted.id}/cancel")  # Sahara's cancel of a v1.1 record
    emulator.advance(1)
    killed = mrs.show_job_exes(ShowJobExesRequest(job_exe_id=submitted.id)).job_execution
    assert (killed.job_state, killed.job_final_status, killed.end_time) == (-1, 3, T0_MS + 1000)
    mrs.delete_job_execution(DeleteJobExecutionRequest(job_execution_id=submitted.id))
    assert refused(mrs.show_job_exes, ShowJobExesRequest(job_exe_id=submitted.id)) == (
        404, "0176", "The job does not exist.")
    assert refused(mrs.delete_job_execution, DeleteJobExecutionRequest(job_execution_id=submitted.id))[:2] == (
        404, 404)  # Sahara's route: its integer code, which the SDK shows as is


def test_submit_job_refusals(mrs, emulator):
    emulator.load([{"service": "mrs", "project_id": PROJECT, "cluster": {"id": "stopped", "name": "s",
                                                                          "state": "frozen"}},
                   {"service": "mrs", "project_id": PROJECT, "cluster": {"id": "bare", "name": "b",
                                                                          "components": ["Hadoop"]}}])

    def submit(**fields):
        return refused(mrs.create_and_execute_job, CreateAndExecuteJobRequest(body=mapreduce(**fields)))

    invalid = (400, "12000002", "The parameter is invalid.")
    assert submit(cluster_id="missing") == (400, "12000003", "The cluster does not exist.")
    assert submit(cluster_id="stopped") == (400, "12000062", "Jobs cannot be submitted to a cluster in the frozen "
                                                             "state.")
    assert submit(cluster_id="bare", job_type=2) == (400, "12000063", "Spark jobs cannot be submitted.")
    assert submit(jar_path="") == (400, "12000081", "The jar_path parameter cannot be left blank if the job type "
                                                    "is MapReduce or Spark.")
    assert submit(job_type=3) == (400, "12000114", "The hive_script_path parameter cannot be left blank if the job "
                                                   "type is Hive or SparkScript.")
    for fields in ({"job_type": 4}, {"job_type": 7}, {"job_type": 9}, {"job_name": "no spaces"},
                   {"jar_path": "s3a://b/x.zip"}, {"jar_path": "http://b/x.jar"}, {"arguments": "a;rm"},
                   {"input": "s3a://b/$x"}, {"job_type": 5, "file_action": "move"}):
        assert submit(**fields) == invalid, fields
    assert mrs.list_execute_job(ListExecuteJobRequest()).total_record == 0


def test_cluster_details_through_the_v1_client(mrs):
    cluster = mrs.show_cluster_details(ShowClusterDetailsRequest(cluster_id=CLUSTER)).cluster
    assert (cluster.cluster_id, cluster.cluster_state, cluster.tenant_id, cluster.total_node_num) == (
        CLUSTER, "running", PROJECT, "5")
    assert [item.component_name for item in cluster.component_list] == ["Hadoop", "Spark2x", "Hive", "Flink", "Tez"]
