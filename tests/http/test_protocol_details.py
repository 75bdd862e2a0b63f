"""HTTP details around every route: each 405 names the methods in `Allow`; `Expect: 100-continue` with a body over
the limit gets the service's 413 at once instead of `100 Continue`."""
from __future__ import annotations

import asyncio

import pytest

from emulator.http.app import create_app
from emulator.settings import Settings

HEADERS = {"X-Auth-Token": "t", "x-cos-appid": "1250000000"}
PATHS = ["/apis/batch/v1/namespaces/default/jobs", "/apis/batch/v1/namespaces/default/jobs/pi/status",
         "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs", "/jobs", "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae",
         "/_emulator/reset", "/_emulator/health", "/api/v1/namespaces"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def every_405() -> list[tuple[str, str]]:
    """(method, path) pairs of the app's routes with a method the path does not take."""
    app = create_app(Settings(load_fixtures=False))
    cases = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if route.method == "*" or not template:
            continue
        path = template.replace("{namespace}", "default").replace("{name}", "pi")
        for method in METHODS:
            cases.append((method, path))
    return sorted(set(cases))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", PATHS)
async def test_every_405_names_the_allowed_methods(client, method, path):
    response = await client.request(method, path, headers=HEADERS)
    if response.status == 405:
        allowed = response.headers.get("Allow", "")
        assert allowed and method not in allowed.split(", "), (method, path, allowed)
        for other in allowed.split(", "):
            if other not in ("HEAD", "OPTIONS"):
                assert (await client.request(other, path, headers=HEADERS)).status != 405, (other, path)


async def test_405s_happen_and_carry_allow_on_every_route(client):
    seen = 0
    for method, path in every_405():
        response = await client.request(method, path, headers=HEADERS)
        if response.status == 405:
            seen += 1
            assert response.headers.get("Allow"), (method, path)
    assert seen > 20


async def expect_continue(port: int, path: str, length: int, content_type: str) -> bytes:
    """Send only the headers with `Expect: 100-continue`; what the server answers before any body is sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: t\r\nx-cos-appid: 1250000000\r\n"
                     f"Content-Type: {content_type}\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
                     .encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), 5)
    finally:
        writer.close()


@pytest.mark.parametrize(("path", "content_type", "status", "envelope"), [
    ("/apis/batch/v1/namespaces/default/jobs", "application/json", b"413", b'"reason":"RequestEntityTooLarge"'),
    ("/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs", "application/json", b"413", b"REQUEST_ENTITY_TOO_LARGE"),
    ("/jobs", "application/xml", b"400", b"<Code>EntityTooLarge</Code>"),
    ("/_emulator/fixtures", "application/json", b"413", b'"error": "RequestEntityTooLarge"'),
])
async def test_expect_100_continue_over_the_limit_gets_the_too_large_answer_at_once(aiohttp_client, make_app, path,
                                                                                   content_type, status, envelope):
    client = await aiohttp_client(make_app(max_body_bytes=1024))
    answer = await expect_continue(client.server.port, path, 10_000_000, content_type)
    assert answer.startswith(b"HTTP/1.1 " + status) and b"100 Continue" not in answer, answer[:300]
    assert envelope in answer and b"Connection: close" in answer, answer[:600]


async def test_expect_100_continue_within_the_limit_still_gets_100_continue(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(max_body_bytes=1024))
    answer = await expect_continue(client.server.port, "/apis/batch/v1/namespaces/default/jobs", 100,
                                   "application/json")
    assert answer.startswith(b"HTTP/1.1 100 Continue")


@pytest.mark.parametrize("path", ["/v2/5a3314075bfa49b9ae360f4ecd333695/no-such-api",
                                  "/v2/5a3314075bfa49b9ae360f4ecd333695/clusters/c/job-executions/x/y"])
async def test_an_mrs_routing_miss_keeps_the_request_id_its_body_names(client, path):
    """The SDK reports the X-Request-Id header as the error's request id: it must be the body's."""
    response = await client.get(path, headers=HEADERS)
    body = await response.json()
    assert response.status == 404 and len(body["request_id"]) == 32
    assert response.headers["X-Request-Id"] == body["request_id"]
