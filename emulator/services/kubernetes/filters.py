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


def _path(*keys: str, default: str = "") -> Callable[[dict[str, Any]], str]:
    def get(obj: dict[str, Any]) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool):
            return "true" if value else "false"
        return default if value is None else str(value)
    return get


def _pod_ip(pod: dict[str, Any]) -> str:
    ips = pod["status"].get("podIPs") or []
    return ips[0]["ip"] if ips else pod["status"].get("podIP", "")


POD_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "metadata.name": _path("metadata", "name"), "metadata.namespace": _path("metadata", "namespace"),
    "spec.nodeName": _path("spec", "nodeName"), "spec.host": _path("spec", "nodeName"),
    "spec.restartPolicy": _path("spec", "restartPolicy"), "spec.schedulerName": _path("spec", "schedulerName"),
    "spec.serviceAccountName": _path("spec", "serviceAccountName"),
    "spec.hostNetwork": _path("spec", "hostNetwork", default="false"), "status.phase": _path("status", "phase"),
    "status.podIP": _pod_ip, "status.nominatedNodeName": _path("status", "nominatedNodeName"),
}
NAMESPACE_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "metadata.name": _path("metadata", "name"), "name": _path("metadata", "name"),  # "name": kept for old clients
    "status.phase": _path("status", "phase"),
}
EVENT_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "metadata.name": _path("metadata", "name"), "metadata.namespace": _path("metadata", "namespace"),
    **{f"involvedObject.{k}": _path("involvedObject", k)
       for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
    "reason": _path("reason"), "reportingComponent": _path("reportingComponent"), "type": _path("type"),
    "source": lambda e: (e.get("source") or {}).get("component") or e.get("reportingComponent") or "",
}
EVENTS_V1_FIELDS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{k: v for k, v in EVENT_FIELDS.items() if not k.startswith("involvedObject.")},
    **{f"regarding.{k}": _path("involvedObject", k)
       for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
    "reportingController": _path("reportingComponent"),
}


def field_selector(text: str | None, kind: str = "Job", labels: tuple[str, ...] = FIELD_LABELS,
                   fields: dict[str, Callable[[dict[str, Any]], str]] | None = None) -> Predicate | None:
    """A predicate from `metadata.name=x,status.successful!=0`; unknown field labels are a 400.

    Jobs are read by `job_field`; other kinds give `fields` (label -> getter), whose unknown labels are
    refused as the core/v1 conversion does (`field label not supported: <label>`)."""
    if not text or not text.strip():
        return None
    checks = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*", part)
        if not match:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = match.groups()
        if fields is not None:
            if label not in fields:
                raise errors.bad_request(f"field label not supported: {label}")
            checks.append((fields[label], op == "!=", value))
            continue
        if label not in labels:
            raise errors.bad_request(f'field label "{label}" not supported for {kind}')
        checks.append((lambda obj, label=label: job_field(obj, label), op == "!=", value))

    def matches(obj: dict[str, Any]) -> bool:
        return all((get(obj) == value) != negate for get, negate, value in checks)

    return matches


def both(*predicates: Predicate | None) -> Predicate | None:
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(p(obj) for p in active)
