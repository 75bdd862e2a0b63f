"""The request journal: the most recent requests, bounded, for tests to inspect."""
from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

from yarl import URL

from emulator.core.clock import rfc3339


class Journal:
    """The last `size` requests, oldest first; entries are formatted only when read."""

    def __init__(self, size: int) -> None:
        self.entries: deque[tuple] = deque(maxlen=size)

    def record(self, when: datetime, service: str, operation: str, method: str, url: URL,
               status: int, duration_ms: float, request_id: str) -> None:
        """`url` is the request's (relative) URL as parsed: its path and query are decoded only when read."""
        self.entries.append((when, service, operation, method, url, status, duration_ms, request_id))

    def clear(self) -> None:
        self.entries.clear()

    def list(self, service: str | None = None, operation: str | None = None) -> list[dict[str, Any]]:
        return [
            {"time": rfc3339(when), "service": svc, "operation": op, "method": method, "path": url.path,
             "query": url.query_string, "status": status, "duration_ms": round(ms, 3), "request_id": request_id}
            for when, svc, op, method, url, status, ms, request_id in self.entries
            if (service is None or svc == service) and (operation is None or op == operation)
        ]
