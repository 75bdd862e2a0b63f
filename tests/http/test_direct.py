"""http/direct.py: a whole answer written at once is the same bytes aiohttp writes, it steps aside where it must, and
the answers of one turn of the loop go out together, in order."""
from __future__ import annotations

import asyncio
import re
from collections import deque
from types import SimpleNamespace

import pytest
from aiohttp import web

from emulator.http.direct import Outbox, send_whole
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
    outbox = Outbox()

    async def answer(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        response = _answers()[name]
        if direct:
            await send_whole(request, response, outbox)
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
        await send_whole(request, response, Outbox())
        seen.append(response.prepared)
        return response

    app = web.Application()
    app.router.add_get("/", answer)
    server = await aiohttp_server(app)
    _, got = await exchange(server.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert got == b"" and seen == [False]


class _Transport:
    """What Outbox asks of a transport, keeping what is written to it (one list for all, to see the order)."""

    def __init__(self, name: str, log: list[tuple[str, bytes]], closing: bool = False) -> None:
        self.name, self.log, self.closing = name, log, closing

    def is_closing(self) -> bool:
        return self.closing

    def write(self, data: bytes) -> None:
        self.log.append((self.name, data))

    def writelines(self, parts: tuple[bytes, ...]) -> None:
        self.log.append((self.name, b"".join(parts)))


def _request(queued: int = 0) -> SimpleNamespace:
    """A request as Outbox sees it: its loop, and its connection's requests read but not yet handled."""
    return SimpleNamespace(_loop=asyncio.get_running_loop(), protocol=SimpleNamespace(_messages=deque([None] * queued)))


async def test_an_outbox_writes_a_turns_answers_together_at_its_end_in_order():
    log: list[tuple[str, bytes]] = []
    outbox = Outbox()
    outbox.put(_request(), _Transport("a", log), b"1")
    outbox.put(_request(), _Transport("b", log), (b"2-head", b"2-body"))
    outbox.put(_request(), _Transport("gone", log, closing=True), b"3")  # the client left: dropped, no error
    assert log == []  # nothing before the turn ends
    await asyncio.sleep(0)  # one turn: the flush was queued before this task's resumption
    assert log == [("a", b"1"), ("b", b"2-head2-body")]
    outbox.put(_request(), _Transport("a", log), b"4")  # the next turn has its own flush
    await asyncio.sleep(0)
    assert log[2:] == [("a", b"4")]


async def test_an_answer_with_a_request_queued_behind_it_goes_at_once_after_what_waits():
    """Pipelining: the connection's next request is handled in this same turn, so its answer must not overtake."""
    log: list[tuple[str, bytes]] = []
    outbox = Outbox()
    outbox.put(_request(), _Transport("b", log), b"waiting")
    outbox.put(_request(queued=1), _Transport("a", log), b"first")
    assert log == [("b", b"waiting"), ("a", b"first")]
    await asyncio.sleep(0)
    assert log == [("b", b"waiting"), ("a", b"first")]  # nothing written twice


async def test_through_an_outbox_a_connection_gets_its_answers_in_order(aiohttp_server):
    """Kept-alive requests one after another, then pipelined, mixing answers written whole with a streamed one:
    each answer follows the one before it on the connection."""
    server = await aiohttp_server(_app(True, []))
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for name in ("plain", "not-found", "plain"):  # one at a time: each read before the next is sent
            writer.write(f"GET /{name} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            assert head.startswith(b"HTTP/1.1 404" if name == "not-found" else b"HTTP/1.1 200"), head
            assert await asyncio.wait_for(reader.readexactly(len(BODY)), 10) == BODY
        for name in ("not-found", "stream"):  # sent apart without waiting: an answer waiting, then a stream's
            writer.write(f"GET /{name} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            await writer.drain()
        writer.write(b"".join(f"GET /{name} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()  # pipelined
                              for name in ("plain", "stream", "not-found", "large"))
                     + b"GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    statuses = re.findall(rb"HTTP/1\.1 (\d+) ", answer)
    assert statuses == [b"404", b"200", b"200", b"200", b"404", b"200", b"200"]
    assert answer.count(BODY) == 1 + 1 + 1 + 1 + 1 + 1000 + 1  # a stream's body is chunked: there whole too
