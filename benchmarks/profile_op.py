#!/usr/bin/env python3
"""Where one operation's time goes: py-spy samples the emulator while wrk drives that operation.

    python benchmarks/profile_op.py OPERATION [--logging default|off] [--seconds 10] [--top 25]

OPERATION is one of run.py's (`python benchmarks/run.py --help` lists them); --logging off
uses run.py's logging-off flags. The emulator is
pinned to CPU 0 as in run.py; wrk and py-spy run on CPU 1. Prints the functions with the most
samples on top of the stack (self) and anywhere in it (inclusive), as % of all samples, and the
share of a few areas (access log, JSON, aiohttp's HTTP machinery, the emulator's own code).

py-spy is not a dependency of the project: install it anywhere, e.g.
    python3 -m venv /tmp/pyspy && /tmp/pyspy/bin/pip install py-spy
and give --py-spy /tmp/pyspy/bin/py-spy (or have it on PATH). Loopback only.
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

AREAS = [  # a sample belongs to the area of its innermost frame that matches one of these
    ("access log (emulator.cli logger, logging)", re.compile(r"^(logging/|emulator/cli\.py|aiohttp/web_log\.py)")),
    ("JSON (orjson via emulator.jsonio)", re.compile(r"^emulator/jsonio\.py")),
    ("XML (xmlio, xmltodict, expat)", re.compile(r"^(emulator/services/cos_batch/xmlio\.py|xmltodict|xml/)")),
    ("request journal (emulator.admin.journal)", re.compile(r"^emulator/admin/journal\.py")),
    ("emulator service code (handlers, registries, validation, patching)", re.compile(r"^emulator/services/")),
    ("emulator app: observe + error middlewares, store, clock", re.compile(r"^emulator/")),
    ("copy.deepcopy", re.compile(r"^copy\.py")),
    ("jsonpatch / jsonpointer", re.compile(r"^(jsonpatch|jsonpointer)")),
    ("aiohttp request/response machinery", re.compile(r"^(aiohttp|multidict|yarl)/")),
    ("socket I/O and event loop (asyncio, selectors)", re.compile(r"^(asyncio/|selectors\.py)")),
]


def _function(frame: str) -> str:
    """'name (path:line)' -> 'name (file)'; py-spy's raw frames carry the line number."""
    match = re.match(r"(.*) \((.*?):\d+\)$", frame)
    if not match:
        return frame
    name, path = match.groups()
    return f"{name} ({'/'.join(Path(path).parts[-2:])})"


def _area(frames: list[str]) -> str:
    for frame in reversed(frames):
        match = re.match(r".* \((.*?)(:\d+)?\)$", frame)
        path = match.group(1) if match else frame
        for area, pattern in AREAS:
            if pattern.search(path):
                return area
    return "other"


def analyse(raw: Path, top: int) -> str:
    self_counts: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        functions = [_function(f) for f in frames]
        self_counts[functions[-1]] += count
        for name in set(functions):
            inclusive[name] += count
        areas[_area(frames)] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "by area (of the innermost frame that has one):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in areas.most_common()]
    lines += ["", f"self (top of stack), top {top}:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self_counts.most_common(top)]
    lines += ["", f"inclusive (frames in nearly every sample left out), top {top}:"]
    shown = [(name, n) for name, n in inclusive.most_common() if n < total * 0.97][:top]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in shown]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("operation", choices=list(run.OPERATIONS_BY_NAME))
    parser.add_argument("--logging", default="default", choices=("default", "off"),
                        help="the emulator's default logging, or run.py's logging-off flags")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    parser.add_argument("--raw-out", type=Path, help="keep py-spy's raw (collapsed) stacks here")
    args = parser.parse_args()
    if shutil.which(args.py_spy) is None and not Path(args.py_spy).is_file():
        sys.exit("py-spy not found: python3 -m venv /tmp/pyspy && /tmp/pyspy/bin/pip install py-spy; "
                 "then --py-spy /tmp/pyspy/bin/py-spy")
    if shutil.which("wrk") is None:
        sys.exit("wrk not found on PATH: apt-get install -y wrk")
    import os

    if shutil.which("taskset") and {run.SERVER_CPU, run.LOAD_CPU} <= os.sched_getaffinity(0):
        os.sched_setaffinity(0, {run.LOAD_CPU})  # off the emulator's core, as run.py does
    else:
        run.PINNING = False
    op = run.OPERATIONS_BY_NAME[args.operation]
    tmp = Path(tempfile.mkdtemp(prefix="emulator-profile-"))
    bench_args = argparse.Namespace(duration=args.seconds + 2, warmup=0, connections=args.connections)
    ctx = run.Context(bench_args, tmp)
    flags = run.logging_off_flags() if args.logging == "off" else []
    server = run.Server("emulator", lambda port: run.emulator_argv() + [
        "--port", str(port), "--frozen-clock", *flags], "/_emulator/health", tmp / "emulator.log")
    wrk = spy = None
    try:
        server.start()
        server.reset()
        if op.prepare:
            op.prepare(server, ctx)
        pool = (0, 0)
        if op.pool_per_second:
            ctx.rates["cos_update_status/emulator"] = 15000  # above any rate measured: no request runs out of jobs
            pool = run._fill_pool(server, "emulator", ctx, {"emulator": 0}, {"emulator": 0})
        raw = args.raw_out or tmp / "stacks.txt"
        # wrk in the background for the whole sampling window, py-spy after a second of load
        wrk_result: dict = {}
        import threading

        def drive() -> None:
            wrk_result.update(run.run_wrk(server.port, op.request, args.seconds + 2, args.connections, tmp, pool))

        wrk = threading.Thread(target=drive)
        wrk.start()
        time.sleep(1)
        command = [args.py_spy, "record", "--pid", str(server.proc.pid), "--duration", str(args.seconds),
                   "--rate", str(args.rate), "--format", "raw", "--output", str(raw)]
        if run.PINNING and shutil.which("taskset"):
            command = ["taskset", "-c", str(run.LOAD_CPU)] + command
        spy = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60)
        if spy.returncode != 0:
            print(spy.stdout[-1000:], spy.stderr[-1000:], file=sys.stderr)
            return 1
        wrk.join(args.seconds + 90)
        print(f"{op.label} ({op.request.method} {op.request.path}), logging {args.logging} {flags}: "
              f"{wrk_result.get('rps', 0):,.0f} req/s under py-spy, statuses {wrk_result.get('statuses')}")
        print(analyse(raw, args.top))
    finally:
        server.stop()
        run.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)  # --raw-out, when given, lies outside it
    return 0


if __name__ == "__main__":
    sys.exit(main())
