"""Bounded waits for what a test then asserts: a condition, or the lines a log file gets after a point.

A test that reads something written asynchronously (an access log flushed every 50 ms, a state file
saved on an interval, a server noticing a closed socket) waits for the very item it asserts, never
for "something happened" and never for a fixed time; past the deadline it fails, saying what it waited for.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

TIMEOUT = 20.0  # seconds: far above what loopback and a busy 2-core machine need, short of a hung test
POLL = 0.01

T = TypeVar("T")


def wait_until(check: Callable[[], T], what: str, timeout: float = TIMEOUT) -> T:
    """Call `check` until it returns something true, and return that; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}{_last(result)}")
        time.sleep(POLL)


async def wait_until_async(check: Callable[[], Awaitable[T]], what: str, timeout: float = TIMEOUT) -> T:
    """`wait_until` for a coroutine check, sleeping on the event loop between tries."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}{_last(result)}")
        await asyncio.sleep(POLL)


def _last(result: object) -> str:
    return "" if result is False or result is None else f"; last seen: {result!r}"


class LogTail:
    """A log file read from where it ended when this was made: only what is written afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def text(self) -> str:
        with open(self.path, "rb") as file:
            file.seek(self.offset)
            return file.read().decode(errors="replace")

    def wait_for(self, *pieces: str, timeout: float = TIMEOUT) -> str:
        """The text written since, once every piece is in it; AssertionError naming the missing ones otherwise."""
        def missing() -> list[str]:
            return [piece for piece in pieces if piece not in self.text()]

        deadline = time.monotonic() + timeout
        while missing():
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:g} s for {missing()} in {self.path} after byte "
                                     f"{self.offset}; written since: {self.text()[-3000:]!r}")
            time.sleep(POLL)
        return self.text()
