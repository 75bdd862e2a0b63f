"""Tencent COS Batch Operations jobs (`<uin>.cos-control.<region>.myqcloud.com/jobs...`), XML in and out.

Emulated: CreateJob, DescribeJob, ListJobs (jobStatuses, maxResults, nextToken), UpdateJobPriority,
UpdateJobStatus (seed 004) and the Go SDK's undocumented DeleteJob; jobs scoped by `x-cos-appid`;
the 13-status state machine, stepping on the emulator clock (New -> Preparing -> Suspended or
Ready -> Active -> Completing -> Complete, Cancelling -> Cancelled) with ProgressSummary,
SuspendedDate, TerminationDate and StatusUpdateReason following the job; COS's XML layout and
`<Error>` documents and headers; Content-MD5; the q-sign-algorithm=sha1 signature for keys given
in fixtures; routing on the path alone, so any Host works.

Not emulated: running the operation (no object is copied or restored, no manifest is read: every
job holds DEFAULT_TASKS_PER_JOB tasks, all of which succeed), report files, failures and
pre-emption by priority (Failing, Pausing and Paused come only from fixtures), the 90-day
retention of finished jobs, CAM permissions, the signature's validity window, presigned
(query-string) signatures, TooManyJobs and ServiceUnavailable.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.errors import ApiError
from emulator.services import Core
from emulator.services.cos_batch import fixture, lifecycle
from emulator.services.cos_batch.jobs import JobBook
from emulator.services.cos_batch.routes import CosBatchApi
from emulator.services.cos_batch.wire import Wire


class CosBatchService:
    """COS batch jobs on the shared core; `step_seconds` is the time each automatic step takes.

    Without arguments, both come from the settings (`cos_step_seconds`, `cos_require_signature`).
    `require_signature` makes unsigned requests and unknown SecretIds a 403, as COS answers them.
    """

    name = "cos_batch"
    prefixes = ("/jobs",)

    def __init__(self, core: Core, step_seconds: float | None = None, require_signature: bool | None = None) -> None:
        settings = core.settings
        step_seconds = settings.cos_step_seconds if step_seconds is None else step_seconds
        require_signature = settings.cos_require_signature if require_signature is None else require_signature
        self.core = core
        self.require_signature = require_signature
        self.credentials: dict[str, str] = {}
        self.jobs = JobBook(core, step_seconds)
        self.wire = Wire(core.clock)
        self.api = CosBatchApi(self)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        self.api.add_routes(router)

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        return self.wire.error(request, error)

    def load_fixture(self, document: dict[str, Any]) -> None:
        """Jobs go in one by one through the create path; the keys are taken only once every job is in."""
        appid, credentials, entries = fixture.read(document)
        now = self.jobs.now()
        for number, entry in enumerate(entries, 1):
            try:
                state, delay = fixture.job_state(entry, now, self.jobs.tasks_per_job)
                self.jobs.create(appid, fixture.create_job_request(entry), state, delay)  # type: ignore[arg-type]
            except ApiError as error:  # name the job and the element, which the COS message does not
                detail = error.details.get("reason")
                raise ValueError(f"job {number}: {error.code}: {error.message}"
                                 + (f" ({detail})" if detail else "")) from None
            except ValueError as error:
                raise ValueError(f"job {number}: {error}") from None
        self.credentials.update(credentials)

    def reset(self) -> None:
        self.credentials.clear()
        self.api.reset()

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Admin: move one job to any COS status now, through the state machine's own steps."""
        appid, job_id, target = request.get("appid"), request.get("job_id"), request.get("status")
        if not all(isinstance(value, str) and value for value in (appid, job_id, target)):
            raise ApiError(400, "BadRequest", 'give "appid", "job_id" and "status" (a COS job status)')
        if target not in lifecycle.STATUSES:
            raise ApiError(400, "BadRequest", f'"status" must be a COS job status: {", ".join(lifecycle.STATUSES)}')
        job = self.jobs.transition(appid, job_id, target)  # type: ignore[arg-type]
        return {"service": self.name, "id": job["JobId"], "status": job["Status"]}

    def restored(self) -> None:
        self.jobs.restored()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.jobs)}
