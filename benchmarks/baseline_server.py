#!/usr/bin/env python3
"""The benchmarks' speed reference: bare aiohttp answering seed 003's job status with bytes held in memory."""
# No store, no serialization per request, no access log: whatever the emulator does on top of this is
# what benchmarks/run.py measures, as the emulator's requests/s over this server's, side by side.
#
#     python benchmarks/baseline_server.py --port 18080
#     curl http://127.0.0.1:18080/apis/batch/v1/namespaces/namespace-test/jobs/pi/status
#
# The body is the example of seed 003 (GET the status of Job `pi`) as tests/data/seed_examples.json keeps
# it: the seed's own example, checked against the seed document by tests/test_seed_examples.py. It is
# served as compact JSON with a closing newline, as the emulator (like a Kubernetes API server) answers it.
from __future__ import annotations

import argparse
import json
from pathlib import Path

from aiohttp import web

EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "seed_examples.json"
PATH = "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"  # seed 003's request, as the emulator routes it
HOST = "127.0.0.1"  # loopback only


def seed_003_body(examples: Path = EXAMPLES) -> bytes:
    """Seed 003's one example, the Job `pi` with its status, as the bytes to answer with."""
    [job] = json.loads(examples.read_text(encoding="utf-8"))["003"]
    return json.dumps(job, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def make_app(body: bytes) -> web.Application:
    """One GET route answering `body`; every other path gets aiohttp's own 404."""
    async def job_status(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get(PATH, job_status)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=18080, help="port on 127.0.0.1 (default %(default)s)")
    args = parser.parse_args(argv)
    body = seed_003_body()
    print(f"baseline: {len(body)} bytes at http://{HOST}:{args.port}{PATH}", flush=True)
    # run_app stops cleanly on SIGINT and SIGTERM, which is how benchmarks/run.py ends it.
    web.run_app(make_app(body), host=HOST, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
