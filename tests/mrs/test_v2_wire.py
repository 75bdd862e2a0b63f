"""The MRS native wire as bytes see it: v2 status codes, the error envelopes, cluster_infos, and a restart's steps."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from mrs_support import PROJECT

from emulator.runtime.emulator import Emulator
from emulator.settings import Settings

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
JOBS = f"/v2/{PROJECT}/clusters/{CLUSTER}/job-executions"
SIGNED = {"Authorization": "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, Signature=00",
          "X-Sdk-Date": "20260101T000000Z", "Content-Type": "application/json"}


async def call(client, method: str, path: str, body=None, headers=SIGNED):
    data = None if body is None else json.dumps(body)
    async with client.request(method, path, data=data, headers=headers) as response:
        raw = await response.read()
        return response.status, (json.loads(raw) if raw else None), response.headers


async def test_reads_answer_202_submit_200_and_kill_202_with_no_body(client):
    status, body, _ = await call(client, "POST", JOBS, {"job_type": "DistCp", "job_name": "copy",
                                                        "arguments": ["obs://a/in", "/user/out"]})
    assert status == 200 and set(body["job_submit_result"]) == {"job_id", "state"}
    job_id = body["job_submit_result"]["job_id"]
    assert (await call(client, "GET", JOBS))[:2] == (202, {"total_record": 1, "job_list": [
        (await call(client, "GET", f"{JOBS}/{job_id}"))[1]["job_detail"]]})
    assert (await call(client, "GET", f"{JOBS}/{job_id}"))[0] == 202
    assert (await call(client, "POST", f"{JOBS}/{job_id}/kill"))[:2] == (202, None)
    assert (await call(client, "POST", f"{JOBS}/batch-delete", {"job_id_list": [job_id]}))[:2] == (200, None)


async def test_error_envelopes_of_the_native_apis(client):
    status, body, headers = await call(client, "GET", f"/v2/{PROJECT}/clusters/nope/job-executions")
    assert (status, body) == (400, {"errorCode": "12000003", "errorMsg": "The cluster does not exist."})
    assert len(headers["X-Request-Id"]) == 32
    status, body, _ = await call(client, "GET", f"{JOBS}/nope")
    assert (status, body) == (400, {"error_code": "0176", "error_msg": "The job does not exist."})
    status, body, _ = await call(client, "POST", JOBS, None, {**SIGNED})
    assert (status, body) == (400, {"error_code": "12000002", "error_msg": "The parameter is invalid."})
    async with client.post(JOBS, data=b"{not json", headers=SIGNED) as response:
        assert (response.status, await response.json()) == (400, {"error_code": "12000002",
                                                                   "error_msg": "The parameter is invalid."})
    status, body, headers = await call(client, "GET", JOBS, headers={})
    assert (status, body) == (401, {"error_code": "APIGW.0301", "request_id": headers["X-Request-Id"],
                                    "error_msg": "Incorrect IAM authentication information: x-auth-token not found"})
    status, body, _ = await call(client, "GET", f"/v2/{PROJECT}/clusters/{CLUSTER}/nothing-here")
    assert (status, body["error_code"], body["error_msg"]) == (
        404, "APIGW.0101", "The API does not exist or has not been published in the environment.")
    assert (await call(client, "GET", JOBS, headers={"X-Auth-Token": "any"}))[0] == 202  # a token passes too


async def test_cluster_infos_shows_the_fixture_cluster(client):
    status, body, _ = await call(client, "GET", f"/v1.1/{PROJECT}/cluster_infos/{CLUSTER}")
    components = ["Hadoop", "Spark2x", "Hive", "Flink", "Tez"]
    assert (status, body) == (200, {"cluster": {
        "clusterId": CLUSTER, "clusterName": "mrs-emulator-cluster", "clusterState": "running",
        "clusterVersion": "MRS 3.1.0",
        "componentList": [{"componentId": f"MRS_3.1.0_{number:03d}", "componentName": name, "componentVersion": "",
                           "componentDesc": ""} for number, name in enumerate(components, 1)],
        "tenantId": PROJECT, "createAt": "1498118758", "updateAt": "1498118758", "masterNodeNum": "2",
        "coreNodeNum": "3", "totalNodeNum": "5", "safeMode": 0, "stageDesc": None}})
    status, body, _ = await call(client, "GET", f"/v1.1/{PROJECT}/cluster_infos/nope")
    assert (status, body) == (400, {"errorCode": "12000003", "errorMsg": "The cluster does not exist."})


def test_a_restart_from_the_state_file_takes_each_step_when_it_was_due():
    settings = Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True)
    before = Emulator(settings)
    values = {"job_type": "MapReduce", "job_name": "j", "arguments": [], "properties": {}, "duration": 3,
              "outcome": "SUCCEEDED"}
    job_id = before.services["mrs"].executions.submit(PROJECT, CLUSTER, values)["job_id"]
    submit = {"job_type": 1, "job_name": "j", "cluster_id": CLUSTER, "jar_path": "/x.jar", "input": "", "output": "",
              "job_log": "", "hive_script_path": "", "arguments": "", "file_action": "", "hql": ""}
    exe_id = before.services["mrs"].edp.submit_job(PROJECT, submit)["id"]  # runs --mrs-job-duration, 10 s
    before.core.clock.advance(1.5)
    snapshot = json.loads(json.dumps(before.core.store.snapshot()))  # as the state file keeps it
    after = Emulator(Settings(**{**vars(settings), "load_fixtures": False}))
    after.core.store.restore(snapshot)
    after.core.clock.set(before.core.clock.now())
    after.services["mrs"].restored()
    for emulator in (before, after):
        emulator.core.clock.advance(2.5)
        job = emulator.services["mrs"].executions.collection.get(PROJECT, job_id)
        assert (job["job_state"], job["finished_time"]) == ("FINISHED", 1767225600000 + 4000)
        emulator.core.clock.advance(6)
        exe = emulator.services["mrs"].edp.collection.get(PROJECT, exe_id)
        assert (exe["status"], exe["end_time"]) == ("SUCCEEDED", "2026-01-01T00:00:10")


async def test_what_clients_can_make_grow_is_bounded(client, monkeypatch):
    from emulator.services.mrs import datasources, edp, executions

    monkeypatch.setattr(executions, "MAX_JOBS_PER_CLUSTER", 2)
    monkeypatch.setattr(edp, "MAX_EXECUTIONS_PER_PROJECT", 1)
    monkeypatch.setattr(datasources, "MAX_PER_PROJECT", 2)
    job = {"job_type": "MapReduce", "job_name": "j"}
    assert [(await call(client, "POST", JOBS, job))[0] for _ in range(2)] == [200, 200]
    status, body, _ = await call(client, "POST", JOBS, job)
    assert (status, body) == (400, {"error_code": "0177", "error_msg": "The number of jobs in each cluster cannot "
                                                                       "exceed 2 in the emulator."})
    sources = f"/v1.1/{PROJECT}/data-sources"
    for name in ("a", "b"):
        assert (await call(client, "POST", sources, {"name": name, "type": "hdfs", "url": f"/{name}"}))[0] == 202
    status, body, _ = await call(client, "POST", sources, {"name": "c", "type": "hdfs", "url": "/c"})
    assert (status, body["error_name"]) == (400, "INVALID_DATA")
    submit = {"job_type": 1, "job_name": "j", "cluster_id": CLUSTER, "jar_path": "/x.jar"}
    assert (await call(client, "POST", f"/v1.1/{PROJECT}/jobs/submit-job", submit))[0] == 200
    status, body, _ = await call(client, "POST", f"/v1.1/{PROJECT}/jobs/submit-job", submit)
    assert (status, body) == (400, {"error_code": "12000060",
                                    "error_msg": "The number of jobs per project cannot exceed 1 in the emulator."})
    source_ids = [item["id"] for item in (await call(client, "GET", sources))[1]["data_sources"]]
    status, body, _ = await call(client, "POST", f"/v1.1/{PROJECT}/jobs/b8ea4daa-0042-45e0-a522-e8b714e74760/execute",
                                 {"cluster_id": CLUSTER, "input_id": source_ids[0], "output_id": source_ids[1]})
    assert (status, body["error_name"], body["error_msg"]) == (
        400, "INVALID_DATA", "A project keeps at most 1 job executions in the emulator; delete some first")


async def test_native_answers_carry_the_gateways_32_hex_request_id_and_sahara_ones_the_layers(client):
    import re
    _, body, submitted = await call(client, "POST", JOBS, {"job_type": "DistCp", "job_name": "copy",
                                                            "arguments": ["obs://a/in", "/user/out"]})
    job_id = body["job_submit_result"]["job_id"]
    _, _, listed = await call(client, "GET", JOBS)
    _, _, killed = await call(client, "POST", f"{JOBS}/{job_id}/kill")
    ids = [headers["X-Request-Id"] for headers in (submitted, listed, killed)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids) and len(set(ids)) == 3
    journal = await (await client.get("/_emulator/requests", params={"service": "mrs"})).json()
    assert ids[0] in json.dumps(journal)  # the journal names the answer by the id its client saw
    async with client.get(f"/v1.1/{PROJECT}/jobs", headers={"X-Auth-Token": "t"}) as response:
        assert response.status == 200 and re.fullmatch(r"\d{12}", response.headers["X-Request-Id"])
