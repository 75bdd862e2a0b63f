"""An emulator process of a test's own, started with the options the test needs, and its resident memory."""
from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def emulator_process(*options: str, log: IO | None = None) -> Iterator[tuple[int, str]]:
    """`python -m emulator --port 0 --quiet <options>`: its pid and base URL; killed on the way out.

    `log` is a file its stderr goes to (else it goes where the test's goes).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--quiet", *options],
                               stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"})
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        assert "http://" in line, f"the emulator did not start: {line!r}"
        yield process.pid, line[line.index("http://"):].split()[0]
    finally:  # nothing of it is kept, so no need to wait for a clean stop
        process.kill()
        process.wait(timeout=10)


def rss_bytes(pid: int) -> int:
    """VmRSS of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
