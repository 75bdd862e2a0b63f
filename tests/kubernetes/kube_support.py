"""What the in-process Kubernetes controller tests share: creating a Job in `default` and moving the clock."""
from __future__ import annotations

JOBS = "/apis/batch/v1/namespaces/default/jobs"


async def create(client, body: dict) -> dict:
    """POST a Job into `default`; its answer, which must be 201."""
    response = await client.post(JOBS, json=body)
    assert response.status == 201, await response.text()
    return await response.json()


async def advance(client, seconds: float) -> None:
    """Move the emulator's clock on; every step due by then has run when this returns."""
    response = await client.post("/_emulator/clock", json={"advance_seconds": seconds})
    assert response.status == 200, await response.text()
