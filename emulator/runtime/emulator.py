"""One emulator's state and lifetime: core objects, services, journal, faults, and the clock ticker."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from aiohttp import web

from emulator.core.clock import Clock
from emulator.core.ids import Ids
from emulator.core.store import Store
from emulator.runtime import fixture_files, state_file
from emulator.runtime.faults import Faults
from emulator.runtime.journal import Journal
from emulator.services.catalog import create_services
from emulator.services.protocol import Core, Service
from emulator.settings import Settings

log = logging.getLogger("emulator")
TICK_SECONDS = 0.2  # how often a live clock runs what fell due


class Emulator:
    """One emulator's state: core objects, services, and the fixture documents reset goes back to."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core = Core(Store(), Clock(settings.clock_start, settings.clock_frozen), Ids(settings.id_seed), settings)
        self.services: dict[str, Service] = {s.name: s for s in create_services(self.core)}
        self.journal = Journal(settings.journal_size, settings.journal_bodies)
        self.faults = Faults()
        folder = settings.fixtures_dir
        self.fixture_documents = fixture_files.read_folder(folder) if folder else []
        saved = None
        if settings.state_file:
            saved = state_file.read(settings.state_file)
            state_file.check_writable(settings.state_file)
        self.reset(load_fixtures=saved is None)
        if saved is not None:
            state_file.restore(self.core, self.services.values(), saved, settings.state_file)
        self.source = (f"state file {settings.state_file}" if saved is not None
                       else f"fixtures {folder}" if folder else "no fixtures")

    def reset(self, load_fixtures: bool = True, clock: datetime | None = None, frozen: bool | None = None) -> None:
        """Everything back to how the process started: fixtures, clock, ids, revisions, journal, faults.

        `clock` and `frozen` place the clock first, so the fixtures load at that time.
        """
        self.journal.clear()
        self.faults.clear()
        self.core.store.reset()
        self.core.clock.reset(clock, frozen)
        self.core.ids.reset()
        for service in self.services.values():
            service.reset()
        if load_fixtures:
            fixture_files.apply(self.fixture_documents, self.services)

    def save(self) -> Path:
        """Write the state file now; its path. OSError if it cannot be written, ValueError without a state file."""
        path = self.settings.state_file
        if path is None:
            raise ValueError("no state file is configured")
        state_file.write(path, state_file.capture(self.core))
        return path

    def close(self) -> None:
        """End what keeps connections open (watch streams), so the server can stop at once."""
        for service in self.services.values():
            service.close()

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

    async def ticker() -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            tick(clock)

    task = asyncio.create_task(ticker())
    yield
    task.cancel()


async def state_keeper(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context that saves every `snapshot_interval` seconds while serving, and once more on stop.

    Saving runs on the event loop between requests, so every snapshot is a consistent one.
    """
    emulator = app[EMULATOR]
    settings = emulator.settings
    saves = logging.getLogger("emulator.state")

    def save_logged(when: str) -> None:
        try:
            path = emulator.save()
        except OSError as error:
            saves.error("could not save the state %s to %s: %s", when, settings.state_file, error)
        else:
            saves.debug("state saved %s to %s", when, path)

    async def every_interval(seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            save_logged("on the interval")

    task = None
    if settings.state_file and settings.snapshot_interval:
        task = asyncio.create_task(every_interval(settings.snapshot_interval))
    yield
    if task is not None:
        task.cancel()
    if settings.state_file:
        save_logged("on stop")


async def close_streams(app: web.Application) -> None:
    app[EMULATOR].close()
