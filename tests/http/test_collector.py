"""The serving process collects young objects at its own pace; an embedder's process keeps its own."""
from __future__ import annotations

import gc
import select
import subprocess
import sys
from pathlib import Path

from emulator.http import collector
from emulator.http.app import create_app
from emulator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
REPORTS = """
import gc, sys
from emulator import cli
from emulator.http import collector
paced = collector.pace_for_serving
def pace():
    paced()
    print("thresholds", *gc.get_threshold(), flush=True)
collector.pace_for_serving = pace
sys.exit(cli.main(["--port", "0", "--quiet", "--frozen-clock"]))
"""


def test_the_cli_serves_with_the_serving_thresholds():
    process = subprocess.Popen([sys.executable, "-c", REPORTS], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines = []
        while len(lines) < 2 and select.select([process.stdout], [], [], 30)[0]:
            lines.append(process.stdout.readline())
        assert lines[0].split() == ["thresholds", *map(str, collector.THRESHOLDS)], lines
        assert "listening on http://127.0.0.1:" in lines[1], lines  # set before the first request is served
    finally:
        process.kill()
        process.wait(timeout=10)


def test_building_the_app_in_process_leaves_the_collector_alone():
    before = gc.get_threshold()
    create_app(Settings(clock_frozen=True))
    assert gc.get_threshold() == before != collector.THRESHOLDS
