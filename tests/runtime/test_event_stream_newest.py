"""An event stream writes the newest 100 journal entries recorded since its last write, read from the journal
itself, in order with the rest; a journal-cleared comes before the entries after it; an entry not written is
never described; overflow of the other events still resyncs."""
from __future__ import annotations

from collections import deque

from emulator.runtime.events import JOURNAL_SHOWN, Events


def open_stream(size: int = 50, journal_size: int = 1000):
    """A subscribed stream of an Events following a journal (a deque, as Journal keeps its entries)."""
    events, journal, described = Events(limit=5, buffer=size), deque(maxlen=journal_size), []

    def shown(entry: dict) -> dict:
        described.append(entry["n"])
        return entry

    events.hooks = (lambda e: e.follow(journal, shown), lambda: None)
    journal.append({"n": -1})  # there before the stream opened: never written
    stream = events.subscribe()

    def record(number: int) -> None:
        journal.append({"n": number})
        events.journaled()

    return events, stream, journal, record, described


async def test_a_burst_of_requests_writes_the_newest_entries_and_every_other_event():
    events, stream, _, record, described = open_stream()
    for number in range(1000):  # far more than the bound, but journal entries do not count towards it
        record(number)
        if number % 40 == 0:
            events.publish("change", {"at": number})
    taken = events.take(stream)
    assert not stream.lost and "resync" not in [name for name, _ in taken]
    journal = [data["n"] for name, data in taken if name == "journal"]
    assert journal == list(range(1000 - JOURNAL_SHOWN, 1000)) and described == journal
    assert [data["at"] for name, data in taken if name == "change"] == list(range(0, 1000, 40))
    order = [data.get("n", data.get("at")) for _, data in taken]
    assert order == sorted(order)  # one order across both kinds: each change after the entry recorded before it
    assert events.take(stream) == []


async def test_events_between_entries_keep_their_place_and_each_entry_is_written_once():
    events, stream, _, record, _ = open_stream()
    events.publish("change", {"at": "first"})
    record(0)
    record(1)
    events.publish("change", {"at": "between"})
    record(2)
    events.latest("clock", lambda: {"now": "t"})
    assert [(name, data.get("n", data.get("at", data.get("now")))) for name, data in events.take(stream)] == [
        ("change", "first"), ("journal", 0), ("journal", 1), ("change", "between"), ("journal", 2), ("clock", "t")]
    record(3)
    assert events.take(stream) == [("journal", {"n": 3})]


async def test_journal_cleared_comes_before_the_entries_after_it_and_overflow_still_resyncs():
    events, stream, journal, record, described = open_stream(size=3)
    for number in range(5):
        record(number)
    journal.clear()
    events.publish("journal-cleared", {})
    record(5)
    assert events.take(stream) == [("journal-cleared", {}), ("journal", {"n": 5})]
    for number in range(4):
        events.publish("change", {"at": number})
    record(6)
    assert [name for name, _ in events.take(stream)] == ["resync"]
    assert described == [5]  # 0-4 were cleared unwritten, 6 came with the loss: none described
    record(7)
    assert events.take(stream) == [("journal", {"n": 7})]


async def test_entries_the_journal_let_go_are_not_written():
    events, stream, _, record, _ = open_stream(journal_size=10)
    for number in range(30):
        record(number)
    assert [data["n"] for _, data in events.take(stream)] == list(range(20, 30))


async def test_each_event_after_a_take_wakes_the_stream_again():
    events, stream, _, record, _ = open_stream(size=10)
    assert not stream.wake.is_set()
    for round_number in range(3):
        record(round_number)
        events.publish("change", {"at": round_number})  # a second one while awake changes nothing
        assert stream.wake.is_set()
        assert [name for name, _ in events.take(stream)] == ["journal", "change"]
        assert not stream.wake.is_set()
    events.latest("clock", lambda: {"now": "t"})
    assert stream.wake.is_set() and events.take(stream) == [("clock", {"now": "t"})]
    events.publish("change", {"at": 1})
    assert stream.wake.is_set()
