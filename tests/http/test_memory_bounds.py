"""What a client sends is not kept beyond its answer: refused long URLs leave neither the router's cache nor the
journal bigger (RSS of an emulator process of the test's own, bounded loops, 127.0.0.1 only)."""
from __future__ import annotations

import json
import socket
import urllib.request

from emulator.runtime.journal import ENTRY_TARGET_BYTES
from live_process import emulator_process, rss_bytes

MIB = 1 << 20
LONG = 1_000_000  # under the parser's 1 MiB line ceiling, so the emulator's layer answers it (431)


def send(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_refused_long_urls_leave_no_memory_behind():
    with emulator_process("--journal-size", "1000") as (pid, base):
        port = int(base.rsplit(":", 1)[1])
        targets = [f"/apis/batch/v1/namespaces/default/jobs/{{}}{'n' * LONG}",  # a route: 431 after routing
                   f"/nowhere/{{}}{'n' * LONG}?q={'q' * 1000}"]  # a routing miss
        for serial in range(10):  # warm-up: the parser's buffers, the first allocations
            send(port, targets[serial % 2].format(serial))
        before = rss_bytes(pid)
        statuses = {send(port, targets[serial % 2].format(serial)) for serial in range(10, 130)}
        after = rss_bytes(pid)
        with urllib.request.urlopen(base + "/_emulator/requests", timeout=30) as response:
            journal = json.loads(response.read())["requests"]
    assert statuses == {b"HTTP/1.1 431 Request Header Fields Too Large"}, statuses
    assert len(journal) == 130
    assert all(len(entry["path"]) + len(entry["query"]) < ENTRY_TARGET_BYTES + 100 and "...[cut " in
               entry["path"] + entry["query"] for entry in journal)
    # Kept, the 120 URLs would be ~115 MiB in the journal, as much again in the router's cache, and several
    # times that in yarl's URL caches (measured before: +1 MiB per request, over +60 MiB in this loop).
    assert after - before < 8 * MIB, (before / MIB, after / MIB)

