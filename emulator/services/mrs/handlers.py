"""HTTP handlers, one per MRS operation: read the request, call a registry, render the answer."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator import jsonio
from emulator.core.rendered import Rendered
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.incoming import json_body, project_of
from emulator.services.mrs.jobs import JobRegistry
from emulator.services.mrs.wire import render_binary, render_job

JOBS = "/v1.1/{project_id}/jobs"
JOB = "/v1.1/{project_id}/jobs/{job_id}"
BINARIES = "/v1.1/{project_id}/job-binaries"
BINARY = "/v1.1/{project_id}/job-binaries/{job_binary_id}"


def _json(status: int, payload: dict[str, Any]) -> web.Response:
    return _reply(status, jsonio.dumps(payload))


def _reply(status: int, body: bytes) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")


def _listed(key: str, items: list[dict[str, Any]], markers: dict | None) -> web.Response:
    payload: dict[str, Any] = {key: items}
    if markers is not None:
        payload["markers"] = markers
    return _json(200, payload)


class MrsApi:
    """The v1.1 job-object and job-binary operations of one emulator."""

    def __init__(self, jobs: JobRegistry, binaries: BinaryRegistry) -> None:
        self.jobs = jobs
        self.binaries = binaries
        self.rendered = Rendered()  # GET bodies, made once per stored version of a job (and of its binaries)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        routes = [
            ("POST", JOBS, self.create_job), ("GET", JOBS, self.list_jobs), ("GET", JOB, self.get_job),
            ("PATCH", JOB, self.update_job), ("DELETE", JOB, self.delete_job),
            ("POST", BINARIES, self.create_job_binary), ("GET", BINARIES, self.list_job_binaries),
            ("GET", BINARY, self.get_job_binary), ("PUT", BINARY, self.update_job_binary),
            ("DELETE", BINARY, self.delete_job_binary),
        ]
        for method, path, handler in routes:  # named after python-saharaclient's operations
            router.add_route(method, path, handler, name=f"mrs.{handler.__name__}")

    def _render_job(self, job: dict[str, Any]) -> dict[str, Any]:
        return render_job(job, self.binaries.find)

    async def create_job(self, request: web.Request) -> web.Response:
        project = project_of(request)
        job = self.jobs.create(project, await json_body(request))
        return _json(202, {"job": self._render_job(job)})

    async def list_jobs(self, request: web.Request) -> web.Response:
        jobs, markers = self.jobs.list(project_of(request), request.query)
        return _listed("jobs", [self._render_job(job) for job in jobs], markers)

    async def get_job(self, request: web.Request) -> web.Response:
        project, job_id = project_of(request), request.match_info["job_id"]
        job = self.jobs.get(project, job_id)
        return _reply(200, self.rendered.get((project, job_id, self.binaries.updates), job,
                                             lambda: jsonio.dumps({"job": self._render_job(job)})))

    async def update_job(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        job = self.jobs.update(project, request.match_info["job_id"], body)
        return _json(202, {"job": self._render_job(job)})

    async def delete_job(self, request: web.Request) -> web.Response:
        self.jobs.delete(project_of(request), request.match_info["job_id"])
        return web.Response(status=204)

    async def create_job_binary(self, request: web.Request) -> web.Response:
        project = project_of(request)
        binary = self.binaries.create(project, await json_body(request))
        return _json(202, {"job_binary": render_binary(binary)})

    async def list_job_binaries(self, request: web.Request) -> web.Response:
        binaries, markers = self.binaries.list(project_of(request), request.query)
        return _listed("binaries", [render_binary(binary) for binary in binaries], markers)

    async def get_job_binary(self, request: web.Request) -> web.Response:
        binary = self.binaries.get(project_of(request), request.match_info["job_binary_id"])
        return _json(200, {"job_binary": render_binary(binary)})

    async def update_job_binary(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        binary = self.binaries.update(project, request.match_info["job_binary_id"], body)
        return _json(202, {"job_binary": render_binary(binary)})

    async def delete_job_binary(self, request: web.Request) -> web.Response:
        self.binaries.delete(project_of(request), request.match_info["job_binary_id"], self.jobs.uses_binary)
        return web.Response(status=204)
