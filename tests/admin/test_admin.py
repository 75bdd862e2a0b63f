"""The admin surface: health, reset to the fixtures, and the clock every timestamp reads."""
from __future__ import annotations

import asyncio
import json

import pytest

from emulator import __version__

JOBS = "/apis/batch/v1/namespaces/default/jobs"
PI_STATUS = "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"
CCE_JOB = "/apis/batch/v1/namespaces/ns-12130306-s/jobs/jobs-12130306"
MERGE = {"Content-Type": "application/merge-patch+json"}


def job(name: str) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": {"spec": {
        "containers": [{"name": "main", "image": "busybox"}], "restartPolicy": "Never"}}}}


async def ok(response, status: int = 200) -> dict:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


async def bad_request(response) -> dict:
    """A 400 the admin API answers: JSON naming the problem, never a traceback."""
    assert response.status == 400, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["message"] and "Traceback" not in body["message"]
    return body


# --- health --------------------------------------------------------------------------------------

async def test_health_reports_version_and_services(client):
    health = await ok(await client.get("/_emulator/health"))
    assert health["status"] == "ok"
    assert health["version"] == __version__
    assert {"kubernetes", "mrs", "cos_batch"} <= set(health["services"])
    assert health["services"]["kubernetes"]["jobs"] == 2


async def test_health_counts_follow_the_store(client):
    await ok(await client.post(JOBS, json=job("counted")), 201)
    health = await ok(await client.get("/_emulator/health"))
    assert health["services"]["kubernetes"]["jobs"] == 3


# --- reset ---------------------------------------------------------------------------------------

async def test_reset_brings_fixtures_back_and_deletes_created_jobs(client):
    original = await ok(await client.get(PI_STATUS))
    await ok(await client.patch(PI_STATUS, data=json.dumps({"status": {"active": 3}}), headers=MERGE))
    await ok(await client.delete(CCE_JOB, params={"propagationPolicy": "Background"}))
    await ok(await client.post(JOBS, json=job("created")), 201)
    await ok(await client.post("/_emulator/clock", json={"advance_seconds": 3600}))

    assert await ok(await client.post("/_emulator/reset")) == {"reset": True, "fixtures": True}

    assert await ok(await client.get(PI_STATUS)) == original
    assert (await ok(await client.get(CCE_JOB)))["status"] == {"startTime": "2017-12-13T03:15:55Z", "active": 1}
    assert (await client.get(f"{JOBS}/created")).status == 404
    assert await ok(await client.get("/_emulator/clock")) == {"now": "2026-01-01T00:00:00Z", "frozen": True}


async def test_reset_makes_ids_and_versions_repeat(client):
    first = await ok(await client.post(JOBS, json=job("again")), 201)
    await ok(await client.post("/_emulator/reset", json={}))
    second = await ok(await client.post(JOBS, json=job("again")), 201)
    assert second["metadata"]["uid"] == first["metadata"]["uid"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


async def test_reset_without_fixtures_empties_everything(client):
    await ok(await client.post(JOBS, json=job("created")), 201)
    assert await ok(await client.post("/_emulator/reset", json={"fixtures": False})) == {
        "reset": True, "fixtures": False}
    jobs = await ok(await client.get("/apis/batch/v1/jobs"))
    assert jobs["items"] == []
    assert (await client.get("/api/v1/namespaces/namespace-test")).status == 404
    assert (await client.get("/api/v1/namespaces/default")).status == 200  # default always exists
    health = await ok(await client.get("/_emulator/health"))
    assert health["services"]["kubernetes"]["jobs"] == 0
    assert health["services"]["mrs"]["jobs"] == 0 and health["services"]["cos_batch"]["jobs"] == 0

    await ok(await client.post("/_emulator/reset", json={"fixtures": True}))
    assert (await ok(await client.get("/_emulator/health")))["services"]["kubernetes"]["jobs"] == 2


async def test_reset_ends_open_watches(client):
    watch = await client.get(JOBS, params={"watch": "true"})
    await ok(await client.post("/_emulator/reset"))
    assert await asyncio.wait_for(watch.read(), 10) == b""  # the stream ends instead of hanging


async def test_reset_can_place_and_freeze_the_clock_before_the_fixtures_load(client):
    body = {"clock": "2030-01-01T00:00:00Z", "frozen": True}
    assert await ok(await client.post("/_emulator/reset", json=body)) == {"reset": True, "fixtures": True}
    assert await ok(await client.get("/_emulator/clock")) == {"now": "2030-01-01T00:00:00Z", "frozen": True}
    cos = (await ok(await client.get("/_emulator/state")))["collections"]["cos_jobs"]
    job = next(job for _, job_id, job in cos if job_id == "006c1698-bbf3-4ccf-aa23-12aeec330857")
    assert job["Status"] == "Active"  # loaded at 2030, so its hour has not passed: no step ran on the way
    await ok(await client.post("/_emulator/reset", json={"frozen": False}))
    live = await ok(await client.get("/_emulator/clock"))
    assert live["frozen"] is False and live["now"].startswith("2026-01-01T00:00:")  # the start time, running
    await ok(await client.post("/_emulator/reset"))  # without them: back to how the process started
    assert await ok(await client.get("/_emulator/clock")) == {"now": "2026-01-01T00:00:00Z", "frozen": True}


@pytest.mark.parametrize("body", [b'{"fixtures": "no"}', b"[true]", b"{not json", b'{"clock": "tomorrow"}',
                                  b'{"clock": 5}', b'{"frozen": "yes"}'])
async def test_reset_with_a_bad_body_is_400_and_changes_nothing(client, body):
    await ok(await client.post(JOBS, json=job("kept")), 201)
    await bad_request(await client.post("/_emulator/reset", data=body, headers={"Content-Type": "application/json"}))
    assert (await client.get(f"{JOBS}/kept")).status == 200


# --- clock ---------------------------------------------------------------------------------------

async def test_clock_reads_the_frozen_start(client):
    assert await ok(await client.get("/_emulator/clock")) == {"now": "2026-01-01T00:00:00Z", "frozen": True}


async def test_clock_set_moves_now_and_new_timestamps(client):
    state = await ok(await client.post("/_emulator/clock", json={"set": "2030-06-01T12:00:00+02:00"}))
    assert state == {"now": "2030-06-01T10:00:00Z", "frozen": True}
    created = await ok(await client.post(JOBS, json=job("later")), 201)
    assert created["metadata"]["creationTimestamp"] == "2030-06-01T10:00:00Z"


async def test_clock_advance_seconds_moves_a_frozen_clock(client):
    assert (await ok(await client.post("/_emulator/clock", json={"advance_seconds": 90})))["now"] == \
        "2026-01-01T00:01:30Z"
    assert (await ok(await client.post("/_emulator/clock", json={"advance_seconds": 0.5})))["now"] == \
        "2026-01-01T00:01:30Z"
    assert (await ok(await client.get("/_emulator/clock")))["now"] == "2026-01-01T00:01:30Z"


async def test_clock_set_then_advance_in_one_request(client):
    state = await ok(await client.post("/_emulator/clock", json={"set": "2027-01-01T00:00:00Z",
                                                                 "advance_seconds": 60}))
    assert state["now"] == "2027-01-01T00:01:00Z"


async def test_clock_can_be_unfrozen_and_frozen_again(client):
    assert (await ok(await client.post("/_emulator/clock", json={"frozen": False})))["frozen"] is False
    state = await ok(await client.post("/_emulator/clock", json={"frozen": True, "set": "2028-01-01T00:00:00Z"}))
    assert state == {"now": "2028-01-01T00:00:00Z", "frozen": True}
    assert await ok(await client.get("/_emulator/clock")) == state


@pytest.mark.parametrize("body", [
    {}, {"tick": 1}, {"advance_seconds": -1}, {"advance_seconds": "5"}, {"advance_seconds": True},
    {"set": "yesterday"}, {"set": 5}, {"frozen": "yes"}, {"set": "2030-01-01T00:00:00Z", "advance_seconds": -5},
    [1], "not json",
])
async def test_clock_with_a_bad_body_is_400_and_leaves_the_clock_alone(client, body):
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    await bad_request(await client.post("/_emulator/clock", data=data, headers={"Content-Type": "application/json"}))
    assert await ok(await client.get("/_emulator/clock")) == {"now": "2026-01-01T00:00:00Z", "frozen": True}


async def test_admin_unknown_path_and_method_are_json_errors(client):
    missing = await client.get("/_emulator/nothing")
    assert missing.status == 404 and missing.content_type == "application/json"
    wrong = await client.delete("/_emulator/clock")
    assert wrong.status == 405 and wrong.content_type == "application/json"
