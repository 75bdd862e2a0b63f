"""Fault rules: make chosen calls fail in their service's own envelope, answer late, or break the connection.

A rule matches by service and operation, or by method and a path regex; it skips its first
`after` matches, then fires `times` times (default: forever), each time with chance `probability`
(drawn from its own generator seeded by `seed`, so a run repeats). Firing answers with
`status`/`error_code`/`message`, closes the connection without an answer (`reset`), cuts the
answer after `truncate_bytes` bytes of its body, or only delays the call by `delay_ms`.
Services, operations and paths are checked against the routes the emulator serves (`know`), so a
misspelled rule is refused with the valid choices instead of never firing (a path regex with groups
or alternatives is taken as given).
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.errors import ApiError

FIELDS = ("service", "operation", "method", "path", "status", "error_code", "message", "delay_ms", "times", "after",
          "reset", "truncate_bytes", "probability", "seed")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_RULES = 1000  # rules kept at once; each call is matched against every one
_VARIABLE = re.compile(r"\{[^}]*\}")


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
    reset: bool = False
    truncate_bytes: int | None = None
    probability: float | None = None
    seed: int | None = None
    matched: int = 0
    fired: int = 0
    pattern: re.Pattern | None = field(default=None, repr=False)
    chance: random.Random | None = field(default=None, repr=False)

    def matches(self, service: str, operation: str, method: str, path: str) -> bool:
        return ((self.service is None or self.service == service)
                and (self.operation is None or self.operation == operation)
                and (self.method is None or self.method == method)
                and (self.pattern is None or self.pattern.search(path) is not None))

    def describe(self) -> dict[str, Any]:
        shown = {name: getattr(self, name) for name in FIELDS}
        return {**shown, "id": self.id, "matched": self.matched, "fired": self.fired}


def _bad(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _check(body: dict[str, Any]) -> None:
    unknown = set(body) - set(FIELDS)
    if unknown:
        raise _bad(f"unknown fault field(s): {', '.join(sorted(unknown))}; valid: {', '.join(FIELDS)}")
    for name in ("service", "operation", "method", "path", "error_code", "message"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise _bad(f'"{name}" must be a string')
    for name in ("status", "delay_ms", "times", "after", "truncate_bytes", "seed"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise _bad(f'"{name}" must be a whole number, 0 or more')
    if body.get("reset") is not None and not isinstance(body["reset"], bool):
        raise _bad('"reset" must be true or false')
    chance = body.get("probability")
    if chance is not None and (isinstance(chance, bool) or not isinstance(chance, (int, float))
                               or not 0 <= chance <= 1):
        raise _bad('"probability" must be a number from 0 to 1')
    if body.get("status") is not None and not 400 <= body["status"] <= 599:
        raise _bad('"status" must be an error status, 400 to 599')
    answers = [name for name in ("status", "reset", "truncate_bytes") if body.get(name) not in (None, False)]
    if len(answers) > 1:
        raise _bad(f'give one of "status", "reset" and "truncate_bytes", not {" and ".join(answers)}')
    if not answers and not body.get("delay_ms"):
        raise _bad('a fault needs a "status" to answer with, "reset": true, "truncate_bytes", a "delay_ms", '
                   'or a delay with one of those')
    if not any(body.get(name) for name in ("service", "operation", "method", "path")):
        raise _bad('a fault needs "service"/"operation" or "method"/"path" to say which calls it matches')
    if body.get("method") is not None and body["method"].upper() not in METHODS:
        raise _bad(f'"method" {body["method"]!r} is not one of {", ".join(METHODS)}')


GAP = None  # in a regex's outline: anything at all may stand here ...
IN_SEGMENT = ""  # ... or anything but "/"
_CLASSES = set("dDwWsSbBAZ0123456789")  # escapes of classes, anchors and back-references


def _outline(source: str) -> tuple[bool, list[str | None], bool] | None:
    """A path regex as (anchored at start, literal characters and GAPs, anchored at end), where each GAP stands
    for whatever its special characters match; None for what this does not follow (groups, alternatives)."""
    if "|" in source or "(" in source:
        return None
    start, end = source.startswith("^"), source.endswith("$") and not source.endswith("\\$")
    body = source[1 if start else 0:len(source) - 1 if end else None]
    items: list[str | None] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            escaped = body[index + 1]
            items.append((IN_SEGMENT if escaped in "dws" else GAP) if escaped in _CLASSES else escaped)
            index += 2
            continue
        if char == "[":
            close = body.find("]", index + 2)
            klass = body[index:len(body) if close < 0 else close + 1]
            items.append(IN_SEGMENT if ("/" in klass) == klass.startswith("[^") else GAP)
            index += len(klass)
            continue
        if char in "?*+{":  # a repeat of what comes before, which may be absent (but with + or {1,...})
            absent = char in "?*" or body[index + 1:index + 2] == "0"
            if char == "{":
                close = body.find("}", index)
                index = len(body) if close < 0 else close
            previous = items[-1] if items else GAP
            if previous not in (GAP, IN_SEGMENT):
                if absent:
                    items.pop()
                items.append(GAP if previous == "/" else IN_SEGMENT)
        elif char == ".":
            items.append(GAP)
        else:
            items.append(char)
        index += 1
    return start, items, end


def _reaches(outline: tuple[bool, list[str | None], bool], template: str) -> bool:
    """Whether a path of the route `template` (each `{name}` any segment) can hold the outlined regex's match:
    the template as a little automaton, the outline's characters stepped through it."""
    tokens: list[str | None] = []  # the template's characters, None for a `{name}` segment
    for piece in re.split(r"(\{[^}]*\})", template):
        tokens += [None] if _VARIABLE.fullmatch(piece) else list(piece)
    last = len(tokens)

    def closure(states: set[int]) -> set[int]:
        return states | {k + 1 for k in states if k < last and tokens[k] is None}

    start, items, end = outline
    states = closure({0} if start else set(range(last + 1)))
    for item in items:
        if item is GAP:
            states = set(range(min(states), last + 1))
            continue
        if item == IN_SEGMENT:
            frontier = set(states)
            while frontier:  # every state reached by taking characters other than "/"
                frontier = {k + 1 for k in frontier if k < last and tokens[k] != "/"} - states
                states |= frontier
            continue
        moved = set()
        for k in states:
            if k < last and tokens[k] is None and item != "/":
                moved |= {k, k + 1}  # a variable segment takes the character and may go on
            elif k < last and tokens[k] == item:
                moved.add(k + 1)
        states = closure(moved)
        if not states:
            return False
    return last in states if end else bool(states)


class Faults:
    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self._next_id = 1
        self.operations: dict[str, tuple[str, ...]] = {}  # service -> its operations (the OpenAPI document's)
        self.templates: dict[str, tuple[str, ...]] = {}  # service -> its route templates
        self.counted: Callable[[], None] | None = None  # told when a call changed rules' counts (the event stream)

    def know(self, routes: list[tuple[str, str, str]]) -> None:
        """The routes the emulator serves, (service, operation, path template): what rules are checked against."""
        operations: dict[str, set[str]] = {}
        templates: dict[str, set[str]] = {}
        for service, operation, template in routes:
            operations.setdefault(service, set()).add(operation)
            templates.setdefault(service, set()).add(template)
        self.operations = {name: tuple(sorted(names)) for name, names in sorted(operations.items())}
        self.templates = {name: tuple(sorted(paths)) for name, paths in sorted(templates.items())}

    def _check_routes(self, body: dict[str, Any], pattern: re.Pattern | None) -> None:
        if not self.operations:
            return  # no routes known (an Emulator outside an app): nothing to check against
        service, operation = body.get("service"), body.get("operation")
        if service is not None and service not in self.operations:
            raise _bad(f'unknown service "{service}"; valid: {", ".join(self.operations)}')
        if operation is not None:
            among = [service] if service else list(self.operations)
            if not any(operation in self.operations[name] for name in among):
                where = f'{service} has no operation' if service else "no service has the operation"
                choices = ", ".join(self.operations[service]) if service else \
                    "; ".join(f"{name}: {', '.join(ops)}" for name, ops in self.operations.items())
                raise _bad(f'{where} "{operation}"; valid: {choices}')
        if pattern is not None:
            among = [service] if service else list(self.templates)
            outline = _outline(pattern.pattern)
            if outline is not None and not any(_reaches(outline, template)
                                               for name in among for template in self.templates[name]):
                routes = ", ".join(t for name in among for t in self.templates[name])
                raise _bad(f'"path" {pattern.pattern!r} matches no route{f" of {service}" if service else ""}; '
                           f"routes: {routes}")

    def add(self, body: dict[str, Any]) -> Fault:
        _check(body)
        if len(self.rules) >= MAX_RULES:
            raise _bad(f"{MAX_RULES} fault rules are set already, the most kept at once; remove them with "
                       "DELETE /_emulator/faults (or reset) first")
        try:
            pattern = re.compile(body["path"]) if body.get("path") else None
        except re.error as error:
            raise _bad(f'"path" is not a valid regular expression: {error}') from None
        self._check_routes(body, pattern)
        given = {k: v for k, v in body.items() if v is not None}
        rule = Fault(id=self._next_id, pattern=pattern, **given)
        if rule.method:
            rule.method = rule.method.upper()
        if rule.probability is not None:
            rule.chance = random.Random(rule.seed)
        self._next_id += 1
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self._next_id = 1

    def take(self, service: str, operation: str, method: str, path: str) -> Fault | None:
        """The first rule that fires for this call, counting the call against every rule it matches."""
        chosen, matched_any = None, False
        for rule in self.rules:
            if not rule.matches(service, operation, method, path):
                continue
            rule.matched += 1
            matched_any = True
            if rule.matched <= rule.after or (rule.times is not None and rule.fired >= rule.times):
                continue
            if rule.chance is not None and rule.chance.random() >= rule.probability:  # type: ignore[operator]
                continue
            if chosen is None:
                rule.fired += 1
                chosen = rule
        if matched_any and self.counted is not None:
            self.counted()
        return chosen

    @staticmethod
    def error(rule: Fault) -> ApiError:
        return ApiError(rule.status or 500, rule.error_code or "InjectedFault",
                        rule.message or f"fault {rule.id} injected by the emulator", injected=True)
