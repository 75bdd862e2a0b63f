"""Bounded watches: one watch too many gets 429, and a watcher that stops reading is cut off with bounded memory."""
from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request

from live_process import emulator_process, rss_bytes
from waiting import wait_until, wait_until_async

from emulator.services.kubernetes.watch import CLOSED, WatchHub

NS, NAME = "ns-12130306-s", "jobs-12130306"
JOB = f"/apis/batch/v1/namespaces/{NS}/jobs/{NAME}"
WATCH = f"/apis/batch/v1/namespaces/{NS}/jobs?watch=true&fieldSelector=metadata.name%3D{NAME}"
MIB = 1024 * 1024


async def open_watches(client) -> int:
    return (await (await client.get("/_emulator/health")).json())["services"]["kubernetes"]["watches"]


async def test_one_watch_more_than_the_limit_gets_429_too_many_requests(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(max_watches=2))
    first, second = await client.get(WATCH), await client.get("/apis/batch/v1/jobs?watch=1")
    assert first.status == second.status == 200
    refused = await client.get("/apis/batch/v1/jobs?watch=true")
    assert refused.status == 429 and refused.headers["Retry-After"] == "1"
    assert await refused.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Too many requests, please try again later.", "reason": "TooManyRequests",
        "details": {"retryAfterSeconds": 1}, "code": 429}
    assert (await client.get("/apis/batch/v1/jobs")).status == 200  # lists are not watches
    first.close()

    async def one_left() -> bool:  # the server notices the closed connection some time after the close
        return await open_watches(client) == 1

    await wait_until_async(one_left, "the closed watch to end (one open watch left)")
    third = await client.get(WATCH)
    assert third.status == 200
    second.close()
    third.close()


def call(base: str, method: str, path: str, body: object, content_type: str) -> dict:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def watches(base: str) -> int:
    with urllib.request.urlopen(base + "/_emulator/health", timeout=30) as response:
        return json.loads(response.read())["services"]["kubernetes"]["watches"]


def closed_by_server(sock: socket.socket) -> bool:
    """Read what is left until the server's end of the connection (EOF or reset); False on a timeout."""
    sock.settimeout(10)
    try:
        while sock.recv(1 << 20):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def test_a_watcher_that_stops_reading_is_cut_off_and_memory_stays_bounded():
    buffer = 16
    with emulator_process("--frozen-clock", "2026-01-01T00:00:00Z", "--watch-buffer", str(buffer),
                          "--watch-history", str(buffer)) as (pid, base):
        # Big events (a 200 kB annotation), so the socket buffers fill after a few dozen of them.
        call(base, "PATCH", JOB, {"metadata": {"annotations": {"filler": "x" * 200_000}}},
             "application/merge-patch+json")
        port = urllib.parse.urlsplit(base).port
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the client reads nothing
        sock.connect(("127.0.0.1", port))
        with sock:
            sock.sendall(f"GET {WATCH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            wait_until(lambda: watches(base) == 1, "the raw socket's watch to be open")
            before = rss_bytes(pid)
            patches = 0
            while watches(base) and patches < 1000:
                for _ in range(10):
                    patches += 1
                    call(base, "PATCH", JOB + "/status", {"status": {"active": patches}}, "application/merge-patch+json")
            after = rss_bytes(pid)
            assert watches(base) == 0, f"still watching after {patches} events"
            assert closed_by_server(sock)
        print(f"cut off after {patches} events of 200 kB; RSS {before / MIB:.1f} -> {after / MIB:.1f} MiB")
        # Queued events share the stored objects and the stuck write holds one event at most: what grows
        # is a few serialisations in flight, far below the 1.2 MB a 16-event queue of copies would be.
        assert after - before < 16 * MIB


def test_a_watcher_that_falls_behind_is_dropped_after_its_queued_events_and_its_stream_told():
    hub = WatchHub(history=10, buffer=2)
    watcher = hub.subscribe(None, None, None)
    cut = []
    watcher.cut_off = lambda: cut.append(True)
    for revision in (1, 2, 3, 4):
        hub.publish("MODIFIED", {"metadata": {"namespace": NS, "name": NAME}}, None, revision)
    assert not hub.watchers and cut == [True]  # dropped once, at the third event
    items = [watcher.queue.get_nowait() for _ in range(watcher.queue.qsize())]
    assert [item and item[0] for item in items] == ["ADDED", "ADDED", CLOSED]
