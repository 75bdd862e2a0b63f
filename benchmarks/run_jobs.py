"""Scale of Jobs that run (issue #15): N Jobs of 3 Pods each on a frozen clock, advanced until all finish.

Prints the time to create them, the time to advance the clock until every Job is Complete, the
peak RSS of the process and what is stored at the end. In-process (no HTTP): it measures the
controller, the kubelet, the registries and their watch hubs and Events, not the wire.

    python benchmarks/run_jobs.py            # 10,000 Jobs
    python benchmarks/run_jobs.py --jobs 1000
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import datetime, timezone

from emulator.runtime.emulator import Emulator
from emulator.services.kubernetes.options import WriteOptions
from emulator.settings import Settings


def manifest(name: str) -> dict:
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36"}]}}
    return {"metadata": {"name": name}, "spec": {"completions": 3, "parallelism": 3, "template": template}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10000)
    args = parser.parse_args()
    emulator = Emulator(Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True,
                                 load_fixtures=False, id_seed=1))
    kubernetes, clock = emulator.services["kubernetes"], emulator.core.clock
    started = time.perf_counter()
    for n in range(args.jobs):
        kubernetes.jobs.create("default", manifest(f"job-{n:05d}"), WriteOptions())
    created = time.perf_counter() - started
    started = time.perf_counter()
    clock.advance(60)  # default run: bound at 0 s, running at 1 s, finished at 11 s
    advanced = time.perf_counter() - started
    done = sum(1 for _, job in kubernetes.jobs.items.scan()
               if any(c["type"] == "Complete" for c in job["status"].get("conditions", [])))
    report = {"jobs": args.jobs, "complete": done, "create_seconds": round(created, 2),
              "advance_seconds": round(advanced, 2), "peak_rss_mib": round(
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), **kubernetes.summary()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
