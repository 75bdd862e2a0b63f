"""Fault rules: make chosen calls fail in their service's own envelope, or answer late.

A rule matches by service and operation, or by method and a path regex; it skips its first
`after` matches, then fires `times` times (default: forever) with `status`/`error_code`/`message`,
or only delays the call by `delay_ms` when no status is given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from emulator.core.errors import ApiError

FIELDS = ("service", "operation", "method", "path", "status", "error_code", "message", "delay_ms", "times", "after")


@dataclass
class Fault:
    id: int
    service: str | None = None
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    delay_ms: int = 0
    times: int | None = None
    after: int = 0
    matched: int = 0
    fired: int = 0
    pattern: re.Pattern | None = field(default=None, repr=False)

    def matches(self, service: str, operation: str, method: str, path: str) -> bool:
        return ((self.service is None or self.service == service)
                and (self.operation is None or self.operation == operation)
                and (self.method is None or self.method == method)
                and (self.pattern is None or self.pattern.search(path) is not None))

    def describe(self) -> dict[str, Any]:
        shown = {name: getattr(self, name) for name in FIELDS}
        return {**shown, "id": self.id, "fired": self.fired}


def _bad(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _check(body: dict[str, Any]) -> None:
    unknown = set(body) - set(FIELDS)
    if unknown:
        raise _bad(f"unknown fault field(s): {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}")
    for name in ("service", "operation", "method", "path", "error_code", "message"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _bad(f'"{name}" must be a string')
    for name in ("status", "delay_ms", "times", "after"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise _bad(f'"{name}" must be a whole number, 0 or more')
    if body.get("status") is not None and not 400 <= body["status"] <= 599:
        raise _bad('"status" must be an error status, 400 to 599')
    if body.get("status") is None and not body.get("delay_ms"):
        raise _bad('a fault needs a "status" to answer with, a "delay_ms", or both')
    if not any(body.get(name) for name in ("service", "operation", "method", "path")):
        raise _bad('a fault needs "service"/"operation" or "method"/"path" to say which calls it matches')


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self._next_id = 1

    def add(self, body: dict[str, Any]) -> Fault:
        _check(body)
        try:
            pattern = re.compile(body["path"]) if body.get("path") else None
        except re.error as error:
            raise _bad(f'"path" is not a valid regular expression: {error}') from None
        rule = Fault(id=self._next_id, pattern=pattern, **{k: v for k, v in body.items() if v is not None})
        if rule.method:
            rule.method = rule.method.upper()
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self._next_id = 1

    def take(self, service: str, operation: str, method: str, path: str) -> Fault | None:
        """The first rule that fires for this call, counting the call against every rule it matches."""
        chosen = None
        for rule in self.rules:
            if not rule.matches(service, operation, method, path):
                continue
            rule.matched += 1
            if rule.matched <= rule.after or (rule.times is not None and rule.fired >= rule.times):
                continue
            if chosen is None:
                rule.fired += 1
                chosen = rule
        return chosen

    @staticmethod
    def error(rule: Fault) -> ApiError:
        return ApiError(rule.status or 500, rule.error_code or "InjectedFault",
                        rule.message or f"fault {rule.id} injected by the emulator", injected=True)
