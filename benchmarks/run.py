#!/usr/bin/env python3
"""The benchmark suite of issue #7: the emulator's hot paths as ratios of bare aiohttp, measured side by side.

    python benchmarks/run.py [--quick] [--out FILE] [--only NAMES] [--repeat N]

Starts the baseline server (benchmarks/baseline_server.py: bare aiohttp answering seed 003's
body from memory) and two emulators (default logging, and logging off with --log-level warning),
all pinned to CPU core 0; drives them with wrk pinned to core 1 (this process pins itself there
too). Then: start-up time, peak RSS and list cost with 100,000 stored jobs, and a watch fan-out.
Prints one table and writes the same as JSON (default benchmarks/results.json).

Exit status: 0 when every request got the answer it expects (targets missed or not), 1 when a
request failed or a watch event was lost, 2 when the machine lacks something (wrk, taskset).
Only 127.0.0.1 is ever contacted. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import asyncio
import compileall
import ctypes
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import bench_docs  # noqa: E402

DEFAULT_BASELINE = HERE / "baseline_server.py"
SERVER_CPU, LOAD_CPU = 0, 1
HOST = "127.0.0.1"

K8S_PI_STATUS = "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"  # seed 003; the baseline's path
K8S_CCE_STATUS = "/apis/batch/v1/namespaces/ns-12130306-s/jobs/jobs-12130306/status"  # seeds 000 and 001
K8S_404 = "/apis/batch/v1/namespaces/namespace-test/jobs/no-such-job/status"
K8S_LIST_500 = f"/apis/batch/v1/namespaces/{bench_docs.BENCH_NAMESPACE}/jobs?limit=500"
SEED_000_PATCH = '[{"op":"add","path":"/status/active","value":2}]'
MRS_PROJECT = "5a3314075bfa49b9ae360f4ecd333695"
MRS_JOB = f"/v1.1/{MRS_PROJECT}/jobs/b8ea4daa-0042-45e0-a522-e8b714e74760"
MRS_404 = f"/v1.1/{MRS_PROJECT}/jobs/00000000-0000-0000-0000-000000000000"
MRS_HEADERS = {"X-Auth-Token": "x"}
COS_APPID = "1250000000"
COS_COMPLETE_JOB = "53dc6228-c50b-46f7-8ad7-65e7159f1aae"  # the captured DescribeJob example
COS_CANCELLED_JOB = "bd883ee0-4642-40fa-ae15-85dd74cb85dc"
COS_HEADERS = {"x-cos-appid": COS_APPID}
MAX_FIXTURE_POST = 2_500_000  # the emulator refuses bodies over 3 MiB

GIB = 1024 ** 3


# --- child processes: pinned, registered, always stopped ------------------------------------------

_CHILDREN: list[subprocess.Popen] = []


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if this process dies, even by SIGKILL (Linux prctl)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; the finally blocks stop children anyway
        pass


def spawn(argv: list[str], cpu: int | None, log: Path | None = None) -> subprocess.Popen:
    command = (["taskset", "-c", str(cpu)] if cpu is not None and PINNING else []) + argv
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's exit
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            cwd=str(REPO), preexec_fn=_die_with_parent)
    if log:
        out.close()  # the child holds its own descriptor
    _CHILDREN.append(proc)
    return proc


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM (both servers stop cleanly on it), then SIGKILL after `grace` seconds; by pid only."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc in _CHILDREN:
        _CHILDREN.remove(proc)


def stop_all() -> None:
    for proc in list(_CHILDREN):
        try:
            stop(proc)
        except Exception:  # noqa: BLE001 - keep stopping the others
            pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- plain HTTP to loopback ------------------------------------------------------------------------

def call_http(port: int, method: str, path: str, body: bytes | str | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes]:
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen, port: int, path: str, deadline_s: float = 60, interval: float = 0.005) -> float:
    """Poll until `path` answers 200; seconds waited. Raises if the process exits or time runs out."""
    start = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with status {proc.returncode} before answering on port {port}")
        try:
            status, _ = call_http(port, "GET", path, timeout=1)
            if status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        if time.perf_counter() - start > deadline_s:
            raise RuntimeError(f"no 200 on {path} within {deadline_s:.0f}s")
        time.sleep(interval)


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process, in MiB, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


_QUIET_FLAGS: list[str] | None = None


def logging_off_flags() -> list[str]:
    """--log-level warning (no INFO access lines), plus --quiet (no access logger at all) where the CLI has it."""
    global _QUIET_FLAGS
    if _QUIET_FLAGS is None:
        try:
            shown = subprocess.run(emulator_argv() + ["--help"], capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            shown = ""
        _QUIET_FLAGS = ["--log-level", "warning"] + (["--quiet"] if "--quiet" in shown else [])
    return _QUIET_FLAGS


def emulator_argv() -> list[str]:
    script = Path(sys.executable).with_name("cloud-job-emulator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emulator"]


@dataclass
class Server:
    name: str
    argv_for_port: Callable[[int], list[str]]
    ready_path: str
    log: Path
    proc: subprocess.Popen | None = None
    port: int = 0

    def start(self) -> "Server":
        for _ in range(3):  # a port taken between free_port() and the bind: try another
            self.port = free_port()
            self.proc = spawn(self.argv_for_port(self.port), SERVER_CPU, self.log)
            try:
                wait_ready(self.proc, self.port, self.ready_path)
                return self
            except RuntimeError:
                stop(self.proc)
        raise RuntimeError(f"{self.name} did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             expect: int | tuple[int, ...] = 200, timeout: float = 300) -> bytes:
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, separators=(",", ":"))
            headers = {"Content-Type": "application/json", **(headers or {})}
        status, data = call_http(self.port, method, path, body, headers, timeout)
        if status not in ((expect,) if isinstance(expect, int) else expect):
            raise RuntimeError(f"{self.name}: {method} {path} answered {status}: {data[:300]!r}")
        return data

    def reset(self) -> None:
        self.call("POST", "/_emulator/reset", b"")

    def load(self, documents: list[dict]) -> int:
        """POST /_emulator/fixtures in bodies under the emulator's 3 MiB limit; documents loaded."""
        loaded, batch, size = 0, [], 0
        for doc in documents + [None]:
            text = None if doc is None else json.dumps(doc, separators=(",", ":"))
            if batch and (doc is None or size + len(text) > MAX_FIXTURE_POST):
                answer = json.loads(self.call("POST", "/_emulator/fixtures", "[" + ",".join(batch) + "]",
                                              {"Content-Type": "application/json"}))
                loaded += answer["loaded"]
                batch, size = [], 0
            if text is not None:
                batch.append(text)
                size += len(text) + 1
        return loaded


# --- wrk ------------------------------------------------------------------------------------------

@dataclass
class Request:
    """What wrk sends: one fixed request, or Lua code defining request() for one that changes."""
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    lua_request: str | None = None  # Lua source defining request(); may read `pool_first`, `pool_last`


_LUA_DONE = r"""
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
function init(args) statuses = {}; exhausted = 0 end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local merged, spent = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do merged[k] = (merged[k] or 0) + v end
    spent = spent + (t:get("exhausted") or 0)
  end
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = k .. ":" .. v end
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d sock_err=%d exhausted=%d statuses=%s\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, e.connect + e.read + e.write + e.timeout, spent,
    table.concat(parts, ",")))
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def run_wrk(port: int, request: Request, duration: float, connections: int, tmp: Path,
            pool: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """One wrk run pinned to the load core; its RESULT line as a dict (rps, p50_ms, p99_ms, statuses...)."""
    lines = [f"wrk.method = {_lua_string(request.method)}"]
    for key, value in request.headers.items():
        lines.append(f"wrk.headers[ {_lua_string(key)} ] = {_lua_string(value)}")
    if request.body is not None:
        body_file = tmp / f"body-{abs(hash(request.body))}.bin"
        body_file.write_text(request.body)
        lines.append(f"local f = assert(io.open({_lua_string(str(body_file))}, 'rb')); wrk.body = f:read('*a'); f:close()")
    lines.append(f"pool_first, pool_last = {pool[0]}, {pool[1]}")
    if request.lua_request:
        lines.append(request.lua_request)
    script = tmp / "wrk.lua"
    script.write_text("\n".join(lines) + _LUA_DONE)
    seconds = max(1, round(duration))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s", str(script),
               f"http://{HOST}:{port}{request.path}"]
    if PINNING:
        command = ["taskset", "-c", str(LOAD_CPU)] + command
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, stdin=subprocess.DEVNULL,
                          preexec_fn=_die_with_parent)
    match = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    result: dict[str, Any] = {}
    for key, value in re.findall(r"(\w+)=(\S*)", match.group(1)):
        if key == "statuses":
            result[key] = {int(k): int(v) for k, v in (p.split(":") for p in value.split(",") if p)}
        else:
            result[key] = float(value) if "." in value else int(value)
    return result


# --- the operations ---------------------------------------------------------------------------------

@dataclass
class Operation:
    name: str
    label: str
    expect: int
    request: Request
    target: float | None = None      # minimum ratio to the baseline's requests/s, from the issue
    target_group: str | None = None  # the issue's row it is checked under
    note: str = ""
    prepare: Callable[[Server, "Context"], None] | None = None  # after the reset, before measuring
    warmup_request: Request | None = None  # a different request for the warm-up run (saves a pool)
    pool_per_second: bool = False     # needs fresh objects: a pool sized from the expected rate


@dataclass
class Context:
    args: argparse.Namespace
    tmp: Path
    rates: dict[str, float] = field(default_factory=dict)  # op name -> rps of its last run, per server
    baseline_run: dict | None = None  # --quick measures the baseline once, with the first operation


def _prepare_list(server: Server, ctx: Context) -> None:
    server.load([bench_docs.namespace_doc()] + list(bench_docs.k8s_jobs(0, 1000)))


BENCH_POD = "/api/v1/namespaces/default/pods/bench-pod"
POD_LOG_LINE = "x" * 63  # 16 lines of 63 characters and a newline: a 1 KiB log
PROTOBUF = "application/vnd.kubernetes.protobuf"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
K8S_PI_JOB = K8S_PI_STATUS.rsplit("/", 1)[0]


def _prepare_pod(server: Server, ctx: Context) -> None:
    """A bare Pod whose container wrote 16 lines of 64 bytes (1 KiB), run to the end on the frozen clock."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "bench-pod", "annotations": {"cloud-job-emulator/logs": "\n".join([POD_LOG_LINE] * 16)}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36"}]}}
    server.call("POST", BENCH_POD.rsplit("/", 1)[0], pod, expect=201)
    server.call("POST", "/_emulator/clock", {"advance_seconds": 60})
    log = server.call("GET", BENCH_POD + "/log")
    if len(log) != 1024:
        raise RuntimeError(f"{server.name}: the bench pod's log is {len(log)} bytes, not 1,024")


def _prepare_put(server: Server, ctx: Context) -> None:
    job = json.loads(server.call("GET", K8S_CCE_STATUS))
    job["metadata"].pop("resourceVersion", None)
    OPERATIONS_BY_NAME["k8s_put_status"].request.body = json.dumps(job, separators=(",", ":"))


_COS_FRESH_LUA = f"""
local i = pool_first - 1
function request()
  i = i + 1
  if i > pool_last then exhausted = exhausted + 1; i = pool_first end
  return wrk.format("POST", string.format("/jobs/bench-%07d/status?requestedJobStatus=Cancelled", i),
                    {{["x-cos-appid"] = string.format("%d", {bench_docs.COS_APPID_BASE} + i % {bench_docs.COS_APPIDS})}}, nil)
end
"""

_K8S_PATCH_WRITE_LUA = r"""
local n = 2
function request()
  n = n + 1  -- a new value each time: every patch is a real write (new resourceVersion, a watch event)
  return wrk.format(nil, nil, nil, string.format('[{"op":"add","path":"/status/active","value":%d}]', n))
end
"""

JSON_PATCH = {"Content-Type": "application/json-patch+json"}

OPERATIONS: list[Operation] = [
    Operation("k8s_get_status", "K8s GET job status (seed 003)", 200,
              Request("GET", K8S_PI_STATUS), 0.85, "Kubernetes GET job status"),
    Operation("k8s_get_pod", "K8s GET pod", 200, Request("GET", BENCH_POD), 0.75,
              "Kubernetes GET pod, pod log (1 KiB), protobuf job", prepare=_prepare_pod,
              note="a bare Pod run to the end on the frozen clock"),
    Operation("k8s_pod_log", "K8s GET pod log (1 KiB)", 200, Request("GET", BENCH_POD + "/log"), 0.75,
              "Kubernetes GET pod, pod log (1 KiB), protobuf job", prepare=_prepare_pod,
              note="non-follow: 16 lines of 64 bytes"),
    Operation("k8s_get_protobuf", "K8s GET job as protobuf (seed 003)", 200,
              Request("GET", K8S_PI_JOB, {"Accept": PROTOBUF}), 0.75,
              "Kubernetes GET pod, pod log (1 KiB), protobuf job"),
    Operation("k8s_patch_status", "K8s PATCH status, seed 000 patch", 200,
              Request("PATCH", K8S_CCE_STATUS, JSON_PATCH, SEED_000_PATCH), 0.40,
              "Kubernetes PATCH status (seed 000's patch), MRS PATCH",
              note="the same patch each time: the first changes status.active 1->2, the rest are no-op writes"),
    Operation("k8s_patch_status_write", "K8s PATCH status, new value each", 200,
              Request("PATCH", K8S_CCE_STATUS, JSON_PATCH, SEED_000_PATCH, lua_request=_K8S_PATCH_WRITE_LUA),
              note="seed 000's patch with a new value each request: every one commits a revision (info)"),
    Operation("k8s_put_status", "K8s PUT status (job as read)", 200,
              Request("PUT", K8S_CCE_STATUS, {"Content-Type": "application/json"}, "{}"),
              prepare=_prepare_put, note="the job as GET returns it, without resourceVersion (info)"),
    Operation("k8s_list_500", "K8s list page of 500 (1,000 stored)", 200,
              Request("GET", K8S_LIST_500), prepare=_prepare_list,
              note="~1.1 MB answers: the ratio to a 1.3 KB baseline is information only"),
    Operation("k8s_table_500", "K8s list page of 500 as Table", 200,
              Request("GET", K8S_LIST_500, {"Accept": TABLE}), prepare=_prepare_list,
              note="kubectl's Table output of k8s_list_500's page; checked against k8s_list_500's time"),
    Operation("k8s_404", "K8s GET status 404", 404, Request("GET", K8S_404), 0.70, "any 404 answer"),
    Operation("mrs_get_job", "MRS GET job", 200, Request("GET", MRS_JOB, MRS_HEADERS), 0.65,
              "MRS GET job, COS DescribeJob"),
    Operation("mrs_patch_job", "MRS PATCH job {description}", 202,
              Request("PATCH", MRS_JOB, {**MRS_HEADERS, "Content-Type": "application/json"}, '{"description":"x"}'),
              0.40, "Kubernetes PATCH status (seed 000's patch), MRS PATCH"),
    Operation("mrs_404", "MRS GET job 404", 404, Request("GET", MRS_404, MRS_HEADERS), 0.70, "any 404 answer"),
    Operation("cos_describe_job", "COS DescribeJob", 200,
              Request("GET", f"/jobs/{COS_COMPLETE_JOB}", COS_HEADERS), 0.65, "MRS GET job, COS DescribeJob"),
    Operation("cos_update_status_400", "COS UpdateJobStatus, 400 variant", 400,
              Request("POST", f"/jobs/{COS_CANCELLED_JOB}/status?requestedJobStatus=Cancelled", COS_HEADERS),
              note="Cancelled on the Cancelled fixture job: 400 InvalidRequest (info; the target is "
                   "checked on the fresh-job variant)"),
    Operation("cos_update_status", "COS UpdateJobStatus, fresh job each", 200,
              Request("POST", "/jobs/x/status?requestedJobStatus=Cancelled", {}, lua_request=_COS_FRESH_LUA),
              0.45, "COS UpdateJobStatus", pool_per_second=True,
              warmup_request=Request("POST", f"/jobs/{COS_CANCELLED_JOB}/status?requestedJobStatus=Cancelled",
                                     COS_HEADERS),
              note="Cancelled on a fresh Suspended job per request (a real 200 write); "
                   "jobs preloaded through /_emulator/fixtures, 500 APPIDs"),
    Operation("cos_404", "COS DescribeJob 404", 404, Request("GET", "/jobs/no-such-job", COS_HEADERS), 0.70,
              "any 404 answer"),
    Operation("admin_reset", "POST /_emulator/reset", 200, Request("POST", "/_emulator/reset"),
              note="reloads the bundled fixtures each time (info)"),
]
OPERATIONS_BY_NAME = {op.name: op for op in OPERATIONS}
INPROCESS = ("running_jobs", "advance_cost", "mrs_executions", "mrs_filter", "plugin_cost", "follow_logs",
             "cos_manifest")
SECTIONS = ("ops", "startup", "scale", "watch", "dashboard", "snapshot", *INPROCESS)


def measure_operation(op: Operation, baseline: Server, emulators: dict[str, Server], ctx: Context,
                      rounds: int) -> dict[str, Any]:
    """Rounds of (baseline, default logging, logging off), alternating order; medians and per-round ratios."""
    args = ctx.args
    for server in emulators.values():
        server.reset()
        if op.prepare:
            op.prepare(server, ctx)
    base_request = Request("GET", K8S_PI_STATUS)
    runs: dict[str, list[dict]] = {"baseline": [], **{name: [] for name in emulators}}
    pool_next = {name: 0 for name in emulators}
    pool_loaded = {name: 0 for name in emulators}
    order = ["baseline", *emulators]
    if args.quick and ctx.baseline_run is not None:  # CI checks answers, not ratios: one baseline run will do
        order, runs["baseline"] = list(emulators), [ctx.baseline_run]
    for round_index in range(rounds):
        for target in (order if round_index % 2 == 0 else order[::-1]):
            server = baseline if target == "baseline" else emulators[target]
            request = base_request if target == "baseline" else op.request
            warm = base_request if target == "baseline" else (op.warmup_request or op.request)
            pool = (0, 0)
            if args.warmup > 0:
                run_wrk(server.port, warm, args.warmup, args.connections, ctx.tmp, pool)
            if target != "baseline" and op.pool_per_second:
                pool = _fill_pool(server, target, ctx, pool_next, pool_loaded)
            for attempt in range(2):
                result = run_wrk(server.port, request, args.duration, args.connections, ctx.tmp, pool)
                if not result.get("exhausted") or attempt == 1:
                    break  # too few fresh jobs for this machine's speed: load more and run again
                ctx.rates[f"{op.name}/{target}"] = result["rps"] * 2
                pool_next[target] = pool[1] + 1
                pool = _fill_pool(server, target, ctx, pool_next, pool_loaded)
            if target != "baseline" and op.pool_per_second:
                pool_next[target] = pool[1] + 1
            result["ok"] = (result["sock_err"] == 0 and not result.get("exhausted")
                            and set(result["statuses"]) == {op.expect if target != "baseline" else 200})
            runs[target].append(result)
            if target != "baseline":
                ctx.rates[f"{op.name}/{target}"] = result["rps"]
            elif ctx.baseline_run is None:
                ctx.baseline_run = result
    return summarize(op, runs)


def _fill_pool(server: Server, target: str, ctx: Context, pool_next: dict, pool_loaded: dict) -> tuple[int, int]:
    """Fresh jobs for one measured run: the expected rate x duration x 1.5 (and at least 500) more."""
    rate = ctx.rates.get(f"cos_update_status/{target}") or ctx.rates.get(f"cos_update_status_400/{target}") or 2000
    need = int(rate * max(1, round(ctx.args.duration)) * 1.5) + 500
    first = pool_next[target]
    last = first + need - 1
    if last >= pool_loaded[target]:
        server.load(bench_docs.cos_documents(pool_loaded[target], last + 1))
        pool_loaded[target] = last + 1
    return first, last


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(op: Operation, runs: dict[str, list[dict]]) -> dict[str, Any]:
    out: dict[str, Any] = {"operation": op.name, "label": op.label, "method": op.request.method,
                           "path": op.request.path, "expect": op.expect, "note": op.note,
                           "target": op.target, "target_group": op.target_group}
    for target, results in runs.items():
        out[target] = {
            "rps": _median([r["rps"] for r in results]),
            "p50_ms": _median([r["p50_ms"] for r in results]),
            "p99_ms": _median([r["p99_ms"] for r in results]),
            "requests": sum(r["requests"] for r in results),
            "statuses": _merge_statuses(results),
            "ok": all(r["ok"] for r in results),
            "runs": [r["rps"] for r in results],
        }
    base_runs = runs["baseline"]
    for target in runs:
        if target == "baseline":
            continue
        ratios = [e["rps"] / b["rps"] for e, b in zip(runs[target], base_runs) if b["rps"]]
        out[target]["ratio"] = _median(ratios)
    if "default" in runs and "logging_off" in runs:
        pairs = [d["rps"] / o["rps"] for d, o in zip(runs["default"], runs["logging_off"]) if o["rps"]]
        out["log_on_off"] = _median(pairs)
    return out


def _merge_statuses(results: list[dict]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            merged[str(status)] = merged.get(str(status), 0) + count
    return merged


# --- start-up -------------------------------------------------------------------------------------

def measure_startup(ctx: Context, runs: int = 5) -> dict[str, Any]:
    """Exec to the first 200: the emulator on /_emulator/health (default flags), the baseline on its path.

    The emulator's modules are byte-compiled first, as `pip install` does and as aiohttp's already are: from an
    editable checkout with PYTHONDONTWRITEBYTECODE=1 set (as on the Xeon machines), every start would otherwise
    compile all ~120 modules from source again (~120 ms there), which no installed emulator does."""
    compileall.compile_dir(str(REPO / "emulator"), quiet=1)
    times: dict[str, list[float]] = {"emulator": [], "baseline": []}
    commands = {
        "emulator": (lambda port: emulator_argv() + ["--port", str(port)], "/_emulator/health"),
        "baseline": (lambda port: [sys.executable, str(ctx.args.baseline), "--port", str(port)], K8S_PI_STATUS),
    }
    for index in range(runs):
        for name in (("emulator", "baseline") if index % 2 == 0 else ("baseline", "emulator")):
            make_argv, path = commands[name]
            for _ in range(3):
                port = free_port()
                started = time.perf_counter()
                proc = spawn(make_argv(port), SERVER_CPU, ctx.tmp / f"startup-{name}.log")
                try:
                    wait_ready(proc, port, path, deadline_s=60, interval=0.002)
                    times[name].append(time.perf_counter() - started)
                    break
                except RuntimeError:
                    continue
                finally:
                    stop(proc)
            else:
                raise RuntimeError(f"{name} never became ready; see {ctx.tmp}")
    emulator, baseline = statistics.median(times["emulator"]), statistics.median(times["baseline"])
    return {"emulator_s": emulator, "baseline_s": baseline, "ratio": emulator / baseline,
            "emulator_runs_s": times["emulator"], "baseline_runs_s": times["baseline"],
            "emulator_command": " ".join(emulator_argv()) + " --port N"}


# --- scale: RSS with 100,000 jobs and the cost of a page of 500 ------------------------------------

def measure_scale(ctx: Context) -> dict[str, Any]:
    """Two scale_server.py harnesses side by side (create_app + the fixture loader in-process, served as
    the CLI serves it): one keeps 1,000 jobs, the other grows to --scale-jobs; their page-of-500 costs
    are measured in alternating rounds, as the operations are, and compared round by round."""
    args = ctx.args
    small, large = 1000, args.scale_jobs

    def harness(name: str) -> Server:
        return Server(f"scale harness ({name})",
                      lambda port: [sys.executable, str(HERE / "scale_server.py"), "--port", str(port),
                                    "--jobs", str(small)],
                      "/_emulator/health", ctx.tmp / f"scale_server-{name}.log")

    out: dict[str, Any] = {"small": small, "large": large, "rounds": max(3, args.repeat),
                           "loader": "scale_server.py: emulator.http.app.create_app, jobs through emulator.runtime.fixture_files.apply "
                                     "(the loader POST /_emulator/fixtures calls), served with aiohttp's AppRunner as "
                                     "the CLI serves it with --log-level warning (no access log)"}
    fixed, grown_server = harness("small").start(), harness("large").start()
    try:
        pid = grown_server.proc.pid
        list_request = Request("GET", K8S_LIST_500)
        out["rss_mib_at_small"] = proc_memory(pid)
        same = [_list_latency(fixed, list_request, ctx), _list_latency(grown_server, list_request, ctx)]
        out["noise_floor_ratio"] = same[1]["p50_ms"] / same[0]["p50_ms"]  # both at 1,000: what noise alone gives
        if args.fixture_probe:
            out["fixture_post_at_small"] = _fixture_probe(fixed, "bench-probe-a")
        grown = json.loads(grown_server.call("POST", "/_bench/grow", {"to": large}, timeout=1800))
        out["load_seconds"] = grown["seconds"]
        out["stored_jobs"] = grown["jobs"]
        out["rss_mib_at_large"] = proc_memory(pid)
        at_small, at_large = [], []
        for index in range(out["rounds"]):  # 1 s runs: three rounds even in --quick
            pair = [(fixed, at_small), (grown_server, at_large)]
            for server, results in (pair if index % 2 == 0 else pair[::-1]):
                results.append(_list_latency(server, list_request, ctx))
        out["list_at_small"] = _median_run(at_small)
        out["list_at_large"] = _median_run(at_large)
        out["list_ratio"] = statistics.median(b["p50_ms"] / a["p50_ms"] for a, b in zip(at_small, at_large))
        if args.fixture_probe:
            out["fixture_post_at_large"] = _fixture_probe(grown_server, "bench-probe-b")
            out["rss_mib_after_fixture_post"] = proc_memory(pid)
    finally:
        fixed.stop()
        grown_server.stop()
    return out


def _median_run(results: list[dict]) -> dict[str, Any]:
    return {"p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p99_ms": statistics.median(r["p99_ms"] for r in results),
            "rps": statistics.median(r["rps"] for r in results),
            "p50_runs_ms": [r["p50_ms"] for r in results],
            "ok": all(r["ok"] for r in results)}


def _list_latency(server: Server, request: Request, ctx: Context) -> dict[str, Any]:
    """One connection, so p50 is the time to serve one page (the server does nothing else)."""
    if ctx.args.warmup > 0:
        run_wrk(server.port, request, ctx.args.warmup, 1, ctx.tmp)
    result = run_wrk(server.port, request, ctx.args.duration, 1, ctx.tmp)
    result["ok"] = result["sock_err"] == 0 and set(result["statuses"]) == {200}
    return result


def _fixture_probe(server: Server, namespace: str) -> dict[str, Any]:
    """POST /_emulator/fixtures with a namespace and 100 jobs: its cost grows with what is stored."""
    documents = [bench_docs.namespace_doc(namespace)] + list(bench_docs.k8s_jobs(0, 100, namespace))
    started = time.perf_counter()
    server.load(documents)
    return {"jobs": 100, "seconds": time.perf_counter() - started}


# --- watch fan-out --------------------------------------------------------------------------------

async def _watch_fanout(port: int, watchers: int, patches: int, deadline: float) -> dict[str, Any]:
    import aiohttp

    base = f"http://{HOST}:{port}"
    namespace, name = "ns-12130306-s", "jobs-12130306"
    status_path = f"/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status"
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=deadline)
    received: list[list[tuple[int, float]]] = [[] for _ in range(watchers)]
    bad: list[str] = []
    connected = asyncio.Semaphore(0)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        async with session.get(base + status_path) as response:
            since = (await response.json())["metadata"]["resourceVersion"]
        url = (f"{base}/apis/batch/v1/namespaces/{namespace}/jobs?watch=true&resourceVersion={since}"
               f"&timeoutSeconds={int(deadline) + 30}")

        async def watch(index: int) -> None:
            mine = received[index]
            try:
                async with session.get(url) as response:
                    connected.release()
                    if response.status != 200:
                        bad.append(f"watcher {index}: status {response.status}")
                        return
                    while len(mine) < patches:
                        line = await response.content.readline()
                        if not line:
                            bad.append(f"watcher {index}: stream ended after {len(mine)} events")
                            return
                        event = json.loads(line)
                        if event.get("type") != "MODIFIED":
                            bad.append(f"watcher {index}: unexpected {event.get('type')} event")
                            continue
                        mine.append((int(event["object"]["metadata"]["resourceVersion"]), time.perf_counter()))
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                bad.append(f"watcher {index}: {type(error).__name__}: {error}")

        tasks = [asyncio.create_task(watch(i)) for i in range(watchers)]
        try:
            async with asyncio.timeout(30):
                for _ in range(watchers):
                    await connected.acquire()
            await asyncio.sleep(0.2)  # the server subscribes before it sends the headers; a margin anyway
            sent: dict[int, float] = {}
            patch_started = time.perf_counter()
            async with asyncio.timeout(deadline):
                for number in range(patches):
                    body = json.dumps([{"op": "add", "path": "/status/active", "value": 10 + number}])
                    before = time.perf_counter()
                    async with session.patch(base + status_path, data=body, headers=JSON_PATCH) as response:
                        if response.status != 200:
                            raise RuntimeError(f"patch {number} answered {response.status}")
                        sent[int((await response.json())["metadata"]["resourceVersion"])] = before
                patch_seconds = time.perf_counter() - patch_started
                await asyncio.gather(*tasks)
            all_seconds = time.perf_counter() - patch_started
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    expected = sorted(sent)
    lags: list[float] = []
    per_watcher_done: list[float] = []
    per_watcher_p50: list[float] = []
    complete = 0
    for index, events in enumerate(received):
        versions = [v for v, _ in events]
        if versions == expected:
            complete += 1
        elif len(bad) < 20:
            missing = len(set(expected) - set(versions))
            bad.append(f"watcher {index}: {len(versions)} events, {missing} missing, "
                       f"in order: {versions == sorted(versions)}")
        mine = [(t - sent[v]) * 1000 for v, t in events if v in sent]
        lags.extend(mine)
        if mine:
            per_watcher_p50.append(statistics.median(mine))
        if events:
            per_watcher_done.append(events[-1][1] - patch_started)
    lags.sort()
    return {
        "watchers": watchers, "patches": patches, "events_expected": watchers * patches,
        "events_received": sum(len(e) for e in received), "watchers_complete": complete,
        "patch_phase_s": patch_seconds, "all_delivered_s": all_seconds,
        "lag_ms_p50": lags[len(lags) // 2] if lags else None,
        "lag_ms_p99": lags[int(len(lags) * 0.99)] if lags else None,
        "lag_ms_max": lags[-1] if lags else None,
        "watcher_p50_lag_ms_min": min(per_watcher_p50, default=None),
        "watcher_p50_lag_ms_max": max(per_watcher_p50, default=None),
        "watcher_done_s_min": min(per_watcher_done, default=None),
        "watcher_done_s_max": max(per_watcher_done, default=None),
        "problems": bad[:20],
        "ok": complete == watchers and not bad,
    }


async def _patches_alone(port: int, patches: int) -> float:
    """The same patches with nobody watching: what the fan-out costs the writer."""
    import aiohttp

    base = f"http://{HOST}:{port}"
    status_path = "/apis/batch/v1/namespaces/ns-12130306-s/jobs/jobs-12130306/status"
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        for number in range(patches):
            body = json.dumps([{"op": "add", "path": "/status/active", "value": 10 + number}])
            async with session.patch(base + status_path, data=body, headers=JSON_PATCH) as response:
                await response.read()
        return time.perf_counter() - started


def measure_watch(server: Server, ctx: Context) -> dict[str, Any]:
    server.reset()
    alone = asyncio.run(_patches_alone(server.port, ctx.args.watch_patches))
    server.reset()
    result = asyncio.run(_watch_fanout(server.port, ctx.args.watchers, ctx.args.watch_patches,
                                       deadline=ctx.args.watch_deadline))
    result["patch_phase_without_watchers_s"] = alone
    server.reset()
    return result


# --- issue #20's in-process sections (benchmarks/inprocess.py), one process each -------------------------

def measure_inprocess(name: str, ctx: Context) -> dict[str, Any]:
    """`inprocess.py NAME` in a process of its own pinned to the servers' CPU (its peak RSS is the section's);
    plugin_cost's client and emulator get both CPUs, as a test suite and its emulator would."""
    command = [sys.executable, str(HERE / "inprocess.py"), name] + (["--quick"] if ctx.args.quick else [])
    if PINNING:
        cpus = f"{SERVER_CPU},{LOAD_CPU}" if name == "plugin_cost" else str(SERVER_CPU)
        command = ["taskset", "-c", cpus] + command
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL,
                          cwd=str(REPO), preexec_fn=_die_with_parent)
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"section": name, "ok": False, "error": (done.stdout[-500:] + done.stderr[-1500:]).strip()}


# --- snapshot: how long requests wait while snapshots of many jobs are written (issue #14) ----------------

def measure_snapshot(ctx: Context) -> dict[str, Any]:
    """`snapshot_delay.py` (its own server and clients; 100,000 jobs, quick: 500) as a process of its own."""
    sizes = ["--jobs", "500", "--seconds", "1", "--clients", "2"] if ctx.args.quick else []
    done = subprocess.run([sys.executable, str(HERE / "snapshot_delay.py"), *sizes], capture_output=True, text=True,
                          timeout=1800, stdin=subprocess.DEVNULL, cwd=str(REPO), preexec_fn=_die_with_parent)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "error": (done.stdout[-500:] + done.stderr[-1500:]).strip()}
    during = result["snapshots_back_to_back"]
    return {**result, "ok": done.returncode == 0 and during["requests"] > 0 and during["snapshots"] > 0}


# --- dashboard: what a dashboard open and updating live costs the API -----------------------------------

_EVENT_READER = r"""
import http.client, signal, sys
signal.signal(signal.SIGTERM, lambda *_: (print(count, flush=True), sys.exit(0)))
count = 0
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
connection.request("GET", "/_emulator/events")
stream = connection.getresponse()
print(stream.status, flush=True)
while True:
    line = stream.readline()
    if not line:
        break
    if line.startswith(b"event: journal"):
        count += 1
print(count, flush=True)
"""


def measure_dashboard(server: Server, ctx: Context) -> dict[str, Any]:
    """`k8s_get_status` under wrk on the default-logging emulator, with and without the dashboard's live feed
    (`GET /_emulator/events`, read by a client pinned with wrk) open, in alternating rounds: the ratio of the
    request rates, and how many `journal` events the feed delivered (one per request, so it was updating)."""
    server.reset()
    request = Request("GET", K8S_PI_STATUS)
    rounds = max(2, ctx.args.repeat)
    runs: dict[str, list[dict]] = {"closed": [], "open": []}
    delivered, ok = [], True
    for index in range(rounds * 2):
        mode = ("closed", "open")[(index + index // 2) % 2]
        reader, said = None, ctx.tmp / f"events-{index}.log"
        if mode == "open":
            reader = spawn([sys.executable, "-c", _EVENT_READER, str(server.port)], LOAD_CPU, said)
            time.sleep(0.5)  # connected, and its hello read
        if ctx.args.warmup > 0:
            run_wrk(server.port, request, ctx.args.warmup, ctx.args.connections, ctx.tmp)
        result = run_wrk(server.port, request, ctx.args.duration, ctx.args.connections, ctx.tmp)
        ok &= result["sock_err"] == 0 and set(result["statuses"]) == {200}
        runs[mode].append(result)
        if reader is not None:
            stop(reader)
            lines = said.read_text().split()
            events = int(lines[-1]) if len(lines) >= 2 and lines[0] == "200" and lines[-1].isdigit() else 0
            delivered.append(events)
            ok &= events > 0
    closed, opened = (statistics.median(r["rps"] for r in runs[m]) for m in ("closed", "open"))
    return {"rounds": rounds, "rps_closed": closed, "rps_open": opened, "ratio": opened / closed,
            "journal_events_delivered": delivered, "requests_while_open": [r["requests"] for r in runs["open"]],
            "ok": ok}


# --- the report -----------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per target of issue #7: measured (default logging; logging off beside it), pass or fail."""
    rows: list[dict[str, Any]] = []
    ops = {row["operation"]: row for row in report.get("operations", [])}
    groups: dict[str, list[dict]] = {}
    for row in ops.values():
        if row.get("target") is not None:
            groups.setdefault(row["target_group"], []).append(row)
    for group, members in groups.items():
        for row in members:
            measured = row["default"]["ratio"]
            off = row["logging_off"]["ratio"]
            rows.append({"target": f"{group}: {row['label']}", "goal": f">= {row['target']:.2f} x baseline",
                         "measured": measured, "measured_logging_off": off,
                         "pass": measured is not None and measured >= row["target"],
                         "pass_logging_off": off is not None and off >= row["target"]})
    on_off = [row["log_on_off"] for row in ops.values() if row.get("log_on_off") is not None]
    if on_off:
        median = statistics.median(on_off)
        rows.append({"target": "default logging on vs off, median over all operations", "goal": ">= 0.70",
                     "measured": median, "pass": median >= 0.70})
        hot = [row for row in ops.values() if row.get("target") is not None and row.get("log_on_off") is not None]
        if hot:
            worst = min(hot, key=lambda r: r["log_on_off"])
            rows.append({"target": f"default logging on vs off, every operation with a target (worst: "
                         f"{worst['operation']})", "goal": ">= 0.70", "measured": worst["log_on_off"],
                         "pass": worst["log_on_off"] >= 0.70})
    if "startup" in report:
        ratio = report["startup"]["ratio"]
        rows.append({"target": "start-up to healthy vs the baseline server's (median of 5)", "goal": "<= 2.0 x",
                     "measured": ratio, "pass": ratio <= 2.0})
    if "scale" in report:
        scale = report["scale"]
        rows.append({"target": f"list a page of 500: {scale['large']:,} stored vs {scale['small']:,} stored (p50)",
                     "goal": "<= 1.5 x", "measured": scale["list_ratio"], "pass": scale["list_ratio"] <= 1.5})
        peak = scale["rss_mib_at_large"]["VmHWM"]
        rows.append({"target": f"peak RSS with {scale['stored_jobs']:,} Kubernetes jobs (MiB)",
                     "goal": "<= 1024 MiB", "measured": peak,
                     "pass": peak <= 1024 and scale["stored_jobs"] >= 100_000})
    if "k8s_table_500" in ops and "k8s_list_500" in ops:
        table, plain = ops["k8s_table_500"]["default"]["rps"], ops["k8s_list_500"]["default"]["rps"]
        ratio = plain / table if table else float("inf")
        rows.append({"target": "Kubernetes Table list of 500 vs the JSON list (time per page)", "goal": "<= 1.5 x",
                     "measured": ratio, "pass": ratio <= 1.5})
    rows.extend(_issue_20_targets(report))
    if "watch" in report:
        watch = report["watch"]
        rows.append({"target": f"watch fan-out: {watch['watchers']} watchers x {watch['patches']} patches, "
                     "every event to every watcher", "goal": "no event lost, no watcher starved",
                     "measured": f"{watch['events_received']:,}/{watch['events_expected']:,} events, "
                                 f"{watch['watchers_complete']}/{watch['watchers']} watchers complete",
                     "pass": watch["ok"]})
    return rows


def _issue_20_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issue #20's sections (dashboard and inprocess.py's), where they ran."""
    rows: list[dict[str, Any]] = []

    def row(target: str, goal: str, measured: Any, passed: bool) -> None:
        rows.append({"target": target, "goal": goal, "measured": measured, "pass": bool(passed)})

    if "dashboard" in report:
        d = report["dashboard"]
        row("K8s GET job status with the dashboard's live feed open vs closed", ">= 0.95 x", d["ratio"],
            d["ok"] and d["ratio"] >= 0.95)
    if "running_jobs" in report and "total_s" in report["running_jobs"]:
        r = report["running_jobs"]
        row(f"{r['jobs']:,} Jobs x 3 Pods created and run to the end (s)", "<= 60 s", r["total_s"],
            r["ok"] and r["total_s"] <= 60)
        row(f"peak RSS running {r['jobs']:,} Jobs x 3 Pods (MiB)", "<= 1024 MiB", r["peak_rss_mib"],
            r["peak_rss_mib"] <= 1024)
    if "advance_cost" in report and "ratio" in report["advance_cost"]:
        a = report["advance_cost"]
        row(f"clock advance running {a['due_jobs']} Jobs: {a['sizes'][-1]:,} vs {a['sizes'][0]:,} idle jobs stored",
            "<= 1.5 x", a["ratio"], a["ok"] and a["ratio"] <= 1.5)
    if "mrs_executions" in report and "total_s" in report["mrs_executions"]:
        m = report["mrs_executions"]
        row(f"MRS {m['executions']:,} v2 executions submitted and run to the end (s)", "<= 60 s", m["total_s"],
            m["ok"] and m["total_s"] <= 60)
        row(f"peak RSS with {m['executions']:,} MRS executions (MiB)", "<= 1024 MiB", m["peak_rss_mib"],
            m["peak_rss_mib"] <= 1024)
        row("MRS submit: cost of the last tenth vs the first (linear)", "<= 1.5 x", m["submit_growth"],
            m["submit_growth"] <= 1.5)
    if "mrs_filter" in report and "ratio" in report["mrs_filter"]:
        f = report["mrs_filter"]
        row(f"MRS list filtered to 500: {f['stored'][-1]:,} vs {f['stored'][0]:,} stored", "<= 1.5 x", f["ratio"],
            f["ok"] and f["ratio"] <= 1.5)
    if "plugin_cost" in report and "reset_and_first_ms" in report["plugin_cost"]:
        p = report["plugin_cost"]
        row("pytest plugin: reset (bundled fixtures) + the first request (ms, median)", "<= 1 ms",
            p["reset_and_first_ms"], p["ok"] and p["reset_and_first_ms"] <= 1)
        row("cloud_job_emulator_app factory per app (ms, median)", "<= 5 ms", p["factory_ms"], p["factory_ms"] <= 5)
    if "follow_logs" in report and "complete" in report["follow_logs"]:
        f = report["follow_logs"]
        row(f"{f['streams']:,} follow=true log streams open at once, every line delivered", "all complete",
            f"{f['complete']:,}/{f['streams']:,}", f["ok"])
    if "cos_manifest" in report and "total_s" in report["cos_manifest"]:
        c = report["cos_manifest"]
        row(f"COS copy job over a {c['lines']:,}-line manifest, report included (s)", "<= 60 s", c["total_s"],
            c["ok"] and c["total_s"] <= 60)
    if "snapshot" in report and "error" not in report["snapshot"]:
        during = report["snapshot"]["snapshots_back_to_back"]
        row(f"worst GET while snapshots of {report['snapshot']['jobs']:,} jobs are written back to back, net of the "
            "kernel's CPU wait (ms)", "<= 50 ms", during["net"]["worst_ms"],
            report["snapshot"]["ok"] and during["net"]["worst_ms"] <= 50)
    for name in (*INPROCESS, "snapshot"):
        if name in report and "error" in report[name]:
            row(f"{name}: did not run", "runs", report[name]["error"][-200:], False)
    return rows


def print_report(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print()
    print(f"cloud-job-emulator {machine['emulator_version']} @ {machine['git_commit'][:10]}"
          f"{' (dirty tree)' if machine['git_dirty'] else ''}, {machine['date']}")
    print(f"{machine['cpu']} x{machine['cpus']}, Linux {machine['kernel']}, Python {machine['python']}, "
          f"aiohttp {machine['aiohttp']}; load average {machine['loadavg_start']} -> {machine.get('loadavg_end')}")
    config = report["config"]
    print(f"wrk -t1 -c{config['connections']} {config['duration_s']}s (+{config['warmup_s']}s warm-up) x "
          f"{config['rounds']} round(s); servers on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}"
          f"{'' if config['pinned'] else ' (NOT pinned: fewer than 2 CPUs or no taskset)'}")
    print(f"emulators: --frozen-clock, default logging (INFO access log to a file) and logging off "
          f"({' '.join(config['logging_off_flags'])})")
    if report.get("operations"):
        print()
        header = (f"{'operation':38} {'expect':>6} {'baseline':>9} | {'default logging':^32} | {'logging off':^32} |"
                  f" {'on/off':>6}")
        sub = (f"{'':38} {'':>6} {'req/s':>9} | {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} |"
               f" {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} | {'':>6}")
        print(header)
        print(sub)
        print("-" * len(sub))
        for row in report["operations"]:
            cells = [f"{row['label'][:38]:38} {row['expect']:>6} {_fmt(row['baseline']['rps']):>9} |"]
            for target in ("default", "logging_off"):
                run = row[target]
                flag = "" if run["ok"] else "!"
                cells.append(f"{_fmt(run['rps']):>9} {_fmt(run['p50_ms'], 1):>7} {_fmt(run['p99_ms'], 1):>7}"
                             f" {_fmt(run['ratio'], 2):>5}{flag or ' '} |")
            cells.append(f" {_fmt(row.get('log_on_off'), 2):>6}")
            print(" ".join(cells))
        base = [r for row in report["operations"] for r in row["baseline"]["runs"]]
        print(f"baseline over the run: min {min(base):,.0f}, median {statistics.median(base):,.0f}, "
              f"max {max(base):,.0f} req/s ({(max(base) - min(base)) / statistics.median(base):.0%} spread)"
              "  ! = a request got another status than expected")
    if "startup" in report:
        s = report["startup"]
        print(f"\nstart-up to first 200 (median of {len(s['emulator_runs_s'])}): emulator {s['emulator_s'] * 1000:.0f} ms,"
              f" baseline {s['baseline_s'] * 1000:.0f} ms, ratio {s['ratio']:.2f}")
    if "scale" in report:
        s = report["scale"]
        print(f"\nscale ({s['loader']}):")
        print(f"  {s['small']:,} jobs: RSS {s['rss_mib_at_small']['VmRSS']:.0f} MiB; list 500 p50 "
              f"{s['list_at_small']['p50_ms']:.1f} ms ({s['list_at_small']['rps']:.0f} pages/s on 1 connection)")
        print(f"  {s['stored_jobs']:,} jobs (loaded in {s['load_seconds']:.1f} s): RSS {s['rss_mib_at_large']['VmRSS']:.0f} MiB,"
              f" peak {s['rss_mib_at_large']['VmHWM']:.0f} MiB; list 500 p50 {s['list_at_large']['p50_ms']:.1f} ms"
              f" ({s['list_at_large']['rps']:.0f} pages/s)")
        print(f"  page of 500, {s['stored_jobs']:,} vs {s['small']:,} stored, median of {s['rounds']} side-by-side "
              f"round(s): {s['list_ratio']:.2f} (the two harnesses both at {s['small']:,} before one grew: "
              f"{s['noise_floor_ratio']:.2f}, the noise floor)")
        if "fixture_post_at_large" in s:
            print(f"  POST /_emulator/fixtures with 100 jobs: {s['fixture_post_at_small']['seconds'] * 1000:.0f} ms at "
                  f"{s['small']:,} stored, {s['fixture_post_at_large']['seconds'] * 1000:.0f} ms at {s['stored_jobs']:,}"
                  f" stored; peak RSS after it {s['rss_mib_after_fixture_post']['VmHWM']:.0f} MiB")
    if "watch" in report:
        w = report["watch"]
        print(f"\nwatch fan-out: {w['watchers']} watchers, {w['patches']} patches: {w['events_received']:,}/"
              f"{w['events_expected']:,} events, {w['watchers_complete']}/{w['watchers']} watchers complete; patches took "
              f"{w['patch_phase_s']:.2f} s ({w['patch_phase_without_watchers_s']:.2f} s with nobody watching), all delivered"
              f" after {w['all_delivered_s']:.2f} s")
        print(f"  delivery lag p50 {_fmt(w['lag_ms_p50'], 1)} ms, p99 {_fmt(w['lag_ms_p99'], 1)} ms, max "
              f"{_fmt(w['lag_ms_max'], 1)} ms; per-watcher median lag {_fmt(w['watcher_p50_lag_ms_min'], 1)}.."
              f"{_fmt(w['watcher_p50_lag_ms_max'], 1)} ms; last event reached watchers "
              f"{_fmt(w['watcher_done_s_min'], 2)}..{_fmt(w['watcher_done_s_max'], 2)} s after the first patch")
        for problem in w["problems"]:
            print(f"  problem: {problem}")
    _print_issue_20_sections(report)
    if report.get("targets"):
        print("\ntargets (issues #7 and #20; ratios with default logging, logging off in brackets):")
        for row in report["targets"]:
            measured = row["measured"]
            shown = measured if isinstance(measured, str) else f"{measured:.3g}"
            if "measured_logging_off" in row:
                off = row["measured_logging_off"]
                shown += f" [{off:.3g} {'pass' if row['pass_logging_off'] else 'FAIL'}]"
            print(f"  {'PASS' if row['pass'] else 'FAIL'}  {row['target']}: {shown} (goal {row['goal']})")
    for warning in report.get("warnings", []):
        print(f"warning: {warning}")


def _print_issue_20_sections(report: dict[str, Any]) -> None:
    if "dashboard" in report:
        d = report["dashboard"]
        print(f"\ndashboard: K8s GET job status {d['rps_closed']:,.0f} req/s with no live feed, "
              f"{d['rps_open']:,.0f} with "
              f"the dashboard's feed open (median of {d['rounds']}): {d['ratio']:.3f}; journal events delivered per "
              f"run {d['journal_events_delivered']} of {d['requests_while_open']} requests")
    if "snapshot" in report and "error" not in report["snapshot"]:
        r = report["snapshot"]
        alone, during = r["without_snapshots"], r["snapshots_back_to_back"]
        print(f"\nsnapshot (benchmarks/snapshot_delay.py): {r['jobs']:,} jobs, a {r['state_file_bytes'] / 1e6:.0f} MB "
              f"state file, {during['snapshots']} snapshots; the loop's share of one: view {r['view_ms']:.1f} ms, "
              f"drop {r['drop_ms']:.1f} ms; GET worst (p99) alone {alone['seen']['worst_ms']:.1f} "
              f"({alone['seen']['p99_ms']:.1f}) ms, during snapshots {during['seen']['worst_ms']:.1f} "
              f"({during['seen']['p99_ms']:.1f}) ms, net of CPU wait {during['net']['worst_ms']:.1f} "
              f"({during['net']['p99_ms']:.1f}) ms")
    shown = [name for name in INPROCESS if name in report]
    if shown:
        print("\nin-process (benchmarks/inprocess.py, one process each, pinned to the servers' CPU):")
    for name in shown:
        r = report[name]
        if "error" in r:
            print(f"  {name}: FAILED TO RUN: {r['error'][-300:]}")
        elif name == "running_jobs":
            print(f"  running_jobs: {r['jobs']:,} Jobs x 3 Pods: created in {r['create_s']:.1f} s, advanced until "
                  f"{r['complete']:,} Complete in {r['advance_s']:.1f} s (CPU {r['cpu_s']:.1f} s in all: the rest "
                  f"of the wall time the machine's other load took); peak RSS {r['peak_rss_mib']:.0f} MiB; "
                  f"stored {r['stored']}")
        elif name == "advance_cost":
            print(f"  advance_cost: advance running {r['due_jobs']} one-Pod Jobs with "
                  + ", ".join(f"{int(k):,} idle jobs stored {v:.1f} ms" for k, v in r["advance_ms"].items())
                  + f" (ratio {r['ratio']:.2f}); an advance with nothing due "
                  + ", ".join(f"{v * 1000:.0f} us" for v in r["idle_advance_ms"].values()))
        elif name == "mrs_executions":
            print(f"  mrs_executions: {r['executions']:,} submitted in {r['submit_s']:.1f} s (first tenth "
                  f"{r['submit_us_first_tenth']:.0f} us each, last {r['submit_us_last_tenth']:.0f} us), run to the end "
                  f"in {r['advance_s']:.1f} s (CPU {r['cpu_s']:.1f} s in all); {r['states']}; peak RSS "
                  f"{r['peak_rss_mib']:.0f} MiB")
        elif name == "mrs_filter":
            print(f"  mrs_filter: list 500 matching (page of 100): {r['list_ms_small']:.2f} ms with {r['stored'][0]:,} "
                  f"stored, {r['list_ms_large']:.2f} ms with {r['stored'][-1]:,} (ratio {r['ratio']:.2f})")
        elif name == "plugin_cost":
            print(f"  plugin_cost: reset {r['reset_ms']:.2f} ms + first request {r['first_request_ms']:.2f} ms = "
                  f"{r['reset_and_first_ms']:.2f} ms (median of {r['resets']}, p90 "
                  f"{r['reset_and_first_p90_ms']:.2f} ms);"
                  f" app factory {r['factory_ms']:.2f} ms per app ({r['factory_cpu_ms']:.2f} ms of CPU)")
        elif name == "follow_logs":
            print(f"  follow_logs: {r['streams']:,} follow=true streams on {r['pods']} pods opened in "
                  f"{r['open_s']:.2f} s; "
                  f"{r['complete']:,} got all {r['lines_per_stream']} lines, {r['deliver_s']:.2f} s after the clock "
                  "started to move")
        elif name == "cos_manifest":
            print(f"  cos_manifest: {r['summary']}; read {r['read_s']:.2f} s, tasks {r['tasks_s']:.2f} s, report "
                  f"{r['report_s']:.2f} s; RSS {r['rss_mib']} MiB")


def machine_info() -> dict[str, Any]:
    import aiohttp

    import emulator

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break

    def git(*argv: str) -> str:
        try:
            return subprocess.run(["git", *argv], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
        "aiohttp": aiohttp.__version__, "emulator_version": emulator.__version__,
        "git_commit": git("rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "loadavg_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


# --- main -----------------------------------------------------------------------------------------

PINNING = True


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="operations: " + ", ".join(OPERATIONS_BY_NAME)
                                            + "\nsections: " + ", ".join(SECTIONS))
    parser.add_argument("--quick", action="store_true",
                        help="short runs (CI: checks it completes and every request succeeds; the baseline is "
                             "measured once, with the first operation)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="JSON results (default %(default)s)")
    parser.add_argument("--only", default="", help="comma-separated operations and/or sections to run")
    parser.add_argument("--repeat", type=int,
                        help="rounds of (baseline, default logging, logging off) per operation, in alternating "
                             "order; medians are reported (default 3, quick 1)")
    parser.add_argument("--duration", type=float,
                        help="seconds per measured wrk run, whole seconds (default 3, quick 1)")
    parser.add_argument("--warmup", type=float,
                        help="seconds of warm-up before each run (default 1, quick 0; every server also gets 1 s "
                             "of GET load once, after it starts)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--scale-jobs", type=int, default=100_000, help="jobs stored for the RSS and list measures")
    parser.add_argument("--no-fixture-probe", dest="fixture_probe", action="store_false",
                        help="skip timing POST /_emulator/fixtures at 1,000 and 100,000 stored jobs (quick skips it)")
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--watch-patches", type=int, default=1000)
    parser.add_argument("--watch-deadline", type=float, default=180, help="seconds the watch fan-out may take")
    parser.add_argument("--baseline", type=Path, default=Path(os.environ.get("BENCH_BASELINE", DEFAULT_BASELINE)),
                        help="baseline_server.py (default %(default)s)")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the logs and wrk scripts")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 1.0 if args.quick else 3.0
    if args.warmup is None:
        args.warmup = 0.0 if args.quick else 1.0
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.quick and "--no-fixture-probe" not in (argv or sys.argv):
        args.fixture_probe = False
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in OPERATIONS_BY_NAME and n not in SECTIONS]
    if unknown:
        parser.error(f"unknown operation or section: {', '.join(unknown)}")
    args.ops = [op for op in OPERATIONS if not names or op.name in names or "ops" in names]
    args.sections = {s for s in SECTIONS if not names or s in names}
    if any(n in OPERATIONS_BY_NAME for n in names):
        args.sections.add("ops")
    if not args.ops:
        args.sections.discard("ops")
    return args


def _missing(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)


def preflight(args: argparse.Namespace) -> list[str]:
    """Stop early, with the fix, when the machine lacks something; warnings for what only adds noise."""
    global PINNING
    warnings = []
    if shutil.which("wrk") is None:
        _missing("wrk not found on PATH: install it (Debian/Ubuntu: apt-get install -y wrk)")
    if not args.baseline.is_file():
        _missing(f"baseline server not found: {args.baseline} (give --baseline PATH)")
    try:
        import aiohttp  # noqa: F401

        import emulator  # noqa: F401
    except ImportError as error:
        _missing(f"run with the emulator's environment (pip install -e .): {error}")
    cpus = os.sched_getaffinity(0)
    if shutil.which("taskset") is None or not {SERVER_CPU, LOAD_CPU} <= cpus:
        PINNING = False
        warnings.append("not pinned: needs taskset and CPUs 0 and 1; the load generator shares the servers' "
                        "CPU and ratios are rougher")
    else:
        os.sched_setaffinity(0, {LOAD_CPU})  # this process (and the watch client) stays off the servers' core
    if os.cpu_count() and os.cpu_count() > 2:
        warnings.append(f"{os.cpu_count()} CPUs: only 0 and 1 are used")
    return warnings


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warnings = preflight(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a background job ignores it
        signal.signal(signum, on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="emulator-bench-"))
    ctx = Context(args, tmp)
    report: dict[str, Any] = {"machine": machine_info(), "warnings": warnings, "config": {
        "quick": args.quick, "duration_s": args.duration, "warmup_s": args.warmup, "connections": args.connections,
        "rounds": args.repeat, "pinned": PINNING, "logging_off_flags": logging_off_flags(),
        "emulator_flags": ["--frozen-clock"], "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])}}
    started = time.perf_counter()
    failed = False
    try:
        emulators: dict[str, Server] = {}
        baseline = None
        if args.sections & {"ops", "watch", "dashboard"}:
            baseline = Server("baseline", lambda port: [sys.executable, str(args.baseline), "--port", str(port)],
                              K8S_PI_STATUS, tmp / "baseline.log").start()
            for name, extra in (("default", []), ("logging_off", logging_off_flags())):
                emulators[name] = Server(
                    f"emulator ({name})",
                    lambda port, extra=extra: emulator_argv() + ["--port", str(port), "--frozen-clock", *extra],
                    "/_emulator/health", tmp / f"emulator-{name}.log").start()
            for server in [baseline, *emulators.values()]:  # first-request costs out of the way, once
                run_wrk(server.port, Request("GET", K8S_PI_STATUS), 1, args.connections, tmp)
        if "ops" in args.sections:
            report["operations"] = []
            for op in args.ops:
                print(f"measuring {op.name} ...", file=sys.stderr, flush=True)
                row = measure_operation(op, baseline, emulators, ctx, args.repeat)
                report["operations"].append(row)
                failed |= not all(row[t]["ok"] for t in ("baseline", "default", "logging_off"))
        if "watch" in args.sections:
            print("measuring watch fan-out ...", file=sys.stderr, flush=True)
            report["watch"] = measure_watch(emulators["default"], ctx)
            failed |= not report["watch"]["ok"]
        if "dashboard" in args.sections:
            print("measuring the dashboard's cost ...", file=sys.stderr, flush=True)
            report["dashboard"] = measure_dashboard(emulators["default"], ctx)
            failed |= not report["dashboard"]["ok"]
        for server in [*emulators.values(), *( [baseline] if baseline else [])]:
            server.stop()
        if "startup" in args.sections:
            print("measuring start-up ...", file=sys.stderr, flush=True)
            report["startup"] = measure_startup(ctx)
        if "snapshot" in args.sections:
            print("measuring snapshot delays (snapshot_delay.py) ...", file=sys.stderr, flush=True)
            report["snapshot"] = measure_snapshot(ctx)
            failed |= not report["snapshot"]["ok"]
        if "scale" in args.sections:
            print(f"measuring scale ({args.scale_jobs:,} jobs) ...", file=sys.stderr, flush=True)
            report["scale"] = measure_scale(ctx)
            failed |= not (report["scale"]["list_at_small"]["ok"] and report["scale"]["list_at_large"]["ok"])
        for name in INPROCESS:
            if name in args.sections:
                print(f"measuring {name} (inprocess.py) ...", file=sys.stderr, flush=True)
                report[name] = measure_inprocess(name, ctx)
                failed |= not report[name]["ok"]
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything started", file=sys.stderr)
        stop_all()
        return 130
    finally:
        stop_all()
        if args.keep_tmp:
            print(f"logs and scripts kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report["machine"]["loadavg_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    report["seconds"] = round(time.perf_counter() - started, 1)
    base = [r for row in report.get("operations", []) for r in row["baseline"]["runs"]]
    if len(base) > 1 and (max(base) - min(base)) / statistics.median(base) > 0.2:
        middle = statistics.median(base)
        slow = [row["operation"] for row in report["operations"]
                if any(abs(rps - middle) > 0.15 * middle for rps in row["baseline"]["runs"])]
        report["warnings"].append("the baseline varied by more than 20% during the run (other load on the machine?);"
                                  " re-run the rows measured while it was off its median by over 15%: "
                                  f"--only {','.join(slow or [r['operation'] for r in report['operations']])} --repeat 5")
    report["targets"] = evaluate_targets(report)
    report["ok"] = not failed
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{'all requests answered as expected' if not failed else 'SOME REQUESTS FAILED'};"
          f" {report['seconds']:.0f} s; results in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
