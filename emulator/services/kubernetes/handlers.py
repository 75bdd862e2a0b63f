"""HTTP handlers, one per Kubernetes operation: parse the request, call the registry, print the result.

Names follow the official Python client's methods (and so the OpenAPI operationIds they come
from): `read_namespaced_job_status` is readBatchV1NamespacedJobStatus, and so on.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import yaml
from aiohttp import web
from multidict import CIMultiDict

from emulator.core import jsonio
from emulator.core.errors import ApiError
from emulator.core.rendered import Rendered
from emulator.services.kubernetes import discovery, errors, wire
from emulator.services.kubernetes.filters import both, field_selector, label_selector
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.options import WriteOptions
from emulator.services.kubernetes.registry import Jobs
from emulator.services.kubernetes.shapes import job_body, list_body, namespace_body
from emulator.services.kubernetes.watch import CLOSED, WatchHub

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FIELD_VALIDATION = ("", "Ignore", "Strict", "Warn")
INITIAL_EVENTS_PER_WRITE = 200
IDLE_CHECK_SECONDS = 5.0  # how often an idle watch looks whether its client is still there
FRESH_WAIT_SECONDS = 3.0  # how long a watch from a future resourceVersion waits for it (the watch cache's blockTimeout)


def options_invalid(kind: str, field: str, reason: str, message: str) -> ApiError:
    """422 for a bad Create/Update/Patch/DeleteOptions parameter."""
    return ApiError(422, "Invalid", f'{kind}.meta.k8s.io "" is invalid: {field}: {message}',
                    details={"group": "meta.k8s.io", "kind": kind,
                             "causes": [{"reason": reason, "message": message, "field": field}]})


def _unsupported(kind: str, field: str, value: str, supported: str) -> ApiError:
    return options_invalid(kind, field, "FieldValueNotSupported", f"Unsupported value: {value}: supported values: {supported}")


def write_options(request: web.Request, kind: str) -> WriteOptions:
    """dryRun and fieldValidation from the query, validated as the apiserver does."""
    query = request.query
    dry_run = query.getall("dryRun", [])
    if any(value != "All" for value in dry_run):
        shown = "[" + " ".join(f'"{v}"' for v in dry_run) + "]"
        raise _unsupported(kind, "dryRun", shown, '"All"')
    validation = query.get("fieldValidation", "")
    if validation not in FIELD_VALIDATION:
        raise _unsupported(kind, "fieldValidation", f'"{validation}"', '"", "Ignore", "Strict", "Warn"')
    return WriteOptions(dry_run=bool(dry_run), field_validation=validation or "Warn")


def _warning_headers(warnings: list[str]) -> CIMultiDict | None:
    if not warnings:
        return None
    return CIMultiDict(("Warning", '299 - "' + w.replace('"', '\\"') + '"') for w in warnings)


def job_path(namespace: str, name: str) -> str:
    return f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}"


async def read_body(request: web.Request, kind: str) -> dict[str, Any]:
    return wire.decode_object(await request.read(), wire.media_type(request), kind)


class JobHandlers:
    """The batch/v1 Job routes."""

    def __init__(self, jobs: Jobs, hub: WatchHub) -> None:
        self.jobs = jobs
        self.hub = hub
        self.rendered = Rendered()

    def _respond(self, request: web.Request, job: dict, suffix: str, code: int = 200,
                 options: WriteOptions | None = None, self_link: str | None = None) -> web.Response:
        meta = job["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        pretty = wire.is_pretty(request)

        def render() -> bytes:
            return wire.encode(job_body(job, self_link or job_path(namespace, name) + suffix), pretty)

        data = self.rendered.get((namespace, name, self_link or suffix, pretty), job, render)
        return wire.reply(data, code, _warning_headers(options.warnings) if options else None)

    async def read_namespaced_job(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self._respond(request, self.jobs.get(info["namespace"], info["name"]), "")

    async def read_namespaced_job_status(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self._respond(request, self.jobs.get(info["namespace"], info["name"]), "/status")

    async def create_namespaced_job(self, request: web.Request) -> web.Response:
        options = write_options(request, "CreateOptions")
        body = await read_body(request, "Job")
        job = self.jobs.create(request.match_info["namespace"], body, options)
        return self._respond(request, job, "", 201, options)

    async def _replace(self, request: web.Request, status_only: bool) -> web.Response:
        options = write_options(request, "UpdateOptions")
        body = await read_body(request, "Job")
        info = request.match_info
        job = self.jobs.replace(info["namespace"], info["name"], body, status_only, options)
        own_link = job_path(info["namespace"], info["name"])  # Huawei echoes it when the body gives it (seed 001)
        given_link = (body.get("metadata") or {}).get("selfLink")
        return self._respond(request, job, "/status" if status_only else "", 200, options,
                             own_link if given_link == own_link else None)

    async def replace_namespaced_job(self, request: web.Request) -> web.Response:
        return await self._replace(request, status_only=False)

    async def replace_namespaced_job_status(self, request: web.Request) -> web.Response:
        return await self._replace(request, status_only=True)

    async def _patch(self, request: web.Request, status_only: bool) -> web.Response:
        patch_type = wire.media_type(request)
        if patch_type not in wire.PATCH_TYPES:
            raise errors.unsupported_media_type(details={})
        options = write_options(request, "PatchOptions")
        if patch_type == "application/apply-patch+yaml" and not request.query.get("fieldManager"):
            raise options_invalid("PatchOptions", "fieldManager", "FieldValueRequired",
                                  "Required value: is required for apply patch")
        if patch_type != "application/apply-patch+yaml" and "force" in request.query:  # even force=false
            raise options_invalid("PatchOptions", "force", "FieldValueForbidden",
                                  "Forbidden: may not be specified for non-apply patch")
        raw = await request.read()
        try:
            document = yaml.safe_load(raw.decode()) if patch_type.endswith("yaml") else jsonio.loads(raw)
        except (ValueError, yaml.YAMLError, UnicodeDecodeError):
            raise errors.bad_request("invalid JSON patch") from None
        info = request.match_info
        job = self.jobs.patch(info["namespace"], info["name"], patch_type, document, status_only, options)
        return self._respond(request, job, "/status" if status_only else "", 200, options)

    async def patch_namespaced_job(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=False)

    async def patch_namespaced_job_status(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=True)

    async def delete_namespaced_job(self, request: web.Request) -> web.Response:
        dry_run = write_options(request, "DeleteOptions").dry_run
        raw = await request.read()
        if raw.strip():
            options = wire.decode_object(raw, wire.media_type(request), "DeleteOptions")
            dry_run = dry_run or "All" in (options.get("dryRun") or [])
        else:
            query = request.query
            options = {"propagationPolicy": query.get("propagationPolicy")}
            if "orphanDependents" in query:
                options["orphanDependents"] = wire.is_true(query["orphanDependents"])
        policy = options.get("propagationPolicy")
        if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
            raise _unsupported("DeleteOptions", "propagationPolicy", f'"{policy}"',
                               '"Foreground", "Background", "Orphan", "nil"')
        info = request.match_info
        body, is_job = self.jobs.delete(info["namespace"], info["name"], options, dry_run)
        warnings = []
        if policy is None and "orphanDependents" not in options:
            warnings.append("child pods are preserved by default when jobs are deleted; set propagationPolicy="
                            "Background to remove them or set propagationPolicy=Orphan to suppress this warning")
        if is_job:
            return wire.respond(request, job_body(body, request.path), 200, _warning_headers(warnings))
        return wire.respond(request, body, 200, _warning_headers(warnings))

    async def list_namespaced_job(self, request: web.Request) -> web.StreamResponse:
        return await self._list(request, request.match_info["namespace"])

    async def list_job_for_all_namespaces(self, request: web.Request) -> web.StreamResponse:
        return await self._list(request, None)

    async def _list(self, request: web.Request, namespace: str | None) -> web.StreamResponse:
        query = request.query
        if query.get("resourceVersionMatch") and (not query.get("resourceVersion") or query.get("continue")):
            why = "when continue is provided" if query.get("continue") else "unless resourceVersion is provided"
            raise options_invalid("ListOptions", "resourceVersionMatch", "FieldValueForbidden",
                                  f"Forbidden: resourceVersionMatch is forbidden {why}")
        predicate = both(label_selector(query.get("labelSelector")), field_selector(query.get("fieldSelector")))
        if wire.is_true(query.get("watch")) or query.get("watch") in ("True",):
            return await self._watch(request, namespace, predicate)
        limit_text = query.get("limit", "0") or "0"
        limit = _int64(limit_text)
        if limit is None:
            raise errors.bad_request(f'invalid value "{limit_text[:64]}" for limit: must be a non-negative integer')
        items, token, remaining = self.jobs.page(namespace, predicate, limit, query.get("continue"))
        body = list_body("JobList", "batch/v1", items, self.jobs.core.store.revision, token, remaining)
        return wire.respond(request, body)

    async def _watch(self, request: web.Request, namespace: str | None, predicate) -> web.StreamResponse:
        if self.hub.full():  # before anything else, as the apiserver's request limits come first
            raise errors.too_many_requests()
        query = request.query
        since = query.get("resourceVersion") or "0"
        if _int64(since) is None:
            raise errors.bad_request(f'invalid resource version "{since[:64]}"')
        timeout_text = query.get("timeoutSeconds") or "0"
        timeout = _int64(timeout_text)
        if timeout is None:
            raise errors.bad_request(f'invalid value "{timeout_text[:64]}" for timeoutSeconds: must be an integer')
        timeout = timeout or None  # 0: no timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout else None
        await _wait_for_revision(self.jobs.core.store, int(since), min(FRESH_WAIT_SECONDS, timeout or FRESH_WAIT_SECONDS))
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        if since != "0" and self.hub.too_old(int(since)):
            await response.prepare(request)
            expired = errors.status_body(410, "Expired", f"too old resource version: {since} ({self.hub.compacted})", None)
            await response.write(jsonio.dumps({"type": "ERROR", "object": expired}) + b"\n")
            return response
        initial = [] if since != "0" else [
            job for _, job in self.jobs.items.scan(namespace) if predicate is None or predicate(job)]
        watcher = self.hub.subscribe(namespace, predicate, None if since == "0" else int(since))
        watcher.cut_off = functools.partial(_cut_off, request)
        try:
            await response.prepare(request)
            for start in range(0, len(initial), INITIAL_EVENTS_PER_WRITE):
                chunk = initial[start:start + INITIAL_EVENTS_PER_WRITE]
                await response.write(b"".join(_event_line("ADDED", job) for job in chunk))
            while (item := await _next_event(watcher, request, deadline)) is not CLOSED:
                await response.write(_event_line(*item))
        except ConnectionResetError:
            pass
        finally:
            self.hub.drop(watcher)
        return response


def _int64(text: str) -> int | None:
    """A non-negative int64 written in ASCII digits (Go's strconv), else None: never "²", never 5,000 digits."""
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if number < 1 << 63 else None


async def _wait_for_revision(store, revision: int, seconds: float) -> None:
    """Wait (up to `seconds`) until the store has reached `revision`; else the apiserver's 504 "Too large
    resource version" (its watch cache waits so for a watch from a resourceVersion it has not seen yet)."""
    if revision <= store.revision:
        return
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while store.revision < revision:
        if loop.time() >= until:
            raise errors.too_large_resource_version(revision, store.revision)
        await asyncio.sleep(0.05)


async def _next_event(watcher, request: web.Request, deadline: float | None):
    """The watcher's next event; CLOSED at the deadline (the watch's timeoutSeconds), or once its client has gone
    (checked while the watch is idle).

    The deadline is checked here rather than by cancelling the stream: on Python 3.11 `asyncio.wait_for` lost the
    cancellation when an event arrived at the same moment, and a busy watch then never ended."""
    loop = asyncio.get_running_loop()
    if deadline is not None and loop.time() >= deadline:
        return CLOSED
    if not watcher.queue.empty():
        return watcher.queue.get_nowait()
    while True:
        wait = IDLE_CHECK_SECONDS if deadline is None else min(IDLE_CHECK_SECONDS, deadline - loop.time())
        try:
            async with asyncio.timeout(max(0.0, wait)):
                return await watcher.queue.get()
        except TimeoutError:
            if deadline is not None and loop.time() >= deadline:
                return CLOSED
            if request.transport is None or request.transport.is_closing():
                return CLOSED


def _cut_off(request: web.Request) -> None:
    """A watcher fell behind: if its client stopped reading (writes are paused), end the connection.

    Its stream is then stuck in a write that only the client could finish, holding the socket's
    buffers; aborting ends that write at once. A client that still reads gets the queued events and
    the end of the stream instead, as from the apiserver.
    """
    transport = request.transport
    if transport is not None and request.protocol.writing_paused:
        transport.abort()


def _event_line(event_type: str, job: dict) -> bytes:
    return jsonio.dumps({"type": event_type, "object": job_body(job)}) + b"\n"


class NamespaceHandlers:
    """The core/v1 Namespace routes a Job needs around it."""

    def __init__(self, namespaces: Namespaces) -> None:
        self.namespaces = namespaces

    async def create_namespace(self, request: web.Request) -> web.Response:
        options = write_options(request, "CreateOptions")
        namespace = self.namespaces.create(await read_body(request, "Namespace"), options)
        return wire.respond(request, namespace_body(namespace), 201, _warning_headers(options.warnings))

    async def read_namespace(self, request: web.Request) -> web.Response:
        return wire.respond(request, namespace_body(self.namespaces.get(request.match_info["name"])))

    async def list_namespace(self, request: web.Request) -> web.Response:
        items = self.namespaces.list()
        predicate = label_selector(request.query.get("labelSelector"))
        if predicate is not None:
            items = [ns for ns in items if predicate(ns)]
        return wire.respond(request, list_body("NamespaceList", "v1", items, self.namespaces.core.store.revision))

    async def delete_namespace(self, request: web.Request) -> web.Response:
        options = write_options(request, "DeleteOptions")
        namespace = self.namespaces.delete(request.match_info["name"], options)
        return wire.respond(request, namespace_body(namespace))


def serve_document(document: dict) -> Handler:
    """A handler answering with a fixed discovery or OpenAPI document."""

    async def handler(request: web.Request) -> web.Response:
        return wire.respond(request, document)

    return handler


async def get_core_api_versions(request: web.Request) -> web.Response:
    """/api names the address the client used, as the apiserver does."""
    return wire.respond(request, discovery.api_versions(request.host))
