#!/usr/bin/env python3
"""An emulator holding many Kubernetes jobs, for the RSS and list-cost measures of run.py.

    python benchmarks/scale_server.py --port N [--jobs 1000]

The application is the real one (`emulator.http.app.create_app`, bundled fixtures, frozen clock),
served as `cloud-job-emulator --log-level warning` serves it (aiohttp AppRunner, no access log:
at that level the CLI writes none). Jobs go in through `emulator.runtime.fixture_files.apply`, the loader POST /_emulator/fixtures
calls, in-process: the HTTP route snapshots the whole store before every batch (to roll back a bad
one), which makes loading 100,000 jobs through it take minutes (run.py times that separately).

One extra route, for the benchmark only: POST /_bench/grow {"to": N} loads jobs until namespace
`bench` holds N of them and answers {"jobs": stored Kubernetes jobs, "seconds": load time}.
Listens on 127.0.0.1 only; stops on SIGINT or SIGTERM.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_docs  # noqa: E402

from emulator.runtime import fixture_files  # noqa: E402
from emulator.http.access_log import LOG_FORMAT  # noqa: E402
from emulator.http.app import create_app  # noqa: E402
from emulator.runtime.emulator import EMULATOR  # noqa: E402
from emulator.cli import loop_factory  # noqa: E402
from emulator.settings import Settings  # noqa: E402


def load_jobs(app: web.Application, start: int, stop: int) -> float:
    """Jobs number start..stop-1 into namespace `bench`, one generated document at a time; seconds taken."""
    services = app[EMULATOR].services
    began = time.perf_counter()
    documents = ((f"bench job {i}", bench_docs.k8s_job(i)) for i in range(start, stop))
    fixture_files.apply(documents, services)
    return time.perf_counter() - began


async def serve(port: int, initial: int) -> None:
    app = create_app(Settings(host="127.0.0.1", port=port, log_level="warning", clock_frozen=True))
    fixture_files.apply([("bench namespace", bench_docs.namespace_doc())], app[EMULATOR].services)
    state = {"loaded": initial}
    load_jobs(app, 0, initial)

    async def grow(request: web.Request) -> web.Response:
        target = int((await request.json())["to"])
        seconds = load_jobs(app, state["loaded"], target) if target > state["loaded"] else 0.0
        state["loaded"] = max(state["loaded"], target)
        gc.collect()
        jobs = app[EMULATOR].services["kubernetes"].summary()["jobs"]
        return web.json_response({"jobs": jobs, "seconds": seconds})

    app.router.add_post("/_bench/grow", grow)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        print(f"scale harness listening on http://127.0.0.1:{port} with {initial} bench jobs", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1000, help="jobs in namespace bench at start")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    with asyncio.Runner(loop_factory=loop_factory()) as runner:  # the CLI's event loop
        runner.run(serve(args.port, args.jobs))


if __name__ == "__main__":
    main()
