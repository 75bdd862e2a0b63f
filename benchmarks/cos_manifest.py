#!/usr/bin/env python3
"""A COS batch job over a 100,000-line manifest in an emulator process of its own: time per phase and memory.

    python benchmarks/cos_manifest.py [--lines 100000] [--tasks-per-second 100]

Starts `python -m emulator` on a free loopback port with a frozen clock, uploads one small object and a
manifest listing it on two lines of three (the third line names a missing object: a failed task), creates
a copy job with an AllTasks report, and moves the clock through Preparing (the manifest read), Active (the
tasks, --tasks-per-second per emulator second) and Completing (the report written). Prints the wall time of
each clock move and the process's resident memory before, after the read and at the end.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests
import xmltodict
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from live_process import emulator_process, rss_bytes  # noqa: E402

SECRET_ID, SECRET_KEY, APPID, REGION = ("AKIDTESTONLYEXAMPLE000000000000000000", "TestOnlySecretKey0123456789abcdef",
                                        "1250000000", "ap-guangzhou")
SRC, DST, REP = (f"{name}-{APPID}" for name in ("src", "dst", "rep"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--tasks-per-second", type=int, default=100)
    args = parser.parse_args()
    with emulator_process("--frozen-clock", "2026-01-01T00:00:00Z", "--log-level", "warning",
                          "--cos-tasks-per-second", str(args.tasks_per_second)) as (pid, url):
        port = int(url.rsplit(":", 1)[1])
        config = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Scheme="http", IP="127.0.0.1",
                           Port=port)
        cos = CosS3Client(config)
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        cos.put_object(Bucket=SRC, Key="one", Body=b"1")
        body = "".join(f"{SRC},one\n" if n % 3 else f"{SRC},gone-{n}\n" for n in range(args.lines)).encode()
        etag = cos.put_object(Bucket=SRC, Key="m.csv", Body=body)["ETag"]
        request = {"CreateJobRequest": {
            "ClientRequestToken": "bench", "ConfirmationRequired": "false", "Priority": "1",
            "Manifest": {"Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/m.csv"},
                         "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"}},
            "Operation": {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}},
            "Report": {"Bucket": f"qcs::cos:{REGION}::{REP}", "Enabled": "true", "Format": "Report_CSV_V1",
                       "Prefix": "r", "ReportScope": "AllTasks"},
            "RoleArn": "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole"}}
        created = requests.post(f"{url}/jobs", data=xmltodict.unparse(request).encode(), timeout=60,
                                headers={"x-cos-appid": APPID}, auth=CosS3Auth(config, key="jobs"))
        job_id = xmltodict.parse(created.content)["CreateJobResult"]["JobId"]
        memory = {"start": rss_bytes(pid)}

        def advance(seconds: float) -> float:
            started = time.perf_counter()
            answer = requests.post(f"{url}/_emulator/clock", json={"advance_seconds": seconds}, timeout=600)
            answer.raise_for_status()
            return time.perf_counter() - started

        read = advance(2) + advance(2)  # New -> Preparing -> Ready: the manifest read
        memory["manifest read"] = rss_bytes(pid)
        steps = -(-args.lines // args.tasks_per_second)
        run = advance(2) + advance(2 + steps - 1)  # Ready -> Active, then one step per emulator second
        report = advance(2)  # Completing -> Complete: the report written
        memory["end"] = rss_bytes(pid)
        job = xmltodict.parse(requests.get(f"{url}/jobs/{job_id}", headers={"x-cos-appid": APPID},
                                           auth=CosS3Auth(config, key=f"jobs/{job_id}"), timeout=60).content)
        job = job["DescribeJobResult"]["Job"]
        print(f"{args.lines:,}-line manifest ({len(body):,} bytes), {args.tasks_per_second} tasks per second: "
              f"{job['Status']}, {job['ProgressSummary']}")
        print(f"  manifest read {read:.2f} s, tasks {run:.2f} s ({steps:,} steps), report {report:.2f} s")
        print("  resident memory: " + ", ".join(f"{name} {value / 2**20:.1f} MiB" for name, value in memory.items()))
        return 0 if job["Status"] == "Complete" else 1


if __name__ == "__main__":
    sys.exit(main())
