"""MRS-only fixtures: a token-carrying client on the seed project of a fresh emulator."""
from __future__ import annotations

import pytest
from mrs_support import Mrs


@pytest.fixture
def mrs(client) -> Mrs:
    """The seed project on a fresh in-process emulator (bundled fixtures, clock frozen at NOW)."""
    return Mrs(client)
