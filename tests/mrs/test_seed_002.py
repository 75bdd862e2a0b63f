"""Seed 002 replayed: its example PATCH on the bundled job answers its example response, updated_at aside."""
from __future__ import annotations

import seed_examples
from mrs_support import JOB_ID, NOW

# The example request and response of seed 002, as its page prints them (kept in tests/data).
SEED_REQUEST, SEED_RESPONSE = seed_examples.seed(2)


def without_updated_at(body: dict) -> dict:
    return {"job": {key: value for key, value in body["job"].items() if key != "updated_at"}}


async def test_seed_002_request_answers_seed_002_response(mrs):
    reply = await mrs.patch(f"jobs/{JOB_ID}", SEED_REQUEST)
    assert reply.status == 202
    assert without_updated_at(reply.body) == without_updated_at(SEED_RESPONSE)
    assert list(reply.body["job"]) == list(SEED_RESPONSE["job"])
    assert list(reply.body["job"]["libs"][0]) == list(SEED_RESPONSE["job"]["libs"][0])
    assert reply.body["job"]["updated_at"] == NOW


async def test_seed_002_job_is_then_read_back_as_updated(mrs):
    await mrs.patch(f"jobs/{JOB_ID}", SEED_REQUEST)
    reply = await mrs.get(f"jobs/{JOB_ID}")
    assert without_updated_at(reply.body) == without_updated_at(SEED_RESPONSE)


async def test_seed_002_request_is_repeatable(mrs):
    first = await mrs.patch(f"jobs/{JOB_ID}", SEED_REQUEST)
    second = await mrs.patch(f"jobs/{JOB_ID}", SEED_REQUEST)
    assert first.body == second.body
