"""GET /_emulator/events: the dashboard's server-sent events, in process (aiohttp's client reads the stream)."""
from __future__ import annotations

import asyncio
import json
import logging

from emulator.runtime.emulator import EMULATOR

BOUND = 10.0  # seconds any one awaited event may take
TOKEN = "events-s3cret"
JOB = {"metadata": {"name": "nightly"}, "spec": {"template": {"spec": {
    "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}


class Reader:
    """The events of one open stream, parsed: (name, data) in order."""

    def __init__(self, response) -> None:
        self.response = response
        self.seen: list[tuple[str, object]] = []
        self.comments: list[str] = []

    async def next(self) -> tuple[str, object]:
        name, data = "message", None
        while True:
            line = (await asyncio.wait_for(self.response.content.readline(), BOUND)).decode()
            assert line, f"the stream ended; seen {self.seen}"
            line = line.rstrip("\n")
            if line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                self.seen.append((name, data))
                return name, data

    async def until(self, wanted) -> tuple[str, object]:
        """The first event from now for which `wanted(name, data)` holds."""
        while True:
            name, data = await self.next()
            if wanted(name, data):
                return name, data


async def open_stream(client, **headers) -> Reader:
    response = await client.get("/_emulator/events", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "text/event-stream"
    reader = Reader(response)
    assert (await reader.next())[0] == "hello"
    return reader


async def test_the_stream_says_hello_then_tells_job_changes_journal_entries_clock_and_faults(client):
    response = await client.get("/_emulator/events")
    first = await asyncio.wait_for(response.content.readuntil(b"\n\n"), BOUND)
    assert first == b"retry: 2000\n\n"
    reader = Reader(response)
    name, hello = await reader.next()
    assert name == "hello"
    assert hello["clock"] == {"now": "2026-01-01T00:00:00Z", "frozen": True} and hello["faults"] == []

    created = await client.post("/apis/batch/v1/namespaces/default/jobs", json=JOB)
    assert created.status == 201
    _, change = await reader.until(lambda n, d: n == "change" and d["kind"] == "jobs")
    assert change == {"kind": "jobs", "scope": "default", "name": "nightly", "deleted": False}
    _, entry = await reader.until(lambda n, d: n == "journal")
    assert (entry["service"], entry["operation"], entry["status"], entry["fault"]) == \
        ("kubernetes", "createBatchV1NamespacedJob", 201, None)
    assert entry["bodies"] is False and "request_body" not in entry

    assert (await client.post("/_emulator/clock", json={"advance_seconds": 11})).status == 200
    _, pod = await reader.until(lambda n, d: n == "change" and d["kind"] == "pods")
    assert pod["scope"] == "default" and pod["name"].startswith("nightly-")
    _, history = await reader.until(lambda n, d: n == "change" and d["kind"] == "job_transitions")
    assert (history["scope"], history["name"]) == ("kubernetes", "default/nightly")
    _, clock = await reader.until(lambda n, d: n == "clock")
    assert clock == {"now": "2026-01-01T00:00:11Z", "frozen": True}

    rule = await client.post("/_emulator/faults", json={"service": "kubernetes", "operation":
                                                        "readBatchV1NamespacedJob", "status": 503})
    assert rule.status == 201
    _, faults = await reader.until(lambda n, d: n == "faults")
    assert [(f["id"], f["fired"]) for f in faults["faults"]] == [(1, 0)]
    assert (await client.get("/apis/batch/v1/namespaces/default/jobs/nightly")).status == 503
    _, entry = await reader.until(lambda n, d: n == "journal")
    assert (entry["status"], entry["fault"]) == (503, 1)
    _, faults = await reader.until(lambda n, d: n == "faults")
    assert [(f["id"], f["matched"], f["fired"]) for f in faults["faults"]] == [(1, 1, 1)]

    assert (await client.delete("/apis/batch/v1/namespaces/default/jobs/nightly")).status == 200
    await reader.until(lambda n, d: n == "change" and d == {"kind": "jobs", "scope": "default", "name": "nightly",
                                                            "deleted": True})
    assert (await client.delete("/_emulator/requests")).status == 200
    await reader.until(lambda n, d: n == "journal-cleared")
    assert (await client.post("/_emulator/reset")).status == 200
    await reader.until(lambda n, d: n == "reset")
    response.close()


async def test_secrets_are_never_sent(client):
    reader = await open_stream(client)
    emulator = client.app[EMULATOR]
    emulator.core.store.collection("mrs_data_sources_secrets").put("p", "s", {"password": "x"})
    emulator.core.store.collection("jobs").put("p", "marker", {})
    _, change = await reader.until(lambda n, d: n == "change")
    assert change["name"] == "marker"
    reader.response.close()


async def test_nothing_is_watched_while_no_stream_is_open(client):
    emulator = client.app[EMULATOR]
    assert emulator.core.store.collection("jobs").listener is None
    assert emulator.journal.record == emulator.journal.entries.append
    reader = await open_stream(client)
    assert emulator.core.store.collection("jobs").listener is not None
    reader.response.close()
    await asyncio.wait_for(_until_dropped(emulator), BOUND)
    assert emulator.core.store.collection("jobs").listener is None
    assert emulator.journal.record == emulator.journal.entries.append


async def _until_dropped(emulator) -> None:
    while emulator.events.streams:
        emulator.events.latest("clock", emulator.clock_state)  # the next write finds the connection closed
        await asyncio.sleep(0.01)


async def test_a_stream_that_falls_behind_is_told_to_resync_and_memory_stays_bounded(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(event_buffer=5))
    emulator = client.app[EMULATOR]
    reader = await open_stream(client)
    jobs = emulator.core.store.collection("jobs")
    for number in range(20):  # written at once, before the stream's writer runs again
        jobs.put("p", f"job-{number}", {})
    (stream,) = emulator.events.streams
    assert len(stream.queue) == 0 and stream.lost
    name, data = await reader.next()
    assert name == "resync" and "5 events" in data["reason"]
    jobs.put("p", "after", {})
    assert await reader.next() == ("change", {"kind": "jobs", "scope": "p", "name": "after", "deleted": False})
    reader.response.close()


async def test_open_streams_are_capped_with_429_in_the_admin_envelope(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(max_event_streams=2))
    readers = [await open_stream(client) for _ in range(2)]
    refused = await client.get("/_emulator/events")
    assert refused.status == 429
    body = await refused.json()
    assert body["code"] == 429 and body["error"] == "TooManyRequests" and "--max-event-streams" in body["message"]
    for reader in readers:
        reader.response.close()


async def test_the_admin_token_is_wanted_in_the_header_and_never_logged(aiohttp_client, make_app, caplog):
    client = await aiohttp_client(make_app(admin_token=TOKEN))
    assert (await client.get("/_emulator/events")).status == 401
    assert (await client.get("/_emulator/events", params={"token": TOKEN})).status == 401  # not in the URL
    with caplog.at_level(logging.DEBUG):
        reader = await open_stream(client, **{"X-Emulator-Admin-Token": TOKEN})
        await client.get("/apis/batch/v1/namespaces/default/jobs", headers={"X-Emulator-Admin-Token": TOKEN})
        await reader.until(lambda n, d: n == "journal")
        reader.response.close()
    assert TOKEN not in caplog.text and TOKEN not in json.dumps(client.app[EMULATOR].journal.list())


async def test_a_live_clock_is_sent_every_second(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(clock_frozen=False))
    reader = await open_stream(client)
    name, clock = await reader.next()
    assert name == "clock" and clock["frozen"] is False
    reader.response.close()


async def test_stopping_the_emulator_ends_its_streams(client):
    reader = await open_stream(client)
    client.app[EMULATOR].close()
    assert await asyncio.wait_for(reader.response.content.read(), BOUND) == b""


def test_the_openapi_document_lists_the_stream():
    from emulator.admin.openapi import ADMIN, NOT_JSON

    assert ADMIN[("GET", "/_emulator/events")] == ("events", None)
    assert NOT_JSON["/_emulator/events"][1] == "text/event-stream"


async def test_a_refused_fixture_batch_tells_the_stream_to_read_everything_again(client):
    reader = await open_stream(client)
    refused = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "refused"}}, {"service": "none"}]
    assert (await client.post("/_emulator/fixtures", json=refused)).status == 400
    name, data = await reader.until(lambda name, data: name == "resync")
    assert data == {"reason": "a refused fixture batch was rolled back"}
