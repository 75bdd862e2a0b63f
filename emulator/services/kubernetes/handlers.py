"""HTTP handlers, one per Kubernetes operation: parse the request, call the registry, print the result.

Names follow the official Python client's methods (and so the OpenAPI operationIds they come
from): `read_namespaced_job_status` is readBatchV1NamespacedJobStatus, and so on.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import yaml
from aiohttp import web
from multidict import CIMultiDict

from emulator.core import jsonio
from emulator.core.errors import ApiError
from emulator.core.rendered import Rendered
from emulator.core.responses import bytes_response
from emulator.core.store import Store
from emulator.services.kubernetes import discovery, errors, logs, protobuf, wire
from emulator.services.kubernetes.events import Events
from emulator.services.kubernetes.filters import EVENT_FIELDS, EVENTS_V1_FIELDS, NAMESPACE_FIELDS, POD_FIELDS, both, \
    field_selector, label_selector
from emulator.services.kubernetes.kubelet import Kubelet
from emulator.services.kubernetes.pods import Pods, container_status
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.openapi_schemas import Published
from emulator.services.kubernetes.options import WriteOptions
from emulator.services.kubernetes.registry import Jobs
from emulator.services.kubernetes.shapes import success_status, event_body, event_v1_body, job_body, list_body, namespace_body, \
    pod_body
from emulator.services.kubernetes.tables import Tables, include_object
from emulator.services.kubernetes.watch import CLOSED, WatchHub

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FIELD_VALIDATION = ("", "Ignore", "Strict", "Warn")
APPLY_PATCH = "application/apply-patch+yaml"
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
    manager = query.get("fieldManager", "")
    if len(manager.encode()) > 128 or not manager.isprintable():
        raise options_invalid(kind, "fieldManager", "FieldValueInvalid",
                              f'Invalid value: "{manager}": must be 128 printable characters or fewer')
    if not manager:  # the User-Agent up to its first "/", printable and at most 128 bytes
        agent = request.headers.get("User-Agent", "").split("/", 1)[0]
        manager = "".join(c for c in agent if c.isprintable()).encode()[:128].decode(errors="ignore") or "unknown"
    return WriteOptions(dry_run=bool(dry_run), field_validation=validation or "Warn", manager=manager)


def _warning_headers(warnings: list[str]) -> CIMultiDict | None:
    if not warnings:
        return None
    return CIMultiDict(("Warning", '299 - "' + w.replace('"', '\\"') + '"') for w in warnings)


def job_path(namespace: str, name: str) -> str:
    return f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}"


async def read_body(request: web.Request, kind: str) -> dict[str, Any]:
    return wire.decode_object(await request.read(), wire.media_type(request), kind)


async def read_patch(request: web.Request) -> tuple[str, Any, WriteOptions]:
    """A PATCH request's type, document and PatchOptions, checked as the apiserver does (415, 400, 422)."""
    patch_type = wire.media_type(request)
    if patch_type not in wire.PATCH_TYPES:
        raise errors.unsupported_media_type(details={})
    options = write_options(request, "PatchOptions")
    if patch_type == APPLY_PATCH and not request.query.get("fieldManager"):
        raise options_invalid("PatchOptions", "fieldManager", "FieldValueRequired",
                              "Required value: is required for apply patch")
    if patch_type != APPLY_PATCH and "force" in request.query:  # even force=false
        raise options_invalid("PatchOptions", "force", "FieldValueForbidden",
                              "Forbidden: may not be specified for non-apply patch")
    raw = await request.read()
    try:
        document = yaml.safe_load(raw.decode()) if patch_type.endswith("yaml") else jsonio.loads(raw)
    except (ValueError, yaml.YAMLError, UnicodeDecodeError):
        raise errors.bad_request("invalid JSON patch") from None
    return patch_type, document, options


class JobHandlers:
    """The batch/v1 Job routes."""

    def __init__(self, jobs: Jobs, hub: WatchHub, tables: Tables) -> None:
        self.jobs = jobs
        self.hub = hub
        self.tables = tables
        self.rendered = Rendered()

    def _respond(self, request: web.Request, job: dict, suffix: str, code: int = 200,
                 options: WriteOptions | None = None, self_link: str | None = None) -> web.Response:
        meta = job["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        target = wire.negotiate(request)
        if target.table:
            body = self._table(request, target, [job], {"resourceVersion": meta["resourceVersion"]})
            return wire.respond(request, body, code, _warning_headers(options.warnings) if options else None, target)
        if target is not wire.PLAIN:
            return wire.respond_stored(request, target, self.rendered, (namespace, name, self_link or suffix), job,
                                       lambda: job_body(job, self_link or job_path(namespace, name) + suffix), code,
                                       _warning_headers(options.warnings) if options else None)
        pretty = wire.is_pretty(request)

        def render() -> bytes:
            return wire.encode(job_body(job, self_link or job_path(namespace, name) + suffix), pretty)

        data = self.rendered.get((namespace, name, self_link or suffix, pretty), job, render)
        return wire.reply(data, code, _warning_headers(options.warnings) if options else None)

    def _table(self, request: web.Request, target: wire.Target, jobs: list[dict], meta: dict,
               columns: bool = True) -> dict:
        return self.tables.table("Job", jobs, meta, target.table, include_object(request.query), job_body, columns)

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
        patch_type, document, options = await read_patch(request)
        info = request.match_info
        if patch_type == APPLY_PATCH:
            force = wire.is_true(request.query.get("force"))
            job, created = self.jobs.apply(info["namespace"], info["name"], document, status_only, force, options)
            return self._respond(request, job, "/status" if status_only else "", 201 if created else 200, options)
        job = self.jobs.patch(info["namespace"], info["name"], patch_type, document, status_only, options)
        return self._respond(request, job, "/status" if status_only else "", 200, options)

    async def patch_namespaced_job(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=False)

    async def patch_namespaced_job_status(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=True)

    async def delete_namespaced_job(self, request: web.Request) -> web.Response:
        options, dry_run, warnings = await _delete_options(request)
        info = request.match_info
        body, is_job = self.jobs.delete(info["namespace"], info["name"], options, dry_run)
        target = wire.negotiate(request)
        if is_job:
            return wire.respond(request, job_body(body, request.path), 200, warnings, target)
        return wire.respond(request, body, 200, warnings, target)

    async def delete_collection_namespaced_job(self, request: web.Request) -> web.Response:
        """deletecollection: ListOptions pick the jobs, DeleteOptions delete each; the list as it was."""
        predicate, limit = _list_options(request)
        options, dry_run, warnings = await _delete_options(request)
        items, token, remaining = self.jobs.delete_collection(
            request.match_info["namespace"], predicate, limit, request.query.get("continue"), options, dry_run)
        return self._list_answer(request, items, token, remaining, warnings)

    def _list_answer(self, request: web.Request, items: list[dict], token: str | None, remaining: int | None,
                     headers: CIMultiDict | None = None) -> web.Response:
        """A JobList, or its Table, as negotiated."""
        target = wire.negotiate(request)
        body = list_body("JobList", "batch/v1", items, self.jobs.core.store.revision, token, remaining)
        if target.table:
            body = self._table(request, target, items, body["metadata"])
        return wire.respond(request, body, 200, headers, target)

    async def list_namespaced_job(self, request: web.Request) -> web.StreamResponse:
        return await self._list(request, request.match_info["namespace"])

    async def list_job_for_all_namespaces(self, request: web.Request) -> web.StreamResponse:
        return await self._list(request, None)

    async def _list(self, request: web.Request, namespace: str | None) -> web.StreamResponse:
        query = request.query
        if wire.is_true(query.get("watch")):
            predicate, _ = _list_options(request, watch=True)
            return await self._watch(request, namespace, predicate)
        predicate, limit = _list_options(request)
        items, token, remaining = self.jobs.page(namespace, predicate, limit, query.get("continue"))
        return self._list_answer(request, items, token, remaining)

    def _event_lines(self, request: web.Request, target: wire.Target) -> Callable[[str, dict], bytes]:
        """How each watch event is written: the job, or a one-row Table (column definitions only in the first)."""
        if target.media == wire.PROTOBUF:
            return lambda event_type, job: protobuf.codec().watch_frame(event_type, job_body(job))
        if not target.table:
            return _event_line
        include_object(request.query)  # a bad one is refused before the stream starts
        written = []

        def table_line(event_type: str, job: dict) -> bytes:
            meta = {"resourceVersion": job["metadata"]["resourceVersion"]}
            table = self._table(request, target, [job], meta, columns=not written)
            written.append(True)
            return jsonio.dumps({"type": event_type, "object": table}) + b"\n"

        return table_line

    async def _watch(self, request: web.Request, namespace: str | None, predicate) -> web.StreamResponse:
        if self.hub.full():  # before anything else, as the apiserver's request limits come first
            raise errors.too_many_requests()
        target = wire.negotiate(request)
        initial = lambda: (job for _, job in self.jobs.items.scan(namespace))  # noqa: E731
        return await watch(request, self.hub, self.jobs.core.store, namespace, predicate, initial,
                           self._event_lines(request, target), protobuf_frames=target.media == wire.PROTOBUF)


async def watch(request: web.Request, hub: WatchHub, store: Store, namespace: str | None, predicate,
                initial: Callable[[], Iterable[dict]], event_line: Callable[[str, dict], bytes],
                protobuf_frames: bool = False) -> web.StreamResponse:
    """A watch stream over one resource's hub: the current objects first (resourceVersion 0), then each event,
    each written by `event_line` (JSON lines, or length-prefixed protobuf WatchEvents with `protobuf_frames`)."""
    if hub.full():  # before anything else, as the apiserver's request limits come first
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
    deadline = asyncio.get_running_loop().time() + timeout if timeout else None
    await _wait_for_revision(store, int(since), min(FRESH_WAIT_SECONDS, timeout or FRESH_WAIT_SECONDS))
    stream_type = wire.PROTOBUF + ";stream=watch" if protobuf_frames else wire.JSON
    response = web.StreamResponse(headers={"Content-Type": stream_type})
    response.enable_chunked_encoding()
    if since != "0" and hub.too_old(int(since)):
        await response.prepare(request)
        expired = errors.status_body(410, "Expired", f"too old resource version: {since} ({hub.compacted})", None)
        await response.write(protobuf.codec().watch_frame("ERROR", expired) if protobuf_frames
                             else jsonio.dumps({"type": "ERROR", "object": expired}) + b"\n")
        return response
    first = [] if since != "0" else [obj for obj in initial() if predicate is None or predicate(obj)]
    watcher = hub.subscribe(namespace, predicate, None if since == "0" else int(since))
    watcher.cut_off = functools.partial(_cut_off, request)
    try:
        await response.prepare(request)
        for start in range(0, len(first), INITIAL_EVENTS_PER_WRITE):
            chunk = first[start:start + INITIAL_EVENTS_PER_WRITE]
            await response.write(b"".join(event_line("ADDED", obj) for obj in chunk))
        while (item := await _next_event(watcher, request, deadline)) is not CLOSED:
            await response.write(event_line(*item))
    except ConnectionResetError:
        pass
    finally:
        hub.drop(watcher)
    return response


def _list_options(request: web.Request, watch: bool = False, fields: dict | None = None) -> tuple[Any, int]:
    """ListOptions from the query, validated as the apiserver does: the predicate (field selectors over `fields`,
    a Job's by default) and the limit (0: none)."""
    query = request.query
    if query.get("resourceVersionMatch") and (not query.get("resourceVersion") or query.get("continue")):
        why = "when continue is provided" if query.get("continue") else "unless resourceVersion is provided"
        raise options_invalid("ListOptions", "resourceVersionMatch", "FieldValueForbidden",
                              f"Forbidden: resourceVersionMatch is forbidden {why}")
    predicate = both(label_selector(query.get("labelSelector")),
                     field_selector(query.get("fieldSelector"), fields=fields))
    if watch:
        return predicate, 0
    limit_text = query.get("limit", "0") or "0"
    limit = _int64(limit_text)
    if limit is None:
        raise errors.bad_request(f'invalid value "{limit_text[:64]}" for limit: must be a non-negative integer')
    return predicate, limit


async def _delete_options(request: web.Request) -> tuple[dict, bool, CIMultiDict | None]:
    """DeleteOptions from the body, or from the query when the body is empty: the options, whether it is a dry
    run, and the Warning headers the answer carries."""
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
    warnings = []
    if policy is None and "orphanDependents" not in options:
        warnings.append("child pods are preserved by default when jobs are deleted; set propagationPolicy="
                        "Background to remove them or set propagationPolicy=Orphan to suppress this warning")
    return options, dry_run, _warning_headers(warnings)


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


def _event_line(event_type: str, obj: dict, body: Callable[[dict], dict] = job_body) -> bytes:
    return jsonio.dumps({"type": event_type, "object": body(obj)}) + b"\n"


class NamespaceHandlers:
    """The core/v1 Namespace routes a Job needs around it."""

    def __init__(self, namespaces: Namespaces, tables: Tables) -> None:
        self.namespaces = namespaces
        self.tables = tables
        self.served = _Served(namespaces, tables, "Namespace", "v1", namespace_body, NAMESPACE_FIELDS, "Namespace")

    def _respond(self, request: web.Request, body: dict, items: list[dict], code: int = 200,
                 headers: CIMultiDict | None = None) -> web.Response:
        """A Namespace or NamespaceList (`body`), or the Table of `items`, as negotiated."""
        target = wire.negotiate(request)
        if target.table:
            body = self.tables.table("Namespace", items, {"resourceVersion": body["metadata"].get("resourceVersion", "")},
                                     target.table, include_object(request.query), namespace_body)
        return wire.respond(request, body, code, headers, target)

    async def create_namespace(self, request: web.Request) -> web.Response:
        options = write_options(request, "CreateOptions")
        namespace = self.namespaces.create(await read_body(request, "Namespace"), options)
        return self._respond(request, namespace_body(namespace), [namespace], 201, _warning_headers(options.warnings))

    async def read_namespace(self, request: web.Request) -> web.Response:
        namespace = self.namespaces.get(request.match_info["name"])
        return self._respond(request, namespace_body(namespace), [namespace])

    async def list_namespace(self, request: web.Request) -> web.StreamResponse:
        return await self.served.list_or_watch(request, None)

    async def replace_namespace(self, request: web.Request) -> web.Response:
        options = write_options(request, "UpdateOptions")
        namespace = self.namespaces.replace(request.match_info["name"], await read_body(request, "Namespace"), options)
        return self._respond(request, namespace_body(namespace), [namespace], 200, _warning_headers(options.warnings))

    async def patch_namespace(self, request: web.Request) -> web.Response:
        patch_type, document, options = await read_patch(request)
        name, code = request.match_info["name"], 200
        if patch_type == APPLY_PATCH:
            force = wire.is_true(request.query.get("force"))
            namespace, created = self.namespaces.apply(name, document, force, options)
            code = 201 if created else 200
        else:
            namespace = self.namespaces.patch(name, patch_type, document, options)
        return self._respond(request, namespace_body(namespace), [namespace], code, _warning_headers(options.warnings))

    async def delete_namespace(self, request: web.Request) -> web.Response:
        options = write_options(request, "DeleteOptions")
        namespace = self.namespaces.delete(request.match_info["name"], options)
        return self._respond(request, namespace_body(namespace), [namespace])


def watch_path(list_handler: Handler, one: bool = False) -> Handler:
    """The deprecated `/watch/` path forms kube-apiserver still serves: the list handler with `watch=true`; for one
    object (`one`), with `fieldSelector=metadata.name=<name>` added to any the query gives."""

    async def handler(request: web.Request) -> web.StreamResponse:
        query = request.rel_url.query.copy()
        query["watch"] = "true"
        if one:
            given = query.get("fieldSelector")
            query["fieldSelector"] = f"metadata.name={request.match_info['name']}" + (f",{given}" if given else "")
        return await list_handler(request.clone(rel_url=request.rel_url.with_query(query)))

    return handler


def serve_document(document: dict) -> Handler:
    """A handler answering with a fixed discovery or OpenAPI document."""

    async def handler(request: web.Request) -> web.Response:
        return wire.respond(request, document)

    return handler


async def get_core_api_versions(request: web.Request) -> web.Response:
    """/api names the address the client used, as the apiserver does."""
    return wire.respond(request, discovery.api_versions(request.host))


def _accepts_json(accept: str) -> bool:
    """Whether an OpenAPI request's Accept takes JSON (the emulator publishes no protobuf form of them)."""
    return not accept or any(clause.split(";")[0].strip() in ("application/json", "*/*", "application/*")
                             for clause in accept.split(","))


def serve_openapi(published: Published, now: Callable[[], datetime]) -> Handler:
    """An OpenAPI document with the apiserver's caching: Etag, 304 for If-None-Match, `?hash=` URLs immutable
    for a year, a stale hash redirected (301) to the current one, 406 with an empty body for other types."""
    etag = f'"{published.hash}"'

    async def handler(request: web.Request) -> web.Response:
        if not _accepts_json(request.headers.get("Accept", "")):
            return web.Response(status=406)
        given = request.query.get("hash")
        if given is not None and given != published.hash:
            return web.Response(status=301, headers={"Location": f"{request.path}?hash={published.hash}"})
        headers = {"Etag": etag, "Vary": "Accept"}
        if given is not None:
            headers["Cache-Control"] = "public, immutable"
            headers["Expires"] = format_datetime(now() + timedelta(days=365), usegmt=True)
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return wire.reply(published.data, 200, headers)

    return handler


def _item_view(body: Callable[[dict], dict]) -> Callable[[dict], dict]:
    """An object as a list shows it: without kind and apiVersion."""
    return lambda obj: {k: v for k, v in body(obj).items() if k not in ("kind", "apiVersion")}


class _Served:
    """How one kind of pods, events or namespaces is answered: as itself, as a list, or as a Table, in any negotiated
    type."""

    def __init__(self, registry: Any, tables: Tables, kind: str, api_version: str, body: Callable[[dict], dict],
                 fields: dict, printer: str) -> None:
        self.registry, self.tables, self.kind, self.api_version = registry, tables, kind, api_version
        self.body, self.fields, self.printer = body, fields, printer
        self.rendered = Rendered()

    def _table(self, request: web.Request, target: wire.Target, items: list[dict], meta: dict,
               columns: bool = True) -> dict:
        return self.tables.table(self.printer, items, meta, target.table, include_object(request.query), self.body,
                                 columns)

    def one(self, request: web.Request, obj: dict) -> web.Response:
        target = wire.negotiate(request)
        if target.table:
            body = self._table(request, target, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]})
            return wire.respond(request, body, 200, None, target)
        meta = obj["metadata"]
        return wire.respond_stored(request, target, self.rendered, (meta["namespace"], meta["name"]), obj,
                                   lambda: self.body(obj))

    def many(self, request: web.Request, items: list[dict], token: str | None, remaining: int | None) -> web.Response:
        target = wire.negotiate(request)
        listed = list_body(self.kind + "List", self.api_version, [_item_view(self.body)(i) for i in items],
                           self.registry.core.store.revision, token, remaining)
        if target.table:
            listed = self._table(request, target, items, listed["metadata"])
        return wire.respond(request, listed, 200, None, target)

    def event_lines(self, request: web.Request, target: wire.Target) -> Callable[[str, dict], bytes]:
        """Each watch event as a JSON line, a one-row Table (column definitions in the first) or a protobuf frame."""
        if target.media == wire.PROTOBUF:
            return lambda event_type, obj: protobuf.codec().watch_frame(event_type, self.body(obj))
        if not target.table:
            return lambda event_type, obj: _event_line(event_type, obj, self.body)
        include_object(request.query)  # a bad one is refused before the stream starts
        written = []

        def table_line(event_type: str, obj: dict) -> bytes:
            table = self._table(request, target, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                                columns=not written)
            written.append(True)
            return jsonio.dumps({"type": event_type, "object": table}) + b"\n"

        return table_line

    async def list_or_watch(self, request: web.Request, namespace: str | None) -> web.StreamResponse:
        """GET on the collection: a list (limit/continue), or a watch with `watch=true`."""
        query, registry = request.query, self.registry
        if wire.is_true(query.get("watch")):
            predicate, _ = _list_options(request, watch=True, fields=self.fields)
            target = wire.negotiate(request)
            return await watch(request, registry.hub, registry.core.store, namespace, predicate,
                               lambda: (obj for _, obj in registry.items.scan(namespace)),
                               self.event_lines(request, target), protobuf_frames=target.media == wire.PROTOBUF)
        predicate, limit = _list_options(request, fields=self.fields)
        items, token, remaining = registry.page(namespace, predicate, limit, query.get("continue"))
        return self.many(request, items, token, remaining)

    def collection_options(self, request: web.Request) -> tuple[Any, int, str | None]:
        """deletecollection's ListOptions: the predicate, the limit and the continue token."""
        predicate, limit = _list_options(request, fields=self.fields)
        return predicate, limit, request.query.get("continue")


async def _pod_delete_options(request: web.Request) -> tuple[int | None, dict | None, bool]:
    """A pod's DeleteOptions (body, else query): the grace period, the preconditions, whether it is a dry run."""
    dry_run = write_options(request, "DeleteOptions").dry_run
    raw = await request.read()
    options = wire.decode_object(raw, wire.media_type(request), "DeleteOptions") if raw.strip() else {}
    grace = options.get("gracePeriodSeconds", request.query.get("gracePeriodSeconds"))
    try:
        grace = int(grace) if grace not in (None, "") else None
    except (TypeError, ValueError):
        raise errors.bad_request(f'invalid value "{grace}" for gracePeriodSeconds') from None
    return grace, options.get("preconditions"), dry_run or "All" in (options.get("dryRun") or [])


class PodHandlers:
    """The core/v1 Pod routes: create, read, replace, patch, list, watch, delete, deletecollection, /log, /eviction."""

    def __init__(self, pods: Pods, kubelet: Kubelet, namespaces: Namespaces, tables: Tables) -> None:
        self.pods = pods
        self.kubelet = kubelet
        self.namespaces = namespaces
        self.served = _Served(pods, tables, "Pod", "v1", pod_body, POD_FIELDS, "Pod")
        self.log_bodies = Rendered(1024)  # a log's body, kept with the lines the kubelet keeps for that moment

    async def create_namespaced_pod(self, request: web.Request) -> web.Response:
        options = write_options(request, "CreateOptions")
        namespace = request.match_info["namespace"]
        pod = self.pods.post(namespace, await read_body(request, "Pod"), options.dry_run,
                             self.namespaces.exists(namespace), options.manager)
        return wire.respond(request, pod_body(pod), 201, None, wire.negotiate(request))

    async def _replace(self, request: web.Request, status_only: bool) -> web.Response:
        options = write_options(request, "UpdateOptions")
        info = request.match_info
        pod = self.pods.replace(info["namespace"], info["name"], await read_body(request, "Pod"), options, status_only)
        return wire.respond(request, pod_body(pod), 200, _warning_headers(options.warnings), wire.negotiate(request))

    async def replace_namespaced_pod(self, request: web.Request) -> web.Response:
        return await self._replace(request, status_only=False)

    async def replace_namespaced_pod_status(self, request: web.Request) -> web.Response:
        return await self._replace(request, status_only=True)

    async def _patch(self, request: web.Request, status_only: bool) -> web.Response:
        patch_type, document, options = await read_patch(request)
        info, code = request.match_info, 200
        if patch_type == APPLY_PATCH:
            pod, created = self.pods.apply(info["namespace"], info["name"], document,
                                           wire.is_true(request.query.get("force")), options,
                                           self.namespaces.exists(info["namespace"]), status_only)
            code = 201 if created else 200
        else:
            pod = self.pods.patch(info["namespace"], info["name"], patch_type, document, options, status_only)
        return wire.respond(request, pod_body(pod), code, _warning_headers(options.warnings), wire.negotiate(request))

    async def patch_namespaced_pod(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=False)

    async def patch_namespaced_pod_status(self, request: web.Request) -> web.Response:
        return await self._patch(request, status_only=True)

    async def create_namespaced_pod_eviction(self, request: web.Request) -> web.Response:
        options = write_options(request, "CreateOptions")
        info = request.match_info
        self.pods.evict(info["namespace"], info["name"], await read_body(request, "Eviction"), options.dry_run)
        return wire.respond(request, success_status(201), 201, None, wire.negotiate(request))

    async def read_namespaced_pod(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self.served.one(request, self.pods.get(info["namespace"], info["name"]))

    async def read_namespaced_pod_status(self, request: web.Request) -> web.Response:
        return await self.read_namespaced_pod(request)

    async def list_namespaced_pod(self, request: web.Request) -> web.StreamResponse:
        return await self.served.list_or_watch(request, request.match_info["namespace"])

    async def list_pod_for_all_namespaces(self, request: web.Request) -> web.StreamResponse:
        return await self.served.list_or_watch(request, None)

    async def delete_namespaced_pod(self, request: web.Request) -> web.Response:
        grace, preconditions, dry_run = await _pod_delete_options(request)
        info = request.match_info
        return self.served.one(request, self.pods.delete(info["namespace"], info["name"], grace, preconditions,
                                                         dry_run))

    async def delete_collection_namespaced_pod(self, request: web.Request) -> web.Response:
        """deletecollection: ListOptions pick the pods, each is deleted as by DELETE; the pods as deleted."""
        predicate, limit, token = self.served.collection_options(request)
        grace, preconditions, dry_run = await _pod_delete_options(request)
        items, token, remaining = self.pods.delete_collection(request.match_info["namespace"], predicate, limit,
                                                              token, grace, preconditions, dry_run)
        return self.served.many(request, items, token, remaining)

    async def read_namespaced_pod_log(self, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        pod = self.pods.get(info["namespace"], info["name"])
        name = pod["metadata"]["name"]
        options = logs.parse_options(request.query, name, self.kubelet.clock.now()) \
            if request.rel_url.raw_query_string else logs.NONE_GIVEN
        spec = pod["spec"]
        containers = [c["name"] for c in spec.get("containers") or ()]
        names = [c["name"] for c in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]]
        container = options.container
        if container is None:
            if len(containers) != 1:  # listing every container, init containers first
                raise errors.bad_request(f"a container name must be specified for pod {name}, "
                                         f"choose one of: [{' '.join(names)}]")
            container = containers[0]
        elif container not in names:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        if not pod["spec"].get("nodeName"):
            return web.Response(status=204)
        state = container_status(pod, container)
        previous = ((state or {}).get("lastState") or {}).get("terminated")
        if options.previous or (previous and "waiting" in (state or {}).get("state", {})):  # CrashLoopBackOff too
            if not previous:
                raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
            lines = self.kubelet.lines_between(pod, container, previous["startedAt"], previous["finishedAt"])
            data = logs.render(logs.select(lines, options), options)
            return bytes_response(data[:options.limit_bytes] if options.limit_bytes else data,
                                  content_type="text/plain")
        if state is None:
            raise errors.bad_request(f'container "{container}" in pod "{name}" is not available')
        if "waiting" in state["state"]:
            raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                                     f'{state["state"]["waiting"].get("reason", "")}')
        if "containerID" not in state["state"].get("terminated", {"containerID": ""}):  # ended before it was made
            raise errors.bad_request(f'container "{container}" in pod "{name}" is terminated')
        lines, running = self.kubelet.log_lines(pod, container)
        if options.since is None and options.tail_lines is None:  # every line: the body follows the lines kept
            data = self.log_bodies.get((info["namespace"], name, container, options.timestamps), lines,
                                       lambda: logs.render(lines, options))
        else:
            data = logs.render(logs.select(lines, options), options)
        if options.limit_bytes is not None:
            data = data[:options.limit_bytes]
        if not (options.follow and running):
            return bytes_response(data, content_type="text/plain")
        return await self._follow(request, pod, container, options, data, len(lines))

    async def _follow(self, request: web.Request, pod: dict, container: str, options: logs.LogOptions, first: bytes,
                      released: int) -> web.StreamResponse:
        """Send lines as the clock releases them; end when the container stops (or the pod is gone)."""
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        budget = options.limit_bytes
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])

        async def send(data: bytes) -> bool:
            nonlocal budget
            if budget is not None:
                data, budget = data[:budget], budget - min(len(data), budget)
            if data:
                await response.write(data)
            return budget is None or budget > 0

        try:
            more = await send(first)
            while more:
                current = self.pods.items.get(*key)
                if current is None or current["metadata"]["uid"] != pod["metadata"]["uid"]:
                    break
                lines, running = self.kubelet.log_lines(current, container)
                if len(lines) > released:
                    more = await send(logs.render(logs.select(lines[released:], options), options))
                    released = len(lines)
                    continue
                if not running:
                    break
                waiter = self.kubelet.follow(current, self.kubelet.next_line_at(current, container, released))
                while not waiter.done():
                    await asyncio.wait([waiter], timeout=IDLE_CHECK_SECONDS)
                    if request.transport is None or request.transport.is_closing():
                        return response
        except ConnectionResetError:
            pass
        return response


class EventHandlers:
    """core/v1 Events and the events.k8s.io/v1 view of the same objects: read, list, watch, deletecollection."""

    def __init__(self, events: Events, tables: Tables) -> None:
        self.events = events
        self.core = _Served(events, tables, "Event", "v1", event_body, EVENT_FIELDS, "Event")
        self.v1 = _Served(events, tables, "Event", "events.k8s.io/v1", event_v1_body, EVENTS_V1_FIELDS, "Event")

    async def read_namespaced_event(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self.core.one(request, self.events.get(info["namespace"], info["name"]))

    async def list_namespaced_event(self, request: web.Request) -> web.StreamResponse:
        return await self.core.list_or_watch(request, request.match_info["namespace"])

    async def list_event_for_all_namespaces(self, request: web.Request) -> web.StreamResponse:
        return await self.core.list_or_watch(request, None)

    async def read_events_v1_namespaced_event(self, request: web.Request) -> web.Response:
        info = request.match_info
        return self.v1.one(request, self.events.get(info["namespace"], info["name"]))

    async def list_events_v1_namespaced_event(self, request: web.Request) -> web.StreamResponse:
        return await self.v1.list_or_watch(request, request.match_info["namespace"])

    async def list_events_v1_event_for_all_namespaces(self, request: web.Request) -> web.StreamResponse:
        return await self.v1.list_or_watch(request, None)

    async def _delete_collection(self, request: web.Request, served: _Served) -> web.Response:
        """deletecollection: the events ListOptions pick, removed (watchers see DELETED); the events as they were."""
        predicate, limit, token = served.collection_options(request)
        dry_run = write_options(request, "DeleteOptions").dry_run
        raw = await request.read()
        if raw.strip():
            options = wire.decode_object(raw, wire.media_type(request), "DeleteOptions")
            dry_run = dry_run or "All" in (options.get("dryRun") or [])
        items, token, remaining = self.events.delete_collection(request.match_info["namespace"], predicate, limit,
                                                                token, dry_run)
        return served.many(request, items, token, remaining)

    async def delete_collection_namespaced_event(self, request: web.Request) -> web.Response:
        return await self._delete_collection(request, self.core)

    async def delete_collection_events_v1_namespaced_event(self, request: web.Request) -> web.Response:
        return await self._delete_collection(request, self.v1)
