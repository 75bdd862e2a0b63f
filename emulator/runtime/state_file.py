"""The state file: every store, the revision counter and the clock, written atomically and read back at start."""
from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from emulator import __version__
from emulator.core import jsonio, transitions
from emulator.core.clock import parse_rfc3339
from emulator.services.protocol import Core, Service

FORMAT = "cloud-job-emulator-state"
VERSION = 1  # raise it whenever a saved state would mean something else to the code that reads it


class StateFileError(Exception):
    """A state file that cannot be read, or does not hold a state this version understands; one line."""


ROWS_PER_CHUNK = 128  # objects serialised between two hand-overs of the GIL (~0.3 ms of work)


def capture(core: Core, copy: bool = True) -> dict[str, Any]:
    """Everything a restart needs, as one JSON-able document; without `copy` the store is a view (`Store.view`),
    cheap to take on the event loop and for `encode` to serialise off it."""
    clock = core.clock
    return {
        "format": FORMAT,
        "version": VERSION,
        "emulator": __version__,
        "saved_at": datetime.now(timezone.utc).isoformat(),
        "clock": {"now": clock.now().isoformat(), "frozen": clock.frozen},
        "store": core.store.snapshot() if copy else core.store.view(),
    }


def encode(document: dict[str, Any]) -> list[bytes]:
    """The document as JSON in pieces to write one after the other (one stored object per line), serialised a
    chunk of objects at a time; never joined, as one join of 100 MB would hold the GIL too.

    Each orjson call holds the GIL, so a thread writing a state file of 100k jobs in one call would stop the
    event loop for its whole length; in chunks, the loop gets the GIL back between them. Only bytes outlive a
    chunk (no tuple or list per object for the garbage collector to track and promote), so saving does not bring
    on the full collection that walks every stored object holding the GIL (~300 ms with 100k jobs)."""
    store = document["store"]
    head = jsonio.dumps({key: value for key, value in document.items() if key != "store"})
    parts = [head[:-1], b',"store":{"revision":%d,"collections":{' % store["revision"]]
    for number, (kind, entries) in enumerate(store["collections"].items()):
        parts.append(b"%s%s:[" % (b"," if number else b"", jsonio.dumps(kind)))
        rows = iter(entries.items() if isinstance(entries, dict) else entries)
        separator = b"\n"
        while chunk := b",\n".join(map(_row, itertools.islice(rows, ROWS_PER_CHUNK))):
            parts.append(separator + chunk)
            separator = b",\n"
            time.sleep(0)  # hand the GIL over now: a waiting event loop gets it in ~1 ms, not the 5 ms switch interval
        parts.append(b"\n]")
    parts.append(b"}}}\n")
    return parts


def target(path: Path) -> Path:
    """Where the state file really is: a symlink's target (written through, so the link stays a link)."""
    return Path(os.path.realpath(path))


def _row(entry: Any) -> bytes:
    """One stored object as `[scope, name, object]`, from a snapshot's row or a view's ((scope, name), object)."""
    dumps = jsonio.dumps
    if len(entry) == 3:
        return dumps(entry)
    (scope, name), obj = entry
    return b"[%s,%s,%s]" % (dumps(scope), dumps(name), dumps(obj))


def write(path: Path, document: dict[str, Any]) -> None:
    """Replace `path` (its target, when it is a symlink) atomically: a temporary file beside it, flushed to disk,
    renamed over it.

    A failure at any step (or a crash) leaves the previous file as it was, and no temporary file.
    """
    data = encode(document)
    path = target(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.writelines(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder, which is then fine."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def check_writable(path: Path) -> None:
    """Refuse at start a state file that could never be saved (no such folder, no permission)."""
    path = target(path)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise StateFileError(f"state file {path} cannot be written: {error.strerror or error}") from None
    os.close(descriptor)
    os.unlink(temporary)


def lock(path: Path) -> int:
    """Take the exclusive lock on `<state file>.lock` beside the state file's target, so no two emulators save over
    each other; its descriptor, for `unlock`. StateFileError (one line) when another process holds it.

    The lock file is left in place: removing it could let a third process lock a file the second still holds.
    """
    lock_path = target(path).with_name(target(path).name + ".lock")
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StateFileError(f"state file {path} cannot be locked ({lock_path}: {error.strerror or error})") from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        raise StateFileError(f"state file {path} is in use by another emulator (it holds {lock_path}); "
                             "stop that one or give another --state-file") from None
    os.ftruncate(descriptor, 0)
    os.write(descriptor, b"%d\n" % os.getpid())  # who holds it, for whoever looks
    return descriptor


def unlock(descriptor: int) -> None:
    os.close(descriptor)  # closing the descriptor releases the lock


def read(path: Path) -> dict[str, Any] | None:
    """The checked document in `path`, or None when there is no such file; StateFileError otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateFileError(f"state file {path} cannot be read: {error.strerror or error}") from None
    try:
        document = jsonio.loads(data)
    except ValueError as error:
        raise StateFileError(f"state file {path} is not valid JSON ({error}); it was left as it is") from None
    problem = _problem(document)
    if problem:
        raise StateFileError(f"state file {path} {problem}; it was left as it is")
    return document


def _problem(document: Any) -> str | None:
    """What is wrong with a parsed state document, or None."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return "is not a cloud-job-emulator state file"
    if document.get("version") != VERSION:
        return f"has format version {document.get('version')!r}; this emulator reads version {VERSION}"
    clock, store = document.get("clock"), document.get("store")
    if not isinstance(clock, dict) or not isinstance(clock.get("frozen"), bool):
        return 'has no "clock" with "now" and "frozen"'
    for field, value in (("now", clock.get("now")), ("saved_at", document.get("saved_at"))):
        try:
            parse_rfc3339(value)
        except ValueError:
            return f'has no valid "{field}" time'
    if not isinstance(store, dict) or type(store.get("revision")) is not int or store["revision"] < 0:
        return 'has no "store" with a revision counter'
    collections = store.get("collections")
    if not isinstance(collections, dict):
        return 'has no "store" collections'
    for kind, entries in collections.items():
        if not isinstance(entries, list) or not all(
                isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[1], str) and isinstance(entry[2], dict) for entry in entries):
            return f"has a malformed collection {kind!r}"
    return None


def restore(core: Core, services: Iterable[Service], document: dict[str, Any], path: Path) -> None:
    """Put a checked document into an emulator reset without fixtures; its services pick up their schedules.

    A frozen clock stands where it stood. A live clock keeps following the system clock: the time
    the emulator was stopped has passed for it too, and whatever fell due meanwhile runs now.
    """
    moment = parse_rfc3339(document["clock"]["now"])
    frozen = document["clock"]["frozen"]
    if not frozen:
        moment += max(datetime.now(timezone.utc) - parse_rfc3339(document["saved_at"]), timedelta(0))
    checks = [transitions.stored_problem, *(service.stored_problem for service in services)]
    for kind, entries in document["store"]["collections"].items():
        for scope, name, obj in entries:
            for check in checks:
                problem = check(kind, scope, name, obj)
                if problem:
                    where = f"{scope}/{name}" if scope else name
                    raise StateFileError(f"state file {path}: {kind} {where!r} {problem}; it was left as it is")
    core.store.restore(document["store"])
    core.clock.freeze(frozen)
    core.clock.set(moment)
    try:
        for service in services:
            service.restored()
        core.clock.run_due()
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise StateFileError(f"state file {path} holds objects this emulator cannot resume "
                             f"({type(error).__name__}: {error}); it was left as it is") from None
