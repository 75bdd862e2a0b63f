"""The one source of "now", and the callbacks that fall due on it.

A live clock follows the system clock from wherever it was set; a frozen clock moves only when a
test advances it. Either way, callbacks scheduled with `call_at` run in time order once the clock
reaches them: at once inside `advance`/`set` for a frozen clock, from `run_due` (called by a
background ticker, woken early for a callback due already) for a live one. Nothing changes state because it
was read.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
log = logging.getLogger("emulator.clock")
Scheduled = list  # the handle call_at returns: [when, sequence, callback]


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp ('2017-12-13T03:15:55Z', offsets and fractions allowed) as aware UTC."""
    if not isinstance(text, str) or "T" not in text.upper():
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    value = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"RFC 3339 timestamp without a time zone: {text!r}")
    return value.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """Second precision, UTC, 'Z' suffix: the form Kubernetes and COS print.

    Formatted field by field, as strftime would (a third of its time); a year before 1000, which the C library
    writes unpadded, goes through strftime."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "%d-%02d-%02dT%02d:%02d:%02dZ" % (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


class Clock:
    """Now, for every timestamp and every automatic transition of one emulator."""

    def __init__(self, start: datetime | None = None, frozen: bool = False) -> None:
        self._initial = (start, frozen)
        self._due: list[list] = []  # heap of [when, sequence, callback or None once cancelled]
        self._cancelled = 0
        self._sequence = itertools.count()
        self._stamp: tuple[float, str] = (float("nan"), "")  # stamp(): the second it was made for, and its text
        self.wake: Callable[[], None] | None = None  # a live clock's ticker, told when a callback is due already
        self._place(start or datetime.now(UTC), frozen)

    def _place(self, moment: datetime, frozen: bool) -> None:
        self._anchor = moment.astimezone(UTC)
        self._anchor_seconds = self._anchor.timestamp()
        self._anchor_mono = time.monotonic()
        self.frozen = frozen

    def now(self) -> datetime:
        if self.frozen:
            return self._anchor
        return self._anchor + timedelta(seconds=time.monotonic() - self._anchor_mono)

    def seconds(self) -> float:
        """now() as Unix seconds, without making a datetime (a sixth of now().timestamp()'s time)."""
        if self.frozen:
            return self._anchor_seconds
        return self._anchor_seconds + (time.monotonic() - self._anchor_mono)

    def stamp(self) -> str:
        """rfc3339(now()): the text is made once per second of the clock's."""
        second = self.seconds() // 1
        if second != self._stamp[0]:
            self._stamp = (second, rfc3339(datetime.fromtimestamp(second, UTC)))
        return self._stamp[1]

    def set(self, moment: datetime) -> None:
        self._place(moment, self.frozen)
        self.run_due()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock does not go backwards")
        try:
            moment = self.now() + timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"advancing by {seconds:g} seconds goes past the year 9999") from None
        self._place(moment, self.frozen)
        self.run_due()

    def freeze(self, frozen: bool) -> None:
        self._place(self.now(), frozen)

    def reset(self, start: datetime | None = None, frozen: bool | None = None) -> None:
        """Back to how the clock started (or to `start`, `frozen` or not as given), with nothing scheduled."""
        for entry in self._due:
            entry[2] = None  # handles held elsewhere now cancel nothing
        self._due.clear()
        self._cancelled = 0
        initial, was_frozen = self._initial
        self._place(start or initial or datetime.now(UTC), was_frozen if frozen is None else frozen)

    def call_at(self, when: datetime, callback: Callable[[], None]) -> Scheduled:
        """Run `callback` once the clock reaches `when`; the handle cancels it."""
        entry = [when, next(self._sequence), callback]
        heapq.heappush(self._due, entry)
        if self.wake is not None and not self.frozen and when <= self.now():
            self.wake()  # due now: run it as soon as the event loop is free, not at the ticker's next beat
        return entry

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Scheduled:
        """Schedule `callback` that many seconds from now; past the year 9999 it never falls due."""
        return self.call_at(self.later(seconds), callback)

    def cancel(self, scheduled: Scheduled | None) -> None:
        """Never run that callback; its memory goes at once when most of the schedule is cancelled."""
        if scheduled is None or scheduled[2] is None:
            return
        scheduled[2] = None
        self._cancelled += 1
        if self._cancelled > 64 and self._cancelled * 2 > len(self._due):
            self._due = [entry for entry in self._due if entry[2] is not None]
            heapq.heapify(self._due)
            self._cancelled = 0

    def later(self, seconds: float) -> datetime:
        """The moment that many seconds from now, or the calendar's last one if that lies beyond it."""
        try:
            return self.now() + timedelta(seconds=seconds)
        except OverflowError:
            return datetime.max.replace(tzinfo=UTC)

    def next_due(self) -> datetime | None:
        while self._due and self._due[0][2] is None:
            heapq.heappop(self._due)
            self._cancelled -= 1
        return self._due[0][0] if self._due else None

    def pending(self) -> int:
        """How many callbacks are scheduled and not cancelled."""
        return len(self._due) - self._cancelled

    def run_due(self) -> int:
        """Run every callback due by now, earliest first (ties in scheduling order); how many ran.

        While a callback runs, `now()` of a frozen clock reads its due time, so what it writes
        carries the moment it was due, not the moment the clock was moved to. A callback that
        raises is logged with its traceback and counted; the others still run, and the clock ends
        where it was moved to either way.
        """
        ran = 0
        target_anchor, target_seconds, target_mono, frozen = \
            self._anchor, self._anchor_seconds, self._anchor_mono, self.frozen
        target = self.now()
        try:
            while self._due and self._due[0][0] <= target:
                entry = heapq.heappop(self._due)
                when, _, callback = entry
                if callback is None:
                    self._cancelled -= 1
                    continue
                entry[2] = None  # done: cancelling it now changes nothing
                if frozen:
                    self._anchor, self._anchor_seconds = when, when.timestamp()
                try:
                    callback()
                except Exception:  # one bad callback must not stop the clock nor the ones after it
                    log.exception("a callback due at %s failed", rfc3339(when))
                ran += 1
        finally:
            self._anchor, self._anchor_seconds, self._anchor_mono = target_anchor, target_seconds, target_mono
        return ran
