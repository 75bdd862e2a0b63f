"""An event stream keeps only the newest 100 journal entries not yet written, outside its bound, in order with
the rest; a journal-cleared drops those before it; an entry dropped is never described."""
from __future__ import annotations

from emulator.runtime.events import Stream


async def test_a_burst_of_requests_keeps_the_newest_entries_and_every_other_event():
    stream = Stream(size=50)
    described = []

    def entry(number: int):
        def describe():
            described.append(number)
            return {"n": number}
        return describe

    for number in range(1000):  # far more than the bound, but journal entries do not count towards it
        stream.push("journal", entry(number))
        if number % 40 == 0:
            stream.push("change", {"at": number})
    taken = stream.take()
    assert not stream.lost and "resync" not in [name for name, _ in taken]
    journal = [data["n"] for name, data in taken if name == "journal"]
    assert journal == list(range(900, 1000)) and described == journal
    assert [data["at"] for name, data in taken if name == "change"] == list(range(0, 1000, 40))
    order = [data.get("n", data.get("at")) for _, data in taken]
    assert order == sorted(order)  # one order across both kinds
    assert stream.take() == []


async def test_journal_cleared_drops_the_entries_before_it_and_overflow_still_resyncs():
    stream = Stream(size=3)
    for number in range(5):
        stream.push("journal", {"n": number})
    stream.push("journal-cleared", {})
    stream.push("journal", {"n": 5})
    assert stream.take() == [("journal-cleared", {}), ("journal", {"n": 5})]
    for number in range(4):
        stream.push("change", {"at": number})
    stream.push("journal", {"n": 6})
    taken = stream.take()
    assert [name for name, _ in taken] == ["resync"]


async def test_each_event_after_a_take_wakes_the_stream_again():
    stream = Stream(size=10)
    assert not stream.wake.is_set()
    for round_number in range(3):
        stream.push("journal", {"n": round_number})
        stream.push("journal", {"n": round_number})  # a second one while awake changes nothing
        assert stream.wake.is_set()
        assert [data["n"] for _, data in stream.take()] == [round_number, round_number]
        assert not stream.wake.is_set()
    stream.mark("clock", lambda: {"now": "t"})
    assert stream.wake.is_set() and stream.take() == [("clock", {"now": "t"})]
    stream.push("change", {"at": 1})
    assert stream.wake.is_set()
