"""Watch: a bounded history of one resource's events (Jobs, Pods, Events) and the live watchers that follow them (spec §13).

Each watcher has a bounded queue; one that falls too far behind is closed (its client reconnects
from the last resourceVersion it saw), so a slow reader can never grow memory without end: its
`cut_off` is called too, so a writer stuck on a client that stopped reading can be ended at once.
The number of open watchers is capped as well (`full`).
"""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
CLOSED = None  # the queue item that ends a watch


class Event:
    __slots__ = ("type", "object", "old", "revision")

    def __init__(self, type_: str, obj: dict, old: dict | None, revision: int) -> None:
        self.type, self.object, self.old, self.revision = type_, obj, old, revision


class Watcher:
    """One open watch: which objects it sees, and the events waiting to be sent to it."""

    def __init__(self, namespace: str | None, predicate: Predicate | None, buffer: int) -> None:
        self.namespace = namespace
        self.predicate = predicate
        self.queue: asyncio.Queue[tuple[str, dict] | None] = asyncio.Queue(maxsize=buffer + 1)
        self.buffer = buffer
        self.cut_off: Callable[[], None] | None = None  # called once it is dropped for falling behind

    def sees(self, obj: dict | None) -> bool:
        if obj is None:
            return False
        if self.namespace is not None and obj["metadata"]["namespace"] != self.namespace:
            return False
        return self.predicate is None or self.predicate(obj)

    def translate(self, event: Event) -> tuple[str, dict] | None:
        """The event as this watcher sees it: objects entering or leaving its filter are ADDED/DELETED."""
        now, before = self.sees(event.object), self.sees(event.old)
        if event.type == "DELETED":
            return ("DELETED", event.object) if now else None
        if now and before:
            return ("MODIFIED", event.object)
        if now:
            return ("ADDED", event.object)
        if before:
            return ("DELETED", event.object)
        return None

    def withdraw(self, revision: int) -> None:
        """Take the queued events after `revision` out again (they were not sent yet)."""
        kept = []
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if item is CLOSED or int(item[1]["metadata"]["resourceVersion"]) <= revision:
                kept.append(item)
        for item in kept:
            self.queue.put_nowait(item)

    def offer(self, item: tuple[str, dict] | None) -> bool:
        """Queue an item; False once the watcher is too far behind to keep."""
        if self.queue.qsize() >= self.buffer:
            return False
        self.queue.put_nowait(item)
        return True


class WatchHub:
    """Publishes every write of one resource to the watchers it concerns and keeps recent events for resuming."""

    def __init__(self, history: int = 10000, buffer: int = 10000, limit: int = 4096) -> None:
        self.history: deque[Event] = deque(maxlen=history)
        self.compacted = 0  # newest revision no longer in the history
        self.watchers: set[Watcher] = set()
        self.buffer = buffer
        self.limit = limit  # open watchers at most, over this hub and its peers
        self.peers: list[WatchHub] = [self]  # hubs of other resources that share the limit

    def full(self) -> bool:
        """True when no more watchers may be opened (on this hub and its peers together)."""
        return sum(len(hub.watchers) for hub in self.peers) >= self.limit

    def publish(self, type_: str, obj: dict, old: dict | None, revision: int) -> None:
        if len(self.history) == self.history.maxlen:
            self.compacted = self.history[0].revision
        event = Event(type_, obj, old, revision)
        self.history.append(event)
        for watcher in list(self.watchers):
            item = watcher.translate(event)
            if item is not None and not watcher.offer(item):
                self.fell_behind(watcher)

    def withdraw(self, revision: int) -> None:
        """The store went back to `revision` (a refused fixture batch, loaded without a pause for anything to be
        sent): the events after it leave the history and the queues, so no watcher ever sees them."""
        while self.history and self.history[-1].revision > revision:
            self.history.pop()
        for watcher in self.watchers:
            watcher.withdraw(revision)

    def too_old(self, revision: int) -> bool:
        return revision < self.compacted

    def subscribe(self, namespace: str | None, predicate: Predicate | None, after: int | None) -> Watcher:
        """A live watcher, first given the retained events after revision `after` (if any)."""
        watcher = Watcher(namespace, predicate, self.buffer)
        self.watchers.add(watcher)
        if after is not None:
            for event in self.history:
                if event.revision > after:
                    item = watcher.translate(event)
                    if item is not None and not watcher.offer(item):
                        self.drop(watcher)
                        break
        return watcher

    def fell_behind(self, watcher: Watcher) -> None:
        """Drop a watcher whose buffer is full, and let its stream cut the connection if it must."""
        self.drop(watcher)
        if watcher.cut_off is not None:
            watcher.cut_off()

    def drop(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.discard(watcher)
            watcher.queue.put_nowait(CLOSED)  # the queue keeps one place free for this

    def close(self) -> None:
        """End every open watch; its client reconnects if it wants more."""
        for watcher in list(self.watchers):
            self.drop(watcher)

    def reset(self) -> None:
        self.close()
        self.history.clear()
        self.compacted = 0
