"""The dashboard's live feed: GET /_emulator/events, a text/event-stream of what changes in the emulator.

Events (each `event: NAME` and one line of JSON `data`): `hello` on connect (the clock, the fault rules and the
store's revision), `change` for each store write ({"kind", "scope", "name", "deleted"}; collections of secrets are
never shown), `journal` for each journaled request (the entry as GET /_emulator/requests shows it, without bodies;
a stream gathers events for 50 ms once woken, then writes the newest 100 journal entries recorded since its last
write, the rows the dashboard shows, read from the journal then),
`journal-cleared`, `clock` after each move (and every second while the clock runs), `faults` (every rule with its
counts) when they change, `reset`, and `resync` when the stream fell more than --event-buffer events behind and
lost them (read everything again). A comment line every 15 s keeps a quiet stream open.

The admin token, when one is set, goes in the X-Emulator-Admin-Token header like every admin call: never in the
URL, so no access log or journal line can show it (the page reads the stream with fetch, not EventSource, which
cannot send a header). At most --max-event-streams are open at once; one more gets 429.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from emulator.core import jsonio
from emulator.core.errors import ApiError
from emulator.runtime.emulator import Emulator

TICK_SECONDS = 1.0  # a running clock is sent this often
BATCH_SECONDS = 0.05  # once woken, a stream gathers what comes for this long and writes it at once
KEEP_ALIVE_TICKS = 15  # ticks with nothing to send before a comment line
RETRY_MS = 2000  # how soon an EventSource reconnects


def frame(name: str, data: object) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + jsonio.dumps(data) + b"\n\n"


async def stream(request: web.Request, emulator: Emulator) -> web.StreamResponse:
    """Write the emulator's events to this request until the client goes or the emulator stops."""
    events = emulator.events
    if events.full():
        raise ApiError(429, "TooManyRequests", f"{events.limit} event streams are open already "
                                               "(--max-event-streams); close one and try again")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    subscriber = events.subscribe()
    try:
        await response.prepare(request)
        hello = {"clock": emulator.clock_state(), **emulator.fault_list(), "revision": emulator.core.store.revision}
        await response.write(b"retry: %d\n\n" % RETRY_MS + frame("hello", hello))
        quiet = 0
        while not subscriber.closed:
            try:
                await asyncio.wait_for(subscriber.wake.wait(), TICK_SECONDS)
            except TimeoutError:
                pass
            if subscriber.closed or request.transport is None or request.transport.is_closing():
                break
            if subscriber.wake.is_set():  # under load one write per event cost the API ~20% of its GET rate
                await asyncio.sleep(BATCH_SECONDS)
            taken = events.take(subscriber)
            if not taken and not emulator.core.clock.frozen:
                taken = [("clock", emulator.clock_state())]
            if taken:
                quiet = 0
                await response.write(b"".join(frame(name, data) for name, data in taken))
            else:
                quiet += 1
                if quiet >= KEEP_ALIVE_TICKS:
                    quiet = 0
                    await response.write(b": keep-alive\n\n")
    except ConnectionResetError:
        pass
    finally:
        events.drop(subscriber)
    return response
