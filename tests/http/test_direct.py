"""http/direct.py: a whole answer written at once is the same bytes aiohttp writes, and it steps aside where it must."""
from __future__ import annotations

import re

import pytest
from aiohttp import web

from emulator.http.direct import send_whole
from tests.raw_http import exchange

BODY = b'{"kind":"Job"}\n'


def _answers() -> dict[str, web.StreamResponse | None]:
    """Each route's response, made fresh per request (None: the route raises instead)."""
    cookie = web.Response(body=BODY, content_type="application/json")
    cookie.set_cookie("session", "x")
    compressed = web.Response(body=BODY * 100, content_type="application/json")
    compressed.enable_compression()
    closing = web.Response(body=BODY)
    closing.force_close()
    return {
        "plain": web.Response(body=BODY, content_type="application/json", headers={"X-Request-Id": "7"}),
        "typeless": web.Response(body=BODY),
        "large": web.Response(body=BODY * 1000, content_type="application/json"),  # head and body in two parts
        "text": web.Response(text="hé", status=201, reason="Made"),
        "empty": web.Response(body=b"", status=200),
        "not-found": web.Response(body=BODY, status=404, content_type="application/json"),
        "no-content": web.Response(status=204),
        "not-modified": web.Response(status=304),
        "length-given": web.Response(body=BODY, headers={"Content-Length": str(len(BODY))}),
        "cookie": cookie,
        "compressed": compressed,
        "closing": closing,
        "stream": web.StreamResponse(status=200),
    }


def _app(direct: bool, written: list[str], prepare_hook: bool = False) -> web.Application:
    async def answer(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        response = _answers()[name]
        if direct:
            await send_whole(request, response)
            if response.prepared:
                written.append(name)
        if name == "stream":
            await response.prepare(request)
            await response.write(BODY)
        return response

    app = web.Application()
    app.router.add_route("*", "/{name}", answer)
    if prepare_hook:
        async def stamp(_request: web.Request, response: web.StreamResponse) -> None:
            response.headers["X-Stamped"] = "1"

        app.on_response_prepare.append(stamp)
    return app


def _pipelined(method: str, name: str, version: str = "1.1", close: bool = False) -> bytes:
    """The request on a kept-alive connection, then again closing it; or once, where the first one already closes."""
    first = f"{method} /{name} HTTP/{version}\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
    if close or version == "1.0":
        return (first + ("Connection: close\r\n\r\n" if close else "\r\n")).encode()
    return (first + f"\r\n{method} /{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()


def _same_date(answer: bytes) -> bytes:
    return re.sub(rb"Date: [^\r]*\r\n", b"Date: -\r\n", answer)


NAMES = list(_answers())
DIRECT = {"plain", "typeless", "large", "text", "empty", "not-found", "length-given"}  # plain keep-alive 1.1 answers


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize("version,close", [("1.1", False), ("1.1", True), ("1.0", False)])
async def test_a_whole_answer_is_the_bytes_aiohttp_writes(aiohttp_server, method, version, close):
    """For every kind of response, method and connection, both servers answer byte for byte the same (but the
    Date); only GET and POST of plain answers on a kept-alive HTTP/1.1 connection are written whole."""
    written: list[str] = []
    plain = await aiohttp_server(_app(False, written))
    direct = await aiohttp_server(_app(True, written))
    for name in NAMES:
        request = _pipelined(method, name, version, close)
        _, expected = await exchange(plain.port, request)
        _, got = await exchange(direct.port, request)
        assert _same_date(got) == _same_date(expected), name
        assert expected.startswith(b"HTTP/1."), name
    kept_alive = version == "1.1" and not close and method != "HEAD"
    assert set(written) == (DIRECT if kept_alive else set())


async def test_it_steps_aside_for_an_application_with_prepare_handlers(aiohttp_server):
    """An on_response_prepare handler (a user's CORS header, say) still sees and changes every response."""
    written: list[str] = []
    server = await aiohttp_server(_app(True, written, prepare_hook=True))
    _, answer = await exchange(server.port, _pipelined("GET", "plain"))
    assert answer.count(b"X-Stamped: 1\r\n") == 2 and answer.count(BODY) == 2
    assert written == []


async def test_it_steps_aside_for_a_closing_connection(aiohttp_server):
    """A connection the client already dropped gets nothing written and no error: aiohttp finds it gone."""
    seen: list[bool] = []

    async def answer(request: web.Request) -> web.StreamResponse:
        request.transport.close()
        response = web.Response(body=BODY)
        await send_whole(request, response)
        seen.append(response.prepared)
        return response

    app = web.Application()
    app.router.add_get("/", answer)
    server = await aiohttp_server(app)
    _, got = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert got == b"" and seen == [False]
