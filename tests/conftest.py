"""Shared fixtures: an in-process app per test, and one live emulator process per session."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

from emulator.http.app import create_app
from emulator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
TEST_TIME_TEXT = "2026-01-01T00:00:00Z"


@pytest.fixture
def make_app() -> Callable[..., object]:
    """A factory of fresh apps on the bundled fixtures and a frozen clock at TEST_TIME."""

    def factory(**overrides):
        settings = {"clock_start": TEST_TIME, "clock_frozen": True, "id_seed": 1, **overrides}
        return create_app(Settings(**settings))

    return factory


@pytest.fixture
async def client(aiohttp_client, make_app):
    """An aiohttp test client on a fresh in-process emulator."""
    return await aiohttp_client(make_app())


def post_json(url: str, body: bytes = b"{}") -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """One real emulator process (python -m emulator) on a free loopback port, for real clients."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}  # the developer's
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--frozen-clock", TEST_TIME_TEXT, "--log-level", "warning"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"emulator did not start: {line!r}")
    url = line[line.index("http://"):].split()[0]
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def live_url(live_server: str) -> str:
    """The live emulator's base URL, reset to its fixtures and start time before the test."""
    post_json(f"{live_server}/_emulator/reset")
    return live_server
