"""List and watch filters: label selectors (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and field selectors."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emulator.services.kubernetes import errors

Predicate = Callable[[dict[str, Any]], bool]
_TERM = re.compile(
    r"\s*(?:(?P<not>!)\s*(?P<absent>[^\s,=!()]+)"
    r"|(?P<key>[^\s,=!()]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,=!()]*)"
    r"|\s+(?P<setop>in|notin)\s*\((?P<values>[^()]*)\))?)\s*(?:,|\Z)")
FIELD_LABELS = ("metadata.name", "metadata.namespace", "status.successful")


def _split_terms(text: str, what: str) -> list[re.Match]:
    terms, position = [], 0
    while position < len(text):
        match = _TERM.match(text, position)
        if not match or match.end() == position:
            raise errors.bad_request(f"unable to parse requirement: found '{text[position:]}', expected: {what}")
        terms.append(match)
        position = match.end()
    return terms


def label_selector(text: str | None) -> Predicate | None:
    """A predicate on an object's labels, or None for 'everything'."""
    if not text or not text.strip():
        return None
    checks: list[Callable[[dict], bool]] = []
    for term in _split_terms(text, "'=', '!=', 'in', 'notin' or ','"):
        if term["absent"]:
            key = term["absent"]
            checks.append(lambda labels, k=key: k not in labels)
        elif term["op"]:
            key, value = term["key"], term["value"]
            if term["op"] == "!=":
                checks.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                checks.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif term["setop"]:
            key = term["key"]
            values = {v.strip() for v in term["values"].split(",") if v.strip()}
            if term["setop"] == "in":
                checks.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                checks.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        else:
            key = term["key"]
            checks.append(lambda labels, k=key: k in labels)

    def matches(obj: dict[str, Any]) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return all(check(labels) for check in checks)

    return matches


def job_field(obj: dict[str, Any], label: str) -> str:
    if label == "metadata.name":
        return obj["metadata"]["name"]
    if label == "metadata.namespace":
        return obj["metadata"]["namespace"]
    return str(obj["status"].get("succeeded", 0))  # status.successful


def field_selector(text: str | None, kind: str = "Job", labels: tuple[str, ...] = FIELD_LABELS) -> Predicate | None:
    """A predicate from `metadata.name=x,status.successful!=0`; unknown field labels are a 400."""
    if not text or not text.strip():
        return None
    checks = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*", part)
        if not match:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = match.groups()
        if label not in labels:
            raise errors.bad_request(f'field label "{label}" not supported for {kind}')
        checks.append((label, op == "!=", value))

    def matches(obj: dict[str, Any]) -> bool:
        return all((job_field(obj, label) == value) != negate for label, negate, value in checks)

    return matches


def both(*predicates: Predicate | None) -> Predicate | None:
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(p(obj) for p in active)
