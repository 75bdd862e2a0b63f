"""Identifiers: dashed UUID4s from one random source per emulator, seedable for repeatable runs."""
from __future__ import annotations

import random
import uuid


class Ids:
    """A per-emulator generator of UUIDs and short random suffixes."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)

    def reset(self) -> None:
        self._random = random.Random(self._seed)

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def hex(self, length: int) -> str:
        return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def suffix(self, length: int = 5) -> str:
        """Kubernetes' generateName alphabet: no vowels, no look-alike characters."""
        return "".join(self._random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(length))
