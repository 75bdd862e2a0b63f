"""The connection guard against a real emulator process, over raw sockets: slow header sections and bodies are
closed at their timeouts, idle keep-alive connections at theirs, a header section over its bound gets 431, and
connections over --max-connections are refused at once and counted in the log."""
from __future__ import annotations

import socket
import tempfile
import time

import pytest

from live_process import emulator_process

TIMEOUTS = ("--header-timeout", "0.5", "--body-timeout", "0.5", "--idle-timeout", "2")  # idle apart from header
JOB = "/apis/batch/v1/namespaces/namespace-test/jobs/pi"


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def closed_within(connection: socket.socket, seconds: float) -> tuple[float, bytes]:
    """Read until the server closes the connection (bounded): how long that took, and what it sent."""
    started, answer = time.monotonic(), b""
    connection.settimeout(seconds)
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return time.monotonic() - started, answer


@pytest.fixture(scope="module")
def guarded():
    with tempfile.NamedTemporaryFile("a+") as log:  # appended to, so reading it elsewhere moves nothing
        with emulator_process(*TIMEOUTS, "--max-header-section-bytes", "65536", "--max-connections", "40",
                              "--log-level", "info", log=log) as (pid, base):
            yield base, log


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\n", b"GET " + JOB.encode() + b" HTTP/1.1\r\nHost: x\r\nX-A: 1"])
def test_a_header_section_not_whole_within_the_timeout_is_closed(guarded, sent):
    base, _ = guarded
    with connect(base) as connection:
        connection.sendall(sent)
        took, answer = closed_within(connection, 5)
    assert answer == b"" and took < 0.5 + 1.5, (took, answer)  # the timeout and at most a sweep tick or two


def test_a_header_trickled_byte_by_byte_is_closed_at_the_timeout_too(guarded):
    base, _ = guarded
    with connect(base) as connection:
        started = time.monotonic()
        connection.sendall(b"GET / HTTP/1.1\r\n")
        try:
            while time.monotonic() - started < 5:  # slowloris: a byte every 50 ms, never the blank line
                connection.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass
        took = time.monotonic() - started
    assert took < 0.5 + 1.5, took


def test_a_body_not_whole_within_the_timeout_gets_408(guarded):
    base, _ = guarded
    with connect(base) as connection:
        connection.sendall(b"PATCH " + JOB.encode() + b"/status HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           b"application/merge-patch+json\r\nContent-Length: 100\r\n\r\n{\"status\":")
        took, answer = closed_within(connection, 5)
    assert answer.startswith(b"HTTP/1.1 408 ") and took < 0.5 + 1.5, (took, answer)


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(guarded):
    base, _ = guarded
    with connect(base) as connection:
        connection.sendall(b"GET " + JOB.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        took, answer = closed_within(connection, 5)
    assert answer.startswith(b"HTTP/1.1 200 ") and 2 - 0.2 < took < 2 + 1.5, (took, answer[:100])


def test_a_header_section_over_its_bound_gets_431_and_is_closed(guarded):
    base, _ = guarded
    with connect(base) as connection:
        lines = b"".join(b"X-Many-%d: %s\r\n" % (n, b"v" * 1000) for n in range(100))  # 100 KB, each line short
        connection.sendall(b"GET " + JOB.encode() + b" HTTP/1.1\r\nHost: x\r\n" + lines)
        took, answer = closed_within(connection, 5)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_a_request_that_keeps_its_pace_is_answered(guarded):
    base, _ = guarded
    with connect(base) as connection:
        connection.sendall(b"GET " + JOB.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        _, answer = closed_within(connection, 5)
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_connections_over_the_cap_are_refused_at_once_and_logged(guarded):
    base, log = guarded
    held = [connect(base) for _ in range(40)]
    try:
        for connection in held:
            connection.sendall(b"G")  # each one open, mid-header
        refused = 0
        for _ in range(5):
            with connect(base) as extra:
                took, answer = closed_within(extra, 5)
                refused += took < 0.3 and answer == b""
        assert refused == 5
    finally:
        for connection in held:
            connection.close()
    deadline = time.monotonic() + 5
    while "over --max-connections" not in (text := open(log.name).read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "refused 1 connection(s) over --max-connections (40 open)" in text, text[-2000:]
    with connect(base) as connection:  # room again once they are gone
        connection.sendall(b"GET " + JOB.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        _, answer = closed_within(connection, 5)
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_parser_refusals_are_one_warning_line_each_without_traceback(guarded):
    base, log = guarded
    for bad in (b"GET / HTTP/1.1\r\nX-Nul: a\x00b\r\n\r\n", b"NOT A REQUEST LINE\r\n\r\n",
                b"GET / HTTP/1.1\nHost: x\n\n"):
        with connect(base) as connection:
            connection.sendall(bad)
            _, answer = closed_within(connection, 5)
        assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0], answer[:200]
    time.sleep(0.2)
    text = open(log.name).read()
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
    assert "malformed request(s) at the HTTP parser" in text
