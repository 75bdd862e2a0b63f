"""One emulator's state and lifetime: core objects, services, journal, faults, and the clock ticker."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from aiohttp import web

from emulator.core import transitions
from emulator.core.clock import Clock, rfc3339
from emulator.core.errors import FixtureError
from emulator.core.fixture_memo import FixtureMemo
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.runtime import fixture_files, state_file
from emulator.runtime.events import Events
from emulator.runtime.faults import Fault, Faults
from emulator.runtime.journal import Entry, Journal, describe
from emulator.services.catalog import create_services
from emulator.services.protocol import Core, Service
from emulator.settings import Settings

log = logging.getLogger("emulator")
TICK_SECONDS = 0.2  # how often a live clock runs what fell due


class Emulator:
    """One emulator's state: core objects, services, and the fixture documents reset goes back to."""

    def __init__(self, settings: Settings, fixture_memo: FixtureMemo | None = None) -> None:
        """`fixture_memo`: one shared with other emulators that load the same fixture documents (its own if none)."""
        self.settings = settings
        self.core = Core(Store(), Clock(settings.clock_start, settings.clock_frozen), Ids(settings.id_seed), settings,
                         FixtureMemo() if fixture_memo is None else fixture_memo)
        self.core.store.collection(transitions.HISTORY)  # there from the start, so a reset leaves the state as it began
        self.services: dict[str, Service] = {s.name: s for s in create_services(self.core)}
        self.journal = Journal(settings.journal_size, settings.journal_bodies)
        self._saving = asyncio.Lock()  # one state file write at a time, in the order they were asked for
        self.faults = Faults()
        self.events = Events(settings.max_event_streams, settings.event_buffer)
        self.events.hooks = (self._watch, self._unwatch)
        folder = settings.fixtures_dir
        self.fixture_documents = fixture_files.read_folder(folder) if folder else []
        if folder and not self.fixture_documents:
            log.warning("the fixture folder %s holds no fixture documents: starting empty", folder)
        saved = None
        if settings.state_file:
            saved = state_file.read(settings.state_file)
            state_file.check_writable(settings.state_file)
        self._reset(load_fixtures=saved is None)
        if saved is not None:
            state_file.restore(self.core, self.services.values(), saved, settings.state_file)
        self.source = (f"state file {settings.state_file}" if saved is not None
                       else f"fixtures {folder}" if folder else "no fixtures")

    def reset(self, load_fixtures: bool = True, clock: datetime | None = None, frozen: bool | None = None) -> None:
        """Everything back to how the process started: fixtures, clock, ids, revisions, journal, faults.

        `clock` and `frozen` place the clock first, so the fixtures load at that time.
        """
        self._reset(load_fixtures, clock, frozen)
        self.events.publish("reset", {"fixtures": load_fixtures})
        self.events.latest("clock", self.clock_state)
        self.events.latest("faults", self.fault_list)
        log.info("reset: %s, clock %s%s", f"{len(self.fixture_documents)} fixture documents loaded"
                 if load_fixtures else "empty", rfc3339(self.core.clock.now()),
                 " (frozen)" if self.core.clock.frozen else "")

    def _reset(self, load_fixtures: bool = True, clock: datetime | None = None, frozen: bool | None = None) -> None:
        self.journal.clear()
        self.faults.clear()
        self.core.store.reset()
        self.core.clock.reset(clock, frozen)
        self.core.ids.reset()
        for service in self.services.values():
            service.reset()
        if load_fixtures:
            with self.core.fixtures.reloading():
                fixture_files.apply(self.fixture_documents, self.services)

    def load(self, documents: list[fixture_files.Document]) -> int:
        """Fixture documents through the create paths, all or nothing: after a FixtureError the store is as it was,
        and so is what the services keep beside it (a COS object's bytes, a Pod's owner, a watch event not yet
        sent: the load never pauses, so none is). How many were loaded."""
        before = self.core.store.checkpoint()
        try:
            return fixture_files.apply(documents, self.services)
        except FixtureError:
            self.core.store.rollback(before)
            for service in self.services.values():
                service.rolled_back()
            self.events.publish("resync", {"reason": "a refused fixture batch was rolled back"})  # read it all again
            raise

    def save(self) -> Path:
        """Write the state file now; its path. OSError if it cannot be written, ValueError without a state file."""
        path = self.settings.state_file
        if path is None:
            raise ValueError("no state file is configured")
        document = state_file.capture(self.core, copy=False)
        state_file.write(path, document)
        self._saved(path, document)
        return path

    async def save_off_loop(self) -> Path:
        """`save`, with only the store's view taken on the event loop: the file is serialised and written in a
        thread, so requests go on meanwhile (100k jobs: see tests/runtime/test_snapshot_off_loop.py)."""
        path = self.settings.state_file
        if path is None:
            raise ValueError("no state file is configured")
        document = state_file.capture(self.core, copy=False)
        async with self._saving:
            await asyncio.to_thread(state_file.write, path, document)
        self._saved(path, document)
        return path

    def _saved(self, path: Path, document: dict) -> None:
        log.info("state saved to %s (revision %d, clock %s)", path, document["store"]["revision"],
                 rfc3339(datetime.fromisoformat(document["clock"]["now"])))

    def clock_state(self) -> dict:
        clock = self.core.clock
        return {"now": rfc3339(clock.now()), "frozen": clock.frozen}

    def fault_list(self) -> dict:
        return {"faults": [rule.describe() for rule in self.faults.rules]}

    def add_fault(self, body: dict) -> Fault:
        rule = self.faults.add(body)
        self.events.latest("faults", self.fault_list)
        return rule

    def clear_faults(self) -> None:
        self.faults.clear()
        self.events.latest("faults", self.fault_list)

    def clear_journal(self) -> None:
        self.journal.clear()
        self.events.publish("journal-cleared", {})

    def _watch(self, events: Events) -> None:
        """The first event stream opened: tell it of store writes, journal entries and fault rules' counts."""
        self.core.store.listen(events.changed)

        def shown(entry: Entry) -> dict:
            described = describe(entry[:-1] + (None,))  # bodies stay in the journal: GET /_emulator/requests has them
            described["bodies"] = entry[-1] is not None
            return described

        events.follow(self.journal.entries, shown)  # streams read new entries there, describing only those written
        self.journal.tell(events.journaled)
        self.faults.counted = lambda: events.latest("faults", self.fault_list)

    def _unwatch(self) -> None:
        self.core.store.listen(None)
        self.journal.tell(None)
        self.faults.counted = None

    def move_clock(self, frozen: bool | None = None, moment: datetime | None = None,
                   seconds: float | None = None) -> None:
        """Freeze or run the clock, set it, then advance it (each when given), running every step that falls due;
        one log line per move. ValueError when advancing goes past what the clock can show."""
        clock = self.core.clock
        if frozen is not None and frozen != clock.frozen:
            clock.freeze(frozen)
            log.info("clock %s at %s", "frozen" if frozen else "running", rfc3339(clock.now()))
        if moment is not None:
            before = clock.now()
            clock.set(moment)
            log.info("clock set: %s -> %s", rfc3339(before), rfc3339(clock.now()))
        if seconds is not None:
            clock.advance(seconds)  # advancing by 0 still runs what is due now
            log.info("clock advanced by %g s to %s", seconds, rfc3339(clock.now()))
        self.events.latest("clock", self.clock_state)

    def close(self) -> None:
        """End what keeps connections open (watch streams), so the server can stop at once."""
        for service in self.services.values():
            service.close()
        self.events.close()

    def service_for(self, path: str) -> Service | None:
        """The service whose prefixes the path starts with."""
        for service in self.services.values():
            if path.startswith(service.prefixes):
                return service
        return None


EMULATOR = web.AppKey("emulator", Emulator)


def tick(clock: Clock) -> None:
    """One beat of the ticker: run what is due on a live clock; whatever fails is logged, never raised."""
    try:
        if not clock.frozen:
            clock.run_due()
    except Exception:  # the ticker must outlive any failure, or no job would progress again
        log.exception("the clock ticker failed to run the due callbacks")


async def clock_ticker(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context: run the clock's due callbacks while it is live (advance() moves a frozen one)."""
    clock = app[EMULATOR].core.clock
    loop = asyncio.get_running_loop()
    woken = False

    def wake() -> None:  # a callback is due already (a Job just created): run it on the loop's next turn
        nonlocal woken
        if not woken:
            woken = True
            loop.call_soon(run_woken)

    def run_woken() -> None:
        nonlocal woken
        woken = False
        tick(clock)

    async def ticker() -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            tick(clock)

    clock.wake = wake
    task = asyncio.create_task(ticker())
    yield
    clock.wake = None
    task.cancel()


async def state_keeper(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context that saves every `snapshot_interval` seconds while serving, and once more on stop.

    Each save takes the store's view on the event loop, so it is the state of one revision, and writes it in a
    thread (`Emulator.save_off_loop`).
    """
    emulator = app[EMULATOR]
    settings = emulator.settings
    saves = logging.getLogger("emulator.state")

    async def save_logged(when: str) -> None:
        try:
            await emulator.save_off_loop()
        except OSError as error:
            saves.error("could not save the state %s to %s: %s", when, settings.state_file, error)

    async def every_interval(seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await save_logged("on the interval")

    held = state_file.lock(settings.state_file) if settings.state_file else None  # StateFileError: in use
    task = None
    if settings.state_file and settings.snapshot_interval:
        task = asyncio.create_task(every_interval(settings.snapshot_interval))
    yield
    if task is not None:
        task.cancel()
    if settings.state_file:
        await save_logged("on stop")
    if held is not None:
        state_file.unlock(held)


async def close_streams(app: web.Application) -> None:
    app[EMULATOR].close()
