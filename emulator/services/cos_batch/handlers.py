"""The COS batch handlers, one per COS action: check the request, call the job book, render the answer."""
from __future__ import annotations

from collections.abc import Callable
from xml.parsers.expat import ExpatError

from aiohttp import web

from emulator.core.rendered import Rendered
from emulator.services.cos_batch import authn, errors, shapes, validation, xmlio
from emulator.services.cos_batch.registry import JobBook
from emulator.services.cos_batch.wire import Wire


class CosBatchApi:
    """Handlers named after the COS actions, over the job book."""

    def __init__(self, jobs: JobBook, wire: Wire, secret_key: Callable[[str], str | None], strict: bool) -> None:
        self.jobs = jobs
        self.wire = wire
        self.secret_key = secret_key  # SecretId -> SecretKey, for the keys the emulator knows
        self.strict = strict  # strict authentication checked the signature before the handler
        self.described = Rendered()  # DescribeJob bodies, made once per stored version of a job

    def reset(self) -> None:
        self.described.clear()

    def _appid(self, request: web.Request) -> str:
        """Signature first, then the APPID header: the checks every action starts with."""
        if not self.strict:
            authn.verify(request, self.secret_key)
        return validation.appid(request.headers)

    async def create_job(self, request: web.Request) -> web.Response:
        appid = self._appid(request)
        body = await request.read()
        validation.digest_checked(request.headers, body)
        if not body:
            raise errors.invalid_request(errors.EMPTY_BODY)
        try:
            root, tree = xmlio.parse(body)
        except (ExpatError, ValueError) as error:
            raise errors.malformed_xml(reason=str(error)) from None
        job = self.jobs.create(appid, validation.create_job_request(root, tree))
        return self.wire.ok("CreateJobResult", shapes.create_job_result(job))

    async def describe_job(self, request: web.Request) -> web.Response:
        appid = self._appid(request)
        job_id = validation.job_id(request.match_info["job_id"])
        job = self.jobs.get(appid, job_id)
        body = self.described.get((appid, job_id), job,
                                  lambda: xmlio.dumps("DescribeJobResult", shapes.describe_job_result(job)))
        return self.wire.ok_bytes(body)

    async def list_jobs(self, request: web.Request) -> web.Response:
        appid = self._appid(request)
        statuses, size, after = validation.list_query(request.query)
        page, next_token = self.jobs.list(appid, statuses, size, after)
        return self.wire.ok("ListJobsResult", shapes.list_jobs_result(page, next_token))

    async def update_job_priority(self, request: web.Request) -> web.Response:
        appid = self._appid(request)
        job_id = validation.job_id(request.match_info["job_id"])
        priority = validation.priority_query(request.query)
        job = self.jobs.update_priority(appid, job_id, priority)
        return self.wire.ok("UpdateJobPriorityResult", shapes.update_job_priority_result(job))

    async def update_job_status(self, request: web.Request) -> web.Response:
        appid = self._appid(request)
        job_id = validation.job_id(request.match_info["job_id"])
        requested, reason = validation.status_query(request.query)
        job = self.jobs.update_status(appid, job_id, requested, reason)
        return self.wire.ok("UpdateJobStatusResult", shapes.update_job_status_result(job))

    async def delete_job(self, request: web.Request) -> web.Response:
        """DeleteJob: undocumented, but sent by the Go SDK and Terraform; 204 without a body."""
        appid = self._appid(request)
        job_id = validation.job_id(request.match_info["job_id"])
        self.jobs.delete(appid, job_id)
        return self.wire.no_content()
