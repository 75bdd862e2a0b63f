"""Concurrency against a live emulator: no lost update under contention, no watch left behind."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from waiting import wait_until_async

pytestmark = pytest.mark.slow  # 200 writers, 1000 watches

NS, NAME = "ns-12130306-s", "jobs-12130306"
STATUS = f"/apis/batch/v1/namespaces/{NS}/jobs/{NAME}/status"
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


async def increment(session: aiohttp.ClientSession, base: str) -> list[str]:
    """Read, then add one to a counter guarded by `test` and the resourceVersion; retry on conflict."""
    while True:
        async with session.get(base + STATUS) as response:
            job = await response.json()
        count = int((job["metadata"].get("annotations") or {}).get("count", "0"))
        patch = [{"op": "replace", "path": "/metadata/resourceVersion", "value": job["metadata"]["resourceVersion"]}]
        if count:
            patch += [{"op": "test", "path": "/metadata/annotations/count", "value": str(count)},
                      {"op": "replace", "path": "/metadata/annotations/count", "value": str(count + 1)}]
        else:
            patch += [{"op": "add", "path": "/metadata/annotations", "value": {"count": "1"}}]
        async with session.patch(base + STATUS, data=json.dumps(patch), headers=JSON_PATCH) as response:
            if response.status == 200:
                return [(await response.json())["metadata"]["resourceVersion"]]
            assert response.status in (409, 422), await response.text()


async def test_200_concurrent_writers_lose_no_update(live_url):
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        versions = await asyncio.gather(*(increment(session, live_url) for _ in range(200)))
        async with session.get(live_url + STATUS) as response:
            job = await response.json()
    assert job["metadata"]["annotations"]["count"] == "200"
    written = [v for vs in versions for v in vs]
    assert len(set(written)) == 200  # every acknowledged write has its own resourceVersion


async def test_dropped_watches_leave_nothing_behind(live_url):
    async def watches() -> int:
        async with aiohttp.ClientSession() as session, session.get(live_url + "/_emulator/health") as response:
            return (await response.json())["services"]["kubernetes"]["watches"]

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    session = aiohttp.ClientSession(connector=connector)
    responses = await asyncio.gather(*(session.get(f"{live_url}/apis/batch/v1/jobs?watch=true&resourceVersion=1")
                                       for _ in range(1000)))
    assert all(r.status == 200 for r in responses)
    assert await watches() == 1000
    for response in responses:
        response.close()  # abruptly: the connection is torn down, nothing is read
    await session.close()

    async def none_left() -> bool:  # the server notices each closed socket some time after the close
        return await watches() == 0

    await wait_until_async(none_left, "every dropped watch to end (0 open watches)")
