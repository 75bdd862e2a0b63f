"""MRS records in a hand-edited state file: every kind (jobs, binaries, clusters, data sources and their credentials,
Sahara and submit-job executions, v2 executions) is checked at start as its create path checks it, and a bad one
stops start-up with one line naming it; a good one restarts and is served."""
from __future__ import annotations

import asyncio
import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from mrs_support import BINARY_ID, JOB_ID, PROJECT

from emulator.http.app import create_app
from emulator.runtime import state_file
from emulator.runtime.emulator import Emulator
from emulator.services.mrs import stored
from emulator.settings import Settings

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
START = datetime(2030, 1, 1, tzinfo=timezone.utc)
TOKEN = {"X-Auth-Token": "t"}
KINDS = ("mrs_jobs", "mrs_job_binaries", "mrs_clusters", "mrs_data_sources", "mrs_data_sources_secrets",
         "mrs_edp_executions", "mrs_job_executions")


def settings(path: Path) -> Settings:
    return Settings(clock_start=START, clock_frozen=True, state_file=path)


async def _populate(client: TestClient) -> None:
    async def post(path: str, body: dict) -> dict:
        answer = await client.post(f"/v1.1/{PROJECT}{path}", json=body, headers=TOKEN)
        assert answer.status in (200, 202), await answer.text()
        return await answer.json()

    source_in = (await post("/data-sources", {"name": "in", "type": "hdfs", "url": "/in",
                                              "credentials": {"user": "u", "password": "p"}}))["data_source"]["id"]
    source_out = (await post("/data-sources", {"name": "out", "type": "obs", "url": "obs://b/o"}))["data_source"]["id"]
    await post(f"/jobs/{JOB_ID}/execute", {"cluster_id": CLUSTER, "input_id": source_in, "output_id": source_out})
    await post("/jobs/submit-job", {"job_type": 1, "job_name": "native", "cluster_id": CLUSTER, "jar_path": "/a.jar"})
    distcp = (await post("/jobs", {"name": "retyped", "type": "DistCp"}))["job"]["id"]
    answer = await client.patch(f"/v1.1/{PROJECT}/jobs/{distcp}", json={"type": "MapReduce"}, headers=TOKEN)
    assert answer.status == 202  # a MapReduce job without libs now, which PATCH allows (and so must a restart)
    answer = await client.post(f"/v2/{PROJECT}/clusters/{CLUSTER}/job-executions", headers=TOKEN, json={
        "job_type": "MapReduce", "job_name": "v2", "arguments": ["a"], "properties": {"k": "v"}})
    assert answer.status == 200, await answer.text()
    assert (await client.post("/_emulator/clock", json={"advance_seconds": 0.5})).status == 200
    assert (await client.post("/_emulator/snapshot")).status == 200


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict:
    """A state file holding a record of every MRS kind, some of them under way, as the emulator saved it."""
    path = tmp_path_factory.mktemp("mrs") / "state.json"

    async def run() -> None:
        async with TestClient(TestServer(create_app(settings(path)))) as client:
            await _populate(client)

    asyncio.run(run())
    document = state_file.read(path)
    assert all(document["store"]["collections"][kind] for kind in KINDS)
    return document


def restart(tmp_path: Path, document: dict) -> Emulator:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    return Emulator(settings(path))


def refusal(tmp_path: Path, document: dict) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    before = path.read_bytes()
    with pytest.raises(state_file.StateFileError) as refused:
        Emulator(settings(path))
    assert path.read_bytes() == before  # left as it is
    line = str(refused.value)
    assert "\n" not in line and line.startswith(f"state file {path}"), line
    return line


def first(document: dict, kind: str, pick=lambda record: True) -> tuple[str, str, dict]:
    return next(row for row in document["store"]["collections"][kind] if pick(row[2]))


async def test_a_saved_record_of_every_kind_restarts_and_is_served(saved, tmp_path, aiohttp_client):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(saved))
    client = await aiohttp_client(create_app(settings(path)))
    for route, key in ((f"/v1.1/{PROJECT}/jobs/{JOB_ID}", "job"),
                       (f"/v1.1/{PROJECT}/job-binaries/{BINARY_ID}", "job_binary"),
                       (f"/v1.1/{PROJECT}/data-sources", "data_sources"),
                       (f"/v1.1/{PROJECT}/job-executions", "job_executions"),
                       (f"/v1.1/{PROJECT}/job-exes", "job_executions"),
                       (f"/v2/{PROJECT}/clusters/{CLUSTER}/job-executions", "job_list")):
        answer = await client.get(route, headers=TOKEN)
        assert answer.status in (200, 202) and (await answer.json())[key], route  # v2 lists answer 202
    assert (await client.post("/_emulator/clock", json={"advance_seconds": 60})).status == 200  # they all finish
    listed = await (await client.get(f"/v1.1/{PROJECT}/job-executions", headers=TOKEN)).json()
    assert {record["info"]["status"] if record["info"] else "native" for record in listed["job_executions"]} == {
        "SUCCEEDED", "native"}
    v2 = await (await client.get(f"/v2/{PROJECT}/clusters/{CLUSTER}/job-executions", headers=TOKEN)).json()
    assert [job["job_state"] for job in v2["job_list"]] == ["FINISHED"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_every_kind_missing_or_of_another_type_is_refused_naming_the_record(saved, tmp_path, kind):
    scope, name, record = first(saved, kind)
    for field in record:
        for change in ("missing", "wrong type"):
            document = copy.deepcopy(saved)
            tampered = first(document, kind, lambda other: other == record)[2]
            if change == "missing":
                del tampered[field]
            else:
                tampered[field] = [[]]  # no field of any MRS record holds a list of lists
            line = refusal(tmp_path, document)
            assert f"{kind} '{scope}/{name}'" in line, (field, change, line)


@pytest.mark.parametrize(("kind", "pick", "change", "words"), [
    ("mrs_jobs", None, {"name": "has space"}, "is not a 'valid_name'"),
    ("mrs_jobs", None, {"type": "Pig"}, "'Pig' is not one of"),
    ("mrs_jobs", None, {"interface": [1]}, "1 is not of type 'object'"),
    ("mrs_jobs", None, {"id": "8b6e6a5e-1f0b-4c55-9d7a-0d7e4e4a2b11"}, '"id" and "tenant_id" must name where'),
    ("mrs_jobs", None, {"created_at": "yesterday"}, "is not a 'sahara_time'"),
    ("mrs_job_binaries", None, {"url": "http://x"}, "is not a 'valid_job_location'"),
    ("mrs_clusters", None, {"clusterState": "sleeping"}, "'sleeping' is not one of"),
    ("mrs_clusters", None, {"applications": -1}, "less than the minimum of 0"),
    ("mrs_clusters", None, {"tenantId": "elsewhere"}, '"clusterId" and "tenantId" must name where'),
    ("mrs_data_sources", None, {"url": "s3a://bucket/x"}, "URL scheme must be 'hdfs'"),
    ("mrs_data_sources_secrets", None, {"credentials": "p"}, "'p' is not of type 'object'"),
    ("mrs_edp_executions", lambda r: "native" not in r, {"status": "DONE"}, "'DONE' is not one of"),
    ("mrs_edp_executions", lambda r: "native" not in r, {"next_at": None}, '"next_at" must be null exactly when'),
    ("mrs_edp_executions", lambda r: "native" not in r, {"info": {"status": "KILLED"}}, '"info.status" must be'),
    ("mrs_edp_executions", lambda r: "native" in r, {"native": {"job_type": 4}}, '"native" is no submit-job body'),
    ("mrs_edp_executions", None, {"duration_ms": 1.5}, "1.5 is not of type 'integer'"),
    ("mrs_job_executions", None, {"job_state": "DONE"}, "'DONE' is not one of"),
    ("mrs_job_executions", None, {"next_at": None}, '"next_at" must be null exactly when the job has finished'),
    ("mrs_job_executions", None, {"argument_list": [1]}, "1 is not of type 'string'"),
    ("mrs_job_executions", None, {"submitted_time": True}, "True is not of type 'integer'"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_record_its_create_path_would_refuse_stops_start_up_with_one_line(saved, tmp_path, kind, pick, change,
                                                                             words):
    document = copy.deepcopy(saved)
    scope, name, record = first(document, kind, pick or (lambda record: True))
    record.update(change)
    line = refusal(tmp_path, document)
    assert f"{kind} '{scope}/{name}' " in line and words in line, line


@pytest.mark.parametrize(("kind", "change", "words"), [
    ("mrs_jobs", lambda rows: rows.update(mrs_job_binaries=[]), f"names job binary '{BINARY_ID}'"),
    ("mrs_edp_executions", lambda rows: rows.update(mrs_clusters=[]), f"names cluster '{CLUSTER}'"),
    ("mrs_job_executions", lambda rows: rows.update(mrs_clusters=[], mrs_edp_executions=[]),
     f"names cluster '{CLUSTER}'"),
    ("mrs_edp_executions", lambda rows: rows.update(mrs_jobs=[]), f"names job '{JOB_ID}'"),
    ("mrs_data_sources_secrets", lambda rows: rows.update(mrs_data_sources=[]), "belongs to no data source"),
])
def test_a_record_naming_one_the_state_file_does_not_hold_is_refused(saved, tmp_path, kind, change, words):
    document = copy.deepcopy(saved)
    change(document["store"]["collections"])
    line = refusal(tmp_path, document)
    assert f"{kind} '{PROJECT}/" in line and words in line, line


def test_a_record_under_no_project_id_is_refused(saved, tmp_path):
    document = copy.deepcopy(saved)
    row = first(document, "mrs_jobs")
    row[0] = row[2]["tenant_id"] = "../other"
    assert "mrs_jobs '../other/" in refusal(tmp_path, document)


def test_every_kind_the_service_stores_has_a_record_check():
    store = Emulator(Settings()).core.store
    assert {kind for kind in store.kinds() if kind.startswith("mrs_")} == set(stored.SCHEMAS) == set(KINDS)
