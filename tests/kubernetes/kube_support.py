"""What the in-process Kubernetes tests share: creating a Job in `default`, moving the clock, reading a watch."""
from __future__ import annotations

import asyncio
import json

JOBS = "/apis/batch/v1/namespaces/default/jobs"
PODS = "/api/v1/namespaces/default/pods"


async def create(client, body: dict) -> dict:
    """POST a Job into `default`; its answer, which must be 201."""
    response = await client.post(JOBS, json=body)
    assert response.status == 201, await response.text()
    return await response.json()


async def advance(client, seconds: float) -> None:
    """Move the emulator's clock on; every step due by then has run when this returns."""
    response = await client.post("/_emulator/clock", json={"advance_seconds": seconds})
    assert response.status == 200, await response.text()


async def running_pod(client, job: dict) -> dict:
    """The one pod of a Job created from `job`, 1.5 s after: Running and Ready."""
    await create(client, job)
    await advance(client, 1.5)
    response = await client.get(PODS, params={"labelSelector": f"job-name={job['metadata']['name']}"})
    [pod] = (await response.json())["items"]
    assert pod["status"]["phase"] == "Running"
    return pod


async def read_events(response, count: int) -> list[dict]:
    """The next `count` newline-delimited watch events of an open stream (each within 10 s)."""
    events = []
    for _ in range(count):
        line = await asyncio.wait_for(response.content.readline(), 10)
        assert line.endswith(b"\n"), line
        events.append(json.loads(line))
    return events
