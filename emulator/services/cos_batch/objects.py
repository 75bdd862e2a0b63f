"""The COS object store: buckets and objects in the core store's collections, byte accounting, restores on the clock.

Buckets (`cos_buckets`, scope "") and objects (`cos_objects`, scope = bucket) are frozen dataclasses
that writes replace, so the state file's view of them is as cheap as of jobs; an object keeps its body
base64-encoded, as the state file holds it, so saving copies nothing. Every write checks the object
bound (`cos_max_object_bytes`) and the store bound (`cos_max_store_bytes`) before anything is stored.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import crcmod

from emulator.core.clock import Clock, Scheduled
from emulator.core.store import Collection
from emulator.services.cos_batch import errors

BUCKET = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-[0-9]+")
MAX_BUCKET_NAME = 60 - len(".cos.ap-beijing.myqcloud.com")  # the whole domain is at most 60 characters
STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ARCHIVE", "DEEP_ARCHIVE",
                   "MAZ_STANDARD", "MAZ_STANDARD_IA", "MAZ_INTELLIGENT_TIERING")
ARCHIVED = frozenset({"ARCHIVE", "DEEP_ARCHIVE"})
ENCRYPTION = "x-cos-server-side-encryption"  # the stored header of an encrypted object (AES256)
# Restore durations on the emulator clock, the lower end of COS's ranges (seconds), by (class, tier).
RESTORE_SECONDS = {("ARCHIVE", "Expedited"): 60, ("ARCHIVE", "Standard"): 3 * 3600, ("ARCHIVE", "Bulk"): 5 * 3600,
                   ("DEEP_ARCHIVE", "Standard"): 12 * 3600, ("DEEP_ARCHIVE", "Bulk"): 24 * 3600}
crc64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=0xFFFFFFFFFFFFFFFF, rev=True)  # Go's crc64.ECMA


@dataclass(frozen=True)
class Restore:
    """An archived object's restore: ongoing (tier, requested, days) until `expiry` is set, then a readable copy."""

    tier: str
    requested: datetime
    days: int
    expiry: datetime | None = None


@dataclass(frozen=True)
class CosObject:
    """One stored object; `headers` are the stored Content-Type, Cache-Control, ... as sent."""

    content: str  # the body, base64
    size: int  # the body's bytes
    etag: str  # hex MD5, unquoted
    crc64: int
    modified: datetime
    storage_class: str = "STANDARD"
    headers: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # x-cos-meta-* suffix (lower-case) -> value
    tags: dict[str, str] = field(default_factory=dict)
    acl: str | None = None  # the canned ACL (x-cos-acl, CannedAccessControlList), stored only
    restore: Restore | None = None
    grants: dict[str, list[str]] = field(default_factory=dict)  # permission -> grantee ids, stored only

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.content)

    def readable(self, now: datetime) -> bool:
        """Archived objects are readable only while a restored copy is valid."""
        if self.storage_class not in ARCHIVED:
            return True
        return self.restore is not None and self.restore.expiry is not None and now < self.restore.expiry


@dataclass(frozen=True)
class Bucket:
    name: str
    appid: str
    region: str
    created: datetime


def owner(bucket: str) -> str:
    """The APPID a bucket name ends in."""
    return bucket.rpartition("-")[2]


def current_version(version: str | None) -> None:
    """No versioning: an object's only version is `null`; any other version id is 404 NoSuchVersion."""
    if version and version != "null":
        raise errors.object_error("NoSuchVersion")


def expiry_after(done: datetime, days: int) -> datetime:
    """Completion + days, rounded up to the next 16:00:00 GMT (midnight in UTC+8), as COS's sample shows."""
    moment = done + timedelta(days=days)
    boundary = moment.replace(hour=16, minute=0, second=0, microsecond=0)
    return boundary if boundary >= moment else boundary + timedelta(days=1)


class ObjectStore:
    """Every bucket by name and its objects, in two store collections; `used` is the bytes of all bodies, never
    above `max_store_bytes`."""

    def __init__(self, clock: Clock, buckets: Collection, objects: Collection, max_object_bytes: int,
                 max_store_bytes: int, restore_scale: float = 1.0) -> None:
        self.clock = clock
        self.buckets = buckets  # ("", name) -> Bucket
        self.objects = objects  # (bucket, key) -> CosObject
        self.max_object_bytes = max_object_bytes
        self.max_store_bytes = max_store_bytes
        self.restore_scale = restore_scale
        self.used = 0
        self._restores: dict[tuple[str, str], Scheduled] = {}

    def reset(self) -> None:
        """Empty (the store's reset has emptied the collections); the clock has dropped the restore timers."""
        self.used = 0
        self._restores.clear()

    # --- buckets -------------------------------------------------------------------------------

    def has_bucket(self, name: str) -> bool:
        return self.buckets.get("", name) is not None

    def create_bucket(self, name: str, region: str) -> Bucket:
        if not BUCKET.fullmatch(name):
            raise errors.object_error("InvalidBucketName")
        if len(name) > MAX_BUCKET_NAME:
            raise errors.object_error("BucketNameTooLong")
        if self.has_bucket(name):
            raise errors.object_error("BucketAlreadyOwnedByYou")
        bucket = Bucket(name, owner(name), region, self.clock.now())
        self.buckets.put("", name, bucket)
        return bucket

    def bucket(self, name: str) -> Bucket:
        found = self.buckets.get("", name)
        if found is None:
            raise errors.object_error("NoSuchBucket")
        return found

    def delete_bucket(self, name: str) -> None:
        self.bucket(name)
        if self.objects.count(name):
            raise errors.object_error("BucketNotEmpty")
        self.buckets.delete("", name)

    # --- objects -------------------------------------------------------------------------------

    def check_size(self, size: int, replacing: int = 0) -> None:
        """400 EntityTooLarge for a body past the object bound, or one the store has no room for."""
        if size > self.max_object_bytes:
            raise errors.object_error("EntityTooLarge")
        if self.used - replacing + size > self.max_store_bytes:
            raise errors.object_error("EntityTooLarge", errors.STORE_FULL)

    def check_room(self, bucket: str, writes: list[tuple[str, int]]) -> None:
        """check_size for several (key, size) writes into `bucket` at once: all of them fit, or EntityTooLarge."""
        growth = 0
        for key, size in writes:
            previous = self.objects.get(bucket, key)
            replacing = previous.size if previous else 0
            self.check_size(size, replacing - growth)
            growth += size - replacing

    def find(self, bucket: str, key: str) -> CosObject | None:
        return self.objects.get(bucket, key)

    def get(self, bucket: str, key: str) -> CosObject:
        self.bucket(bucket)  # NoSuchBucket first
        found = self.objects.get(bucket, key)
        if found is None:
            raise errors.object_error("NoSuchKey")
        return found

    def put(self, bucket: str, key: str, body: bytes, **attributes: Any) -> CosObject:
        """Store (or overwrite) an object; ETag and CRC64 computed here; the bounds checked first."""
        self.bucket(bucket)
        previous = self.objects.get(bucket, key)
        self.check_size(len(body), previous.size if previous else 0)
        made = CosObject(base64.b64encode(body).decode("ascii"), len(body), hashlib.md5(body).hexdigest(),
                         crc64(body), self.clock.now(), **attributes)
        return self._store(bucket, key, made)

    def copy(self, bucket: str, key: str, source: CosObject, encryption: str | None = None, **changes: Any
             ) -> CosObject:
        """A copy of `source` (same body, ETag and CRC64), modified now, with `changes`; no restore state. Encryption
        is not copied: the copy is encrypted only as the request asks (`encryption`)."""
        self.bucket(bucket)
        previous = self.objects.get(bucket, key)
        self.check_size(source.size, previous.size if previous else 0)
        headers = {name: value for name, value in changes.pop("headers", source.headers).items() if name != ENCRYPTION}
        if encryption:
            headers[ENCRYPTION] = encryption
        made = replace(source, modified=self.clock.now(), restore=None, headers=headers, **changes)
        return self._store(bucket, key, made)

    def _store(self, bucket: str, key: str, made: CosObject) -> CosObject:
        previous = self.objects.get(bucket, key)
        self.used += made.size - (previous.size if previous else 0)
        self.objects.put(bucket, key, made)
        self._cancel_restore(bucket, key)
        return made

    def update(self, bucket: str, key: str, **changes: Any) -> CosObject:
        """The object with `changes` (tags), body and dates as they were."""
        changed = replace(self.get(bucket, key), **changes)
        self.objects.put(bucket, key, changed)
        return changed

    def delete(self, bucket: str, key: str) -> None:
        self.bucket(bucket)
        previous = self.objects.delete(bucket, key)
        if previous is not None:
            self.used -= previous.size
            self._cancel_restore(bucket, key)

    def count(self, bucket: str | None = None) -> int:
        return self.objects.count(bucket)

    def list(self, bucket: str, prefix: str, delimiter: str, marker: str, max_keys: int
             ) -> tuple[list[tuple[str, CosObject]], list[str], bool, str | None]:
        """(contents, common prefixes, truncated, next marker) in UTF-8 byte order of the keys (code point order,
        the collection's own)."""
        self.bucket(bucket)
        contents: list[tuple[str, CosObject]] = []
        prefixes: list[str] = []
        if max_keys == 0:  # nothing asked for: nothing to continue from either
            return contents, prefixes, False, None
        last: str | None = None
        start = max(marker, prefix[:-1] if prefix else "")  # scanning from a key just before the prefix
        for (_, key), found in self.objects.scan(bucket, (bucket, start) if start else None):
            if not key.startswith(prefix):
                if key > prefix:
                    break
                continue
            if key <= marker:
                continue
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if common <= marker or (prefixes and prefixes[-1] == common):
                        continue
                    if len(contents) + len(prefixes) >= max_keys:
                        return contents, prefixes, True, last
                    prefixes.append(common)
                    last = common
                    continue
            if len(contents) + len(prefixes) >= max_keys:
                return contents, prefixes, True, last
            contents.append((key, found))
            last = key
        return contents, prefixes, False, None

    # --- restore -------------------------------------------------------------------------------

    def restore(self, bucket: str, key: str, days: int, tier: str) -> int:
        """POST Object restore: 202 when a restore starts, 200 when a valid copy's expiry is renewed."""
        found = self.get(bucket, key)
        if found.storage_class not in ARCHIVED:
            raise errors.object_error("RestoreNonArchiveObject")
        seconds = RESTORE_SECONDS.get((found.storage_class, tier))
        if seconds is None:
            raise errors.object_error("InvalidArgument", "DEEP_ARCHIVE objects are restored with Standard or Bulk")
        now = self.clock.now()
        if found.restore is not None and found.restore.expiry is None:
            raise errors.object_error("RestoreAlreadyInProgress")
        if found.restore is not None and found.readable(now):
            expiry = expiry_after(now, days)
            self._set_restore(bucket, key, replace(found.restore, days=days, expiry=expiry))
            self._cancel_restore(bucket, key)
            self._restores[(bucket, key)] = self.clock.call_at(expiry, lambda: self._expired(bucket, key))
            return 200
        self._set_restore(bucket, key, Restore(tier.lower(), now, days))
        self._cancel_restore(bucket, key)
        self._restores[(bucket, key)] = self.clock.call_later(seconds * self.restore_scale,
                                                              lambda: self._restored(bucket, key))
        return 202

    def _set_restore(self, bucket: str, key: str, restore: Restore | None) -> None:
        self.objects.put(bucket, key, replace(self.objects.get(bucket, key), restore=restore))

    def _restored(self, bucket: str, key: str) -> None:
        """The restore finished: a readable copy until its expiry, when the restore state goes (also on the clock)."""
        self._restores.pop((bucket, key), None)
        found = self.objects.get(bucket, key)
        if found is None or found.restore is None:
            return
        expiry = expiry_after(self.clock.now(), found.restore.days)
        self._set_restore(bucket, key, replace(found.restore, expiry=expiry))
        self._restores[(bucket, key)] = self.clock.call_at(expiry, lambda: self._expired(bucket, key))

    def _expired(self, bucket: str, key: str) -> None:
        self._restores.pop((bucket, key), None)
        found = self.objects.get(bucket, key)
        if found is not None and found.restore is not None and found.restore.expiry is not None \
                and self.clock.now() >= found.restore.expiry:
            self._set_restore(bucket, key, None)


    def _cancel_restore(self, bucket: str, key: str) -> None:
        self.clock.cancel(self._restores.pop((bucket, key), None))

    def recount(self) -> None:
        """The bytes used, from the stored objects."""
        self.used = sum(found.size for _, found in self.objects.scan())

    def resume(self) -> None:
        """After a restart from a state file: the bytes used, and each restore's next moment back on the clock."""
        self.recount()
        for (bucket, key), found in self.objects.scan():
            restore = found.restore
            if restore is None:
                continue
            if restore.expiry is None:  # ongoing: it finishes when it would have without the restart
                seconds = RESTORE_SECONDS.get((found.storage_class, restore.tier.capitalize()), 0)
                due = restore.requested + timedelta(seconds=seconds * self.restore_scale)
                self._restores[(bucket, key)] = self.clock.call_at(due, partial(self._restored, bucket, key))
            else:
                self._restores[(bucket, key)] = self.clock.call_at(restore.expiry, partial(self._expired, bucket, key))
