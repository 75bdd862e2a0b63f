"""The core's store (scoped collections, one revision counter, snapshots) and clock (frozen time, due callbacks)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from emulator.core.clock import Clock, parse_rfc3339, rfc3339
from emulator.core.store import Collection, Store

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def jobs() -> Collection:
    collection = Collection("jobs")
    for scope, name in [("b", "2"), ("a", "9"), ("b", "1"), ("c", "1"), ("a", "10")]:
        collection.put(scope, name, {"id": f"{scope}/{name}"})
    return collection


def keys(pairs) -> list[tuple[str, str]]:
    return [key for key, _ in pairs]


# --- Collection ----------------------------------------------------------------------------------

def test_scan_walks_every_object_in_key_order(jobs):
    assert keys(jobs.scan()) == [("a", "10"), ("a", "9"), ("b", "1"), ("b", "2"), ("c", "1")]
    assert [obj["id"] for _, obj in jobs.scan()] == ["a/10", "a/9", "b/1", "b/2", "c/1"]


def test_scan_keeps_to_one_scope(jobs):
    assert keys(jobs.scan("b")) == [("b", "1"), ("b", "2")]
    assert keys(jobs.scan("missing")) == []


def test_scan_starts_past_a_key(jobs):
    assert keys(jobs.scan(after=("a", "9"))) == [("b", "1"), ("b", "2"), ("c", "1")]
    assert keys(jobs.scan("b", after=("b", "1"))) == [("b", "2")]
    assert keys(jobs.scan("b", after=("b", "2"))) == []
    assert keys(jobs.scan(after=("a", "95"))) == [("b", "1"), ("b", "2"), ("c", "1")]  # a key no longer there


def test_count_matches_scan_without_walking(jobs):
    for scope in (None, "a", "b", "c", "missing"):
        for after in (None, ("a", "10"), ("a", "9"), ("b", "1"), ("c", "1")):
            assert jobs.count(scope, after) == len(keys(jobs.scan(scope, after))), (scope, after)


def test_scope_prefix_does_not_leak_into_longer_scopes():
    collection = Collection("jobs")
    collection.put("ns", "x", 1)
    collection.put("ns-2", "y", 2)
    collection.put("ns\x01", "z", 3)
    assert keys(collection.scan("ns")) == [("ns", "x")]
    assert collection.count("ns") == 1


def test_put_replaces_and_delete_removes(jobs):
    jobs.put("a", "9", {"id": "new"})
    assert jobs.get("a", "9") == {"id": "new"} and len(jobs) == 5
    assert jobs.delete("a", "9") == {"id": "new"}
    assert jobs.get("a", "9") is None and len(jobs) == 4
    assert jobs.delete("a", "9") is None
    assert keys(jobs.scan("a")) == [("a", "10")]


def test_clear_empties_the_collection(jobs):
    jobs.clear()
    assert len(jobs) == 0 and list(jobs.scan()) == [] and jobs.count() == 0


# --- Store ---------------------------------------------------------------------------------------

def test_store_gives_one_collection_per_kind():
    store = Store()
    assert store.collection("jobs") is store.collection("jobs")
    assert store.collection("jobs") is not store.collection("namespaces")


def test_revision_is_shared_and_increases():
    store = Store()
    assert store.revision == 0
    assert [store.next_revision() for _ in range(3)] == [1, 2, 3]
    assert store.revision == 3


def test_snapshot_and_restore_round_trip_deeply():
    store = Store()
    store.collection("jobs").put("ns", "a", {"spec": {"n": 1}})
    store.collection("namespaces").put("", "ns", {"phase": "Active"})
    store.next_revision()
    snapshot = store.snapshot()
    assert snapshot == {"revision": 1, "collections": {
        "jobs": [["ns", "a", {"spec": {"n": 1}}]], "namespaces": [["", "ns", {"phase": "Active"}]]}}

    store.collection("jobs").get("ns", "a")["spec"]["n"] = 99  # a snapshot is a copy, not a view
    store.collection("jobs").put("ns", "b", {})
    store.next_revision()
    assert snapshot["collections"]["jobs"] == [["ns", "a", {"spec": {"n": 1}}]]

    store.restore(snapshot)
    assert store.revision == 1
    assert keys(store.collection("jobs").scan()) == [("ns", "a")]
    assert store.collection("jobs").get("ns", "a") == {"spec": {"n": 1}}
    snapshot["collections"]["jobs"][0][2]["spec"]["n"] = 7  # nor is what restore stored
    assert store.collection("jobs").get("ns", "a") == {"spec": {"n": 1}}


def test_reset_empties_every_collection_and_the_revision():
    store = Store()
    jobs = store.collection("jobs")
    jobs.put("ns", "a", {})
    store.next_revision()
    store.reset()
    assert store.revision == 0 and len(jobs) == 0
    assert store.collection("jobs") is jobs  # services keep their collection across a reset


# --- Clock ---------------------------------------------------------------------------------------

def test_frozen_clock_stands_still():
    clock = Clock(START, frozen=True)
    assert clock.now() == START and clock.now() == START
    assert clock.frozen is True


def test_set_and_advance_move_a_frozen_clock():
    clock = Clock(START, frozen=True)
    clock.advance(90)
    assert clock.now() == START + timedelta(seconds=90)
    clock.set(datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert clock.now() == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert clock.frozen is True


def test_advance_refuses_to_go_backwards():
    clock = Clock(START, frozen=True)
    with pytest.raises(ValueError):
        clock.advance(-1)
    assert clock.now() == START


def test_unfreezing_continues_from_the_frozen_moment():
    clock = Clock(START, frozen=True)
    clock.freeze(False)
    assert clock.frozen is False and clock.now() >= START
    clock.freeze(True)
    frozen_at = clock.now()
    assert clock.now() == frozen_at


def test_live_clock_follows_the_system_clock():
    clock = Clock()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert clock.now().tzinfo is not None


def test_due_callbacks_run_in_time_order_on_advance_reading_their_due_time():
    clock = Clock(START, frozen=True)
    ran: list[tuple[str, datetime]] = []
    for name, seconds in [("third", 30), ("first", 10), ("second", 20), ("later", 100)]:
        clock.call_at(START + timedelta(seconds=seconds), lambda name=name: ran.append((name, clock.now())))
    clock.advance(50)
    assert ran == [("first", START + timedelta(seconds=10)), ("second", START + timedelta(seconds=20)),
                   ("third", START + timedelta(seconds=30))]
    assert clock.now() == START + timedelta(seconds=50)  # back at the target once they ran
    assert clock.next_due() == START + timedelta(seconds=100)
    clock.advance(50)
    assert ran[-1] == ("later", START + timedelta(seconds=100))
    assert clock.next_due() is None


def test_callbacks_due_at_the_same_time_run_in_scheduling_order():
    clock = Clock(START, frozen=True)
    ran: list[int] = []
    for index in range(5):
        clock.call_later(5, lambda index=index: ran.append(index))
    clock.advance(5)
    assert ran == [0, 1, 2, 3, 4]


def test_a_callback_may_schedule_another_that_falls_due_in_the_same_advance():
    clock = Clock(START, frozen=True)
    ran: list[tuple[str, datetime]] = []

    def step() -> None:
        ran.append(("step", clock.now()))
        clock.call_later(10, lambda: ran.append(("next", clock.now())))

    clock.call_later(10, step)
    clock.advance(30)
    assert ran == [("step", START + timedelta(seconds=10)), ("next", START + timedelta(seconds=20))]


def test_set_runs_the_callbacks_it_passes():
    clock = Clock(START, frozen=True)
    ran: list[datetime] = []
    clock.call_at(START + timedelta(hours=1), lambda: ran.append(clock.now()))
    clock.set(START + timedelta(minutes=30))
    assert ran == []
    clock.set(START + timedelta(hours=2))
    assert ran == [START + timedelta(hours=1)]


def test_nothing_runs_before_it_is_due():
    clock = Clock(START, frozen=True)
    ran: list[int] = []
    clock.call_later(10, lambda: ran.append(1))
    clock.advance(9.5)
    assert ran == [] and clock.run_due() == 0
    clock.advance(0.5)
    assert ran == [1]


def test_reset_restores_the_start_and_forgets_callbacks():
    clock = Clock(START, frozen=True)
    ran: list[int] = []
    clock.call_later(10, lambda: ran.append(1))
    clock.freeze(False)
    clock.advance(5)
    clock.reset()
    assert clock.now() == START and clock.frozen is True and clock.next_due() is None
    clock.advance(60)
    assert ran == []


def test_rfc3339_round_trip():
    assert rfc3339(START + timedelta(microseconds=500)) == "2026-01-01T00:00:00Z"
    assert parse_rfc3339("2017-12-13T03:15:55Z") == datetime(2017, 12, 13, 3, 15, 55, tzinfo=timezone.utc)
    assert parse_rfc3339("2017-12-13T05:15:55+02:00") == datetime(2017, 12, 13, 3, 15, 55, tzinfo=timezone.utc)
    for bad in ("2017-12-13", "yesterday", "2017-12-13T03:15:55", 5):
        with pytest.raises(ValueError):
            parse_rfc3339(bad)


def test_stamp_is_rfc3339_of_now_through_advances_sets_and_callbacks():
    clock = Clock(START + timedelta(seconds=0.9), frozen=True)
    seen = []
    clock.call_at(START + timedelta(seconds=5), lambda: seen.append(clock.stamp()))
    assert clock.stamp() == "2026-01-01T00:00:00Z"
    clock.advance(0.05)
    assert clock.stamp() == "2026-01-01T00:00:00Z"
    clock.advance(0.1)  # into the next second
    assert clock.stamp() == "2026-01-01T00:00:01Z"
    clock.set(START - timedelta(days=1))  # back in time: a new text too
    assert clock.stamp() == "2025-12-31T00:00:00Z"
    clock.set(START + timedelta(seconds=10))
    assert seen == ["2026-01-01T00:00:05Z"] and clock.stamp() == "2026-01-01T00:00:10Z" == rfc3339(clock.now())


def test_a_failing_callback_is_logged_the_others_still_run_and_the_clock_ends_at_its_target(caplog):
    clock = Clock(START, frozen=True)
    ran: list[tuple[str, datetime]] = []

    def broken() -> None:
        raise OverflowError("date value out of range")

    clock.call_later(10, lambda: ran.append(("before", clock.now())))
    clock.call_later(20, broken)
    clock.call_later(30, lambda: ran.append(("after", clock.now())))
    assert clock.advance(60) is None
    assert ran == [("before", START + timedelta(seconds=10)), ("after", START + timedelta(seconds=30))]
    assert clock.now() == START + timedelta(seconds=60)  # not left at the failed callback's time
    failure = next(r for r in caplog.records if r.name == "emulator.clock")
    assert "2026-01-01T00:00:20Z" in failure.getMessage() and failure.exc_info[0] is OverflowError


def test_a_callback_past_the_calendars_end_never_falls_due_and_advancing_past_it_is_refused():
    clock = Clock(START, frozen=True)
    ran: list[int] = []
    clock.call_later(1e12, lambda: ran.append(1))  # 31,700 years: beyond datetime's range
    assert clock.next_due() == datetime.max.replace(tzinfo=timezone.utc)
    for seconds in (1e12, float("inf"), float("nan")):
        with pytest.raises(ValueError):
            clock.advance(seconds)
    assert clock.now() == START and ran == []


def test_the_live_clocks_ticker_outlives_a_failure(caplog):
    from emulator.runtime.emulator import tick

    class Failing(Clock):
        def run_due(self) -> int:
            raise RuntimeError("boom")

    clock = Clock(START)
    ran: list[int] = []
    clock.call_at(START, lambda: ran.append(1))
    tick(clock)
    assert ran == [1]
    tick(Failing(START))  # does not raise: the ticker's loop goes on
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_a_cancelled_callback_never_runs_and_leaves_the_schedule():
    clock = Clock(START, frozen=True)
    ran: list[str] = []
    kept = clock.call_later(10, lambda: ran.append("kept"))
    dropped = clock.call_later(5, lambda: ran.append("dropped"))
    clock.cancel(dropped)
    clock.cancel(dropped)  # twice is harmless
    clock.cancel(None)
    assert clock.pending() == 1 and clock.next_due() == START + timedelta(seconds=10)
    clock.advance(20)
    assert ran == ["kept"]
    clock.cancel(kept)  # after it ran: nothing to cancel
    assert clock.pending() == 0


def test_cancelled_callbacks_do_not_pile_up_on_a_frozen_clock():
    clock = Clock(START, frozen=True)
    for second in range(10_000):
        clock.cancel(clock.call_later(second + 1, lambda: None))
    assert clock.pending() == 0
    assert len(clock._due) <= 128  # compacted as it went, not kept until the clock moves


def test_handles_from_before_a_reset_cancel_nothing_after_it():
    clock = Clock(START, frozen=True)
    old = clock.call_later(5, lambda: None)
    clock.reset()
    ran: list[int] = []
    clock.call_later(5, lambda: ran.append(1))
    clock.cancel(old)
    assert clock.pending() == 1
    clock.advance(5)
    assert ran == [1]


def test_rfc3339_writes_what_strftime_writes_in_utc_for_any_moment():
    chance = random.Random(3339)
    start = datetime(1, 1, 1, tzinfo=timezone.utc)
    for _ in range(5000):
        moment = start + timedelta(seconds=chance.randrange(0, 315537897599), microseconds=chance.randrange(10**6))
        if 1 < moment.year < 9999:
            moment = moment.astimezone(timezone(timedelta(minutes=chance.randrange(-720, 721))))
        assert rfc3339(moment) == moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rfc3339(datetime(2026, 12, 6, 23, 5, 9, 999999, tzinfo=timezone(timedelta(hours=8)))) == "2026-12-06T15:05:09Z"
