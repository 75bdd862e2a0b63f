"""Object-API response shapes: ListBucketResult, CopyObjectResult, Tagging, and GET/HEAD Object headers."""
from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from emulator.services.cos_batch.objects import ARCHIVED, CosObject

COPY_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
LIST_DECLARATION = b"<?xml version='1.0' encoding='utf-8' ?>\n"


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _millis(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _encoded(text: str, url: bool) -> str:
    return quote(text, safe="/-_.~") if url else text


def list_bucket_result(bucket: str, prefix: str, delimiter: str, marker: str, max_keys: int, url: bool,
                       contents: list[tuple[str, CosObject]], prefixes: list[str], truncated: bool,
                       next_marker: str | None, now: datetime) -> dict[str, Any]:
    """ListBucketResult's children in COS's order; RestoreStatus only on archived objects with a restore."""
    appid = bucket.rpartition("-")[2]
    result: dict[str, Any] = {"Name": bucket}
    if url:
        result["EncodingType"] = "url"
    result.update({"Prefix": _encoded(prefix, url), "Marker": _encoded(marker, url), "MaxKeys": str(max_keys)})
    if delimiter:
        result["Delimiter"] = delimiter
    result["IsTruncated"] = truncated
    if truncated and next_marker is not None:
        result["NextMarker"] = _encoded(next_marker, url)
    if prefixes:
        result["CommonPrefixes"] = [{"Prefix": _encoded(common, url)} for common in prefixes]
    entries = []
    for key, found in contents:
        entry = {"Key": _encoded(key, url), "LastModified": _millis(found.modified), "ETag": f'"{found.etag}"',
                 "Size": str(found.size), "Owner": {"ID": appid, "DisplayName": appid},
                 "StorageClass": found.storage_class}
        if found.storage_class in ARCHIVED and found.restore is not None:
            entry["RestoreStatus"] = "ONGOING" if found.restore.expiry is None else "DONE"
        entries.append(entry)
    if entries:
        result["Contents"] = entries
    return result


def copy_object_result(found: CosObject) -> dict[str, str]:
    return {"ETag": f'"{found.etag}"', "CRC64": str(found.crc64),
            "LastModified": found.modified.strftime("%Y-%m-%dT%H:%M:%SZ")}


def tagging(tags: dict[str, str]) -> dict[str, Any]:
    return {"TagSet": {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}}


def object_headers(found: CosObject, now: datetime) -> dict[str, str]:
    """GET/HEAD Object headers: stored ones, ETag, CRC64, metadata, class (unless STANDARD), restore state."""
    headers = {"Content-Type": "application/octet-stream", **found.headers, "Accept-Ranges": "bytes",
               "ETag": f'"{found.etag}"', "Last-Modified": http_date(found.modified),
               "x-cos-hash-crc64ecma": str(found.crc64)}
    for name, value in found.meta.items():
        headers[f"x-cos-meta-{name}"] = value
    if found.storage_class != "STANDARD":
        headers["x-cos-storage-class"] = found.storage_class
    restore = found.restore
    if restore is not None:
        if restore.expiry is None:
            headers["x-cos-restore"] = 'ongoing-request="true"'
            headers["x-cos-restore-status"] = f'tier="{restore.tier}"; request-date="{http_date(restore.requested)}"'
        elif now < restore.expiry:
            headers["x-cos-restore"] = f'ongoing-request="false", expiry-date="{http_date(restore.expiry)}"'
    if found.tags:
        headers["x-cos-tagging-count"] = str(len(found.tags))
    return headers
