"""core.responses.bytes_response: the response it makes is the one aiohttp's constructor makes, attribute for attribute."""
from __future__ import annotations

import pytest
from aiohttp import web

from emulator.core.responses import bytes_response

CASES = [
    (b"{}\n", 200, None, "application/json"),
    (b"", 404, {"Retry-After": "1"}, "application/json"),
    (b"<Error/>", 404, {"Content-Type": "application/xml", "Server": "tencent-cos", "x-cos-request-id": "abc"}, None),
    (b"log line\n", 200, None, "text/plain"),
    (b"x" * 5000, 201, {"Location": "/a"}, "application/vnd.kubernetes.protobuf"),
    (b"odd", 599, None, None),  # a status without a reason phrase
]


@pytest.mark.parametrize("body, status, headers, content_type", CASES)
def test_the_same_response_as_aiohttps_constructor(body, status, headers, content_type) -> None:
    made = bytes_response(body, status, headers, content_type)
    expected = web.Response(body=body, status=status, headers=headers, content_type=content_type)
    assert type(made) is web.Response
    mine, theirs = vars(made), vars(expected)
    assert mine.keys() == theirs.keys()
    for name, value in theirs.items():
        assert type(mine[name]) is type(value) and mine[name] == value, name
    assert list(made.headers.items()) == list(expected.headers.items())
    assert (made.status, made.reason, made.body, made.content_type) == \
        (expected.status, expected.reason, expected.body, expected.content_type)


def test_headers_are_the_answers_own() -> None:
    given = {"Content-Type": "application/xml"}
    made = bytes_response(b"x", 200, given)
    made.headers["X-Request-Id"] = "1"
    assert given == {"Content-Type": "application/xml"}
