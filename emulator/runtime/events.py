"""What the dashboard's event stream (GET /_emulator/events) pushes: store changes, journal entries, clock moves,
fault counts and resets, each to a bounded number of open streams through a bounded queue per stream.

Nothing is watched while no stream is open: the store, journal and clock are hooked on the first subscriber and
unhooked after the last, so an emulator nobody looks at pays nothing for this.
"""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from emulator.core.credentials import SECRET_SUFFIX

Event = tuple[str, Any]  # (event name, its JSON-able data, or a callable giving it when the event is written)
LATEST = ("clock", "faults")  # events of which only the newest matters: kept once per stream, not queued
# Journal entries are not queued: a stream reads the ones recorded since its last write from the journal itself,
# the newest JOURNAL_SHOWN of them (the rows the dashboard shows). Under load a journal event per request was
# described, framed and written: a stream open cost the API 20% of its GET rate; then one queued per request
# (described only if written) still cost ~7,700 instructions per request (callgrind; see benchmarks/README.md).
JOURNAL_SHOWN = 100


class Stream:
    """One open event stream: the events not yet written (at most `size`), the newest of each LATEST kind, and
    the last journal entry it wrote (its `cursor`).

    A stream that falls `size` events behind loses them all and is told to `resync` (read everything again),
    so a slow reader costs a bounded amount of memory and never blocks the emulator."""

    __slots__ = ("size", "queue", "cursor", "latest", "lost", "closed", "wake", "woken")

    def __init__(self, size: int, cursor: Any) -> None:
        self.size = size
        # (anchor, name, data) in order; the anchor is the newest journal entry when the event came, which places
        # the event among the journal entries written with it
        self.queue: deque[tuple[Any, str, Any]] = deque()
        self.cursor = cursor  # the newest journal entry already written or not to be written (None: none)
        self.latest: dict[str, Callable[[], Any]] = {}
        self.lost = False
        self.closed = False
        self.wake = asyncio.Event()
        self.woken = False  # whether `wake` is set: asking the Event is a Python call, per request's entry

    def push(self, name: str, data: Any, anchor: Any) -> None:
        if self.lost:
            return
        if len(self.queue) >= self.size:
            self.queue.clear()
            self.lost = True
        else:
            self.queue.append((anchor, name, data))
        self.rouse()

    def rouse(self) -> None:
        """Something is to be written: wake the writer, unless it is awake already."""
        if not self.woken:
            self.woken = True
            self.wake.set()

    def mark(self, name: str, data: Callable[[], Any]) -> None:
        self.latest[name] = data
        self.rouse()

    def take(self, journal: Sequence[Any], shown: Callable[[Any], Any]) -> list[Event]:
        """What is to be written now, in order: a resync (if events were lost), the queued events (data given as a
        callable computed now) with the newest JOURNAL_SHOWN journal entries recorded since the last take among
        them (each as `shown` describes it: an entry not written is never described), then the newest of each
        LATEST kind (computed now, so it is current). `journal`: the journal's entries, oldest first."""
        self.wake.clear()
        self.woken = False
        entries: list[Any] = []
        if self.lost:
            taken: list[Event] = [("resync", {"reason": f"more than {self.size} events queued"})]
            self.lost = False
        else:
            taken = []
            for entry in reversed(journal):  # a cursor no longer in the journal (cleared, or gone past): all new
                if entry is self.cursor or len(entries) == JOURNAL_SHOWN:
                    break
                entries.append(entry)
            entries.reverse()
        self.cursor = journal[-1] if journal else None
        place = {id(entry): index for index, entry in enumerate(entries, 1)}
        written = 0
        for anchor, name, data in self.queue:
            before = place.get(id(anchor), 0)  # the entries up to the anchor came first; an older anchor: none
            taken.extend(("journal", shown(entry)) for entry in entries[written:before])
            written = max(written, before)
            taken.append((name, data() if callable(data) else data))
        taken.extend(("journal", shown(entry)) for entry in entries[written:])
        self.queue.clear()
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
        self.journal: Sequence[Any] = ()  # the journal's entries, oldest first, while a stream is open
        self.shown: Callable[[Any], Any] = lambda entry: entry  # a journal entry as a stream writes it

    def full(self) -> bool:
        return len(self.streams) >= self.limit

    def follow(self, journal: Sequence[Any], shown: Callable[[Any], Any]) -> None:
        """Streams write the entries of `journal` (oldest first) recorded while they are open, as `shown` gives
        them; call `journaled` after each one is recorded. (The first subscriber's hook calls this.)"""
        self.journal, self.shown = journal, shown

    def subscribe(self) -> Stream:
        if not self.streams and self.hooks is not None:
            self.hooks[0](self)
        journal = self.journal
        stream = Stream(self.buffer, journal[-1] if journal else None)  # what the journal holds now is not new
        self.streams.add(stream)
        return stream

    def drop(self, stream: Stream) -> None:
        self.streams.discard(stream)
        if not self.streams and self.hooks is not None:
            self.hooks[1]()
            self.journal = ()

    def take(self, stream: Stream) -> list[Event]:
        """What `stream` is to write now (see Stream.take)."""
        return stream.take(self.journal, self.shown)

    def journaled(self) -> None:
        """A request was journaled: wake the streams, which read it from the journal when they write."""
        for stream in self.streams:
            if not stream.woken:  # Stream.rouse, written out: one Python call fewer per request
                stream.woken = True
                stream.wake.set()

    def publish(self, name: str, data: Any) -> None:
        journal = self.journal
        anchor = journal[-1] if journal else None
        for stream in self.streams:
            stream.push(name, data, anchor)

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
            stream.rouse()
