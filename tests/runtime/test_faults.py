"""Fault rules that cannot be misspelled, network faults, marked answers, and journal bodies (issue #18)."""
from __future__ import annotations

import logging

import aiohttp
import pytest

from emulator.runtime.journal import BODY_BYTES

PI = "/apis/batch/v1/namespaces/namespace-test/jobs/pi"
JOBS = "/apis/batch/v1/namespaces/default/jobs"


async def refused(client, rule: dict) -> str:
    response = await client.post("/_emulator/faults", json=rule)
    assert response.status == 400
    return (await response.json())["message"]


async def test_an_unknown_service_is_refused_with_the_valid_ones(client):
    message = await refused(client, {"service": "kubernets", "status": 503})
    assert message == 'unknown service "kubernets"; valid: cos_batch, kubernetes, mrs'


async def test_an_operation_the_service_lacks_is_refused_with_its_operations(client):
    message = await refused(client, {"service": "cos_batch", "operation": "DescribeJobs", "status": 503})
    assert message.startswith('cos_batch has no operation "DescribeJobs"; valid: ')
    assert "DescribeJob, " in message and "ListJobs, " in message
    message = await refused(client, {"operation": "readJob", "status": 503})
    assert message.startswith('no service has the operation "readJob"') and "readBatchV1NamespacedJob" in message


async def test_operations_are_the_openapi_documents(client):
    document = await (await client.get("/_emulator/openapi.json")).json()
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    for operation_id in operation_ids - {i for i in operation_ids if i.startswith("admin.")}:
        service, _, operation = operation_id.partition(".")
        response = await client.post("/_emulator/faults", json={"service": service, "operation": operation,
                                                                 "status": 503})
        assert response.status == 201, operation_id


@pytest.mark.parametrize("path", ["^/apis/batch/v2/", "^/jobs/x/y/z$", r"^/v1\.1/\w+/clusters",
                                  "/jobs/x/cancel$"])
async def test_a_path_regex_that_matches_no_route_is_refused_with_the_routes(client, path):
    message = await refused(client, {"path": path, "status": 503})
    assert message.startswith(f'"path" {path!r} matches no route; routes: ') and "/jobs/{job_id}/status" in message


@pytest.mark.parametrize("path", [
    r"/jobs/[^/]+/status$", "/namespaces/default/jobs", "^/apis/batch/v1/namespaces/x/jobs/pi$", "/v1.1/.*/jobs",
    "priority", r"^/jobs/[0-9a-f-]{36}$", r"/jobs?$", r"/v1\.1/\w+/job-binaries", "(status|priority)$"])
async def test_a_path_regex_that_can_match_a_route_is_taken(client, path):
    assert (await client.post("/_emulator/faults", json={"path": path, "status": 503})).status == 201


async def test_an_unknown_field_is_named_with_the_valid_fields(client):
    message = await refused(client, {"service": "kubernetes", "status": 503, "probabilty": 0.5})
    assert message.startswith("unknown fault field(s): probabilty; valid: service, operation,")
    assert "probability" in message


@pytest.mark.parametrize("rule", [
    {"service": "kubernetes", "reset": "yes"},
    {"service": "kubernetes", "truncate_bytes": -1},
    {"service": "kubernetes", "status": 503, "probability": 1.5},
    {"service": "kubernetes", "status": 503, "reset": True},
    {"service": "kubernetes", "method": "FETCH", "status": 503},
])
async def test_bad_network_fault_fields_are_refused(client, rule):
    await refused(client, rule)


async def test_the_rules_kept_at_once_are_bounded(client):
    from emulator.runtime.faults import MAX_RULES

    for number in range(MAX_RULES):
        assert (await client.post("/_emulator/faults", json={"service": "kubernetes", "status": 503,
                                                             "after": number})).status == 201
    message = await refused(client, {"service": "kubernetes", "status": 503})
    assert message.startswith(f"{MAX_RULES} fault rules are set already")
    assert (await client.delete("/_emulator/faults")).status == 200
    assert (await client.post("/_emulator/faults", json={"service": "kubernetes", "status": 503})).status == 201


async def test_an_injected_answer_is_marked_in_the_journal_and_the_access_log(aiohttp_client, caplog):
    from emulator.http.access_log import AccessLog
    from emulator.http.app import create_app
    from emulator.settings import Settings
    from tests.conftest import TEST_TIME

    logger = logging.getLogger("emulator.access")
    client = await aiohttp_client(create_app(Settings(clock_start=TEST_TIME, clock_frozen=True), AccessLog(logger)))
    rule = await (await client.post("/_emulator/faults", json={"service": "kubernetes", "status": 503,
                                                                "times": 1})).json()
    with caplog.at_level(logging.INFO, logger="emulator.access"):
        assert (await client.get(PI)).status == 503
        assert (await client.get(PI)).status == 200
    journal = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert [(e["status"], e["fault"]) for e in journal] == [(503, rule["id"]), (200, None)]
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.access" and PI in r.getMessage()]
    assert lines[0].endswith(f"kubernetes.readBatchV1NamespacedJob fault={rule['id']}")
    assert lines[1].endswith("kubernetes.readBatchV1NamespacedJob")


async def test_reset_closes_the_connection_without_an_answer(client):
    rule = await (await client.post("/_emulator/faults", json={"service": "kubernetes", "reset": True,
                                                                "times": 1})).json()
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.get(PI)
    assert (await client.get(PI)).status == 200  # only once
    journal = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert [(e["status"], e["fault"]) for e in journal] == [(0, rule["id"]), (200, None)]


async def test_truncate_bytes_cuts_the_answer_after_that_many_bytes(client):
    whole = await (await client.get(PI)).read()
    await client.post("/_emulator/faults", json={"service": "kubernetes", "operation": "readBatchV1NamespacedJob",
                                                 "truncate_bytes": 10})
    response = await client.get(PI)
    assert response.status == 200 and response.content_length == len(whole)
    with pytest.raises(aiohttp.ClientPayloadError):
        await response.read()
    journal = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert journal[-1]["fault"] == 1


async def test_truncated_bytes_are_the_start_of_the_answer(client):
    whole = await (await client.get(PI)).read()
    await client.post("/_emulator/faults", json={"path": "/jobs/pi$", "truncate_bytes": 25})
    response = await client.get(PI)
    received = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        async for chunk in response.content.iter_any():
            received += chunk
    assert received == whole[:25]


async def statuses(client, rule: dict, calls: int = 40) -> list[int]:
    await client.post("/_emulator/faults", json=rule)
    return [(await client.get(PI)).status for _ in range(calls)]


async def test_probability_fires_on_some_calls_and_the_seed_repeats_the_run(aiohttp_client, make_app):
    rule = {"service": "kubernetes", "status": 503, "probability": 0.5, "seed": 7}
    first = await statuses(await aiohttp_client(make_app()), rule)
    again = await statuses(await aiohttp_client(make_app()), rule)
    other = await statuses(await aiohttp_client(make_app()), {**rule, "seed": 8})
    assert first == again and first != other
    assert 5 < first.count(503) < 35 and set(first) == {200, 503}


async def test_probability_zero_and_one(client):
    assert set(await statuses(client, {"service": "kubernetes", "status": 503, "probability": 0}, 10)) == {200}
    await client.delete("/_emulator/faults")
    assert set(await statuses(client, {"service": "kubernetes", "status": 503, "probability": 1}, 10)) == {503}


async def test_journal_bodies_are_off_by_default(client):
    await client.get(PI)
    entry = (await (await client.get("/_emulator/requests")).json())["requests"][0]
    assert "request_body" not in entry and "response_body" not in entry


async def test_journal_bodies_keep_request_and_answer_cut_to_the_bound(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(journal_bodies=True))
    job = {"metadata": {"name": "kept"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    assert (await client.post(JOBS, json=job)).status == 201
    big = {"metadata": {"name": "big", "annotations": {"a": "x" * (2 * BODY_BYTES)}}, "spec": job["spec"]}
    await client.post(JOBS, json=big)
    first, second = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert '"name": "kept"' in first["request_body"] or '"name":"kept"' in first["request_body"]
    assert '"uid"' in first["response_body"] and first["truncated"] is False
    assert len(second["request_body"]) == BODY_BYTES and second["truncated"] is True


async def test_journal_bodies_survive_a_body_over_the_limit(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(journal_bodies=True, max_body_bytes=1000))
    assert (await client.post(JOBS, data=b"x" * 5000, headers={"Content-Type": "application/json"})).status == 413
    entry = (await (await client.get("/_emulator/requests")).json())["requests"][0]
    assert entry["status"] == 413 and '"code":413' in entry["response_body"].replace(" ", "")
