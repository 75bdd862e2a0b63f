"""A project id is read once, the same way by authentication and routing: one outside the id format is a 404."""
from __future__ import annotations

import pytest

from raw_http import exchange, request
from mrs_support import OTHER_PROJECT, PROJECT

BOUND = "bound-token-51c2"
SIDESTEPS = [f"%2F{OTHER_PROJECT}", f"{PROJECT}%2F..%2F{OTHER_PROJECT}", f"..%2F{OTHER_PROJECT}", "%2E%2E",
             f"{PROJECT}%2F{OTHER_PROJECT}", f"{OTHER_PROJECT}%00", "%C3%A9t%C3%A9", "p" * 65]


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "open"])
@pytest.mark.parametrize("project", SIDESTEPS)
@pytest.mark.parametrize(("method", "tail", "body"), [
    ("GET", "/jobs", b""), ("POST", "/jobs", b'{"name": "x", "type": "MapReduce"}'),
    ("GET", "/job-binaries", b""), ("DELETE", "/jobs/b8ea4daa-0042-45e0-a522-e8b714e74760", b""),
])
async def test_a_project_id_outside_the_id_format_is_a_404_before_any_store(aiohttp_client, make_app, strict, project,
                                                                             method, tail, body):
    settings = {"auth": frozenset({"mrs"}), "tokens": (f"{BOUND}@{PROJECT}",)} if strict else {}
    client = await aiohttp_client(make_app(**settings))
    before = await (await client.get("/_emulator/state")).json()
    status, answer = await exchange(client.server.port, request(method, f"/v1.1/{project}{tail}", {
        "X-Auth-Token": BOUND, "Content-Type": "application/json"}, body))
    assert status == 404 and b'"error_name":"NOT_FOUND"' in answer, answer
    assert await (await client.get("/_emulator/state")).json() == before


async def test_a_bound_token_still_reaches_its_own_project(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(auth=frozenset({"mrs"}), tokens=(f"{BOUND}@{PROJECT}",)))
    own = await client.get(f"/v1.1/{PROJECT}/jobs", headers={"X-Auth-Token": BOUND})
    other = await client.get(f"/v1.1/{OTHER_PROJECT}/jobs", headers={"X-Auth-Token": BOUND})
    assert own.status == 200 and other.status == 401
