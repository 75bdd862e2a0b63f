"""Ids: the uuid4 text is uuid.UUID's own, draw for draw, and a seed repeats the same ids."""
from __future__ import annotations

import random
import uuid

from emulator.core.ids import Ids


def test_uuid4_is_uuid_uuid4_text_of_the_same_random_bits() -> None:
    ids, bits = Ids(20), random.Random(20)
    for _ in range(20_000):
        assert ids.uuid4() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


def test_a_seed_gives_the_same_ids_again_after_reset() -> None:
    ids = Ids(7)
    first = [ids.uuid4() for _ in range(5)] + [ids.suffix()]
    ids.reset()
    assert [ids.uuid4() for _ in range(5)] + [ids.suffix()] == first
    assert len(set(first[:5])) == 5 and all(uuid.UUID(text).version == 4 for text in first[:5])


def test_without_a_seed_a_reset_never_repeats_the_ids_before_it() -> None:
    ids = Ids()
    before = {ids.uuid4() for _ in range(100)}
    ids.reset()
    assert len(before | {ids.uuid4() for _ in range(100)}) == 200
