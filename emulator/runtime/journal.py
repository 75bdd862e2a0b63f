"""The request journal: the most recent requests, bounded, for tests and the dashboard to inspect."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from yarl import URL

from emulator.core.clock import rfc3339

BODY_BYTES = 16 * 1024  # with --journal-bodies, the first this many bytes of each request and response body are kept

ENTRY_TARGET_BYTES = 2048  # path and query kept per entry; a longer target is cut, the cut marked
CUT_MARK = "...[cut %d bytes]"

Entry = tuple[datetime, str, str, str, URL, int, float, str, "int | None", "tuple[bytes, bytes] | None"]
"""(time, service, operation, method, URL as parsed (path and query are decoded when read), status,
duration in ms, request id, the id of the fault rule that answered (None: the emulator did),
(request body, response body) each cut to BODY_BYTES (None: bodies are not kept))."""


def _text(body: bytes) -> str:
    return body[:BODY_BYTES].decode("utf-8", errors="replace")


def bounded(url: URL, raw_target: str) -> URL:
    """The URL to keep for a request: itself, or (past ENTRY_TARGET_BYTES) its first bytes and a mark saying how
    many were cut, so the journal's bytes are bounded as well as its entries (`raw_target`: the request line's)."""
    if len(raw_target) <= ENTRY_TARGET_BYTES:
        return url
    kept = raw_target[:ENTRY_TARGET_BYTES]
    if "%" in kept[-2:]:  # never half an escape
        kept = kept[:kept.rindex("%")]
    path, _, query = kept.partition("?")
    mark = CUT_MARK % (len(raw_target) - len(kept))
    return URL.build(path=path if query else path + mark, query_string=query + mark if query else "", encoded=True)


def describe(entry: Entry) -> dict[str, Any]:
    """One entry as the admin API shows it."""
    when, service, operation, method, url, status, ms, request_id, fault, bodies = entry
    shown = {"time": rfc3339(when), "service": service, "operation": operation, "method": method, "path": url.path,
             "query": url.query_string, "status": status, "duration_ms": round(ms, 3), "request_id": request_id,
             "fault": fault}
    if bodies is not None:
        shown.update(request_body=_text(bodies[0]), response_body=_text(bodies[1]),
                     truncated=len(bodies[0]) > BODY_BYTES or len(bodies[1]) > BODY_BYTES)
    return shown


class Journal:
    """The last `size` requests, oldest first; entries are formatted only when read."""

    def __init__(self, size: int, bodies: bool = False) -> None:
        self.entries: deque[Entry] = deque(maxlen=size)
        self.bodies = bodies  # whether the layer keeps bodies (--journal-bodies)
        self.record = self.entries.append  # one Entry per request; the oldest goes when the journal is full
        # (the layer looks `record` up on each request: the event stream swaps in one that also tells it)

    def tell(self, listener: Callable[[], None] | None) -> None:
        """Also call `listener` after each new entry (None: stop)."""
        if listener is None:
            self.record = self.entries.append
            return
        append = self.entries.append

        def record(entry: Entry) -> None:
            append(entry)
            listener()

        self.record = record

    def clear(self) -> None:
        self.entries.clear()

    def list(self, service: str | None = None, operation: str | None = None,
             status: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The entries that match, oldest first; with `limit`, only the newest `limit` of them."""
        found: list[dict[str, Any]] = []
        for when, svc, op, method, url, code, ms, request_id, fault, bodies in reversed(self.entries):
            if limit is not None and len(found) >= limit:
                break
            if (service is not None and svc != service) or (operation is not None and op != operation) \
                    or (status is not None and code != status):
                continue
            found.append(describe((when, svc, op, method, url, code, ms, request_id, fault, bodies)))
        found.reverse()
        return found
