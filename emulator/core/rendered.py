"""Response bodies of stored objects, made once per stored version and reused while it is the current one."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class Rendered:
    """Bodies by key, each kept with the stored object it was made from.

    Stored objects are never changed in place (a write stores a new one), so while the store holds
    the very same object its body is the same. At most `size` bodies are kept: when full, all go.
    """

    def __init__(self, size: int = 4096) -> None:
        self._bodies: dict[Hashable, tuple[Any, bytes]] = {}
        self._size = size

    def get(self, key: Hashable, source: Any, render: Callable[[], bytes]) -> bytes:
        """The body made for `source` under `key`, made now by `render()` unless it was for this very object."""
        found = self._bodies.get(key)
        if found is not None and found[0] is source:
            return found[1]
        body = render()
        if len(self._bodies) >= self._size:
            self._bodies.clear()
        self._bodies[key] = (source, body)
        return body

    def clear(self) -> None:
        self._bodies.clear()
