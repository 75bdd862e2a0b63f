"""What the dashboard's event stream (GET /_emulator/events) pushes: store changes, journal entries, clock moves,
fault counts and resets, each to a bounded number of open streams through a bounded queue per stream.

Nothing is watched while no stream is open: the store, journal and clock are hooked on the first subscriber and
unhooked after the last, so an emulator nobody looks at pays nothing for this.
"""
from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Callable
from typing import Any

from emulator.core.credentials import SECRET_SUFFIX

Event = tuple[str, Any]  # (event name, its JSON-able data, or a callable giving it when the event is written)
LATEST = ("clock", "faults")  # events of which only the newest matters: kept once per stream, not queued
# Events of which a stream keeps only the newest N (the dashboard shows the newest 100 requests), outside the
# queue's bound, and the event that makes the ones kept obsolete. Under load a journal event per request was
# described, framed and written: a stream open cost the API 20% of its GET rate (see benchmarks/README.md).
NEWEST = {"journal": 100}
CLEARED_BY = {"journal-cleared": "journal"}


class Stream:
    """One open event stream: the events not yet written (at most `size`), and the newest of each LATEST kind.

    A stream that falls `size` events behind loses them all and is told to `resync` (read everything again),
    so a slow reader costs a bounded amount of memory and never blocks the emulator."""

    __slots__ = ("size", "queue", "newest", "count", "latest", "lost", "closed", "wake", "woken")

    def __init__(self, size: int) -> None:
        self.size = size
        self.queue: deque[tuple[int, str, Any]] = deque()  # (number, name, data) in order
        self.newest = {name: deque(maxlen=keep) for name, keep in NEWEST.items()}  # the same, of NEWEST kinds
        self.count = 0  # events pushed: their order across the queue and the newest
        self.latest: dict[str, Callable[[], Any]] = {}
        self.lost = False
        self.closed = False
        self.wake = asyncio.Event()
        # whether `wake` is set, kept here: setting the Event again (a Python call) for every request's entry was
        # ~520 of the ~9,000 instructions an open dashboard feed added per request (callgrind)
        self.woken = False

    def push(self, name: str, data: Any) -> None:
        if self.lost:
            return
        self.count += 1
        kept = self.newest.get(name)
        if kept is not None:
            kept.append((self.count, name, data))
        elif len(self.queue) >= self.size:
            self.queue.clear()
            for kept in self.newest.values():
                kept.clear()
            self.lost = True
        else:
            self.queue.append((self.count, name, data))
            if name in CLEARED_BY:
                self.newest[CLEARED_BY[name]].clear()
        if not self.woken:
            self.woken = True
            self.wake.set()

    def mark(self, name: str, data: Callable[[], Any]) -> None:
        self.latest[name] = data
        self.woken = True
        self.wake.set()

    def take(self) -> list[Event]:
        """What is to be written now, in order: a resync (if events were lost), the queued events (of a NEWEST
        kind only the newest; data given as a callable computed now), the newest of each LATEST kind (computed
        now, so it is current)."""
        self.wake.clear()
        self.woken = False
        taken: list[Event] = [("resync", {"reason": f"more than {self.size} events queued"})] if self.lost else []
        self.lost = False
        taken.extend((name, data() if callable(data) else data)
                     for _, name, data in heapq.merge(self.queue, *self.newest.values()))
        self.queue.clear()
        for kept in self.newest.values():
            kept.clear()
        taken.extend((name, data()) for name, data in self.latest.items())
        self.latest.clear()
        return taken


class Events:
    """The open event streams of one emulator, at most `limit`, each holding at most `buffer` events."""

    def __init__(self, limit: int, buffer: int) -> None:
        self.limit = limit
        self.buffer = buffer
        self.streams: set[Stream] = set()
        self.hooks: tuple[Callable[[Events], None], Callable[[], None]] | None = None  # (hook, unhook)

    def full(self) -> bool:
        return len(self.streams) >= self.limit

    def subscribe(self) -> Stream:
        stream = Stream(self.buffer)
        if not self.streams and self.hooks is not None:
            self.hooks[0](self)
        self.streams.add(stream)
        return stream

    def drop(self, stream: Stream) -> None:
        self.streams.discard(stream)
        if not self.streams and self.hooks is not None:
            self.hooks[1]()

    def publish(self, name: str, data: Any) -> None:
        for stream in self.streams:
            stream.push(name, data)

    def latest(self, name: str, data: Callable[[], Any]) -> None:
        """Tell every stream that `name` changed; `data` gives its value when the stream writes it."""
        for stream in self.streams:
            stream.mark(name, data)

    def changed(self, kind: str, scope: str, name: str, obj: Any) -> None:
        """A store write (`obj` None: a delete); collections of secrets are never shown."""
        if not kind.endswith(SECRET_SUFFIX):
            self.publish("change", {"kind": kind, "scope": scope, "name": name, "deleted": obj is None})

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        for stream in self.streams:
            stream.closed = True
            stream.woken = True
            stream.wake.set()
