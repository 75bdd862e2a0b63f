"""The request journal: the most recent requests, bounded, for tests to inspect."""
from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

from yarl import URL

from emulator.core.clock import rfc3339


ENTRY_TARGET_BYTES = 2048  # path and query kept per entry; a longer target is cut, the cut marked
CUT_MARK = "...[cut %d bytes]"

Entry = tuple[datetime, str, str, str, URL, int, float, str]
"""(time, service, operation, method, URL as parsed (path and query are decoded when read), status,
duration in ms, request id)."""


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


class Journal:
    """The last `size` requests, oldest first; entries are formatted only when read."""

    def __init__(self, size: int) -> None:
        self.entries: deque[Entry] = deque(maxlen=size)
        self.record = self.entries.append  # one Entry per request; the oldest goes when the journal is full

    def clear(self) -> None:
        self.entries.clear()

    def list(self, service: str | None = None, operation: str | None = None) -> list[dict[str, Any]]:
        return [
            {"time": rfc3339(when), "service": svc, "operation": op, "method": method, "path": url.path,
             "query": url.query_string, "status": status, "duration_ms": round(ms, 3), "request_id": request_id}
            for when, svc, op, method, url, status, ms, request_id in self.entries
            if (service is None or svc == service) and (operation is None or op == operation)
        ]
