"""Neutral errors that services raise and render, each in its own envelope.

An `ApiError` carries what every envelope needs: the HTTP status, the service's own code name
(`NotFound`, `NoSuchJob`, `INVALID_REFERENCE`, ...), a message and service-specific details.
Raising one never writes anything; the error middleware hands it to the owning service's renderer.
"""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A request the emulator answers with an error status instead of a result."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.code!r}, {self.message!r})"


class RouteNotFound(ApiError):
    """No route matches the path; each service words this its own way."""

    def __init__(self, path: str) -> None:
        super().__init__(404, "NotFound", f"no route for {path}", path=path)


class MethodNotAllowed(ApiError):
    """The path exists but not for this method."""

    def __init__(self, method: str, path: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(405, "MethodNotAllowed", f"{method} is not allowed on {path}", method=method, allowed=allowed)


class BodyTooLarge(ApiError):
    """The request body is over the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "RequestEntityTooLarge", f"request body larger than {limit} bytes", limit=limit)


class HeaderTooLarge(ApiError):
    """The request line or a header line is over the configured limit (Go's net/http answers 431)."""

    def __init__(self, limit: int) -> None:
        super().__init__(431, "RequestHeaderFieldsTooLarge",
                         f"a request line or header line is longer than {limit} bytes", limit=limit)


class BodyUnreadable(ApiError):
    """The request body cannot be read as sent (a Content-Encoding it is not in, a broken chunked encoding)."""

    def __init__(self, why: str) -> None:
        super().__init__(400, "BadRequest", f"the request body cannot be read: {why}")


class FixtureError(Exception):
    """A fixture document could not be loaded; the message names the file or document."""
