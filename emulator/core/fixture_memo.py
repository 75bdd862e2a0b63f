"""What services work out from the fixture documents a reset loads, kept for the next reset."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

KEPT = 512  # values kept per memo: the bundled fixtures need a handful; past it, a document is worked on again


class FixtureMemo:
    """`make(document)` once per purpose and document object, for the documents a reset loads.

    A reset loads the emulator's fixture documents again: the same objects each time, parsed once per
    process, never changed (see fixture_files) and kept by the emulator for its life, so keeping a value
    beside each costs no copy of it. Only loads inside `reloading()` keep theirs: a document of
    `POST /_emulator/fixtures` is loaded once, and is let go with its objects.

    A value depends on its document alone, so emulators that load the same documents may share one memo:
    the pytest plugin's in-process apps do, one memo per test session. Which loads keep their value then
    depends on whose reset is running, never what a value is.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[str, int], tuple[Any, Any]] = {}  # (purpose, id) -> (document, value)
        self._reloading = False

    @contextmanager
    def reloading(self) -> Iterator[None]:
        """Keep the values worked out meanwhile: the loads of a reset."""
        self._reloading = True
        try:
            yield
        finally:
            self._reloading = False

    def get(self, purpose: str, document: Any, make: Callable[[Any], Any]) -> Any:
        key = (purpose, id(document))
        known = self._kept.get(key)
        if known is not None and known[0] is document:  # the document kept too: its id is not another's
            return known[1]
        value = make(document)
        if self._reloading and len(self._kept) < KEPT:
            self._kept[key] = (document, value)
        return value

    def __len__(self) -> int:
        return len(self._kept)
