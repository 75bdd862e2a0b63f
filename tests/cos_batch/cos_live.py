"""A served emulator of a test's own (in a thread, on a free loopback port) and cos-python-sdk-v5 clients for it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import served_app
from cos_support import APPID, SECRET_ID, SECRET_KEY
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth

REGION = "ap-guangzhou"


class Served(served_app.Served):
    """One emulator served on 127.0.0.1; `client()` is a CosS3Client pointed at it the SDK's own way."""

    def client(self, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY) -> CosS3Client:
        return CosS3Client(CosConfig(Region=REGION, SecretId=secret_id, SecretKey=secret_key, Scheme="http",
                                     IP="127.0.0.1", Port=self.port))

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
    with served_app.serve(**settings) as (url, port):
        yield Served(url, port)
