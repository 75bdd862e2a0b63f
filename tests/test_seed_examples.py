"""The seed examples kept in tests/data are exactly those of the seed documents, where ../shared/seeds exists."""
from __future__ import annotations

import pytest

import seed_examples


@pytest.mark.skipif(not seed_examples.SEEDS.is_dir(), reason="the seed documents are not beside this checkout")
def test_the_stored_examples_are_the_seeds_own():
    stored = {f"{n:03d}": seed_examples.seed(n) for n in (*seed_examples.JSON_SEEDS, 4)}
    assert stored == seed_examples.read_seeds()
