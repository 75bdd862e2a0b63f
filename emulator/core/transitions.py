"""One INFO line per job status change an emulated service makes by itself, worded the same for every service."""
from __future__ import annotations

import logging
from datetime import datetime

from emulator.core.clock import rfc3339

log = logging.getLogger("emulator.transitions")


def report(service: str, job: str, old: str, new: str, when: datetime) -> None:
    """`<service> job <job>: <old> -> <new> (clock <when>)`, when the status really changed."""
    if old != new:
        log.info("%s job %s: %s -> %s (clock %s)", service, job, old, new, rfc3339(when))
