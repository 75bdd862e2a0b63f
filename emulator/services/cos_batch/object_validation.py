"""Object-API request checks: keys, stored headers, x-cos-meta-*, tags, storage classes, copy sources, bodies, lists."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.parsers.expat import ExpatError

from emulator.services.cos_batch import errors, xmlio
from emulator.services.cos_batch.authn import SIGNATURE_FIELDS
from emulator.services.cos_batch.objects import BUCKET, ENCRYPTION, STORAGE_CLASSES

MAX_KEY_BYTES = 850
MAX_TAGS = 10
MAX_META_VALUE = 2048
MAX_META_TOTAL = 4096
MAX_LIST_KEYS = 1000
STORED_HEADERS = ("Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Expires", ENCRYPTION)
DIRECTIVES = ("Copy", "Replaced")
TIERS = ("Expedited", "Standard", "Bulk")
GRANT_HEADERS = {"x-cos-grant-read": "READ", "x-cos-grant-write": "WRITE", "x-cos-grant-read-acp": "READ_ACP",
                 "x-cos-grant-write-acp": "WRITE_ACP", "x-cos-grant-full-control": "FULL_CONTROL"}
_META_NAME = re.compile(r"[a-z0-9-]+")
_GRANTEE = re.compile(r'\s*id="([^"]+)"\s*')
_TAG_TEXT = re.compile(r"[A-Za-z0-9 +\-_=.:/]*")
LIST_QUERY = ("prefix", "delimiter", "marker", "max-keys", "encoding-type")
RESPONSE_OVERRIDES = ("content-type", "content-language", "expires", "cache-control", "content-disposition",
                      "content-encoding")  # GET Object's response-<header> parameters
PRESIGNED_QUERY = frozenset((*SIGNATURE_FIELDS, "x-cos-security-token"))  # a presigned URL's signature, every call
# The query names each object-API call serves, by (bucket or object, method). Any other name is a sub-resource the
# emulator does not serve (?acl, ?tagging on a bucket, ?versions, ?delete, ?symlink, ...): 501, never a silent success.
EMULATED_QUERY: dict[tuple[str, str], frozenset[str]] = {
    ("bucket", "GET"): frozenset(LIST_QUERY),
    ("object", "GET"): frozenset({"tagging", "versionId", *(f"response-{name}" for name in RESPONSE_OVERRIDES)}),
    ("object", "HEAD"): frozenset({"versionId"}),
    ("object", "PUT"): frozenset({"tagging", "versionId"}),
    ("object", "DELETE"): frozenset({"tagging", "versionId"}),
    ("object", "POST"): frozenset({"restore", "versionId"}),
}


def key(text: str) -> str:
    if len(text.encode("utf-8")) > MAX_KEY_BYTES:
        raise errors.object_error("KeyTooLong")
    if not text:
        raise errors.object_error("InvalidObjectName")
    return text


def emulated(query: Mapping[str, str], scope: str, method: str) -> None:
    """501 NotImplemented for a query name the call (`scope` "bucket" or "object", `method`) does not serve."""
    served = EMULATED_QUERY.get((scope, method), frozenset())
    for name in query:
        if name not in served and name not in PRESIGNED_QUERY:
            raise errors.object_error("NotImplemented", reason=f"{method} ?{name} is not emulated")


def storage_class(headers: Mapping[str, str], default: str = "STANDARD") -> str:
    value = headers.get("x-cos-storage-class")
    if value is None:
        return default
    if value.upper() not in STORAGE_CLASSES:
        raise errors.object_error("NotSupportedStorageClass")
    return value.upper()


def stored_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in STORED_HEADERS if name in headers}


def meta(headers: Mapping[str, str]) -> dict[str, str]:
    """The x-cos-meta-* headers by lower-case suffix (`user_meta`)."""
    return user_meta((name, value) for name, value in headers.items() if name.lower().startswith("x-cos-meta-"))


def user_meta(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """User metadata by lower-case suffix of its name (`x-cos-meta-` optional): a-z 0-9 -; each value at most
    2 KB, all at most 4 KB."""
    found: dict[str, str] = {}
    for name, value in pairs:
        suffix = name.lower().removeprefix("x-cos-meta-")
        if not _META_NAME.fullmatch(suffix) or len(value.encode("utf-8")) > MAX_META_VALUE:
            raise errors.object_error("InvalidArgument", reason=f"{name} is not a valid user metadata name")
        found[suffix] = value
    if sum(len(k) + len(v.encode("utf-8")) for k, v in found.items()) > MAX_META_TOTAL:
        raise errors.object_error("InvalidArgument", reason="user metadata exceeds 4 KB")
    return found


def grants(headers: Mapping[str, str]) -> dict[str, list[str]]:
    """The x-cos-grant-* headers (`id="100000000001",id="100000000002"`) as permission -> grantee ids."""
    found: dict[str, list[str]] = {}
    for name, permission in GRANT_HEADERS.items():
        value = headers.get(name)
        if value is None:
            continue
        grantees = [_GRANTEE.fullmatch(part) for part in value.split(",")]
        if not all(grantees):
            raise errors.object_error("InvalidArgument", reason=f'{name} must list id="<uin>" grantees')
        found[permission] = [match.group(1) for match in grantees]  # type: ignore[union-attr]
    return found


def tags(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """At most 10 tags; keys up to 128, values up to 256 characters of ASCII letters, digits, space and + - _ = . : /"""
    if len(pairs) > MAX_TAGS:
        raise errors.object_error("InvalidTag", reason="more than 10 tags")
    found: dict[str, str] = {}
    for name, value in pairs:
        if not name or len(name) > 128 or len(value) > 256 or not _TAG_TEXT.fullmatch(name) \
                or not _TAG_TEXT.fullmatch(value) or name in found:
            raise errors.object_error("InvalidTag")
        found[name] = value
    return found


def tagging_header(headers: Mapping[str, str]) -> dict[str, str] | None:
    value = headers.get("x-cos-tagging")
    return None if value is None else tags(parse_qsl(value, keep_blank_values=True))


def _xml(body: bytes, root: str) -> dict[str, Any]:
    try:
        found, tree = xmlio.parse(body)
    except (ExpatError, ValueError):
        raise errors.object_error("MalformedXML") from None
    if found != root or not isinstance(tree, dict):
        raise errors.object_error("MalformedXML")
    return tree


def tagging_body(body: bytes) -> dict[str, str]:
    """PUT Object tagging: Tagging/TagSet/Tag/{Key, Value}."""
    tree = _xml(body, "Tagging")
    tag_set = tree.get("TagSet") or {}
    if not isinstance(tag_set, dict):
        raise errors.object_error("MalformedXML")
    items = tag_set.get("Tag") or []
    items = items if isinstance(items, list) else [items]
    pairs = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("Key"), str):
            raise errors.object_error("MalformedXML")
        value = item.get("Value")
        pairs.append((item["Key"], value if isinstance(value, str) else ""))
    return tags(pairs)


def restore_body(body: bytes) -> tuple[int, str]:
    """POST Object restore: RestoreRequest/{Days 1-365, CASJobParameters/Tier}, both required; a missing or unknown
    element is MalformedXML, a bad value InvalidArgument."""
    tree = _xml(body, "RestoreRequest")
    parameters = tree.get("CASJobParameters")
    if not set(tree) <= {"Days", "CASJobParameters"} or "Days" not in tree \
            or parameters is not None and (not isinstance(parameters, dict) or not set(parameters) <= {"Tier"}):
        raise errors.object_error("MalformedXML", reason="RestoreRequest holds Days and CASJobParameters/Tier")
    days_text = tree["Days"]
    days = int(days_text) if isinstance(days_text, str) and days_text.isdigit() else None
    if days is None or not 1 <= days <= 365:
        raise errors.object_error("InvalidArgument", reason="Days must be an integer between 1 and 365")
    if not parameters or "Tier" not in parameters:
        raise errors.object_error("MalformedXML", reason="CASJobParameters/Tier is required")
    if parameters["Tier"] not in TIERS:
        raise errors.object_error("InvalidArgument", reason="Tier must be Expedited, Standard or Bulk")
    return days, parameters["Tier"]


def copy_source(value: str) -> tuple[str, str, str | None]:
    """(bucket, key, versionId or None) of x-cos-copy-source: `<bucket>.cos.<region>.myqcloud.com/<encoded key>` or
    `/<bucket>/<key>`, either optionally followed by `?versionId=<id>`."""
    text, _, query = value.partition("?")
    if text.startswith("/"):
        bucket, _, encoded = text[1:].partition("/")
    else:
        host, _, encoded = text.partition("/")
        bucket = host.partition(".")[0]
    source_key = unquote(encoded)
    if not BUCKET.fullmatch(bucket) or not source_key:
        raise errors.object_error("InvalidCopySource")
    return bucket, source_key, dict(parse_qsl(query)).get("versionId")


def directive(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "Copy")
    if value not in DIRECTIVES:
        raise errors.object_error("InvalidArgument", reason=f"{name} must be Copy or Replaced")
    return value


def list_query(query: Mapping[str, str]) -> tuple[str, str, str, int, bool]:
    """(prefix, delimiter, marker, max-keys capped at 1000, url encoding) of GET Bucket."""
    delimiter = query.get("delimiter", "")
    if len(delimiter) > 1:
        raise errors.object_error("InvalidDelimiter")
    text = query.get("max-keys", "")
    if text and not text.isdigit():
        raise errors.object_error("InvalidArgument", reason="max-keys must be a non-negative integer")
    encoding = query.get("encoding-type", "")
    if encoding not in ("", "url"):
        raise errors.object_error("InvalidArgument", reason="encoding-type must be url")
    max_keys = min(int(text), MAX_LIST_KEYS) if text else MAX_LIST_KEYS
    return query.get("prefix", ""), delimiter, query.get("marker", ""), max_keys, encoding == "url"
