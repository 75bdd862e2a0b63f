"""FixtureMemo: a value per document object, made once, for a bounded number of documents."""
from __future__ import annotations

from emulator.core.fixture_memo import KEPT, FixtureMemo


def test_a_value_is_made_once_per_document_object_and_equal_documents_are_not_confused():
    memo, made = FixtureMemo(), []

    def make(document: dict) -> str:
        made.append(document)
        return f"value {len(made)}"

    document, twin = {"kind": "Job"}, {"kind": "Job"}
    assert memo.get(document, make) == memo.get(document, make) == "value 1"
    assert memo.get(twin, make) == "value 2"  # equal, but another object: a fixture file read again
    assert made == [document, twin] and made[0] is document and made[1] is twin


def test_only_the_first_kept_documents_are_remembered():
    memo, calls = FixtureMemo(), []
    documents = [{"n": n} for n in range(KEPT + 1)]
    for document in documents:
        memo.get(document, lambda d: calls.append(d) or d["n"])
    assert len(calls) == KEPT + 1
    assert memo.get(documents[0], lambda d: calls.append(d) or -1) == 0  # kept
    assert memo.get(documents[-1], lambda d: calls.append(d) or -1) == -1  # past the bound: made again
    assert len(calls) == KEPT + 2
