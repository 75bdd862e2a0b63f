"""COS response framing: request and trace ids, the common response headers, success and error responses."""
from __future__ import annotations

import itertools
import logging
import math
from binascii import b2a_base64
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

from emulator.core.clock import Clock
from emulator.core.errors import ApiError
from emulator.core.responses import bytes_response
from emulator.services.cos_batch import errors, xmlio

log = logging.getLogger("emulator.cos_batch")
_ERROR_TEMPLATES_KEPT = 256  # the resource is the client's path: a bound on what a stream of odd paths can make kept


def _base64(data: bytes) -> str:
    return b2a_base64(data, newline=False).decode()


class Wire:
    """Builds every COS response of one service: times from the clock, ids from a counter that no reset
    restarts, so no two responses of one emulator share a request id."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._counter = itertools.count(1)
        self.documents = xmlio.FlatDocuments()  # success bodies
        self._date: tuple[int, str, str] = (-1, "", "")  # the second of the last answer and its Date, trace head
        self._error_templates: dict[tuple[str, str, str], str] = {}  # `<Error>` by code, message, resource

    def _now(self) -> tuple[int, str, str]:
        """(unix seconds, HTTP date, trace id head) of the clock's now, made once per second."""
        second = math.floor(self.clock.seconds())
        if second != self._date[0]:
            self._date = (second, format_datetime(datetime.fromtimestamp(second, UTC), usegmt=True),
                          _base64(b"%016x%032x" % (second, second)))
        return self._date

    def _headers(self, error: bool = False) -> dict[str, str]:
        """The common response headers, with this answer's request id, and for an error its trace id (COS sends
        x-cos-trace-id on errors only).

        The request id has the form of real ones: base64 of `<unix seconds hex>_<8 hex>_<4 hex>_<hex>`;
        the trace id is a longer opaque base64 string, as COS's are: a head made once a second joined to the
        request id (formatting bytes and base64 cost ~7k instructions an id, ~3 % of a COS 404).
        """
        seconds, date, trace_head = self._now()
        serial = next(self._counter)
        request_id = _base64(b"%08x_%08x_%04x_%x" % (seconds, serial, serial & 0xFFFF, serial))
        headers = {"Content-Type": "application/xml", "Server": "tencent-cos", "Date": date,
                   "x-cos-request-id": request_id}
        if error:
            headers["x-cos-trace-id"] = trace_head + request_id
        return headers

    def ok(self, root: str, content: Any) -> web.Response:
        return self.ok_bytes(self.documents.dumps(root, content))

    def ok_bytes(self, body: bytes) -> web.Response:
        return bytes_response(body, 200, self._headers())

    def no_content(self) -> web.Response:
        headers = self._headers()
        del headers["Content-Type"]
        return web.Response(status=204, headers=headers)

    def object_response(self, status: int = 200, body: bytes | None = None, headers: dict[str, str] | None = None,
                        xml: bool = False) -> web.Response:
        """An object-API answer: the common headers, Content-Type only for XML bodies unless `headers` give one."""
        common = self._headers()
        if not xml:
            del common["Content-Type"]
        if headers:
            common.update(headers)
        return web.Response(status=status, body=body, headers=common)

    def error(self, request: web.Request, error: ApiError, resource: str | None = None) -> web.Response:
        """The COS `<Error>` document for `error`, with its status; Resource is `resource` when given, else the host
        and raw path (the host alone when the path is `/`)."""
        error = errors.in_cos_terms(error)
        details = error.details
        if details.get("reason"):  # COS's messages are terse ("Invalid parameter"); say which element, in the log only
            log.info("%s %s: %s %s: %s", request.method, request.path, error.code, error.message, details["reason"])
        headers = self._headers(error=True)
        if resource is None:
            path = request.rel_url.raw_path
            resource = request.host + ("" if path == "/" else path)
        body = self._error_body(error, resource, headers)
        if details.get("headers"):  # e.g. x-cos-storage-class on InvalidObjectState
            headers.update(details["headers"])
        return bytes_response(body, error.status, headers)

    def _error_body(self, error: ApiError, resource: str, headers: dict[str, str]) -> bytes:
        """`<Error>` filled in with the answer's ids from a template kept per (code, message, resource); a text
        holding xmlio.SLOT (only a fault rule's can) is written whole."""
        key = (error.code, error.message, resource)
        template = self._error_templates.get(key)
        if template is None:
            resource = xmlio.percent_unsafe(resource)
            if xmlio.SLOT in error.code + error.message:
                return xmlio.dumps("Error", errors.error_content(error, resource, headers["x-cos-request-id"],
                                                                 headers["x-cos-trace-id"]), declaration=True)
            if len(self._error_templates) >= _ERROR_TEMPLATES_KEPT:
                self._error_templates.clear()
            content = errors.error_content(error, resource, xmlio.SLOT, xmlio.SLOT)
            parts = xmlio.template("Error", content, declaration=True)
            template = self._error_templates[key] = "%s".join(part.replace("%", "%%") for part in parts)
        return (template % (headers["x-cos-request-id"], headers["x-cos-trace-id"])).encode()  # both ids are base64
