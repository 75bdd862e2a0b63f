"""A collection's index: `having(value)` is always the keys whose objects the indexer files under that value."""
from __future__ import annotations

import random

from emulator.core.store import Store


def by_colour(scope: str, obj: dict) -> tuple:
    return ((scope, "colour", obj["colour"]), ("all", obj["colour"]))


def expected(collection, value) -> set:
    return {key for key, obj in collection.scan() if value in by_colour(key[0], obj)}


def test_the_index_follows_puts_deletes_clear_rollback_and_restore():
    store = Store()
    things = store.collection("things")
    things.put("a", "pre", {"colour": "red"})  # stored before the index exists: filed when it is made
    things.index_by(by_colour)
    values = [(scope, "colour", colour) for scope in "ab" for colour in ("red", "blue", "green")] + \
             [("all", colour) for colour in ("red", "blue", "green")]
    chance = random.Random(20)
    checkpoint = None
    for step in range(2000):
        scope, name = chance.choice("ab"), f"n{chance.randrange(40)}"
        if chance.random() < 0.3:
            things.delete(scope, name)
        else:
            things.put(scope, name, {"colour": chance.choice(("red", "blue", "green"))})
        if step == 700:
            checkpoint = store.checkpoint()
        if step == 1400:
            store.rollback(checkpoint)
        if step == 1600:
            store.restore(store.snapshot())
        for value in values:
            assert things.having(value) == expected(things, value), (step, value)
    store.reset()
    assert all(not things.having(value) for value in values)


def test_an_unindexed_collection_has_nothing_filed():
    things = Store().collection("things")
    things.put("a", "x", {"colour": "red"})
    assert things.having(("a", "colour", "red")) == set()
