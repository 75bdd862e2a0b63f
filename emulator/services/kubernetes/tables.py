"""Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): kubectl's columns for each kind served.

A kind gets its columns by a `Printer` in PRINTERS (by kind name), so Pods and Events get theirs by
adding one there. Columns follow kubernetes' printers.go; the Job STATUS column exists on servers from
1.30 and its SuccessCriteriaMet state from 1.34, so printers are made for the reported version.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core.clock import parse_rfc3339
from emulator.services.kubernetes import errors
from emulator.services.kubernetes.version import KubeVersion

INCLUDE_OBJECT = ("None", "Metadata", "Object")
NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. "
    "It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More "
    "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    priority: int = 0  # 1: shown only with `-o wide`
    type: str = "string"
    format: str = ""

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format, "description": self.description,
                "priority": self.priority}


Cells = Callable[[dict, datetime], list[Any]]


@dataclass(frozen=True)
class Printer:
    columns: tuple[Column, ...]
    cells: Cells  # one object's row, at the emulator's `now`

    def definitions(self) -> list[dict[str, Any]]:
        return [column.definition() for column in self.columns]


def human_duration(seconds: float) -> str:
    """apimachinery's duration.HumanDuration, as kubectl's AGE and DURATION print it."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 192:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    years, days = h // 24 // 365, h // 24 % 365
    if years < 8:
        return f"{years}y{days}d" if days else f"{years}y"
    return f"{years}y"


def _since(stamp: str | None, now: datetime) -> str:
    return human_duration((now - parse_rfc3339(stamp)).total_seconds()) if stamp else "<unknown>"


def format_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: requirements sorted by key, `<none>` for none."""
    if not selector:
        return "<none>"
    terms: list[tuple[str, str]] = [(key, f"{key}={value}") for key, value in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator")
        values = ",".join(sorted(expression.get("values") or []))
        shown = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key,
                 "DoesNotExist": f"!{key}"}.get(operator, key)
        terms.append((key, shown))
    text = ",".join(shown for _, shown in sorted(terms, key=lambda term: term[0]))
    return text or "<none>"


def _condition(status: dict, kind: str) -> bool:
    """Whether the first condition of this type is True (printers.go's isJobFinished-style lookup)."""
    for condition in status.get("conditions") or []:
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def _job_status(job: dict, success_criteria: bool) -> str:
    status, meta = job.get("status") or {}, job["metadata"]
    if _condition(status, "Complete"):
        return "Complete"
    if _condition(status, "Failed"):
        return "Failed"
    if meta.get("deletionTimestamp"):
        return "Terminating"
    for state in ("Suspended", "FailureTarget") + (("SuccessCriteriaMet",) if success_criteria else ()):
        if _condition(status, state):
            return state
    return "Running"


def _completions(job: dict) -> str:
    spec, succeeded = job["spec"], (job.get("status") or {}).get("succeeded") or 0
    if spec.get("completions") is not None:
        return f"{succeeded}/{spec['completions']}"
    parallelism = spec.get("parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def _duration(job: dict, now: datetime) -> str:
    status = job.get("status") or {}
    if not status.get("startTime"):
        return ""
    start = parse_rfc3339(status["startTime"])
    end = parse_rfc3339(status["completionTime"]) if status.get("completionTime") else now
    return human_duration((end - start).total_seconds())


def job_printer(version: KubeVersion) -> Printer:
    with_status, success_criteria = version.at_least(30), version.at_least(34)
    columns = (Column("Name", NAME_DESCRIPTION, format="name"),
               *((Column("Status", "Status of the job."),) if with_status else ()),
               Column("Completions", "The desired number of successfully finished pods the job should be run with."),
               Column("Duration", "Time required to complete the job."),
               Column("Age", AGE_DESCRIPTION),
               Column("Containers", "Names of each container in the template.", 1),
               Column("Images", "Images referenced by each container in the template.", 1),
               Column("Selector", "A label query over pods that should match the pod count.", 1))

    def cells(job: dict, now: datetime) -> list[Any]:
        containers = ((job["spec"].get("template") or {}).get("spec") or {}).get("containers") or []
        return [job["metadata"]["name"], *((_job_status(job, success_criteria),) if with_status else ()),
                _completions(job), _duration(job, now), _since(job["metadata"].get("creationTimestamp"), now),
                ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers),
                format_selector(job["spec"].get("selector"))]

    return Printer(columns, cells)


def namespace_printer(version: KubeVersion) -> Printer:
    columns = (Column("Name", NAME_DESCRIPTION, format="name"), Column("Status", "The status of the namespace"),
               Column("Age", AGE_DESCRIPTION))

    def cells(namespace: dict, now: datetime) -> list[Any]:
        return [namespace["metadata"]["name"], (namespace.get("status") or {}).get("phase", ""),
                _since(namespace["metadata"].get("creationTimestamp"), now)]

    return Printer(columns, cells)


PRINTERS: dict[str, Callable[[KubeVersion], Printer]] = {"Job": job_printer, "Namespace": namespace_printer}


def include_object(query: Any) -> str:
    """`?includeObject=`: Metadata by default; anything else than None, Metadata or Object is a 400."""
    value = query.get("includeObject") or "Metadata"
    if value not in INCLUDE_OBJECT:
        raise errors.bad_request(f'Unable to convert to Table as requested: includeObject: Unsupported value: '
                                 f'"{value}": supported values: "None", "Metadata", "Object"')
    return value


class Tables:
    """The Table of objects of any kind with a printer, at the emulator's clock."""

    def __init__(self, version: KubeVersion, now: Callable[[], datetime]) -> None:
        self.printers = {kind: make(version) for kind, make in PRINTERS.items()}
        self.now = now

    def table(self, kind: str, items: list[dict], meta: dict, table_version: str, include: str,
              full: Callable[[dict], dict], columns: bool = True) -> dict[str, Any]:
        """A Table of `items` (stored objects; `full` gives one as served) with the list's (or object's) meta."""
        printer, now = self.printers[kind], self.now()
        api_version = f"meta.k8s.io/{table_version}"
        rows = []
        for item in items:
            if include == "Object":
                shown: dict | None = full(item)
            elif include == "Metadata":
                shown = {"kind": "PartialObjectMetadata", "apiVersion": api_version, "metadata": item["metadata"]}
            else:
                shown = None
            rows.append({"cells": printer.cells(item, now), "object": shown})
        return {"kind": "Table", "apiVersion": api_version, "metadata": meta,
                "columnDefinitions": printer.definitions() if columns else None, "rows": rows}
