#!/usr/bin/env python3
"""Benchmark sections of issue #20 that measure the emulator in-process (no wrk): one section per process.

    python benchmarks/inprocess.py SECTION [--quick]      # prints one JSON object
    python benchmarks/inprocess.py --list

Sections: running_jobs, advance_cost, mrs_executions, mrs_filter, plugin_cost, follow_logs, cos_manifest. `run.py` runs
each in a process of its own (so peak RSS is the section's), pinned to the servers' CPU, and checks the
targets; `--quick` (CI) uses small counts and checks answers only. Every result carries `ok` (every answer
was the one expected) and the figures its targets are checked on. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_docs  # noqa: E402

from emulator.http.collector import pace_for_serving  # noqa: E402
from emulator.runtime import fixture_files  # noqa: E402
from emulator.runtime.emulator import Emulator  # noqa: E402
from emulator.services.kubernetes.options import WriteOptions  # noqa: E402
from emulator.settings import Settings  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
MIB = 1024 * 1024


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emulator(**settings: Any) -> Emulator:
    return Emulator(Settings(**{"clock_start": START, "clock_frozen": True, "load_fixtures": False, "id_seed": 1,
                                **settings}))


def job_manifest(name: str, pods: int = 3, suspend: bool = False) -> dict:
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36"}]}}
    spec = {"completions": pods, "parallelism": pods, "template": template}
    if suspend:
        spec["suspend"] = True
    return {"metadata": {"name": name}, "spec": spec}


def complete(job: dict) -> bool:
    return any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"].get("conditions", []))


# --- running_jobs: N Jobs x 3 Pods created on a frozen clock, advanced until all have finished -----------------

def running_jobs(quick: bool) -> dict[str, Any]:
    """The target's Jobs are created through the API, so they run in the CLI's serving process: this one is paced
    as that one is (`emulator.http.collector`)."""
    count = 300 if quick else 10_000
    pace_for_serving()
    emu = emulator()
    kubernetes, clock = emu.services["kubernetes"], emu.core.clock
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        kubernetes.jobs.create("default", job_manifest(f"job-{n:05d}"), WriteOptions())
    created = time.perf_counter() - started
    started = time.perf_counter()
    clock.advance(60)  # bound at 0 s, running at 1 s, finished at 11 s (the default run)
    advanced = time.perf_counter() - started
    cpu = time.process_time() - cpu
    done = sum(1 for _, job in kubernetes.jobs.items.scan() if complete(job))
    summary = kubernetes.summary()
    return {"jobs": count, "pods_per_job": 3, "complete": done, "create_s": created, "advance_s": advanced,
            "total_s": created + advanced, "cpu_s": cpu, "peak_rss_mib": peak_rss_mib(), "stored": summary,
            "ok": done == count and summary["pods"] == 3 * count}


# --- advance_cost: the clock's advance costs its due steps, not what is stored --------------------------------

def advance_cost(quick: bool) -> dict[str, Any]:
    """At each stored size: idle jobs (seed 003's, loaded through the fixture loader; nothing scheduled for them),
    then `due` new Jobs of one Pod each created, and the advance that runs them to the end timed; also an
    advance with nothing due. Sizes alternate over rounds; medians."""
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    due, rounds = (20, 1) if quick else (100, 3)
    emus = {}
    for size in sizes:
        emu = emulator()
        fixture_files.apply([("bench", bench_docs.namespace_doc())]
                            + [("bench", doc) for doc in bench_docs.k8s_jobs(0, size)], emu.services)
        emus[size] = emu
    runs: dict[int, list[float]] = {size: [] for size in sizes}
    idle: dict[int, list[float]] = {size: [] for size in sizes}
    ok = True
    for round_index in range(rounds):
        for size in (sizes if round_index % 2 == 0 else sizes[::-1]):
            emu = emus[size]
            kubernetes, clock = emu.services["kubernetes"], emu.core.clock
            names = [f"due-{round_index}-{n:04d}" for n in range(due)]
            for name in names:
                kubernetes.jobs.create("default", job_manifest(name, pods=1), WriteOptions())
            gc.collect()
            started = time.perf_counter()
            clock.advance(60)
            runs[size].append(time.perf_counter() - started)
            started = time.perf_counter()
            clock.advance(60)  # nothing due
            idle[size].append(time.perf_counter() - started)
            ok &= all(complete(kubernetes.jobs.items.get("default", name)) for name in names)
    small, large = sizes[0], sizes[-1]
    result = {"due_jobs": due, "sizes": list(sizes), "rounds": rounds,
              "advance_ms": {str(s): statistics.median(runs[s]) * 1000 for s in sizes},
              "idle_advance_ms": {str(s): statistics.median(idle[s]) * 1000 for s in sizes}, "ok": ok}
    result["ratio"] = result["advance_ms"][str(large)] / result["advance_ms"][str(small)]
    return result


# --- MRS: executions submitted and run; filtered lists -------------------------------------------------------

PROJECT = "5a3314075bfa49b9ae360f4ecd333695"


def _mrs(clusters: int) -> tuple[Emulator, Any]:
    emu = emulator()
    mrs = emu.services["mrs"]
    for number in range(clusters):
        mrs.clusters.add(PROJECT, {"id": f"cluster-{number:03d}", "name": f"c{number}"})
    return emu, mrs


def _values(name: str, duration: float = 10) -> dict[str, Any]:
    return {"job_type": "MapReduce", "job_name": name, "arguments": ["a"], "properties": {}, "duration": duration,
            "outcome": "SUCCEEDED"}


def mrs_executions(quick: bool) -> dict[str, Any]:
    """N v2 executions submitted to one cluster (its limit is 10,000) and run to the end; the submit cost of the
    first and the last tenth compared (a submit that counts the stored ones grows with them)."""
    count = 500 if quick else 10_000
    emu, mrs = _mrs(1)
    registry, clock = mrs.executions, emu.core.clock
    tenth = count // 10
    times = []
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        before = time.perf_counter()
        registry.submit(PROJECT, "cluster-000", _values(f"job-{n % 50}"))
        times.append(time.perf_counter() - before)
    submitted = time.perf_counter() - started
    started = time.perf_counter()
    clock.advance(60)
    advanced = time.perf_counter() - started
    cpu = time.process_time() - cpu
    states = {}
    for _, job in registry.collection.scan(PROJECT):
        states[job["job_state"]] = states.get(job["job_state"], 0) + 1
    first, last = sum(times[:tenth]), sum(times[-tenth:])
    return {"executions": count, "submit_s": submitted, "advance_s": advanced, "total_s": submitted + advanced,
            "cpu_s": cpu,
            "submit_us_first_tenth": first / tenth * 1e6, "submit_us_last_tenth": last / tenth * 1e6,
            "submit_growth": last / first, "peak_rss_mib": peak_rss_mib(), "states": states,
            "ok": states == {"FINISHED": count}}


def mrs_filter(quick: bool) -> dict[str, Any]:
    """`GET .../job-executions?job_name=match&limit=100` as the registry answers it (matching, sorting, the page
    rendered) with 500 matching executions among 1,000 stored and among 100,000 (ten clusters of 10,000, the
    one listed holding all 500): medians of alternating rounds, and their ratio."""
    from emulator.services.mrs.executions import render
    from emulator.services.mrs.validation import check_v2_query

    large_count = 10_000 if quick else 100_000
    per_cluster = 10_000 if not quick else 5_000
    stores = {}
    for total in (1_000, large_count):
        clusters = max(1, total // per_cluster)
        emu, mrs = _mrs(clusters)
        for n in range(total):
            cluster, index = n % clusters, n // clusters
            name = "match" if cluster == 0 and index % (total // clusters // 500) == 0 else "other"
            mrs.executions.submit(PROJECT, f"cluster-{cluster:03d}", _values(name))
        stores[total] = (emu, mrs.executions)
    query = check_v2_query({"job_name": "match", "limit": "100", "sort_by": "asc"})
    times: dict[int, list[float]] = {total: [] for total in stores}
    ok = True
    repeats = 20 if quick else 200
    for round_index in range(5):
        for total in (list(stores) if round_index % 2 == 0 else list(stores)[::-1]):
            registry = stores[total][1]
            started = time.perf_counter()
            for _ in range(repeats):
                matched, page = registry.list(PROJECT, "cluster-000", query)
                [render(job) for job in page]
            times[total].append((time.perf_counter() - started) / repeats)
            ok &= matched == 500 and len(page) == 100
    small, large = (statistics.median(times[total]) * 1000 for total in stores)
    return {"stored": list(stores), "matching": 500, "page": 100, "list_ms_small": small, "list_ms_large": large,
            "ratio": large / small, "peak_rss_mib": peak_rss_mib(), "ok": ok}


# --- plugin_cost: the pytest plugin's own cost per test ------------------------------------------------------

def plugin_cost(quick: bool) -> dict[str, Any]:
    """What each test pays the emulator: `CloudJobEmulator.reset()` (bundled fixtures, through the plugin's own
    client, against a live `python -m emulator` as the plugin starts it) plus the first request after it (a
    job's GET on a kept-alive connection), sequentially with both clients' time; and the in-process
    `cloud_job_emulator_app` factory's application (bundled fixtures). Medians."""
    from emulator.core.fixture_memo import FixtureMemo
    from emulator.http.app import create_app
    from emulator.pytest_plugin import DEFAULT_TIME, CloudJobEmulator, _start

    count = 50 if quick else 500
    process, url = _start("--frozen-clock", DEFAULT_TIME, "--journal-bodies")
    try:
        emu = CloudJobEmulator(url)
        connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=30)
        statuses, resets, firsts = set(), [], []
        for index in range(count + 20):
            started = time.perf_counter()
            emu.reset()
            middle = time.perf_counter()
            connection.request("GET", "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
            answer = connection.getresponse()
            answer.read()
            ended = time.perf_counter()
            statuses.add(answer.status)
            if index >= 20:  # the first ones warm both sides up
                resets.append(middle - started)
                firsts.append(ended - middle)
        emu.close()
        connection.close()
    finally:
        process.terminate()
        process.wait(10)
    factory, factory_cpu = [], []
    memo = FixtureMemo()  # as the plugin's factory gives its apps: one for the test session
    for _ in range(20 if quick else 200):
        started, cpu = time.perf_counter(), time.process_time()
        create_app(Settings(clock_start=START, clock_frozen=True), fixture_memo=memo)
        factory.append(time.perf_counter() - started)
        factory_cpu.append(time.process_time() - cpu)
    total = [a + b for a, b in zip(resets, firsts)]
    return {"resets": count, "reset_ms": statistics.median(resets) * 1000,
            "first_request_ms": statistics.median(firsts) * 1000,
            "reset_and_first_ms": statistics.median(total) * 1000,
            "reset_and_first_p90_ms": sorted(total)[int(len(total) * 0.9)] * 1000,
            "factory_ms": statistics.median(factory[1:]) * 1000,
            "factory_cpu_ms": statistics.median(factory_cpu[1:]) * 1000, "ok": statuses == {200}}


# --- follow_logs: many `follow=true` log streams open at once, each delivered every line -------------------

def follow_logs(quick: bool) -> dict[str, Any]:
    """Pods each writing 20 lines over 10 s, created through the API of a live `python -m emulator` (frozen
    clock); `streams_per_pod` `GET .../log?follow=true` streams opened on each, then the clock advanced a second
    at a time until every container stopped. Every stream must end with all 20 lines, in order."""
    import asyncio

    import aiohttp

    from emulator.pytest_plugin import DEFAULT_TIME, _start

    pods, per_pod, lines = (10, 10, 20) if quick else (100, 10, 20)
    text = "\n".join(f"line {n:02d}" for n in range(lines))
    expected = "".join(f"line {n:02d}\n" for n in range(lines))
    process, url = _start("--frozen-clock", DEFAULT_TIME)

    async def run() -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=300)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
            for number in range(pods):
                pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"follow-{number:03d}", "annotations": {
                    "cloud-job-emulator/logs": text, "cloud-job-emulator/duration-seconds": "10"}},
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36"}]}}
                async with session.post(f"{url}/api/v1/namespaces/default/pods", json=pod) as answer:
                    assert answer.status == 201, await answer.text()
            async with session.post(f"{url}/_emulator/clock", json={"advance_seconds": 1}) as answer:
                assert answer.status == 200  # running: the first line is out
            opened = asyncio.Semaphore(0)

            async def follow(number: int) -> str:
                async with session.get(f"{url}/api/v1/namespaces/default/pods/follow-{number:03d}/log",
                                       params={"follow": "true"}) as answer:
                    opened.release()
                    return await answer.text()

            started = time.perf_counter()
            tasks = [asyncio.create_task(follow(n % pods)) for n in range(pods * per_pod)]
            for _ in tasks:
                await asyncio.wait_for(opened.acquire(), 60)
            open_s = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(12):  # 10 s of lines, then the containers stop
                async with session.post(f"{url}/_emulator/clock", json={"advance_seconds": 1}) as answer:
                    assert answer.status == 200
                await asyncio.sleep(0)
            bodies = await asyncio.wait_for(asyncio.gather(*tasks), 120)
            return {"open_s": open_s, "deliver_s": time.perf_counter() - started,
                    "complete": sum(1 for body in bodies if body == expected)}

    try:
        result = asyncio.run(run())
    finally:
        process.terminate()
        process.wait(10)
    streams = pods * per_pod
    return {"pods": pods, "streams": streams, "lines_per_stream": lines, **result,
            "ok": result["complete"] == streams}


# --- cos_manifest: benchmarks/cos_manifest.py, a copy job over a 100,000-line manifest -----------------------

def cos_manifest(quick: bool) -> dict[str, Any]:
    lines = 3_000 if quick else 100_000
    done = subprocess.run([sys.executable, str(HERE / "cos_manifest.py"), "--lines", str(lines)], capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)
    text = done.stdout
    read, tasks, report = (float(x) for x in re.search(
        r"manifest read ([\d.]+) s, tasks ([\d.]+) s .*report ([\d.]+) s", text).groups())
    memory = {name: float(value) for name, value in re.findall(r"(start|manifest read|end) ([\d.]+) MiB", text)}
    return {"lines": lines, "read_s": read, "tasks_s": tasks, "report_s": report, "total_s": read + tasks + report,
            "rss_mib": memory, "summary": text.strip().splitlines()[0] if text.strip() else "",
            "ok": done.returncode == 0 and ": Complete," in text}


SECTIONS = {"running_jobs": running_jobs, "advance_cost": advance_cost, "mrs_executions": mrs_executions,
            "mrs_filter": mrs_filter, "plugin_cost": plugin_cost, "follow_logs": follow_logs,
            "cos_manifest": cos_manifest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", nargs="?", choices=sorted(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="small counts: checks answers, not timing")
    parser.add_argument("--list", action="store_true", help="print the section names")
    args = parser.parse_args()
    if args.list or not args.section:
        print("\n".join(SECTIONS))
        return 0
    result = SECTIONS[args.section](args.quick)
    print(json.dumps({"section": args.section, "quick": args.quick, **result}))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
