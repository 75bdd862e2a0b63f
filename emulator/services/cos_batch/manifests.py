"""Batch manifests read into compact task tuples: COSBatchOperations_CSV_V1 rows and COSInventoryReport_CSV_V1 files."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from urllib.parse import unquote

Task = tuple[str, str, str]  # (bucket, key as listed (URL-encoded), version id or "")


class InvalidManifest(ValueError):
    """The manifest cannot be read; the message is the job's FailureReason."""


def arn_resource(arn: str) -> str:
    """`qcs::cos:<region>:<account>:<resource>` -> resource (`<bucket>` or `<bucket>/<key>`)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "qcs" or parts[2] != "cos":
        raise InvalidManifest(f"{arn} is not a COS resource name")
    return parts[5]


def _rows(text: str) -> Iterable[list[str]]:
    """CSV rows, RFC 4180 quoting, blank lines skipped, ASCII spaces around fields stripped."""
    for row in csv.reader(io.StringIO(text)):
        if row and any(cell.strip() for cell in row):
            yield [cell.strip(" ") for cell in row]


def _decode(body: bytes, name: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidManifest(f"{name} is not UTF-8") from None


def csv_tasks(body: bytes, fields: list[str]) -> list[Task]:
    """COSBatchOperations_CSV_V1: each row exactly `fields` long; a first row naming the fields is a header."""
    if "Bucket" not in fields or "Key" not in fields:
        raise InvalidManifest("The manifest fields must include Bucket and Key")
    at_bucket, at_key = fields.index("Bucket"), fields.index("Key")
    at_version = fields.index("VersionId") if "VersionId" in fields else None
    tasks: list[Task] = []
    for number, row in enumerate(_rows(_decode(body, "The manifest")), 1):
        if len(row) != len(fields):
            raise InvalidManifest(f"Manifest line {number}: expected {len(fields)} fields")
        if number == 1 and row == fields:
            continue
        tasks.append((row[at_bucket], row[at_key], row[at_version] if at_version is not None else ""))
    if not tasks:
        raise InvalidManifest("The manifest lists no objects")
    return tasks


def inventory_tasks(body: bytes, read: Callable[[str], bytes | None]) -> list[Task]:
    """COSInventoryReport_CSV_V1: manifest.json names gzip CSV files (in the same bucket) and their schema."""
    try:
        document = json.loads(_decode(body, "manifest.json"))
        schema = [name.strip() for name in document["fileSchema"].split(",")]
        files = [(entry["key"], entry.get("md5Checksum")) for entry in document["files"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidManifest("manifest.json is not an inventory manifest") from None
    if "Bucket" not in schema or "Key" not in schema:
        raise InvalidManifest("The inventory schema lacks Bucket or Key")
    at_bucket, at_key = schema.index("Bucket"), schema.index("Key")
    at_version = schema.index("VersionId") if "VersionId" in schema else None
    at_appid = schema.index("Appid") if "Appid" in schema else None
    tasks: list[Task] = []
    for key, checksum in files:
        packed = read(key)
        if packed is None:
            raise InvalidManifest(f"The inventory file {key} does not exist")
        if checksum and hashlib.md5(packed).hexdigest() != checksum:
            raise InvalidManifest(f"The inventory file {key} does not match its md5Checksum")
        try:
            text = _decode(gzip.decompress(packed) if key.endswith(".gz") else packed, key)
        except (OSError, EOFError):
            raise InvalidManifest(f"The inventory file {key} is not gzip") from None
        for row in _rows(text):
            if len(row) != len(schema):
                raise InvalidManifest(f"{key}: expected {len(schema)} fields")
            bucket = row[at_bucket]
            if at_appid is not None and not bucket.endswith("-" + row[at_appid]):
                bucket = f"{bucket}-{row[at_appid]}"
            tasks.append((bucket, row[at_key], row[at_version] if at_version is not None else ""))
    if not tasks:
        raise InvalidManifest("The manifest lists no objects")
    return tasks


def decoded_key(listed: str) -> str | None:
    """A manifest key is URL-encoded (`+` stays `+`); None when it does not decode to UTF-8."""
    try:
        return unquote(listed, errors="strict")
    except UnicodeDecodeError:
        return None
