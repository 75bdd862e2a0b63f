"""The Event registry: core/v1 Events the controllers and the simulated kubelet write, aggregated, bounded, expiring.

An identical event again (same source, object, type, reason, message) updates the stored one
(`count`+1, new `lastTimestamp`), as client-go's recorder does; and as its EventAggregator does, the
10th distinct message of similar events (same source, object, type, reason) within 10 minutes, and
every further one, is folded into one event whose message reads `(combined from similar events): `
and the latest message (count and lastTimestamp bumped, message replaced). As its EventSourceObjectSpamFilter does,
each source may write 25 events about one object in a burst, then one more every 5 minutes: an event past that
is not written, though it is counted (the next one written carries the count). Events expire one hour after their
last write (kube-apiserver's `--event-ttl`) on the emulator's clock; past `limit` stored events the
oldest is dropped. Either way watchers see DELETED. Each write is recorded in managedFields for the
process that writes it (the kubelet, kube-scheduler, kube-controller-manager). kube-scheduler writes through
events.k8s.io/v1 (`emit`): its events have an eventTime and an action, and no source, count or first and last
timestamps in the core/v1 view.
"""
from __future__ import annotations

from collections import OrderedDict

from emulator.core.clock import Clock, Scheduled, parse_rfc3339
from emulator.services.protocol import Core
from emulator.services.kubernetes import apply, errors
from emulator.services.kubernetes.filters import Predicate
from emulator.services.kubernetes.paging import page
from emulator.services.kubernetes.watch import WatchHub

EVENT_TTL_SECONDS = 3600.0
COMBINED = "(combined from similar events): "  # EventAggregatorByReasonMessageFunc
AGGREGATE_MAX_EVENTS, AGGREGATE_INTERVAL = 10, 600.0  # defaultAggregateMaxEvents, defaultAggregateIntervalInSeconds
AGGREGATE_CACHE = 4096  # maxLruCacheEntries: similar-event groups remembered, least recent forgotten first
SPAM_BURST, SPAM_QPS = 25, 1.0 / 300.0  # defaultSpamBurst, defaultSpamQPS: a token bucket per source and object
WRITERS = {"kubelet": "kubelet", "default-scheduler": "kube-scheduler"}  # component -> field manager; else the KCM


def involved(obj: dict, kind: str, api_version: str, field_path: str | None = None) -> dict:
    """An ObjectReference to a stored object, as a recorder makes it."""
    meta = obj["metadata"]
    reference = {"kind": kind, "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
                 "apiVersion": api_version, "resourceVersion": meta["resourceVersion"]}
    if field_path:
        reference["fieldPath"] = field_path
    return reference


class Events:
    """core/v1 Events; the events.k8s.io/v1 view is a rendering of the same objects (see shapes)."""

    def __init__(self, core: Core, hub: WatchHub, limit: int) -> None:
        self.core = core
        self.clock: Clock = core.clock
        self.hub = hub
        self.limit = limit
        self.items = core.store.collection("events")
        self.fields = apply.event_fields()
        self._by_identity: dict[tuple, tuple[str, str]] = {}
        self._order: OrderedDict[tuple[str, str], None] = OrderedDict()  # least recently written first
        self._sweep: Scheduled | None = None
        # similar events: (source, object, type, reason) -> (messages seen, oldest first; the last one's time)
        self._similar: OrderedDict[tuple, tuple[list[str], float]] = OrderedDict()
        # source and object -> (tokens left, when counted); the least recently used forgotten past AGGREGATE_CACHE
        self._buckets: OrderedDict[tuple, tuple[float, float]] = OrderedDict()
        # an event the spam filter held back -> (times seen since last written, first seen), as the recorder's cache
        self._held: OrderedDict[tuple, tuple[int, str]] = OrderedDict()

    def reset(self) -> None:
        self._by_identity.clear()
        self._order.clear()
        self._similar.clear()
        self._buckets.clear()
        self._held.clear()
        self.clock.cancel(self._sweep)
        self._sweep = None

    def restored(self) -> None:
        self.reset()
        self.reindex()

    def reindex(self) -> None:
        """The events by identity and in write order, from the store (after a restore or a rollback)."""
        self._by_identity.clear()
        self._order.clear()
        for key, event in sorted(self.items.scan(), key=lambda pair: _last_seen(pair[1])):
            self._by_identity[_identity(event)] = key
            self._order[key] = None
        self._arm()

    def get(self, namespace: str, name: str) -> dict:
        event = self.items.get(namespace, name)
        if event is None:
            raise errors.not_found(name, "events", "")
        return event

    def page(self, namespace: str | None, predicate: Predicate | None, limit: int, token: str | None):
        return page(self.items, self.core.store.revision, namespace, predicate, limit, token)

    def load_fixture(self, document: dict) -> dict:
        """A fixture Event, stored as given (it expires like any other); the Event as stored."""
        meta = dict(document.get("metadata") or {})
        if not meta.get("name") or not isinstance(document.get("involvedObject"), dict):
            raise ValueError("a fixture Event needs metadata.name and involvedObject")
        meta.setdefault("namespace", document["involvedObject"].get("namespace") or "default")
        meta.setdefault("uid", self.core.ids.uuid4())
        meta.setdefault("creationTimestamp", self.clock.stamp())
        event = {k: v for k, v in document.items() if k not in ("kind", "apiVersion")}
        event["metadata"] = meta
        event.setdefault("lastTimestamp", event.get("firstTimestamp") or meta["creationTimestamp"])
        event.setdefault("type", "Normal")
        event.setdefault("reason", "")
        event.setdefault("message", "")
        key = (meta["namespace"], meta["name"])
        revision = self.core.store.next_revision()
        meta["resourceVersion"] = str(revision)
        self.items.put(*key, event)
        self._by_identity[_identity(event)] = key
        self._order[key] = None
        self.hub.publish("ADDED", event, None, revision)
        self._arm()
        return event

    def record(self, regarding: dict, event_type: str, reason: str, message: str, component: str,
               host: str = "") -> dict | None:
        """Write an event about an object (an ObjectReference), or count one more of an identical one; None when
        the spam filter holds it back (EventCorrelate: aggregate, observe, then filter)."""
        stamp = self.clock.stamp()
        source = {"component": component, **({"host": host} if host else {})}
        message = self._aggregate(regarding, component, host, event_type, reason, message)
        identity = _identity_of(component, host, regarding, event_type, reason, message)
        key = self._by_identity.get(identity)
        old = self.items.get(*key) if key else None
        seen, first = self._held.pop(identity, (0, stamp))
        if not self._allowed(regarding, component, host):
            self._held[identity] = (seen + 1, first)
            while len(self._held) > AGGREGATE_CACHE:
                self._held.popitem(last=False)
            return None
        if old is not None:
            event = {**old, "metadata": dict(old["metadata"]), "count": old["count"] + seen + 1,
                     "lastTimestamp": stamp, "message": message}
            self._order.move_to_end(key)
        else:
            namespace = regarding.get("namespace") or "default"
            nanos = int(self.clock.seconds() * 1e9) + self.core.store.revision  # unique per write
            name = f"{regarding['name']}.{nanos:x}"
            event = {"metadata": {"name": name, "namespace": namespace, "uid": self.core.ids.uuid4(),
                                  "resourceVersion": "", "creationTimestamp": stamp},
                     "involvedObject": regarding, "reason": reason, "message": message, "source": source,
                     "firstTimestamp": first, "lastTimestamp": stamp, "count": seen + 1, "type": event_type,
                     "eventTime": None, "reportingComponent": component, "reportingInstance": host}
            key = (namespace, name)
            self._by_identity[identity] = key
            self._order[key] = None
        return self._write(key, event, old, WRITERS.get(component, "kube-controller-manager"), stamp)

    def emit(self, regarding: dict, event_type: str, reason: str, note: str, controller: str, instance: str,
             action: str) -> dict:
        """Write a new event through events.k8s.io/v1, as kube-scheduler does (no correlation: one per call)."""
        stamp, now = self.clock.stamp(), self.clock.now()
        namespace = regarding.get("namespace") or "default"
        name = f"{regarding['name']}.{int(now.timestamp() * 1e9) + self.core.store.revision:x}"
        event = {"metadata": {"name": name, "namespace": namespace, "uid": self.core.ids.uuid4(),
                              "resourceVersion": "", "creationTimestamp": stamp},
                 "involvedObject": regarding, "reason": reason, "message": note, "source": {},
                 "firstTimestamp": None, "lastTimestamp": None, "type": event_type,
                 "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "action": action,
                 "reportingComponent": controller, "reportingInstance": instance}
        key = (namespace, name)
        self._order[key] = None
        return self._write(key, event, None, WRITERS.get(controller, "kube-controller-manager"), stamp)

    def _write(self, key: tuple[str, str], event: dict, old: dict | None, manager: str, stamp: str) -> dict:
        """Store an event with its writer's managedFields and a new resourceVersion; tell the watchers; keep the
        bound and the expiry."""
        event["metadata"].pop("managedFields", None)
        managed = self.fields.update(old, event, manager, "", stamp)
        if managed:
            event["metadata"]["managedFields"] = managed
        revision = self.core.store.next_revision()
        event["metadata"]["resourceVersion"] = str(revision)
        self.items.put(*key, event)
        self.hub.publish("ADDED" if old is None else "MODIFIED", event, old, revision)
        while len(self._order) > self.limit:
            self._remove(next(iter(self._order)))
        if self._sweep is None:
            self._arm()
        return event

    def _allowed(self, regarding: dict, component: str, host: str) -> bool:
        """The spam filter: one token from the bucket of this source and object (25, refilled one per 300 s)."""
        key = (component, host, regarding.get("kind"), regarding.get("namespace"), regarding.get("name"),
               regarding.get("uid"), regarding.get("apiVersion"))
        now = self.clock.seconds()
        tokens, then = self._buckets.pop(key, (float(SPAM_BURST), now))
        tokens = min(float(SPAM_BURST), tokens + (now - then) * SPAM_QPS)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > AGGREGATE_CACHE:
            self._buckets.popitem(last=False)
        return allowed

    def _aggregate(self, regarding: dict, component: str, host: str, event_type: str, reason: str,
                   message: str) -> str:
        """The message to record: as given, or folded once 10 distinct messages of similar events were seen within
        10 minutes of each other (the oldest message is then forgotten, so a group stays at 9)."""
        group = (component, host, regarding.get("kind"), regarding.get("namespace"), regarding.get("name"),
                 regarding.get("uid"), regarding.get("apiVersion"), event_type, reason)
        now = self.clock.seconds()
        messages, last = self._similar.pop(group, ([], now))
        if now - last > AGGREGATE_INTERVAL:
            messages = []
        if message not in messages:
            messages = messages + [message]
        combined = len(messages) >= AGGREGATE_MAX_EVENTS
        if combined:
            messages = messages[1:]
        self._similar[group] = (messages, now)
        while len(self._similar) > AGGREGATE_CACHE:
            self._similar.popitem(last=False)
        return COMBINED + message if combined else message

    def _remove(self, key: tuple[str, str]) -> None:
        self._order.pop(key, None)
        event = self.items.delete(*key)
        if event is None:
            return
        self._by_identity.pop(_identity(event), None)
        gone = {**event, "metadata": {**event["metadata"]}}
        revision = self.core.store.next_revision()
        gone["metadata"]["resourceVersion"] = str(revision)
        self.hub.publish("DELETED", gone, event, revision)

    def _arm(self) -> None:
        """One clock callback, at the oldest event's expiry."""
        self.clock.cancel(self._sweep)
        self._sweep = None
        if self._order:
            oldest = self.items.get(*next(iter(self._order)))
            when = parse_rfc3339(_last_seen(oldest)).timestamp() + EVENT_TTL_SECONDS
            self._sweep = self.clock.call_later(max(0.0, when - self.clock.seconds()), self._expire)

    def _expire(self) -> None:
        self._sweep = None
        now = self.clock.seconds()
        while self._order:
            key = next(iter(self._order))
            event = self.items.get(*key)
            if event is not None and parse_rfc3339(_last_seen(event)).timestamp() + EVENT_TTL_SECONDS > now:
                break
            self._remove(key)
        self._arm()

    def delete_collection(self, namespace: str, predicate: Predicate | None, limit: int, token: str | None,
                          dry_run: bool):
        """deletecollection: the matching page (all without `limit`) removed; the events as they were, the next
        token and what remains."""
        items, token, remaining = self.page(namespace, predicate, limit, token)
        if not dry_run:
            for event in items:
                self._remove((event["metadata"]["namespace"], event["metadata"]["name"]))
            self._arm()
        return items, token, remaining

    def delete_namespace_contents(self, namespace: str) -> None:
        for key, _ in list(self.items.scan(namespace)):
            self._remove(key)


def _last_seen(event: dict) -> str:
    """When the event was last written: its lastTimestamp, or an events.k8s.io event's eventTime."""
    return event.get("lastTimestamp") or event.get("eventTime") or event["metadata"]["creationTimestamp"]


def _identity(event: dict) -> tuple:
    source = event.get("source") or {}
    return _identity_of(source.get("component", ""), source.get("host", ""), event["involvedObject"], event["type"],
                        event["reason"], event["message"])


def _identity_of(component: str, host: str, regarding: dict, event_type: str, reason: str, message: str) -> tuple:
    """What makes two events one: everything but the times and count; a combined event is one per group, whatever
    its latest message."""
    if message.startswith(COMBINED):
        return (component, host, regarding.get("uid"), None, event_type, reason, COMBINED)
    return (component, host, regarding.get("uid"), regarding.get("fieldPath"), event_type, reason, message)
