"""MRS v2 job executions through huaweicloudsdkmrs's v2 client against a live emulator, on its frozen clock."""
from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkmrs.v2 import (BatchDeleteJobsRequest, CreateExecuteJobRequest, JobBatchDelete, JobExecution,
                                  ShowJobExeListNewRequest, ShowSingleJobExeRequest, ShowSqlResultWithJobRequest,
                                  StopJobRequest)
from mrs_support import PROJECT

from emulator.pytest_plugin import CloudJobEmulator

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"  # the bundled fixtures' running cluster
T0 = 1767225600000  # the live emulator's frozen start, 2026-01-01T00:00:00Z, in epoch ms
APPS = "application_1498118758000_"  # YARN ids of the fixture cluster (created 2017-06-22T08:05:58Z)


@pytest.fixture
def emulator(live_url) -> CloudJobEmulator:
    return CloudJobEmulator(live_url)


@pytest.fixture
def mrs(emulator):
    return emulator.mrs(PROJECT)


def submit(mrs, name: str = "job-1", job_type: str = "MapReduce", arguments: list[str] | None = None,
           properties: dict[str, str] | None = None, cluster: str = CLUSTER) -> str:
    body = JobExecution(job_type=job_type, job_name=name, arguments=arguments, properties=properties)
    result = mrs.create_execute_job(CreateExecuteJobRequest(cluster_id=cluster, body=body)).job_submit_result
    assert result.state == "COMPLETE"
    return result.job_id


def detail(mrs, job_id: str) -> dict:
    return mrs.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER, job_execution_id=job_id)).job_detail \
        .to_dict()


def refused(call, *args) -> tuple[int, str, str]:
    with pytest.raises((ClientRequestException, ServerResponseException)) as raised:
        call(*args)
    return raised.value.status_code, raised.value.error_code, raised.value.error_msg


def times(job: dict) -> tuple:
    return (job["job_state"], job["job_result"], job["job_progress"], job["submitted_time"], job["started_time"],
            job["finished_time"], job["elapsed_time"])


def test_a_job_runs_through_every_state_to_success_at_the_clocks_times(mrs, emulator):
    job_id = submit(mrs, "wordcount", arguments=["obs://bucket/hadoop-mapreduce-examples.jar", "wordcount",
                                                 "obs://bucket/input/", "obs://bucket/output/"],
                    properties={"fs.obs.endpoint": "obs.example.com", "mapreduce.job.maps": "2"})
    assert detail(mrs, job_id) == {
        "job_id": job_id, "user": "admin", "job_name": "wordcount", "job_result": "UNDEFINED", "job_state": "NEW",
        "job_progress": 0.0, "job_type": "MapReduce", "started_time": 0, "submitted_time": T0, "finished_time": 0,
        "elapsed_time": 0,
        "arguments": "[obs://bucket/hadoop-mapreduce-examples.jar, wordcount, obs://bucket/input/, "
                     "obs://bucket/output/]",
        "launcher_id": APPS + "0001", "properties": "{fs.obs.endpoint=obs.example.com, mapreduce.job.maps=2}",
        "app_id": APPS + "0002", "tracking_url": None, "queue": "default",
    }
    seen = []
    for _ in range(4):
        emulator.advance(0.25)
        seen.append(times(detail(mrs, job_id)))
    assert seen == [("NEW_SAVING", "UNDEFINED", 0.0, T0, 0, 0, 0), ("SUBMITTED", "UNDEFINED", 0.0, T0, 0, 0, 0),
                    ("ACCEPTED", "UNDEFINED", 0.0, T0, 0, 0, 0), ("RUNNING", "UNDEFINED", 10.0, T0, T0 + 1000, 0, 0)]
    emulator.advance(9.999)
    assert detail(mrs, job_id)["job_state"] == "RUNNING"
    emulator.advance(0.001)  # the default --mrs-job-duration: 10 s of running
    assert times(detail(mrs, job_id)) == ("FINISHED", "SUCCEEDED", 100.0, T0, T0 + 1000, T0 + 11000, 10000)


def test_scripted_failure_and_kill_outcomes_and_durations(mrs, emulator):
    failing = submit(mrs, "fails", properties={"cloud-job-emulator.duration-seconds": "3",
                                               "cloud-job-emulator.outcome": "FAILED"})
    killed = submit(mrs, "killed", properties={"cloud-job-emulator.duration-seconds": "0.5",
                                               "cloud-job-emulator.outcome": "KILLED"})
    emulator.advance(4)
    assert times(detail(mrs, failing)) == ("FINISHED", "FAILED", 100.0, T0, T0 + 1000, T0 + 4000, 3000)
    assert times(detail(mrs, killed)) == ("KILLED", "KILLED", 10.0, T0, T0 + 1000, T0 + 1500, 500)


def test_kill_while_running_ends_it_now_and_the_run_never_finishes_after(mrs, emulator):
    job_id = submit(mrs)
    emulator.advance(2.5)
    assert mrs.stop_job(StopJobRequest(cluster_id=CLUSTER, job_execution_id=job_id)).status_code == 202
    assert times(detail(mrs, job_id)) == ("KILLED", "KILLED", 10.0, T0, T0 + 1000, T0 + 2500, 1500)
    emulator.advance(60)
    assert times(detail(mrs, job_id)) == ("KILLED", "KILLED", 10.0, T0, T0 + 1000, T0 + 2500, 1500)


def test_kill_while_queued_has_no_start(mrs, emulator):
    job_id = submit(mrs)
    emulator.advance(0.5)
    mrs.stop_job(StopJobRequest(cluster_id=CLUSTER, job_execution_id=job_id))
    assert times(detail(mrs, job_id)) == ("KILLED", "KILLED", 0.0, T0, 0, T0 + 500, 0)


def test_kill_after_the_end_is_refused_and_changes_nothing(mrs, emulator):
    job_id = submit(mrs, properties={"cloud-job-emulator.duration-seconds": "1"})
    emulator.advance(5)
    before = detail(mrs, job_id)
    assert refused(mrs.stop_job, StopJobRequest(cluster_id=CLUSTER, job_execution_id=job_id)) == \
        (400, "0175", "Failed to kill the job.")
    assert detail(mrs, job_id) == before
    assert before["finished_time"] == T0 + 2000


def test_batch_delete_removes_running_and_finished_jobs_and_ignores_unknown_ids(mrs, emulator):
    finished = submit(mrs, "short", properties={"cloud-job-emulator.duration-seconds": "1"})
    running = submit(mrs, "long", properties={"cloud-job-emulator.duration-seconds": "100"})
    kept = submit(mrs, "kept")
    emulator.advance(3)
    assert (detail(mrs, finished)["job_state"], detail(mrs, running)["job_state"]) == ("FINISHED", "RUNNING")
    body = JobBatchDelete(job_id_list=[finished, running, "00000000-0000-4000-8000-000000000000"])
    assert mrs.batch_delete_jobs(BatchDeleteJobsRequest(cluster_id=CLUSTER, body=body)).status_code == 200
    listed = mrs.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER))
    assert (listed.total_record, [job.job_id for job in listed.job_list]) == (1, [kept])
    for gone in (finished, running):
        assert refused(mrs.show_single_job_exe, ShowSingleJobExeRequest(cluster_id=CLUSTER, job_execution_id=gone)) \
            == (400, "0176", "The job does not exist.")
    emulator.advance(200)  # the deleted running job's end falls due and brings nothing back
    assert emulator.admin("GET", "health")["services"]["mrs"]["job_executions"] == 1


def test_list_filters_pages_and_sorts(mrs, emulator):
    first = submit(mrs, "alpha", "MapReduce")
    emulator.advance(2)
    second = submit(mrs, "beta", "SparkPython", ["--master", "yarn-cluster", "obs://bucket/pi.py"])
    emulator.advance(0.8)
    third = submit(mrs, "alpha", "HiveSql", ["show tables;"], {"cloud-job-emulator.outcome": "FAILED"})

    def ids(**query) -> tuple[int, list[str]]:
        listed = mrs.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER, **query))
        return listed.total_record, [job.job_id for job in listed.job_list]

    assert ids() == (3, [third, second, first])  # newest first by default
    assert ids(sort_by="asc") == (3, [first, second, third])
    assert ids(job_name="alpha") == (2, [third, first])
    assert ids(job_type="SparkSubmit") == ids(job_type="SparkPython") == (1, [second])
    assert ids(job_state="RUNNING") == (1, [first])
    assert ids(job_state="ACCEPTED") == (1, [second])
    assert ids(job_result="UNDEFINED", job_state="NEW") == (1, [third])
    assert ids(submitted_time_begin=T0 + 2000) == (2, [third, second])
    assert ids(submitted_time_end=T0 + 2000) == (2, [second, first])
    assert ids(limit="2", offset="1") == (3, [third, second])
    assert ids(limit="2", offset="2") == (3, [first])
    assert ids(limit="2", offset="3") == (3, [])
    assert ids(user="admin", queue="default", job_id=second) == (1, [second])
    spark = detail(mrs, second)
    assert (spark["job_type"], spark["tracking_url"]) == ("SparkSubmit", f"https://{CLUSTER}.mrs.emulator/proxy/"
                                                                         f"{APPS}0004/")
    assert refused(mrs.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER, limit="0")) == \
        (400, "12000002", "The parameter is invalid.")


def test_sql_result_of_a_finished_sql_job_and_the_refusals_before(mrs, emulator):
    sql = submit(mrs, "sql", "SparkSql", ["--conf", "spark.default.parallelism=1", "show tables; select 1;"])
    plain = submit(mrs, "plain")
    failed = submit(mrs, "bad-sql", "SparkSql", ["select 1"], {"cloud-job-emulator.outcome": "FAILED"})

    def result(job_id):
        return mrs.show_sql_result_with_job(ShowSqlResultWithJobRequest(cluster_id=CLUSTER, job_execution_id=job_id))

    assert refused(result, sql) == (400, "0183", "The job is running.")
    emulator.advance(11)
    assert result(sql).sql_results == {"0": [{"result": "succeed"}], "1": [{"result": "succeed"}]}
    assert refused(result, plain) == (400, "0179", "The job type must be SparkSql or SparkScript.")
    assert refused(result, failed) == (400, "0181", "The SQL job result collection is empty.")


def test_submissions_the_cluster_or_the_body_refuse(mrs, emulator):
    emulator.load([{"service": "mrs", "project_id": PROJECT, "cluster": {"id": "stopped", "name": "s",
                                                                          "state": "terminated"}},
                   {"service": "mrs", "project_id": PROJECT, "cluster": {"id": "bare", "name": "b",
                                                                          "components": ["Hadoop"]}}])

    def create(body, cluster=CLUSTER):
        return refused(mrs.create_execute_job, CreateExecuteJobRequest(cluster_id=cluster, body=body))

    good = JobExecution(job_type="SparkSubmit", job_name="ok")
    assert create(good, "missing") == (400, "12000003", "The cluster does not exist.")
    assert create(good, "stopped") == (400, "0056", "Jobs cannot be submitted to a cluster in the terminated state.")
    assert create(good, "bare") == (400, "0057", "Spark jobs cannot be submitted.")
    assert create(JobExecution(job_type="HiveSql", job_name="ok"), "bare") == (400, "0168",
                                                                              "Hive jobs cannot be submitted.")
    assert create(JobExecution(job_type="Flink", job_name="ok"), "bare") == (400, "0169",
                                                                            "Flink jobs cannot be submitted.")
    invalid = (400, "12000002", "The parameter is invalid.")
    for body in (JobExecution(job_type="Pig", job_name="ok"), JobExecution(job_type="MapReduce", job_name="a b"),
                 JobExecution(job_type="MapReduce", job_name="x" * 65),
                 JobExecution(job_type="MapReduce", job_name="ok", arguments=["a;b"]),
                 JobExecution(job_type="MapReduce", job_name="ok", properties={"k": "a|b"}),
                 JobExecution(job_type="MapReduce", job_name="ok",
                              properties={"cloud-job-emulator.outcome": "MAYBE"}),
                 JobExecution(job_type="MapReduce", job_name="ok",
                              properties={"cloud-job-emulator.duration-seconds": "-1"})):
        assert create(body) == invalid, body
    assert refused(mrs.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id="missing")) == \
        (400, "12000003", "The cluster does not exist.")
    assert emulator.admin("GET", "health")["services"]["mrs"]["job_executions"] == 0


def test_an_injected_5xx_reaches_the_sdk_with_the_rules_code_and_message(mrs, emulator):
    emulator.fault(service="mrs", operation="show_job_exe_list_new", status=503, error_code="MRS.0503",
                   message="Service unavailable, try again later.")
    assert refused(mrs.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER)) == \
        (503, "MRS.0503", "Service unavailable, try again later.")


def test_admin_transitions_walk_the_state_machine(mrs, emulator):
    job_id = submit(mrs)
    moved = emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=job_id, status="RUNNING")
    assert moved == {"service": "mrs", "id": job_id, "status": "RUNNING", "result": "UNDEFINED"}
    emulator.advance(1)
    emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=job_id, status="SUCCEEDED")
    assert times(detail(mrs, job_id)) == ("FINISHED", "SUCCEEDED", 100.0, T0, T0, T0 + 1000, 1000)
    with pytest.raises(Exception, match="409"):
        emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=job_id, status="KILLED")
    queued = submit(mrs, "launch-fails")
    emulator.transition(service="mrs", project_id=PROJECT, job_execution_id=queued, status="FAILED")
    assert times(detail(mrs, queued)) == ("FAILED", "FAILED", 0.0, T0 + 1000, 0, T0 + 1000, 0)
