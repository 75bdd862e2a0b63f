"""The COS object API handlers (PUT/GET/HEAD/DELETE Bucket and Object, copy, tagging, restore): check, call the store, answer."""
from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime

from aiohttp import web

from emulator.core.errors import ApiError
from emulator.services.cos_batch import authn, errors, object_shapes, object_validation, validation, xmlio
from emulator.services.cos_batch.objects import ENCRYPTION, ObjectStore, current_version, owner
from emulator.services.cos_batch.wire import Wire

DEFAULT_REGION = "ap-guangzhou"  # the region of buckets addressed without one (path style, plain hosts)
HOST_MARK = "host"  # match_info key set when the bucket came from the Host header (virtual-host style)


def region_of(host: str) -> str:
    """`<bucket>.cos.<region>.myqcloud.com` or (path style) `cos.<region>.myqcloud.com` -> region; anything else ->
    DEFAULT_REGION."""
    labels = host.partition(":")[0].lower().split(".")
    for at in (1, 0):
        if len(labels) > at + 1 and labels[at] in ("cos", "cos-internal"):
            return labels[at + 1]
    return DEFAULT_REGION


def _moment(text: str | None):
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


class CosObjectApi:
    """Handlers for buckets `<name>-<APPID>` addressed by virtual host or path style, over the object store."""

    def __init__(self, store: ObjectStore, wire: Wire, secret_key: Callable[[str], str | None],
                 secret_appid: Callable[[str], str | None], strict_now: Callable[[], float] | None) -> None:
        self.store = store
        self.wire = wire
        self.secret_key = secret_key
        self.secret_appid = secret_appid  # the APPID a known SecretId belongs to, when a fixture said so
        self.strict_now = strict_now  # under strict authentication: the emulator clock's Unix time

    def error_resource(self, request: web.Request) -> str | None:
        """The `Resource` of an object-API error, None for other requests: `<bucket host>/<key>` (the host alone for
        a bucket call), the bucket host being `<bucket>.cos.<region>.myqcloud.com` for a path-style request too."""
        bucket = request.match_info.get("bucket")
        if bucket is None:
            return None
        path = request.rel_url.raw_path
        if request.match_info.get(HOST_MARK) is not None:
            host = request.host
        else:  # path style: /<bucket>[/<key>]
            path = path[len(bucket) + 1:]
            found = self.store.buckets.get("", bucket)
            host = f"{bucket}.cos.{found.region if found else region_of(request.host)}.myqcloud.com"
        return host + ("" if path in ("", "/") else path)

    # --- the checks every call starts with -----------------------------------------------------

    def _bucket_and_key(self, request: web.Request) -> tuple[str, str, tuple[str, ...]]:
        """(bucket, key, the signed paths accepted): the key is the decoded path after the bucket."""
        bucket = request.match_info["bucket"]
        path = request.path
        mark = request.match_info.get(HOST_MARK)
        if mark == "invalid":
            raise errors.object_error("InvalidRequest")
        if mark is not None:
            return bucket, path[1:], (path,)
        key = path[len(bucket) + 2:]
        return bucket, key, ("/" + key, path)

    def _authorise(self, request: web.Request, bucket: str, paths: tuple[str, ...]) -> None:
        """The signature as the batch API checks it; a key known to belong to another APPID is AccessDenied."""
        now = self.strict_now() if self.strict_now is not None else None
        secret_id = authn.verify(request, self.secret_key, now, paths)
        if secret_id is not None:
            appid = self.secret_appid(secret_id)
            if appid is not None and appid != owner(bucket):
                raise errors.object_error("AccessDenied")

    def _target(self, request: web.Request, with_key: bool) -> tuple[str, str]:
        bucket, key, paths = self._bucket_and_key(request)
        length = request.content_length
        if length is not None and length > self.store.max_object_bytes:  # refused before anything is read
            raise errors.object_error("EntityTooLarge")
        self._authorise(request, bucket, paths)
        object_validation.emulated(request.query, "object" if with_key else "bucket", request.method)
        version = request.query.get("versionId")
        if version is not None:  # only object calls take one
            self.store.bucket(bucket)  # NoSuchBucket first
            current_version(version)
        return bucket, object_validation.key(key) if with_key else key

    async def _body(self, request: web.Request) -> bytes:
        """The request body, refused with EntityTooLarge before it is buffered past the object bound."""
        limit = self.store.max_object_bytes  # a Content-Length past it was refused by _target
        chunks, size = [], 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                raise errors.object_error("EntityTooLarge")
            chunks.append(chunk)
        return b"".join(chunks)

    # --- buckets -------------------------------------------------------------------------------

    async def put_bucket(self, request: web.Request) -> web.Response:
        bucket, _ = self._target(request, with_key=False)
        await self._body(request)  # CreateBucketConfiguration (AZ, archive): accepted, not modelled
        self.store.create_bucket(bucket, region_of(request.host))
        return self.wire.object_response(headers={"Content-Length": "0"})

    async def head_bucket(self, request: web.Request) -> web.Response:
        bucket, _ = self._target(request, with_key=False)
        found = self.store.bucket(bucket)
        return self.wire.object_response(headers={"x-cos-bucket-region": found.region})

    async def get_bucket(self, request: web.Request) -> web.Response:
        bucket, _ = self._target(request, with_key=False)
        prefix, delimiter, marker, max_keys, url = object_validation.list_query(request.query)
        found = self.store.bucket(bucket)
        contents, prefixes, truncated, next_marker = self.store.list(bucket, prefix, delimiter, marker, max_keys)
        now = self.store.clock.now()
        result = object_shapes.list_bucket_result(bucket, prefix, delimiter, marker, max_keys, url, contents,
                                                  prefixes, truncated, next_marker, now)
        body = object_shapes.LIST_DECLARATION + xmlio.dumps("ListBucketResult", result)
        return self.wire.object_response(body=body, headers={"x-cos-bucket-region": found.region}, xml=True)

    async def delete_bucket(self, request: web.Request) -> web.Response:
        bucket, _ = self._target(request, with_key=False)
        self.store.delete_bucket(bucket)
        return self.wire.object_response(status=204)

    # --- objects -------------------------------------------------------------------------------

    async def put_object(self, request: web.Request) -> web.Response:
        bucket, key = self._target(request, with_key=True)
        if "tagging" in request.query:
            tags = object_validation.tagging_body(await self._body(request))
            self.store.update(bucket, key, tags=tags)
            return self.wire.object_response(headers={"Content-Length": "0"})
        source = request.headers.get("x-cos-copy-source")
        if source is not None:
            return self._copy(request, bucket, key, source)
        headers = request.headers
        self.store.bucket(bucket)
        if request.content_length is None and "chunked" not in headers.get("Transfer-Encoding", ""):
            raise errors.object_error("MissingContentLength")
        attributes = {"storage_class": object_validation.storage_class(headers),
                      "headers": object_validation.stored_headers(headers), "meta": object_validation.meta(headers),
                      "tags": object_validation.tagging_header(headers) or {}, "acl": headers.get("x-cos-acl"),
                      "grants": object_validation.grants(headers)}
        body = await self._body(request)
        validation.digest_checked(headers, body)
        made = self.store.put(bucket, key, body, **attributes)
        return self.wire.object_response(headers={"Content-Length": "0", "ETag": f'"{made.etag}"',
                                                  "x-cos-hash-crc64ecma": str(made.crc64)})

    def _copy(self, request: web.Request, bucket: str, key: str, source_header: str) -> web.Response:
        headers = request.headers
        source_bucket, source_key, version = object_validation.copy_source(source_header)
        metadata = object_validation.directive(headers, "x-cos-metadata-directive")
        tagging = object_validation.directive(headers, "x-cos-tagging-directive")
        self.store.bucket(bucket)
        try:
            source = self.store.get(source_bucket, source_key)
        except ApiError:
            raise errors.object_error("NoSuchCopySource") from None
        current_version(version)
        if owner(source_bucket) != owner(bucket):
            raise errors.object_error("AccessDenied")
        now = self.store.clock.now()
        if not source.readable(now):
            raise errors.object_error("InvalidObjectState", headers={"x-cos-storage-class": source.storage_class})
        self._source_conditions(headers, source)
        klass = object_validation.storage_class(headers)
        changes = {"storage_class": klass, "acl": headers.get("x-cos-acl"), "grants": object_validation.grants(headers),
                   "encryption": headers.get(ENCRYPTION)}
        if metadata == "Replaced":
            changes.update(headers=object_validation.stored_headers(headers), meta=object_validation.meta(headers))
        if tagging == "Replaced":
            changes["tags"] = object_validation.tagging_header(headers) or {}
        if (source_bucket, source_key) == (bucket, key) and metadata == "Copy" and klass == source.storage_class:
            raise errors.object_error("InvalidRequest", errors.SELF_COPY)
        made = self.store.copy(bucket, key, source, **changes)
        body = object_shapes.COPY_DECLARATION + xmlio.dumps("CopyObjectResult", object_shapes.copy_object_result(made))
        return self.wire.object_response(body=body, xml=True)

    @staticmethod
    def _source_conditions(headers, source) -> None:
        match = headers.get("x-cos-copy-source-If-Match")
        none_match = headers.get("x-cos-copy-source-If-None-Match")
        modified = _moment(headers.get("x-cos-copy-source-If-Modified-Since"))
        unmodified = _moment(headers.get("x-cos-copy-source-If-Unmodified-Since"))
        if match is not None and match.strip('"') != source.etag \
                or none_match is not None and none_match.strip('"') == source.etag \
                or modified is not None and source.modified.replace(microsecond=0) <= modified \
                or unmodified is not None and source.modified.replace(microsecond=0) > unmodified:
            raise errors.object_error("PreconditionFailed")

    def _readable(self, request: web.Request, head: bool) -> tuple[object, dict[str, str], int | None]:
        """The object, its headers and the 304 status (or None) after the If-* conditions."""
        bucket, key = self._target(request, with_key=True)
        found = self.store.get(bucket, key)
        now = self.store.clock.now()
        if not head and not found.readable(now):
            raise errors.object_error("InvalidObjectState", headers={"x-cos-storage-class": found.storage_class})
        headers = object_shapes.object_headers(found, now)
        given = request.headers
        match, none_match = given.get("If-Match"), given.get("If-None-Match")
        modified, unmodified = _moment(given.get("If-Modified-Since")), _moment(given.get("If-Unmodified-Since"))
        seconds = found.modified.replace(microsecond=0)
        if match is not None and match.strip('"') != found.etag \
                or match is None and unmodified is not None and seconds > unmodified:
            raise errors.object_error("PreconditionFailed")
        if none_match is not None and none_match.strip('"') == found.etag \
                or none_match is None and modified is not None and seconds <= modified:
            return found, headers, 304
        return found, headers, None

    async def head_object(self, request: web.Request) -> web.Response:
        found, headers, status = self._readable(request, head=True)
        headers["Content-Length"] = str(found.size) if status is None else "0"  # type: ignore[attr-defined]
        return self.wire.object_response(status=status or 200, headers=headers)

    async def get_object(self, request: web.Request) -> web.Response:
        if "tagging" in request.query:
            bucket, key = self._target(request, with_key=True)
            tags = self.store.get(bucket, key).tags
            return self.wire.object_response(body=xmlio.dumps("Tagging", object_shapes.tagging(tags)), xml=True)
        found, headers, status = self._readable(request, head=False)
        if status is not None:
            return self.wire.object_response(status=status, headers={"ETag": headers["ETag"]})
        body = found.body  # type: ignore[attr-defined]
        for name in object_validation.RESPONSE_OVERRIDES:
            override = request.query.get(f"response-{name}")
            if override is not None:
                headers["-".join(part.capitalize() for part in name.split("-"))] = override
        ranged = _range(request.headers.get("Range"), len(body))
        if ranged is None:
            return self.wire.object_response(body=body, headers=headers)
        first, last = ranged
        headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
        return self.wire.object_response(status=206, body=body[first:last + 1], headers=headers)

    async def delete_object(self, request: web.Request) -> web.Response:
        bucket, key = self._target(request, with_key=True)
        if "tagging" in request.query:
            self.store.update(bucket, key, tags={})
        else:
            self.store.delete(bucket, key)
        return self.wire.object_response(status=204)

    async def post_object(self, request: web.Request) -> web.Response:
        bucket, key = self._target(request, with_key=True)
        if "restore" not in request.query:
            raise errors.object_error("NotImplemented", reason="POST Object (form upload) is not emulated")
        days, tier = object_validation.restore_body(await self._body(request))
        status = self.store.restore(bucket, key, days, tier)
        return self.wire.object_response(status=status, headers={"Content-Length": "0"})

    async def not_allowed(self, request: web.Request) -> web.Response:
        """Another method: POST on a bucket (form upload, ?delete, ...) and any sub-resource are 501, the rest 405."""
        if request.method == "POST" or request.query:
            raise errors.object_error("NotImplemented", reason=f"{request.method} {request.path_qs} is not emulated")
        raise ApiError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")


def _range(value: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `bytes=` range, None for none (or several); 416 InvalidRange if unsatisfiable."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    first_text, _, last_text = value[6:].strip().partition("-")
    try:
        if not first_text:
            count = int(last_text)
            if count <= 0 or size == 0:
                raise errors.object_error("InvalidRange")
            return max(0, size - count), size - 1
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    except ValueError:
        return None
    if first >= size or first > last:
        raise errors.object_error("InvalidRange")
    return first, last
