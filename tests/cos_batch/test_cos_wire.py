"""COS's wire conventions: response headers, the `<Error>` document, the APPID header, unrouted requests."""
from __future__ import annotations

import base64

import pytest
from cos_support import ACTIVE_ID, APPID, SUSPENDED_ID, Cos, error_of, request_body, xml

from emulator.services.cos_batch import xmlio

CONTROL_HOST = "100000000001.cos-control.ap-chengdu.myqcloud.com"
ROUTES = [
    ("POST", "/jobs", request_body()),
    ("GET", "/jobs", None),
    ("GET", f"/jobs/{ACTIVE_ID}", None),
    ("POST", f"/jobs/{ACTIVE_ID}/priority?priority=1", None),
    ("POST", f"/jobs/{SUSPENDED_ID}/status?requestedJobStatus=Ready", None),
    ("DELETE", f"/jobs/{ACTIVE_ID}", None),
]


def decoded_request_id(value: str) -> list[str]:
    return base64.b64decode(value, validate=True).decode().split("_")


async def test_success_headers(cos: Cos) -> None:
    status, _, headers = await cos.call("GET", f"/jobs/{ACTIVE_ID}")
    assert status == 200
    assert headers["Content-Type"] == "application/xml"
    assert headers["Server"] == "tencent-cos"
    assert headers["Date"] == "Thu, 01 Jan 2026 00:00:00 GMT"
    seconds, serial, short, tail = decoded_request_id(headers["x-cos-request-id"])
    assert int(seconds, 16) == 1767225600 and len(serial) == 8 and len(short) == 4 and tail
    assert "x-cos-trace-id" not in headers  # errors only (spec §1.5)


async def test_date_and_request_id_follow_the_clock(cos: Cos) -> None:
    await cos.advance(90)
    status, _, headers = await cos.call("GET", "/jobs")
    assert headers["Date"] == "Thu, 01 Jan 2026 00:01:30 GMT"
    assert int(decoded_request_id(headers["x-cos-request-id"])[0], 16) == 1767225690


async def test_request_ids_differ_per_request(cos: Cos) -> None:
    seen = set()
    for _ in range(5):
        _, _, headers = await cos.call("GET", "/jobs")
        seen.add(headers["x-cos-request-id"])
    assert len(seen) == 5


async def test_error_document(cos: Cos) -> None:
    status, body, headers = await cos.call("GET", "/jobs/unknown-job", headers={"Host": CONTROL_HOST})
    assert status == 404
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchJob</Code>\n")
    error = xml(body)["Error"]
    assert list(error) == ["Code", "Message", "Resource", "RequestId", "TraceId"]
    assert error == {"Code": "NoSuchJob", "Message": "The specified job does not exist",
                     "Resource": f"{CONTROL_HOST}/jobs/unknown-job",
                     "RequestId": headers["x-cos-request-id"], "TraceId": headers["x-cos-trace-id"]}
    assert (headers["Content-Type"], headers["Server"]) == ("application/xml", "tencent-cos")


async def test_trace_ids_are_base64_and_differ_per_error(cos: Cos) -> None:
    traces = set()
    for _ in range(3):
        _, _, headers = await cos.call("GET", "/jobs/unknown-job")
        trace = headers["x-cos-trace-id"]
        assert len(trace) > len(headers["x-cos-request-id"]) and base64.b64decode(trace, validate=True)
        traces.add(trace)
    await cos.advance(1)  # a new second: a new head, the ids still apart
    _, _, headers = await cos.call("GET", "/jobs/unknown-job")
    traces.add(headers["x-cos-trace-id"])
    assert len(traces) == 4


async def test_any_host_reaches_the_jobs(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", f"/jobs/{ACTIVE_ID}", headers={"Host": CONTROL_HOST})
    assert status == 200 and xml(body)["DescribeJobResult"]["Job"]["JobId"] == ACTIVE_ID


@pytest.mark.parametrize("method, path, body", ROUTES)
async def test_every_route_requires_the_appid(client, method: str, path: str, body: bytes | None) -> None:
    response = await client.request(method, path, data=body)
    assert response.status == 400
    assert error_of(await response.read()) == ("InvalidArgument", "x-cos-appid cannot be empty")
    response = await client.request(method, path, data=body, headers={"x-cos-appid": ""})
    assert error_of(await response.read()) == ("InvalidArgument", "x-cos-appid cannot be empty")


@pytest.mark.parametrize("method, path, body", ROUTES)
async def test_appid_length_limit(client, method: str, path: str, body: bytes | None) -> None:
    response = await client.request(method, path, data=body, headers={"x-cos-appid": "1" * 65})
    assert (response.status, error_of(await response.read())) == (400, ("InvalidArgument", "Invalid parameter"))
    response = await client.request(method, path, data=body, headers={"x-cos-appid": "1" * 64})
    assert response.status in (200, 404)  # accepted: a fresh APPID has no jobs, so lookups are NoSuchJob


@pytest.mark.parametrize("method, path", [("GET", "/jobs/a/b"), ("POST", "/jobs/a/statuses"), ("GET", "/jobsx")])
async def test_unrouted_paths_are_invalid_requests(cos: Cos, method: str, path: str) -> None:
    status, body, headers = await cos.call(method, path)
    assert (status, error_of(body)) == (400, ("InvalidRequest", "Invalid request"))
    assert headers["Content-Type"] == "application/xml"


@pytest.mark.parametrize("method, path", [("PUT", "/jobs"), ("GET", f"/jobs/{ACTIVE_ID}/status"),
                                          ("POST", f"/jobs/{ACTIVE_ID}"), ("HEAD", "/jobs/x/priority")])
async def test_wrong_method_is_method_not_allowed(cos: Cos, method: str, path: str) -> None:
    status, body, _ = await cos.call(method, path)
    assert status == 405
    if method != "HEAD":
        assert error_of(body) == ("MethodNotAllowed", "The specified method is not allowed against this resource.")


async def test_unprintable_path_is_echoed_as_valid_xml(cos: Cos) -> None:
    status, body, _ = await cos.call("GET", "/jobs/a%01b%ffc")
    assert status == 404
    assert xml(body)["Error"]["Resource"].endswith("/jobs/a%01b%FFc")


@pytest.mark.parametrize("query", ["?requestedJobStatus=Ready&statusUpdateReason=%ED%A0%80",
                                   "?requestedJobStatus=Ready&statusUpdateReason=%00",
                                   "?requestedJobStatus=Ready&requestedJobStatus=Cancelled",
                                   "?%zz=1&requestedJobStatus=Ready"])
async def test_odd_queries_never_fail_the_server(cos: Cos, query: str) -> None:
    status, body, _ = await cos.call("POST", f"/jobs/{SUSPENDED_ID}/status{query}")
    assert status in (200, 400)
    xml(body)  # whatever the answer, it is well-formed XML


async def test_large_body_is_refused_in_the_cos_envelope(aiohttp_client, make_app) -> None:
    client = await aiohttp_client(make_app(max_body_bytes=1024))
    response = await client.post("/jobs", data=b"<a>" + b"x" * 2048 + b"</a>", headers={"x-cos-appid": "1"})
    assert response.status == 400
    assert error_of(await response.read())[0] == "EntityTooLarge"


async def test_the_journal_names_the_cos_actions(client) -> None:
    headers = {"x-cos-appid": APPID}
    await client.get("/jobs", headers=headers)
    answer = await client.post(f"/jobs/{SUSPENDED_ID}/status?requestedJobStatus=Ready", headers=headers)
    journal = await (await client.get("/_emulator/requests", params={"service": "cos_batch"})).json()
    assert [entry["operation"] for entry in journal["requests"]] == ["ListJobs", "UpdateJobStatus"]
    assert journal["requests"][-1]["request_id"] == answer.headers["x-cos-request-id"]


@pytest.mark.parametrize("content", [
    {"JobId": "a&b<c>", "Status": 'x"y', "StatusUpdateReason": None},
    {"JobId": "é", "Status": "", "StatusUpdateReason": "\x00"},
    {"JobId": "j", "Priority": 0},
    {"Jobs": {"Member": ["a", "b"]}, "NextToken": None},
])
def test_flat_templates_write_what_dumps_writes(content: dict) -> None:
    documents = xmlio.FlatDocuments()
    for _ in range(2):  # the template made, then reused
        assert documents.dumps("Result", content) == xmlio.dumps("Result", content)


def test_one_flat_template_per_shape_names_and_empty_elements_alike() -> None:
    documents = xmlio.FlatDocuments()
    contents = [{"A": "x", "B": None}, {"A": None, "B": "x"}, {"A": "", "B": ""}, {"B": "x", "A": "y"},
                {"A": "x", "B": "<&>"}, {"A": "x", "B": None}]
    for content in contents * 2:
        assert documents.dumps("Result", content) == xmlio.dumps("Result", content)
