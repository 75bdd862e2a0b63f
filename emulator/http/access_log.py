"""The access log: one line per request, formatted directly, a batch at a time."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import IO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # the CLI's format for every log line
FLUSH_SECONDS = 0.05  # one write per batch of lines rather than per event-loop turn ...
FLUSH_LINES = 1000  # ... while a line still shows within a twentieth of a second
# Measured A/B, CPU per request: formatting the line here instead of aiohttp's access logger (part of
# K8s GET 37.2 -> 34.3 us with the per-route layer); batching the writes, K8s GET 33.1 -> 32.6 us; formatting a
# batch's lines when it is written rather than one per request (Xeon: K8s GET 66.2 -> 62.3 us, K8s 404
# 75.8 -> 72.7, COS DescribeJob 72.6 -> 70.0)
MESSAGE = "%s %s %s %.1fms %s %s%s"  # method, target as sent, status, milliseconds, request id, service.operation,
# and " fault=<rule id>" when a fault rule answered


class AccessLog:
    """Writes the lines `logging` would write with LOG_FORMAT on a plain stream handler, without its cost.

    Lines wait in a buffer for at most FLUSH_SECONDS or FLUSH_LINES lines, whichever comes first
    (another record logged in between writes them first, so the order of lines is kept; `close`
    writes what is left). Where logging is set up otherwise (other handlers,
    formats, filters), `handler` is None and each line goes through `logger.info` as usual.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.handler = _plain_stream_handler(logger)
        self._lines: list[tuple] = []  # each request's values: its line is formatted when the batch is written
        self._second = -1
        self._stamp = ""
        self._line = f"%s,%03d INFO {logger.name}: {MESSAGE}\n"  # LOG_FORMAT's line, filled in per request when written
        if self.handler is not None:
            self.handler.addFilter(self._flush_first)

    def close(self) -> None:
        self.flush()
        if self.handler is not None:
            self.handler.removeFilter(self._flush_first)

    def request(self, method: str, target: str, status: int, milliseconds: float, request_id: str,
                operation: str = "-", fault: int | None = None) -> None:
        """One request's line: method, target as sent, status, milliseconds, the id the journal keeps ('-': admin),
        `service.operation` ('-': admin) and the fault rule that answered, if one did."""
        if self.handler is None:
            marked = "" if fault is None else f" fault={fault}"
            self.logger.info(MESSAGE, method, target, status, milliseconds, request_id, operation, marked)
            return
        if not self._lines:
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
        self._lines.append((time.time(), method, target, status, milliseconds, request_id, operation, fault))
        if len(self._lines) >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        if self._lines and self.handler is not None:
            rows, self._lines = self._lines, []
            text = "".join([self._format(*row) for row in rows])
            stream: IO[str] = self.handler.stream
            with self.handler.lock:  # type: ignore[union-attr]
                stream.write(text)
                stream.flush()

    def _format(self, now: float, method: str, target: str, status: int, milliseconds: float, request_id: str,
                operation: str, fault: int | None) -> str:
        second = int(now)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return self._line % (self._stamp, (now - second) * 1000, method, target, status, milliseconds, request_id,
                             operation, "" if fault is None else f" fault={fault}")

    def _flush_first(self, _record: logging.LogRecord) -> bool:
        self.flush()
        return True


def _plain_stream_handler(logger: logging.Logger) -> logging.StreamHandler | None:
    """The one handler a record of `logger` reaches, when it is a stream handler with LOG_FORMAT and nothing else
    (no filters, no other handler, no level above INFO) could change what is written."""
    handlers: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        handlers += current.handlers
        current = current.parent if current.propagate else None
    if len(handlers) != 1:
        return None
    handler = handlers[0]
    formatter = handler.formatter
    if (type(handler) is not logging.StreamHandler or handler.filters or handler.level > logging.INFO
            or type(formatter) is not logging.Formatter or formatter._fmt != LOG_FORMAT
            or formatter.datefmt is not None or formatter.converter is not time.localtime
            or formatter.default_msec_format != "%s,%03d"):
        return None
    return handler
