"""MRS test support: the seed 002 ids, a token-carrying client, and a reader for the error envelope."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.core import jsonio

PROJECT = "5a3314075bfa49b9ae360f4ecd333695"
OTHER_PROJECT = "0f0e0d0c0b0a09080706050403020100"
EMPTY_PROJECT = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"
JOB_ID = "b8ea4daa-0042-45e0-a522-e8b714e74760"
BINARY_ID = "2628d0e4-6109-4a09-a338-c4ee1b0963ed"
TOKEN = "test-token-123"
NOW = "2026-01-01T00:00:00"  # the frozen test clock, as MRS prints it
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ERROR_ID = re.compile(r"\nError ID: " + UUID4.pattern + r"\Z")
_NO_BODY = object()


@dataclass
class Reply:
    status: int
    body: Any
    raw: bytes
    headers: Any

    def error(self) -> tuple[Any, str]:
        """(error_name, message) of an MRS error envelope, after checking the envelope's four keys."""
        assert set(self.body) == {"error_code", "error_name", "error_message", "error_msg"}, self.body
        assert self.body["error_code"] == self.status
        message = self.body["error_msg"]
        suffix = self.body["error_message"][len(message):]
        assert self.body["error_message"].startswith(message)
        assert ERROR_ID.fullmatch(suffix) or suffix == "", suffix
        return self.body["error_name"], message


class Mrs:
    """Calls under /v1.1/{project} with a token, answering parsed Replies."""

    def __init__(self, client: Any, project: str = PROJECT) -> None:
        self.client = client
        self.project = project

    def in_project(self, project: str) -> Mrs:
        return Mrs(self.client, project)

    async def call(self, method: str, path: str, body: Any = _NO_BODY, *, data: bytes | None = None,
                   headers: dict[str, str] | None = None, token: str | None = TOKEN) -> Reply:
        sent = {} if token is None else {"X-Auth-Token": token}
        if body is not _NO_BODY:
            data = jsonio.dumps(body)
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        url = path if path.startswith("/") else f"/v1.1/{self.project}/{path}"
        async with self.client.request(method, url, data=data, headers=sent) as response:
            raw = await response.read()
            parsed = jsonio.loads(raw) if raw else None
            return Reply(response.status, parsed, raw, response.headers)

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, body: Any = _NO_BODY, **kw: Any) -> Reply:
        return await self.call("POST", path, body, **kw)

    async def patch(self, path: str, body: Any = _NO_BODY, **kw: Any) -> Reply:
        return await self.call("PATCH", path, body, **kw)

    async def put(self, path: str, body: Any = _NO_BODY, **kw: Any) -> Reply:
        return await self.call("PUT", path, body, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.call("DELETE", path, **kw)

    async def new_binary(self, name: str = "jb-1", **fields: Any) -> dict[str, Any]:
        reply = await self.post("job-binaries", {"name": name, "url": "/simple/mapreduce/program", **fields})
        assert reply.status == 202, reply.body
        return reply.body["job_binary"]

    async def new_job(self, name: str = "job-1", job_type: str = "MapReduce", **fields: Any) -> dict[str, Any]:
        if job_type in ("MapReduce", "Spark") and "libs" not in fields:
            fields["libs"] = [(await self.new_binary(f"{name}-lib"))["id"]]
        if job_type in ("Hive", "SparkScript", "hql") and "mains" not in fields:
            fields["mains"] = [(await self.new_binary(f"{name}-main"))["id"]]
        reply = await self.post("jobs", {"name": name, "type": job_type, **fields})
        assert reply.status == 202, reply.body
        return reply.body["job"]

    async def advance(self, seconds: int) -> None:
        async with self.client.post("/_emulator/clock", json={"advance_seconds": seconds}) as response:
            assert response.status == 200
