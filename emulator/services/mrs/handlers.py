"""HTTP handlers, one per MRS operation: read the request, call a registry, render the answer."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from emulator.core import jsonio
from emulator.core.rendered import Rendered
from emulator.services.mrs.binaries import BinaryRegistry
from emulator.services.mrs.jobs import JobRegistry
from emulator.services.mrs.shapes import render_binary, render_job
from emulator.services.mrs.wire import answer, answer_bytes, json_body, listed, project_of


class MrsApi:
    """The v1.1 job-object and job-binary operations of one emulator."""

    def __init__(self, jobs: JobRegistry, binaries: BinaryRegistry, job_used: Callable[[str, str], bool],
                 binary_pending: Callable[[str, str], bool]) -> None:
        self.jobs = jobs
        self.binaries = binaries
        self.job_used = job_used  # whether a job has executions, which keep it from being deleted
        self.binary_pending = binary_pending  # whether a PENDING execution's job uses a binary: no PUT then
        self.rendered = Rendered()  # GET bodies, made once per stored version of a job (and of its binaries)

    def _render_job(self, job: dict[str, Any]) -> dict[str, Any]:
        return render_job(job, self.binaries.find)

    async def create_job(self, request: web.Request) -> web.Response:
        project = project_of(request)
        job = self.jobs.create(project, await json_body(request))
        return answer(202, {"job": self._render_job(job)})

    async def list_jobs(self, request: web.Request) -> web.Response:
        jobs, markers = self.jobs.list(project_of(request), request.query)
        return listed("jobs", [self._render_job(job) for job in jobs], markers)

    async def get_job(self, request: web.Request) -> web.Response:
        project, job_id = project_of(request), request.match_info["job_id"]
        job = self.jobs.get(project, job_id)
        return answer_bytes(200, self.rendered.get((project, job_id, self.binaries.updates), job,
                                             lambda: jsonio.dumps({"job": self._render_job(job)})))

    async def update_job(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        job = self.jobs.update(project, request.match_info["job_id"], body)
        return answer(202, {"job": self._render_job(job)})

    async def delete_job(self, request: web.Request) -> web.Response:
        self.jobs.delete(project_of(request), request.match_info["job_id"], self.job_used)
        return web.Response(status=204)

    async def create_job_binary(self, request: web.Request) -> web.Response:
        project = project_of(request)
        binary = self.binaries.create(project, await json_body(request))
        return answer(202, {"job_binary": render_binary(binary)})

    async def list_job_binaries(self, request: web.Request) -> web.Response:
        binaries, markers = self.binaries.list(project_of(request), request.query)
        return listed("binaries", [render_binary(binary) for binary in binaries], markers)

    async def get_job_binary(self, request: web.Request) -> web.Response:
        binary = self.binaries.get(project_of(request), request.match_info["job_binary_id"])
        return answer(200, {"job_binary": render_binary(binary)})

    async def update_job_binary(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        binary = self.binaries.update(project, request.match_info["job_binary_id"], body, self.binary_pending)
        return answer(202, {"job_binary": render_binary(binary)})

    async def delete_job_binary(self, request: web.Request) -> web.Response:
        self.binaries.delete(project_of(request), request.match_info["job_binary_id"], self.jobs.uses_binary)
        return web.Response(status=204)
