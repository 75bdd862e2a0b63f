"""A watch ends at its timeoutSeconds even while events flow, and a watch from a resourceVersion the store has
not reached waits for it (3 s at most, as the watch cache does) or answers 504 "Too large resource version"."""
from __future__ import annotations

import asyncio
import time

NS, NAME = "ns-12130306-s", "jobs-12130306"
JOB = f"/apis/batch/v1/namespaces/{NS}/jobs/{NAME}"
WATCH = f"/apis/batch/v1/namespaces/{NS}/jobs?watch=true"
PATCH = {"Content-Type": "application/merge-patch+json"}


async def keep_writing(client, stop: asyncio.Event) -> int:
    """Status patches back to back (bounded: 10 s at most), so the watch always has an event waiting."""
    written, until = 0, time.monotonic() + 10
    while not stop.is_set() and time.monotonic() < until:
        await client.patch(JOB + "/status", json={"status": {"active": written % 7}}, headers=PATCH)
        written += 1
    return written


async def watch_until_it_ends(client) -> tuple[float, int]:
    """One watch with timeoutSeconds=1, read to its end: how long it lasted and how many events it streamed."""
    started, events = time.monotonic(), 0
    response = await client.get(WATCH + "&timeoutSeconds=1")
    assert response.status == 200
    async for _ in response.content:
        events += 1
    return time.monotonic() - started, events


async def test_watches_end_at_their_timeout_while_events_keep_flowing(client):
    """On Python 3.11 `asyncio.wait_for` lost the timeout's cancellation when an event came at that moment: with
    events every millisecond or so, some of these watches streamed on past 8 s (soak: 29 of 132 past 30 s)."""
    stop = asyncio.Event()
    writer = asyncio.create_task(keep_writing(client, stop))
    try:
        async with asyncio.timeout(8):  # the test's own bound; each watch must end long before
            ended = await asyncio.gather(*(watch_until_it_ends(client) for _ in range(30)))
    finally:
        stop.set()
        written = await writer
    assert written > 10 and all(events > 1 for _, events in ended)
    assert max(took for took, _ in ended) < 1 + 1, sorted(took for took, _ in ended)  # its timeout + 1 s at most


async def current_revision(client) -> int:
    return int((await (await client.get("/apis/batch/v1/jobs")).json())["metadata"]["resourceVersion"])


async def test_a_watch_from_a_revision_not_reached_gets_504_too_large_resource_version(client):
    current = await current_revision(client)
    started = time.monotonic()
    response = await client.get(f"{WATCH}&resourceVersion={current + 1000}&timeoutSeconds=1")
    took = time.monotonic() - started
    assert response.status == 504 and response.headers["Retry-After"] == "1"
    assert await response.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"Timeout: Too large resource version: {current + 1000}, current: {current}",
        "reason": "Timeout", "details": {"causes": [{"reason": "ResourceVersionTooLarge",
                                                     "message": "Too large resource version"}],
                                         "retryAfterSeconds": 1}, "code": 504}
    assert 1 <= took < 2, took  # waited for it as long as the watch's timeout allows (3 s at most)


async def test_a_watch_from_a_revision_reached_while_it_waits_streams_what_follows(client):
    current = await current_revision(client)
    response_task = asyncio.create_task(client.get(f"{WATCH}&resourceVersion={current + 1}&timeoutSeconds=5"))
    await asyncio.sleep(0.2)  # the watch is waiting for revision current + 1
    assert not response_task.done()
    await client.patch(JOB + "/status", json={"status": {"active": 41}}, headers=PATCH)  # current + 1: not sent
    await client.patch(JOB + "/status", json={"status": {"active": 42}}, headers=PATCH)  # current + 2: sent
    async with asyncio.timeout(5):
        response = await response_task
        assert response.status == 200
        first = await response.content.readline()
    assert b'"type":"MODIFIED"' in first and b'"active":42' in first and f'"{current + 2}"'.encode() in first
    response.close()
