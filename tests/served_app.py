"""An emulator served from inside the test process (its own event loop in a thread, a free loopback port), for
blocking clients (cos-python-sdk-v5, the `kubernetes` package) that cannot share pytest-aiohttp's loop."""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from emulator.http.app import create_app
from emulator.settings import Settings


class Served:
    """One emulator served on 127.0.0.1: its URL and port, and its frozen clock moved over the admin API."""

    def __init__(self, url: str, port: int) -> None:
        self.url = url
        self.port = port

    def advance(self, seconds: float) -> None:
        """Move the frozen clock on; every step due by then has run when this returns."""
        request = urllib.request.Request(f"{self.url}/_emulator/clock", method="POST",
                                         data=json.dumps({"advance_seconds": seconds}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200


@contextmanager
def serve(**settings: Any) -> Iterator[tuple[str, int]]:
    """An emulator on the bundled fixtures, clock frozen at 2026-01-01 (unless `settings` say otherwise): its URL
    and port; stopped on the way out."""
    defaults = {"clock_start": datetime(2026, 1, 1, tzinfo=timezone.utc), "clock_frozen": True, "id_seed": 1,
                "quiet": True}
    app = create_app(Settings(**{**defaults, **settings}))
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@contextmanager
def served(**settings: Any) -> Iterator[Served]:
    with serve(**settings) as (url, port):
        yield Served(url, port)
