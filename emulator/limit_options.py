"""The resource-limit options: --max-body-bytes, --max-header-bytes, --watch-buffer, --watch-history, --max-watches."""
from __future__ import annotations

import argparse
import os
from typing import Any

from emulator.settings import Settings


def _count(text: str) -> int:
    count = int(text)
    if count < 1:
        raise ValueError(text)
    return count


_count.__name__ = "count"  # argparse names the type in its error message

# flag, Settings field (and so its default), help without the variable and default
_LIMITS = (
    ("--max-body-bytes", "max_body_bytes",
     "largest request body; a bigger one gets 413 in the service's envelope (COS: 400 EntityTooLarge)"),
    ("--max-header-bytes", "max_header_bytes",
     "longest request line or header line (name and value); a longer one gets 431 in the service's envelope "
     "(MRS and COS: 400)"),
    ("--watch-buffer", "watch_buffer",
     "Kubernetes watch events queued for one watch; a watch that falls further behind is closed"),
    ("--watch-history", "watch_history",
     "Kubernetes watch events kept for resuming from a resourceVersion; older ones get 410 Expired"),
    ("--max-watches", "max_watches",
     "Kubernetes watches open at once; one more gets 429 TooManyRequests"),
)


def _variable(flag: str) -> str:
    return "EMULATOR_" + flag[2:].upper().replace("-", "_")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, field, text in _LIMITS:
        default = getattr(Settings, field)
        variable = _variable(flag)
        parser.add_argument(flag, type=_count, metavar="N", default=os.environ.get(variable) or str(default),
                            help=f"{text} ({variable}; default {default})")


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The Settings fields of the parsed options."""
    return {field: getattr(args, field) for _, field, _ in _LIMITS}
