"""Fixture documents the benchmark loads: Kubernetes jobs shaped like seed 003's `pi`, fresh COS jobs.

Shared by run.py (which sends them to POST /_emulator/fixtures) and scale_server.py (which
hands them to the same fixture loader in-process). Names are deterministic, so the wrk scripts
can compute a job's path from its index instead of carrying a table of ids.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

BENCH_NAMESPACE = "bench"
COS_APPID_BASE = 1_300_000_000   # fresh COS jobs live under APPIDs COS_APPID_BASE + (i % COS_APPIDS)
COS_APPIDS = 500                 # (CreateJob once scanned an APPID's jobs for a duplicate token; now an index)

# Seed 003's job (the bundled fixtures/kubernetes/pi.json) without the server-set fields, so the
# emulator generates uid, resourceVersion and creationTimestamp for each copy: about 1.1 KB of JSON.
_PI_JOB: dict[str, Any] = {
    "kind": "Job",
    "apiVersion": "batch/v1",
    "metadata": {
        "name": "pi",
        "namespace": BENCH_NAMESPACE,
        "labels": {"controller-uid": "8c923079-b0a8-11e8-8bcb-f898ef6c78b4", "job-name": "pi"},
        "enable": True,
    },
    "spec": {
        "parallelism": 1,
        "completions": 1,
        "backoffLimit": 6,
        "selector": {"matchLabels": {"controller-uid": "8c923079-b0a8-11e8-8bcb-f898ef6c78b4"}},
        "template": {
            "metadata": {
                "name": "pi",
                "creationTimestamp": None,
                "labels": {"job-name": "pi", "controller-uid": "8c923079-b0a8-11e8-8bcb-f898ef6c78b4"},
                "annotations": {"cri.cci.io/container-type": "secure-container"},
                "enable": True,
            },
            "spec": {
                "containers": [{
                    "name": "pi",
                    "image": "perl",
                    "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
                    "resources": {"limits": {"cpu": "500m", "memory": "1Gi"},
                                  "requests": {"cpu": "500m", "memory": "1Gi"}},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "Always",
                }],
                "restartPolicy": "Never",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "securityContext": {},
                "imagePullSecrets": [{"name": "imagepull-secret"}],
                "schedulerName": "default-scheduler",
            },
        },
    },
    "status": {"startTime": "2018-09-05T01:10:59Z", "active": 1},
}


def namespace_doc(name: str = BENCH_NAMESPACE) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def job_name(index: int) -> str:
    return f"job-{index:06d}"


def k8s_job(index: int, namespace: str = BENCH_NAMESPACE) -> dict[str, Any]:
    """Job number `index`: seed 003's job under another name, a fresh deep copy each time."""
    job = copy.deepcopy(_PI_JOB)
    name = job_name(index)
    job["metadata"]["name"] = name
    job["metadata"]["namespace"] = namespace
    job["metadata"]["labels"]["job-name"] = name
    job["spec"]["template"]["metadata"]["name"] = name
    job["spec"]["template"]["metadata"]["labels"]["job-name"] = name
    return job


def k8s_jobs(start: int, stop: int, namespace: str = BENCH_NAMESPACE) -> Iterator[dict[str, Any]]:
    for index in range(start, stop):
        yield k8s_job(index, namespace)


def cos_job_id(index: int) -> str:
    return f"bench-{index:07d}"


def cos_appid(index: int) -> str:
    return str(COS_APPID_BASE + index % COS_APPIDS)


def _cos_job(index: int) -> dict[str, Any]:
    """A Suspended job awaiting confirmation (the bundled fixture's second job): UpdateJobStatus
    Cancelled moves it to Cancelled with a 200, once; no automatic step is ever scheduled for it."""
    return {
        "JobId": cos_job_id(index),
        "Status": "Suspended",
        "CreationTime": "2025-12-31T09:00:00Z",
        "SuspendedDate": "2025-12-31T09:00:04Z",
        "CreateJobRequest": {
            "ClientRequestToken": f"bench-token-{index:07d}",
            "ConfirmationRequired": True,
            "Description": "copy-awaiting-confirmation",
            "Manifest": {
                "Location": {"ETag": '"0b6f8e9c3d2a41f5a7e6c5b4d3a2f1e0"',
                             "ObjectArn": "qcs::cos:ap-chengdu::sourcebucket-1250000000/manifests/m.csv"},
                "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"},
            },
            "Operation": {"COSPutObjectCopy": {"TargetResource": "qcs::cos:ap-chengdu::destinationbucket-1250000000"}},
            "Priority": 10,
            "Report": {"Bucket": "qcs::cos:ap-chengdu::sourcebucket-1250000000", "Enabled": True,
                       "Format": "Report_CSV_V1", "Prefix": "job-result", "ReportScope": "AllTasks"},
            "RoleArn": "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
        },
    }


def cos_documents(start: int, stop: int) -> list[dict[str, Any]]:
    """Fresh jobs number start..stop-1, job i under APPID cos_appid(i): one fixture document per APPID."""
    by_appid: dict[str, list[dict[str, Any]]] = {}
    for index in range(start, stop):
        by_appid.setdefault(cos_appid(index), []).append(_cos_job(index))
    return [{"service": "cos_batch", "appid": appid, "jobs": jobs} for appid, jobs in by_appid.items()]
