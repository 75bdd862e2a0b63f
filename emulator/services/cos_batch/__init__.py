"""Tencent COS Batch Operations jobs (`<uin>.cos-control.<region>.myqcloud.com/jobs...`), XML in and out.

Emulated: CreateJob, DescribeJob, ListJobs (jobStatuses, maxResults, nextToken), UpdateJobPriority,
UpdateJobStatus (seed 004) and the Go SDK's undocumented DeleteJob; jobs scoped by `x-cos-appid`;
the 13-status state machine, stepping on the emulator clock (New -> Preparing -> Suspended or
Ready -> Active -> Completing -> Complete, Cancelling -> Cancelled) with ProgressSummary,
SuspendedDate, TerminationDate and StatusUpdateReason following the job; COS's XML layout and
`<Error>` documents and headers; Content-MD5; the q-sign-algorithm=sha1 signature for keys given
in fixtures or by `--cos-key`, with its time window under strict authentication; routing on the
path alone, so any Host works.

Not emulated: running the operation (no object is copied or restored, no manifest is read: every
job holds DEFAULT_TASKS_PER_JOB tasks, all of which succeed), report files, failures and
pre-emption by priority (Failing, Pausing and Paused come only from fixtures), the 90-day
retention of finished jobs, CAM permissions, presigned (query-string) signatures, TooManyJobs and
ServiceUnavailable.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.auth import SECRET_SUFFIX, strict_services
from emulator.core.errors import ApiError
from emulator.services import Core
from emulator.services.cos_batch import fixture, lifecycle, signature
from emulator.services.cos_batch.jobs import JobBook
from emulator.services.cos_batch.routes import CosBatchApi
from emulator.services.cos_batch.wire import Wire

SECRETS = "cos_batch" + SECRET_SUFFIX  # SecretId -> {"SecretKey"} from fixtures, in scope ""


class CosBatchService:
    """COS batch jobs on the shared core; `step_seconds` is the time each automatic step takes.

    Without it, it comes from the settings (`cos_step_seconds`). Signing keys come from the settings
    (`cos_keys`) and from fixtures, which keep theirs in the store (SECRETS: saved in the state file
    so a restart keeps them, never shown by `/_emulator/state`). Under strict authentication
    (`auth` names cos_batch) every request must be signed with a known key within its time window.
    """

    name = "cos_batch"
    prefixes = ("/jobs",)

    def __init__(self, core: Core, step_seconds: float | None = None) -> None:
        settings = core.settings
        step_seconds = settings.cos_step_seconds if step_seconds is None else step_seconds
        self.core = core
        self.strict = "cos_batch" in strict_services(settings)
        self.configured_keys = dict(settings.cos_keys)
        self.secrets = core.store.collection(SECRETS)
        self.jobs = JobBook(core, step_seconds)
        self.wire = Wire(core.clock)
        self.api = CosBatchApi(self)

    def secret_key(self, secret_id: str) -> str | None:
        """The SecretKey of a SecretId the emulator knows: configured ones first, then the fixtures'."""
        configured = self.configured_keys.get(secret_id)
        if configured is not None:
            return configured
        stored = self.secrets.get("", secret_id)
        return None if stored is None else stored["SecretKey"]

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before routing: a known key's signature, within its window on the emulator clock."""
        signature.verify(request, self.secret_key, self.core.clock.now().timestamp())

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
        for secret_id, secret_key in credentials.items():
            self.secrets.put("", secret_id, {"SecretKey": secret_key})

    def reset(self) -> None:
        self.api.reset()
        self.jobs.reset()

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
