"""The connection guard: a cap on open connections, header-read and body-read timeouts, a header-section bound.

aiohttp's server has none of these (only an idle keep-alive timer), so one client could hold a
connection forever with a half-sent header section or body, or open sockets until the process runs
out of file descriptors. Each connection's protocol is wrapped here; a sweep once per tick closes the
ones past their deadline, so the per-request cost is a clock read and a few attribute stores (no timer
handle per request). Parser refusals (a NUL in a header, a bad request line) are logged as one WARNING
line without a traceback, at most one per second.

It reads four attributes of aiohttp 3's RequestHandler (`_waiter`, `_messages`, `_request_count`,
`_current_request`);
tests/http/test_aiohttp_internals.py fails loudly if an upgrade changes them.
"""
from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from emulator.settings import Settings

log = logging.getLogger("emulator.connections")
FD_RESERVE = 128  # descriptors kept free of connections: the state file, the log, the listening socket, ...


def _plain(status: bytes, text: bytes) -> bytes:
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(text) + text)


TOO_LARGE = _plain(b"431 Request Header Fields Too Large", b"431 Request Header Fields Too Large")
TIMED_OUT = _plain(b"408 Request Timeout", b"408 Request Timeout")


def descriptor_limit() -> int:
    """The soft limit on open files, raised to the hard one first (as Go's runtime does for kube-apiserver)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def max_connections(settings: Settings) -> int:
    """`--max-connections`, or by default what the descriptor limit leaves after FD_RESERVE."""
    return settings.max_connections or max(16, descriptor_limit() - FD_RESERVE)


class _Tally:
    """Counts events and logs them as one WARNING line at most once per `every` seconds."""

    def __init__(self, text: str, every: float = 1.0) -> None:
        self.text, self.every, self.count, self.last = text, every, 0, 0.0

    def add(self, detail: str = "") -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= self.every:
            log.warning(self.text, self.count, detail)
            self.count, self.last = 0, now


class ParserLog(logging.LoggerAdapter):
    """aiohttp's server logger: a request its parser refused is one rate-limited WARNING line, no traceback;
    anything else (a real failure) is logged as aiohttp logs it."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("aiohttp.server"), {})
        self.refusals = _Tally("refused %d malformed request(s) at the HTTP parser, the last: %s")

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, HttpProcessingError):
            self.refusals.add(f"{exc_info.code} {exc_info.message!s}".replace("\n", " ")[:200])
            return
        super().exception(msg, *args, exc_info=exc_info, **kwargs)


class _Guarded(asyncio.Protocol):
    """One connection: aiohttp's protocol behind it, and where the reading of its current request stands."""

    __slots__ = ("guard", "handler", "transport", "head_since", "head_bytes", "requests", "body_since")

    def __init__(self, guard: ConnectionGuard, handler: Any) -> None:
        self.guard, self.handler, self.transport = guard, handler, None
        self.head_since: float | None = None  # a header section is being read since then
        self.head_bytes = 0
        self.requests = 0
        self.body_since: float | None = None  # a request's body is being read since then

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        guard = self.guard
        if len(guard.open) >= guard.limit:
            transport.abort()  # refused at once: no descriptor is held for it
            guard.refused.add(f"{guard.limit} open")
            return
        self.transport = transport
        guard.open.add(self)
        self.head_since, self.requests = guard.clock(), 0
        self.handler.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        handler = self.handler
        if self.head_since is None and handler._waiter is not None and not handler._messages:
            self.head_since, self.head_bytes, self.requests = self.guard.clock(), 0, handler._request_count
        if self.head_since is not None:
            self.head_bytes += len(data)
        handler.data_received(data)
        if self.head_since is not None:
            if handler._request_count != self.requests:  # the header section is complete
                self.head_since = None
            elif self.head_bytes > self.guard.section_limit:
                self.refuse(TOO_LARGE, self.guard.too_large, f"over {self.guard.section_limit} bytes")

    def refuse(self, answer: bytes, tally: _Tally, detail: str) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(answer)
            transport.close()
        tally.add(detail)

    def eof_received(self) -> bool | None:
        return self.handler.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.open.discard(self)
        if self.transport is not None:
            self.handler.connection_lost(exc)

    def pause_writing(self) -> None:
        self.handler.pause_writing()

    def resume_writing(self) -> None:
        self.handler.resume_writing()


class ConnectionGuard:
    """The protocol factory in front of aiohttp's: caps open connections and ends the ones too slow to send."""

    def __init__(self, factory: web.Server, settings: Settings) -> None:
        self.factory = factory
        self.limit = max_connections(settings)
        self.header_timeout = settings.header_timeout
        self.body_timeout = settings.body_timeout
        self.section_limit = settings.max_header_section_bytes
        self.open: set[_Guarded] = set()
        self.clock = time.monotonic
        self.refused = _Tally("refused %d connection(s) over --max-connections (%s)")
        self.too_large = _Tally("refused %d header section(s) %s (--max-header-section-bytes)")
        self.slow_head = _Tally("closed %d connection(s) that sent no whole header section %s (--header-timeout)")
        self.slow_body = _Tally("closed %d connection(s) that sent no whole body %s (--body-timeout)")
        self._sweeper: asyncio.Task | None = None

    def __call__(self) -> _Guarded:
        return _Guarded(self, self.factory())

    def start(self) -> None:
        tick = max(0.05, min(1.0, self.header_timeout / 4, self.body_timeout / 4))
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_every(tick))

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _sweep_every(self, tick: float) -> None:
        while True:
            await asyncio.sleep(tick)
            self.sweep()

    def sweep(self) -> None:
        """Close the connections past a deadline: a header section not whole within header_timeout (closed
        without an answer, as Go's net/http does), a body not whole within body_timeout of its headers (408)."""
        now = self.clock()
        head_deadline, body_deadline = now - self.header_timeout, now - self.body_timeout
        for connection in list(self.open):
            handler = connection.handler
            if connection.head_since is not None:
                if handler._request_count != connection.requests or handler._messages:
                    connection.head_since = None
                elif connection.head_since < head_deadline:
                    connection.head_since = None
                    connection.refuse(b"", self.slow_head, f"within {self.header_timeout:g} s")
                    continue
            request = handler._current_request
            if request is None or request.content.is_eof():
                connection.body_since = None
            elif connection.body_since is None:
                connection.body_since = now
            elif connection.body_since < body_deadline:
                connection.body_since = None
                connection.refuse(b"" if request.writer.output_size else TIMED_OUT, self.slow_body,
                                  f"within {self.body_timeout:g} s")


class GuardedSite(web.TCPSite):
    """aiohttp's TCP site, its connections made through a ConnectionGuard."""

    def __init__(self, runner: web.BaseRunner, settings: Settings, **kwargs: Any) -> None:
        super().__init__(runner, settings.host, settings.port, **kwargs)
        self.settings = settings
        self.guard: ConnectionGuard | None = None

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        self.guard = ConnectionGuard(server, self.settings)
        self.guard.start()
        self._server = await loop.create_server(self.guard, self._host, self._port, backlog=self._backlog,
                                                reuse_address=self._reuse_address, reuse_port=self._reuse_port)

    async def stop(self) -> None:
        if self.guard is not None:
            self.guard.stop()
        await super().stop()
