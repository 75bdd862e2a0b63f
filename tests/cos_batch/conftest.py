"""COS-only fixtures: a client as the bundled APPID, and an emulator holding a job in every status."""
from __future__ import annotations

import json

import pytest
from cos_support import ALL_STATUSES, APPID, Cos, request_tree, status_job_id

FROZEN_FOR = 10**6  # fixture jobs that must not move on their own during a test


def every_status_document() -> dict:
    """One fixture job per status, each with its own ClientRequestToken, none moving on its own."""
    jobs = []
    for number, status in enumerate(ALL_STATUSES):
        request = request_tree(ClientRequestToken=f"token-{number}",
                               ConfirmationRequired="true" if status == "Suspended" else "false")
        jobs.append({"JobId": status_job_id(status), "Status": status, "CreateJobRequest": request,
                     "next_step_seconds": FROZEN_FOR})
    return {"service": "cos_batch", "appid": APPID, "jobs": jobs}


@pytest.fixture
def cos(client) -> Cos:
    """The bundled APPID on a fresh in-process emulator (bundled fixtures, clock frozen at TEST_TIME)."""
    return Cos(client)


@pytest.fixture
async def every_status(aiohttp_client, make_app, tmp_path) -> Cos:
    """An emulator whose only fixture is a job in each of the 13 statuses (ids: job-<status>)."""
    (tmp_path / "every_status.json").write_text(json.dumps(every_status_document()))
    return Cos(await aiohttp_client(make_app(fixtures=tmp_path)))
