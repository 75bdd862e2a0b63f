"""FixtureMemo: a value per purpose and document object, kept only for the loads of a reset, and bounded."""
from __future__ import annotations

from emulator.core.fixture_memo import KEPT, FixtureMemo


def test_a_reset_keeps_one_value_per_purpose_and_document_object():
    memo, made = FixtureMemo(), []

    def make(document: dict) -> str:
        made.append(document)
        return f"value {len(made)}"

    document, twin = {"kind": "Job"}, {"kind": "Job"}
    with memo.reloading():
        assert memo.get("decoded", document, make) == "value 1"
    assert memo.get("decoded", document, make) == "value 1"  # kept for the next reset
    assert memo.get("checked", document, make) == "value 2"  # another purpose
    assert memo.get("decoded", twin, make) == "value 3"  # equal, but another object
    assert made[0] is document and made[2] is twin and len(memo) == 1


def test_loads_outside_a_reset_keep_nothing_and_the_bound_holds():
    memo, calls = FixtureMemo(), []
    loaded_once = {"kind": "Job"}  # as POST /_emulator/fixtures loads one
    memo.get("decoded", loaded_once, calls.append)
    memo.get("decoded", loaded_once, calls.append)
    assert len(calls) == 2 and len(memo) == 0
    documents = [{"n": n} for n in range(KEPT + 1)]
    with memo.reloading():
        for document in documents:
            memo.get("decoded", document, lambda d: d["n"])
    assert len(memo) == KEPT
    assert memo.get("decoded", documents[-1], lambda d: -1) == -1  # past the bound: worked on again


def test_a_value_that_could_not_be_made_is_tried_again():
    memo, calls = FixtureMemo(), []

    def refuse(document: dict) -> None:
        calls.append(document)
        raise ValueError("a bad document")

    document = {"kind": "Job"}
    with memo.reloading():
        for _ in range(2):
            try:
                memo.get("checked", document, refuse)
            except ValueError:
                pass
    assert len(calls) == 2 and len(memo) == 0
