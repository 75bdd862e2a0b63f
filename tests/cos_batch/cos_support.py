"""Helpers for the COS batch tests: the bundled fixture ids, request bodies, XML reading, a small client."""
from __future__ import annotations

import copy
from typing import Any

import xmltodict

STEP_SECONDS = 2  # the service's default step; the tests that depend on it say so
APPID = "1250000000"
OTHER_APPID = "1250000001"
COMPLETE_ID = "53dc6228-c50b-46f7-8ad7-65e7159f1aae"
SUSPENDED_ID = "f6b885a7-4312-455e-ac70-05d1d5be4cb7"
ACTIVE_ID = "006c1698-bbf3-4ccf-aa23-12aeec330857"
CANCELLED_ID = "bd883ee0-4642-40fa-ae15-85dd74cb85dc"
SECRET_ID = "AKIDTESTONLYEXAMPLE000000000000000000"
SECRET_KEY = "TestOnlySecretKey0123456789abcdef"

ALL_STATUSES = ("New", "Preparing", "Suspended", "Ready", "Active", "Pausing", "Paused", "Completing",
                "Complete", "Cancelling", "Cancelled", "Failing", "Failed")


def status_job_id(status: str) -> str:
    """The id of the job in `status` in the every-status fixture."""
    return f"job-{status.lower()}"


def request_tree(**changes: Any) -> dict[str, Any]:
    """The children of a valid CreateJobRequest (the doc's copy example); `changes` replace children,
    a value of None removes one."""
    tree: dict[str, Any] = {
        "ClientRequestToken": "6f5c0d3e-5f1e-4f3b-9a3e-2b8e4c1d7a90",
        "ConfirmationRequired": "false",
        "Description": "example-job",
        "Manifest": {
            "Location": {"ETag": '"15150651828fa9cdcb8356b6d1c7638b"',
                         "ObjectArn": "qcs::cos:ap-chengdu::sourcebucket-1250000000/manifests/batch-copy-manifest.csv"},
            "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"},
        },
        "Operation": {"COSPutObjectCopy": {
            "TargetResource": "qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000"}},
        "Priority": "10",
        "Report": {"Bucket": "qcs::cos:ap-chengdu::sourcebucket-1250000000", "Enabled": "true",
                   "Format": "Report_CSV_V1", "Prefix": "job-result", "ReportScope": "AllTasks"},
        "RoleArn": "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
    }
    tree = copy.deepcopy(tree)
    for name, value in changes.items():
        if value is None:
            tree.pop(name, None)
        else:
            tree[name] = value
    return tree


def with_path(tree: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `tree` with the element at 'A/B/C' replaced (None removes it)."""
    tree = copy.deepcopy(tree)
    *parents, last = path.split("/")
    node = tree
    for name in parents:
        node = node[name]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return tree


def request_body(tree: dict[str, Any] | None = None, **changes: Any) -> bytes:
    return xmltodict.unparse({"CreateJobRequest": tree if tree is not None else request_tree(**changes)}).encode()


def xml(body: bytes | str) -> dict[str, Any]:
    """A response body as xmltodict reads it."""
    return xmltodict.parse(body)


def error_of(body: bytes | str) -> tuple[str, str]:
    error = xml(body)["Error"]
    return error["Code"], error["Message"]


class Cos:
    """Calls to the in-process emulator as one APPID; every call returns (status, body bytes, headers)."""

    def __init__(self, client: Any, appid: str = APPID) -> None:
        self.client = client
        self.appid = appid

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"x-cos-appid": self.appid, **(extra or {})}

    async def call(self, method: str, path: str, *, params: Any = None, data: bytes | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
        response = await self.client.request(method, path, params=params, data=data, headers=self.headers(headers))
        return response.status, await response.read(), response.headers

    async def create(self, **changes: Any) -> str:
        status, body, _ = await self.call("POST", "/jobs", data=request_body(**changes))
        assert status == 200, body
        return xml(body)["CreateJobResult"]["JobId"]

    async def describe(self, job_id: str) -> dict[str, Any]:
        status, body, _ = await self.call("GET", f"/jobs/{job_id}")
        assert status == 200, body
        return xml(body)["DescribeJobResult"]["Job"]

    async def status_of(self, job_id: str) -> str:
        return (await self.describe(job_id))["Status"]

    async def update_status(self, job_id: str, requested: str, reason: str | None = None) -> tuple[int, bytes, Any]:
        params = {"requestedJobStatus": requested}
        if reason is not None:
            params["statusUpdateReason"] = reason
        return await self.call("POST", f"/jobs/{job_id}/status", params=params)

    async def advance(self, seconds: float) -> None:
        response = await self.client.post("/_emulator/clock", json={"advance_seconds": seconds})
        assert response.status == 200, await response.text()
