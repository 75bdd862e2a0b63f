"""Records that move on by themselves on the emulator's clock, their next step kept in the store for a restart."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import partial
from typing import Any

from emulator.core import transitions
from emulator.core.clock import Scheduled
from emulator.services.protocol import Core

log = logging.getLogger("emulator.mrs")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Timeline:
    """Records that move on by themselves: each keeps its next step's due time (`next_at`, epoch ms) in the store.

    A step re-reads the record and moves it only if it is still in the state the step was scheduled
    from, so a user's kill or cancel in between wins. Subclasses say what a record's id and state are
    and what its next step does.
    """

    kind = ""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.clock = core.clock
        self.collection = core.store.collection(self.kind)
        self._pending: dict[tuple[str, str], Scheduled] = {}

    @staticmethod
    def identity(record: dict[str, Any]) -> tuple[str, str]:
        """(id, state) of a record."""
        raise NotImplementedError

    def step(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record after its automatic step, taken now."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the steps scheduled before a reset (the clock has dropped them)."""
        self._pending.clear()

    def now_ms(self) -> int:
        return millis(self.clock.now())

    def _write(self, project: str, record: dict[str, Any]) -> None:
        """Store the record and put its next step (if any) on the clock instead of the one it had."""
        record_id, state = self.identity(record)
        self.collection.put(project, record_id, record)
        self._core.store.next_revision()
        self.clock.cancel(self._pending.pop((project, record_id), None))
        if record["next_at"] is not None:
            when = datetime.fromtimestamp(record["next_at"] / 1000, timezone.utc)
            self._pending[(project, record_id)] = self.clock.call_at(when, partial(self._step, project, record_id,
                                                                                   state))

    def _remove(self, project: str, record_id: str) -> None:
        self.collection.delete(project, record_id)
        self.clock.cancel(self._pending.pop((project, record_id), None))
        self._core.store.next_revision()

    def _step(self, project: str, record_id: str, scheduled_from: str) -> None:
        self._pending.pop((project, record_id), None)
        try:
            record = self.collection.get(project, record_id)
            if record is None or self.identity(record)[1] != scheduled_from:
                return
            moved = self.step(record)
            self._write(project, moved)
            transitions.report(self._core.store, "mrs", f"{project}/{record_id}", scheduled_from,
                               self.identity(moved)[1], self.clock.now())
        except Exception:  # a clock callback must never take the ticker down
            log.exception("MRS execution %s/%s failed to take its automatic step", project, record_id)

    def restored(self) -> None:
        """After a restart from the state file: every unfinished record takes its next step when it was due."""
        for (project, _), record in list(self.collection.scan()):
            if record["next_at"] is not None:
                self._write(project, record)
