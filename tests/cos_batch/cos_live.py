"""A served emulator of a test's own (in a thread, on a free loopback port) and cos-python-sdk-v5 clients for it."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import requests
from aiohttp import web
from cos_support import APPID, SECRET_ID, SECRET_KEY
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth

from emulator.http.app import create_app
from emulator.settings import Settings

REGION = "ap-guangzhou"


class Served:
    """One emulator served on 127.0.0.1; `client()` is a CosS3Client pointed at it the SDK's own way."""

    def __init__(self, url: str, port: int) -> None:
        self.url = url
        self.port = port

    def client(self, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY) -> CosS3Client:
        return CosS3Client(CosConfig(Region=REGION, SecretId=secret_id, SecretKey=secret_key, Scheme="http",
                                     IP="127.0.0.1", Port=self.port))

    def advance(self, seconds: float) -> None:
        response = requests.post(f"{self.url}/_emulator/clock", json={"advance_seconds": seconds}, timeout=30)
        assert response.status_code == 200, response.text

    def batch(self, method: str, path: str, body: bytes | None = None, params: dict | None = None,
              appid: str = APPID) -> requests.Response:
        """A batch API call, signed by CosS3Auth as the SDK signs them, with the control host COS uses."""
        host = f"{appid}.cos-control.{REGION}.myqcloud.com"
        return requests.request(method, f"{self.url}{path}", data=body, params=params, timeout=30,
                                headers={"Host": host, "x-cos-appid": appid},
                                auth=CosS3Auth(CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY), key=path.lstrip("/"), params=params or {}))


@contextmanager
def served(**settings: Any) -> Iterator[Served]:
    """An emulator on the bundled fixtures, clock frozen at 2026-01-01 (unless `settings` say otherwise); stopped on the way out."""
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
        yield Served(f"http://127.0.0.1:{port}", port)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
