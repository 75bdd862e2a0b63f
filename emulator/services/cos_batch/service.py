"""The COS batch service as the runtime sees it: keys, job book and handlers behind the Service hooks."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.errors import ApiError
from emulator.services.cos_batch import authn, fixtures, lifecycle, openapi, routes, saved
from emulator.services.cos_batch.handlers import CosBatchApi
from emulator.services.cos_batch.object_handlers import DEFAULT_REGION, CosObjectApi
from emulator.services.cos_batch.objects import STORAGE_CLASSES, ObjectStore
from emulator.services.cos_batch.registry import JobBook
from emulator.services.cos_batch.runner import Runner
from emulator.services.cos_batch.wire import Wire
from emulator.services.protocol import Core, ServiceDefaults

SECRETS = saved.SECRETS  # SecretId -> {"SecretKey", "Appid"} from fixtures, in scope ""


class CosBatchService(ServiceDefaults):
    """COS batch jobs on the shared core; `step_seconds` is the time each automatic step takes.

    Without it, it comes from the settings (`cos_step_seconds`). Signing keys come from the settings
    (`cos_keys`) and from fixtures, which keep theirs in the store (SECRETS: saved in the state file
    so a restart keeps them, never shown by `/_emulator/state`). Under strict authentication
    (`auth` names cos_batch) every request must be signed with a known key within its time window.
    """

    name = "cos_batch"
    prefixes = ("/jobs",)
    request_id_header = "x-cos-request-id"  # COS numbers its own answers
    can_transition = True
    transition_schema = openapi.TRANSITION

    def __init__(self, core: Core, step_seconds: float | None = None) -> None:
        settings = core.settings
        step_seconds = settings.cos_step_seconds if step_seconds is None else step_seconds
        self.core = core
        self.configured_keys = dict(settings.cos_keys)
        self.secrets = core.store.collection(SECRETS)
        collection = core.store.collection
        self.objects = ObjectStore(core.clock, collection(saved.BUCKETS), collection(saved.OBJECTS),
                                   settings.cos_max_object_bytes, settings.cos_max_store_bytes,
                                   settings.cos_restore_scale)
        runner = Runner(self.objects, collection(saved.RUNS), settings.cos_tasks_per_second,
                        settings.cos_strict_manifests,
                        settings.cos_failure_min_tasks, settings.cos_failure_ratio)
        self.jobs = JobBook(core, step_seconds, runner=runner)
        self.wire = Wire(core.clock)
        strict = "cos_batch" in settings.strict
        self.api = CosBatchApi(self.jobs, self.wire, self.secret_key, strict=strict)
        self.object_api = CosObjectApi(self.objects, self.wire, self.secret_key, self.secret_appid,
                                       core.clock.seconds if strict else None)
        self.route_by_host = None

    def secret_key(self, secret_id: str) -> str | None:
        """The SecretKey of a SecretId the emulator knows: configured ones first, then the fixtures'."""
        configured = self.configured_keys.get(secret_id)
        if configured is not None:
            return configured
        stored = self.secrets.get("", secret_id)
        return None if stored is None else stored["SecretKey"]

    def secret_appid(self, secret_id: str) -> str | None:
        """The APPID a fixture's SecretId belongs to (None for --cos-key keys, which name none)."""
        stored = self.secrets.get("", secret_id)
        return None if stored is None else stored.get("Appid")

    def authenticate(self, request: web.Request) -> None:
        """Strict authentication, before routing: a known key's signature, within its window on the emulator clock."""
        authn.verify(request, self.secret_key, self.core.clock.seconds())

    def add_routes(self, router: web.UrlDispatcher) -> None:
        routes.add_routes(router, self.api)
        self.route_by_host = routes.host_router(*routes.add_object_routes(router, self.object_api))

    def render_error(self, request: web.Request, error: ApiError) -> web.Response:
        return self.wire.error(request, error, self.object_api.error_resource(request))

    def load_fixture(self, document: dict[str, Any]) -> None:
        """Jobs go in one by one through the create path; the keys are taken only once every job is in."""
        appid, credentials, entries = fixtures.read(document)
        now = self.jobs.now()
        for number, entry in enumerate(entries, 1):
            try:
                # the request's XML round trip was ~60% of a reset, checking the state ~45% of the rest; neither
                # entries nor what is worked out from them (stored jobs share it) are changed in place
                given, delay = self.core.fixtures.get("cos_batch.state", entry, fixtures.job_state)
                request = self.core.fixtures.get("cos_batch.request", entry, fixtures.create_job_request)
                state = fixtures.started(given, now, self.jobs.tasks_per_job)
                self.jobs.create(appid, request, state, delay)  # type: ignore[arg-type]
            except ApiError as error:  # name the job and the element, which the COS message does not
                detail = error.details.get("reason")
                raise ValueError(f"job {number}: {error.code}: {error.message}"
                                 + (f" ({detail})" if detail else "")) from None
            except ValueError as error:
                raise ValueError(f"job {number}: {error}") from None
        for name, region, objects in fixtures.buckets(document, self.core.settings.fixtures_dir):
            try:
                if not self.objects.has_bucket(name):
                    self.objects.create_bucket(name, region or DEFAULT_REGION)
                for key, body, attributes in objects:
                    if attributes["storage_class"] not in STORAGE_CLASSES:
                        raise ValueError(f"object {key}: storage_class must be one of {', '.join(STORAGE_CLASSES)}")
                    self.objects.put(name, key, body, **attributes)
            except ApiError as error:
                raise ValueError(f"bucket {name}: {error.code}: {error.message}") from None
        for secret_id, secret_key in credentials.items():
            self.secrets.put("", secret_id, {"SecretKey": secret_key, "Appid": appid})

    def reset(self) -> None:
        self.api.reset()
        self.jobs.reset()
        self.objects.reset()

    def transition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Admin: move one job to any COS status now, through the state machine's own steps."""
        appid, job_id, target = request.get("appid"), request.get("job_id"), request.get("status")
        if not all(isinstance(value, str) and value for value in (appid, job_id, target)):
            raise ApiError(400, "BadRequest", 'give "appid", "job_id" and "status" (a COS job status)')
        if target not in lifecycle.STATUSES:
            raise ApiError(400, "BadRequest", f'"status" must be a COS job status: {", ".join(lifecycle.STATUSES)}')
        job = self.jobs.transition(appid, job_id, target)  # type: ignore[arg-type]
        return {"service": self.name, "id": job["JobId"], "status": job["Status"]}

    def stored_problem(self, kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
        return saved.problem(kind, scope, name, obj, self.core.settings.cos_max_object_bytes)

    def restored(self) -> None:
        """Buckets, objects and runs of the state file become live ones again; then the jobs take their steps."""
        saved.revive(self.core.store, self.objects, self.jobs.jobs)
        self.objects.resume()
        self.jobs.restored()

    def rolled_back(self) -> None:
        self.objects.recount()

    def summary(self) -> dict[str, int]:
        return {"jobs": len(self.jobs.jobs), "buckets": len(self.objects.buckets), "objects": self.objects.count()}

    def openapi(self, operation: str, method: str) -> dict[str, Any]:
        return openapi.describe(operation, method)
