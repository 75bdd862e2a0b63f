"""A snapshot is serialised and written off the event loop, so requests go on meanwhile (benchmarks/snapshot_delay.py
measures how long they wait)."""
from __future__ import annotations

import asyncio
import gc
import threading
from collections import Counter

from emulator.http.app import create_app
from emulator.runtime import state_file
from emulator.runtime.emulator import EMULATOR
from emulator.settings import Settings

JOBS = 20_000


def fill(emulator, count: int) -> None:
    """`count` copies of a fixture job, straight into the store (names in key order, so each put appends)."""
    jobs = emulator.core.store.collection("jobs")
    template = next(iter(jobs._objects.values()))
    for number in range(count):
        name = f"bulk-{number:06d}"
        jobs.put("zz-bulk", name, {**template, "metadata": {**template["metadata"], "name": name,
                                                             "namespace": "zz-bulk"}})


async def test_a_snapshot_takes_its_view_on_the_loop_and_serialises_and_writes_off_it(aiohttp_client, tmp_path,
                                                                                       monkeypatch):
    """What the loop does during a snapshot is counted, not timed (benchmarks/snapshot_delay.py times it): no stored
    object is serialised and nothing is written on the event loop's thread, and requests are answered meanwhile."""
    path = tmp_path / "state.json"
    app = create_app(Settings(clock_frozen=True, state_file=path))
    emulator = app[EMULATOR]
    fill(emulator, JOBS)
    gc.collect()
    client = await aiohttp_client(app)
    loop_thread = threading.get_ident()
    serialised_on, written_on = Counter(), Counter()
    row, fsync = state_file._row, state_file.os.fsync

    def counted_row(entry):
        serialised_on[threading.get_ident() == loop_thread] += 1
        return row(entry)

    def counted_fsync(descriptor):
        written_on[threading.get_ident() == loop_thread] += 1
        return fsync(descriptor)

    monkeypatch.setattr(state_file, "_row", counted_row)
    monkeypatch.setattr(state_file.os, "fsync", counted_fsync)
    saving = asyncio.create_task(client.post("/_emulator/snapshot"))
    answered = 0
    async with asyncio.timeout(120):
        while not saving.done():
            assert (await client.get("/_emulator/health")).status == 200
            answered += 1
        response = await saving
    assert response.status == 200
    total = sum(len(emulator.core.store.collection(kind)) for kind in emulator.core.store.kinds())
    assert serialised_on == {False: total} and written_on == {False: 2}  # the file, then its folder
    assert answered >= 10  # a snapshot that stopped the world would let none through
    saved = state_file.read(path)
    assert len(saved["store"]["collections"]["jobs"]) == len(emulator.core.store.collection("jobs")) >= JOBS


def test_the_chunked_encoding_reads_back_as_the_state_it_wrote(tmp_path):
    app = create_app(Settings(clock_frozen=True, state_file=tmp_path / "state.json"))
    emulator = app[EMULATOR]
    fill(emulator, 600)  # more than two chunks
    emulator.save()
    saved = state_file.read(tmp_path / "state.json")
    expected = emulator.core.store.snapshot()
    assert saved["store"]["revision"] == expected["revision"]
    assert {kind: sorted(rows) for kind, rows in saved["store"]["collections"].items()} == {
        kind: sorted(rows) for kind, rows in expected["collections"].items()}
