"""What a service works out from a fixture document, kept for the documents the next reset loads again."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEPT = 256  # documents (or entries of one) per service whose worked-out value is kept: the bundled ones and more


class FixtureMemo:
    """`make(document)` once per document, by identity, for the first KEPT documents asked about.

    Fixture files are parsed once per process and their documents are never changed (see
    fixture_files), so each reset hands a service the same objects again. The document itself is kept
    beside its value, so its id cannot be reused by another while the value is kept.
    """

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Any, Any]] = {}

    def get(self, document: Any, make: Callable[[Any], Any]) -> Any:
        known = self._kept.get(id(document))
        if known is not None and known[0] is document:
            return known[1]
        value = make(document)
        if len(self._kept) < KEPT:
            self._kept[id(document)] = (document, value)
        return value
