"""Request validation in COS's order: the x-cos-appid header, query parameters and the CreateJobRequest body.

Each check raises the catalogue error COS documents for it; what passes comes back normalised
(ints, booleans, children in alphabetical order) so nothing downstream re-reads raw input.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from emulator.core.errors import ApiError
from emulator.services.cos_batch import errors, lifecycle, object_validation
from emulator.services.cos_batch.objects import ENCRYPTION
from emulator.services.cos_batch.xmlio import xml_safe

MAX_PRIORITY = 2147483647
MAX_REASON_BYTES = 256
MAX_APPID_BYTES = 64
MAX_RESULTS = 1000
MAX_DEPTH = 16  # COSPutObjectCopy's deepest element (AccessControlGrants/COSGrant/Grantee/...) is 4 down
_DIGITS = re.compile(r"[0-9]{1,10}")

MANIFEST_FORMATS = ("COSBatchOperations_CSV_V1", "COSInventoryReport_CSV_V1")
MANIFEST_FIELDS = ("Ignore", "Bucket", "Key", "VersionId")
REPORT_FORMATS = ("Report_CSV_V1",)
REPORT_SCOPES = ("AllTasks", "FailedTasksOnly")
DIRECTIVES = ("Copy", "Replaced", "Add")
CANNED_ACLS = ("private", "public-read")
GRANTEE_TYPES = ("ID",)
GRANT_PERMISSIONS = ("READ", "WRITE", "FULL_CONTROL")
JOB_TIERS = ("Bulk", "Standard")
COPY_STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "ARCHIVE")  # the docs' two, and the console's ARCHIVE
SSE_ALGORITHMS = ("AES256",)
# NewObjectMetadata's elements and the object headers they set
NEW_METADATA = {"CacheControl": "Cache-Control", "ContentDisposition": "Content-Disposition",
                "ContentEncoding": "Content-Encoding", "ContentType": "Content-Type", "HttpExpiresDate": "Expires",
                "SSEAlgorithm": ENCRYPTION}
OPERATIONS = ("COSInitiateRestoreObject", "COSPutObjectCopy")


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))  # a header's undecodable bytes count as sent


def appid(headers: Mapping[str, str]) -> str:
    """The caller's APPID: required on every call, 1-64 bytes."""
    value = headers.get("x-cos-appid", "")
    if not value:
        raise errors.invalid_argument(errors.APPID_EMPTY)
    if _size(value) > MAX_APPID_BYTES:
        raise errors.invalid_argument(reason="x-cos-appid is longer than 64 bytes")
    return value


def job_id(value: str) -> str:
    if not value:
        raise errors.invalid_request(errors.NO_JOB_ID)
    return value


def digest_checked(headers: Mapping[str, str], body: bytes) -> None:
    """Content-MD5, when sent, must be the base64 of the body's 16-byte MD5."""
    given = headers.get("Content-MD5")
    if given is None:
        return
    try:
        digest = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        raise errors.invalid_digest() from None
    if len(digest) != 16:
        raise errors.invalid_digest()
    if digest != hashlib.md5(body).digest():
        raise errors.bad_digest()


def integer(text: str, low: int, high: int) -> int | None:
    """`text` as a plain base-10 integer within [low, high], or None."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def priority_query(query: Mapping[str, str]) -> int:
    text = query.get("priority", "")
    if not text:
        raise errors.invalid_request(errors.NO_PRIORITY)
    value = integer(text, 0, MAX_PRIORITY)
    if value is None:
        raise errors.invalid_argument(errors.PRIORITY_RANGE)
    return value


def status_query(query: Mapping[str, str]) -> tuple[str, str | None]:
    """(requestedJobStatus, statusUpdateReason or None when not given)."""
    requested = query.get("requestedJobStatus", "")
    if requested not in lifecycle.REQUESTABLE:
        raise errors.invalid_argument(errors.REQUESTED_STATUS)
    reason = query.get("statusUpdateReason")
    if reason is not None and (_size(reason) > MAX_REASON_BYTES or not xml_safe(reason)):
        raise errors.invalid_argument(reason="statusUpdateReason is longer than 256 bytes or not text")
    return requested, reason


def list_query(query: Any) -> tuple[frozenset[str] | None, int, str | None]:
    """(statuses to keep or None for all, page size, JobId to continue after or None).

    jobStatuses may repeat and may hold comma-separated values; empty values count as absent.
    """
    statuses: set[str] = set()
    for value in query.getall("jobStatuses", ()):
        for status in filter(None, value.split(",")):
            if status not in lifecycle.STATUSES:
                raise errors.invalid_argument(errors.JOB_STATUSES)
            statuses.add(status)
    size = MAX_RESULTS
    text = query.get("maxResults", "")
    if text:
        found = integer(text, 1, MAX_RESULTS)
        if found is None:
            raise errors.invalid_argument(errors.MAX_RESULTS)
        size = found
    token = query.get("nextToken") or None
    if token is not None and _size(token) > 64:
        raise errors.invalid_argument(errors.NEXT_TOKEN)
    return (frozenset(statuses) or None), size, token


# --- CreateJobRequest ------------------------------------------------------------------------

def _leaf(tree: dict, name: str, required: bool = False, max_bytes: int = 1024,
          choices: tuple[str, ...] | None = None) -> str | None:
    """A text child: None when absent or empty (a 400 "Empty parameter" if required)."""
    value = tree.get(name)
    if value is None or value == "":
        if required:
            raise errors.invalid_argument(errors.EMPTY_PARAMETER, reason=f"{name} is required")
        return None
    if not isinstance(value, str) or _size(value) > max_bytes or (choices and value not in choices):
        raise errors.invalid_argument(reason=f"{name} is not valid")
    return value


def _boolean(tree: dict, name: str, required: bool = False) -> bool | None:
    value = _leaf(tree, name, required)
    if value is None:
        return None
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise errors.invalid_argument(reason=f"{name} must be true or false")
    return lowered == "true"


def _container(tree: dict, name: str, malformed: str) -> dict:
    """A required child with children: absent is "Empty parameter", any other shape MalformedXML."""
    value = tree.get(name)
    if value is None:
        raise errors.invalid_argument(errors.EMPTY_PARAMETER, reason=f"{name} is required")
    if not isinstance(value, dict):
        raise errors.malformed_xml(malformed)
    return value


def _part(tree: dict, name: str, malformed: str) -> dict:
    """A required sub-container of Manifest or Report: any other shape makes the parent malformed."""
    value = tree.get(name)
    if not isinstance(value, dict):
        raise errors.malformed_xml(malformed)
    return value


def _sorted(value: Any, malformed: str, depth: int = 0) -> Any:
    """A parsed subtree with every container's children in alphabetical order, lists kept in order.

    Text beside child elements, or nesting deeper than any COS operation goes, makes it malformed.
    """
    if depth > MAX_DEPTH:
        raise errors.malformed_xml(malformed)
    if isinstance(value, dict):
        if "#text" in value:
            raise errors.malformed_xml(malformed)
        return {key: _sorted(value[key], malformed, depth + 1) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item, malformed, depth + 1) for item in value]
    return value


def _present(pairs: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in pairs.items() if value is not None}


def _manifest(tree: dict) -> dict:
    malformed = "Incorrect Manifest format"
    manifest = _container(tree, "Manifest", malformed)
    location = _part(manifest, "Location", malformed)
    spec = _part(manifest, "Spec", malformed)
    location_out = _present({
        "ETag": _leaf(location, "ETag", required=True),
        "ObjectArn": _leaf(location, "ObjectArn", required=True),
        "ObjectVersionId": _leaf(location, "ObjectVersionId"),
    })
    fields_tree = spec.get("Fields")
    members: list[str] = []
    if fields_tree is not None:
        if not isinstance(fields_tree, dict) or set(fields_tree) != {"member"}:
            raise errors.malformed_xml(malformed)
        raw = fields_tree["member"]
        for member in raw if isinstance(raw, list) else [raw]:
            if member not in MANIFEST_FIELDS:
                raise errors.invalid_argument(reason="Fields members are Ignore, Bucket, Key or VersionId")
            members.append(member)
    spec_format = _leaf(spec, "Format", required=True, choices=MANIFEST_FORMATS)
    if spec_format == "COSBatchOperations_CSV_V1" and not members:
        raise errors.invalid_argument(errors.EMPTY_PARAMETER, reason="Fields is required for CSV manifests")
    spec_out = _present({"Fields": {"member": members} if members else None, "Format": spec_format})
    return {"Location": location_out, "Spec": spec_out}


def since_time(text: str) -> datetime:
    """A copy constraint's Timestamp: Unix seconds (the Go SDK sends an int64) or an ISO 8601 time with a zone
    (UTC when it has none); ValueError for anything else."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        if len(text) > 11:  # past the year 5000
            raise ValueError(text)
        return datetime.fromtimestamp(int(text), timezone.utc)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _copy(operation: dict) -> None:
    _leaf(operation, "TargetResource", required=True)
    for name in ("ModifiedSinceConstraint", "UnModifiedSinceConstraint"):
        value = _leaf(operation, name, max_bytes=64)
        if value is not None:
            try:
                since_time(value)
            except ValueError:
                raise errors.invalid_argument(reason=f"{name} must be a time: Unix seconds or ISO 8601") from None
    for name in ("AccessControlDirective", "MetadataDirective", "TaggingDirective"):
        _leaf(operation, name, choices=DIRECTIVES)
    _leaf(operation, "CannedAccessControlList", choices=CANNED_ACLS)
    _grants(operation)
    _boolean(operation, "PrefixReplace")
    _leaf(operation, "ResourcesPrefix")
    _leaf(operation, "TargetKeyPrefix")
    _leaf(operation, "StorageClass", choices=COPY_STORAGE_CLASSES)
    new = operation.get("NewObjectMetadata")
    if new and not isinstance(new, dict):
        raise errors.invalid_argument(reason="NewObjectMetadata holds CacheControl, ..., UserMetadata")
    for name in NEW_METADATA:
        _leaf(new or {}, name, choices=SSE_ALGORITHMS if name == "SSEAlgorithm" else None)
    try:  # the object API's rules; CreateJob words a violation as its other invalid values
        new_metadata(operation)
        new_tags(operation)
    except ApiError as error:
        raise errors.invalid_argument(reason=f"NewObjectMetadata/UserMetadata or NewObjectTagging: {error.message}") \
            from None


def _pairs(tree: Any, outer: str, inner: str) -> list[tuple[str, str]]:
    """The (Key, Value) texts of `<outer><inner><Key/><Value/></inner>...</outer>`; an empty Value is ""."""
    found = tree.get(outer) if isinstance(tree, dict) else None
    if not found:  # absent or empty
        return []
    items = found.get(inner) if isinstance(found, dict) else None
    pairs = []
    for item in items if isinstance(items, list) else [items]:
        key, value = (item.get("Key"), item.get("Value")) if isinstance(item, dict) else (None, None)
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            raise errors.invalid_argument(reason=f"{outer} holds {inner} elements with a Key and a Value")
        pairs.append((key, value or ""))
    return pairs


def new_metadata(operation: dict) -> tuple[dict[str, str], dict[str, str]]:
    """COSPutObjectCopy's NewObjectMetadata as (object headers, x-cos-meta-* by suffix)."""
    new = operation.get("NewObjectMetadata") or {}
    headers = {header: new[name] for name, header in NEW_METADATA.items() if isinstance(new.get(name), str)}
    return headers, object_validation.user_meta(_pairs(new, "UserMetadata", "member"))


def new_tags(operation: dict) -> dict[str, str]:
    """COSPutObjectCopy's NewObjectTagging/COSTag as tags, under the object API's tag rules."""
    return object_validation.tags(_pairs(operation, "NewObjectTagging", "COSTag"))


def _grants(operation: dict) -> None:
    """AccessControlGrants/COSGrant (one or a list): Grantee/{Identifier, TypeIdentifier ID}, Permission."""
    grants = operation.get("AccessControlGrants")
    if grants is None:
        return
    items = grants.get("COSGrant") if isinstance(grants, dict) else None
    for grant in items if isinstance(items, list) else [items]:
        grantee = grant.get("Grantee") if isinstance(grant, dict) else None
        if not isinstance(grantee, dict):
            raise errors.invalid_argument(reason="AccessControlGrants holds COSGrant elements with a Grantee")
        _leaf(grantee, "Identifier", required=True)
        _leaf(grantee, "TypeIdentifier", required=True, choices=GRANTEE_TYPES)
        _leaf(grantee, "DisplayName")
        _leaf(grant, "Permission", required=True, choices=GRANT_PERMISSIONS)


def _restore(operation: dict) -> None:
    days = _leaf(operation, "ExpirationInDays", required=True)
    if days is None or integer(days, 1, 365) is None:
        raise errors.invalid_argument(reason="ExpirationInDays must be an integer between 1 and 365")
    _leaf(operation, "JobTier", required=True, choices=JOB_TIERS)


def _operation(tree: dict) -> dict:
    malformed = "Incorrect Operation format"
    operation = _container(tree, "Operation", malformed)
    if len(operation) != 1:
        raise errors.malformed_xml(malformed)
    ((name, body),) = operation.items()
    if name not in OPERATIONS:
        raise errors.malformed_xml(malformed)
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise errors.malformed_xml(malformed)
    (_copy if name == "COSPutObjectCopy" else _restore)(body)
    return {name: _sorted(body, malformed)}


def _priority(tree: dict) -> int:
    value = tree.get("Priority")
    found = integer(value, 0, MAX_PRIORITY) if isinstance(value, str) else None
    if found is None:
        raise errors.invalid_argument(errors.PRIORITY_RANGE)
    return found


def _report(tree: dict) -> dict:
    report = _container(tree, "Report", "Incorrect Report format")
    return _present({
        "Bucket": _leaf(report, "Bucket", required=True),
        "Enabled": _boolean(report, "Enabled", required=True),
        "Format": _leaf(report, "Format", required=True, choices=REPORT_FORMATS),
        "Prefix": _leaf(report, "Prefix", max_bytes=256),
        "ReportScope": _leaf(report, "ReportScope", required=True, choices=REPORT_SCOPES),
    })


def create_job_request(root: str, tree: Any) -> dict[str, Any]:
    """A parsed CreateJobRequest, checked element by element in the documented (alphabetical) order."""
    if root != "CreateJobRequest" or not isinstance(tree, dict):
        raise errors.malformed_xml()
    token = _leaf(tree, "ClientRequestToken", required=True, max_bytes=64)
    confirmation = _boolean(tree, "ConfirmationRequired")
    description = _leaf(tree, "Description", max_bytes=256)
    return {
        "ClientRequestToken": token,
        "ConfirmationRequired": bool(confirmation),
        "Description": description,
        "Manifest": _manifest(tree),
        "Operation": _operation(tree),
        "Priority": _priority(tree),
        "Report": _report(tree),
        "RoleArn": _leaf(tree, "RoleArn", required=True),
    }
