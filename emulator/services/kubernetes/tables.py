"""Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): kubectl's columns for each kind served.

A kind gets its columns by a `Printer` in PRINTERS (by kind name). Columns follow kubernetes'
pkg/printers/internalversion/printers.go, printed as the apiserver does (always wide, so `-o wide` only shows
more of the same row); Events of both APIs share one printer, as both convert to the same internal type; the Job STATUS column exists on servers from
1.30 and its SuccessCriteriaMet state from 1.34, so printers are made for the reported version.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.core.clock import parse_rfc3339
from emulator.core.rendered import Rendered
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
    conditions: Callable[[dict], list[dict] | None] = lambda obj: None  # a row's conditions (a finished pod's)

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


POD_ROW_CONDITIONS = {
    "Succeeded": [{"type": "Completed", "status": "True", "reason": "Succeeded",
                   "message": "The pod has completed successfully."}],
    "Failed": [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}],
}


def _restartable(container: dict | None) -> bool:
    """An init container with restartPolicy Always: a sidecar, counted with the containers."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _terminated_reason(terminated: dict, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _later(first: str | None, second: str | None) -> str | None:
    if not second:
        return first
    return second if not first or parse_rfc3339(second) > parse_rfc3339(first) else first


def pod_status(pod: dict, now: datetime) -> tuple[str, str, str]:
    """printPod's READY, STATUS and RESTARTS: the phase, overridden by init containers, then by each container
    (last first), then by deletion."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    conditions = status.get("conditions") or []
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions):
        reason = "SchedulingGated"
    inits = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in inits.values() if _restartable(c))
    ready = restarts = sidecar_restarts = 0
    last_restart = last_sidecar_restart = None
    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, container in enumerate(init_statuses):
        restarts += container.get("restartCount") or 0
        finished = ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        last_restart = _later(last_restart, finished)
        sidecar = _restartable(inits.get(container.get("name")))
        if sidecar:
            sidecar_restarts += container.get("restartCount") or 0
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated and not terminated.get("exitCode"):
            continue
        if sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(inits)}"
        initializing = True
        break
    if not initializing or any(c.get("type") == "Initialized" and c.get("status") == "True" for c in conditions):
        restarts, last_restart, running = sidecar_restarts, last_sidecar_restart, False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += container.get("restartCount") or 0
            last_restart = _later(last_restart,
                                  ((container.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
            state = container.get("state") or {}
            if (state.get("waiting") or {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif state.get("terminated") is not None:
                reason = _terminated_reason(state["terminated"])
            elif container.get("ready") and state.get("running") is not None:
                running = True
                ready += 1
        if reason == "Completed" and running:
            reason = "Running" if any(c.get("type") == "Ready" and c.get("status") == "True"
                                      for c in conditions) else "NotReady"
    if pod["metadata"].get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    shown = str(restarts)
    if restarts and last_restart:
        shown = f"{restarts} ({_since(last_restart, now)} ago)"
    return f"{ready}/{total}", reason, shown


def pod_printer(version: KubeVersion) -> Printer:
    columns = (Column("Name", NAME_DESCRIPTION, format="name"),
               Column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
               Column("Status", "The aggregate status of the containers in this pod."),
               Column("Restarts", "The number of times the containers in this pod have been restarted and when the "
                                  "last container in this pod has restarted."),
               Column("Age", AGE_DESCRIPTION),
               Column("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
                            "yet allocated.", 1),
               Column("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
                              "candidate for scheduling by the scheduler defined in schedulerName. Once this field is "
                              "set, the kubelet for this node becomes responsible for the lifecycle of this pod. This "
                              "field should not be used to express a desire for the pod to be scheduled on a specific "
                              "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
                      1),
               Column("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, "
                                        "but it cannot be scheduled right away as preemption victims receive their "
                                        "graceful termination periods.", 1),
               Column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1))

    def cells(pod: dict, now: datetime) -> list[Any]:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        ready, reason, restarts = pod_status(pod, now)
        gates = spec.get("readinessGates") or []
        shown_gates = "<none>"
        if gates:
            found = {c.get("type"): c.get("status") for c in reversed(status.get("conditions") or [])}
            shown_gates = f"{sum(1 for g in gates if found.get(g.get('conditionType')) == 'True')}/{len(gates)}"
        ips = status.get("podIPs") or []
        return [pod["metadata"]["name"], ready, reason, restarts, _since(pod["metadata"].get("creationTimestamp"), now),
                (ips[0].get("ip") if ips else "") or "<none>", spec.get("nodeName") or "<none>",
                status.get("nominatedNodeName") or "<none>", shown_gates]

    return Printer(columns, cells, lambda pod: POD_ROW_CONDITIONS.get((pod.get("status") or {}).get("phase")))


def event_printer(version: KubeVersion) -> Printer:
    """printEvent, for core/v1 and events.k8s.io/v1 alike (the stored object is the core one)."""
    columns = (Column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
               Column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
               Column("Reason", "This should be a short, machine understandable string that gives the reason for the "
                                "transition into the object's current status."),
               Column("Object", "The object that this event is about."),
               Column("Subobject", "If referring to a piece of an object instead of an entire object, this string "
                                   "should contain a valid JSON/Go field access statement.", 1),
               Column("Source", "The component reporting this event. Should be a short machine understandable "
                                "string.", 1),
               Column("Message", "A human-readable description of the status of this operation."),
               Column("First Seen", "The time at which the event was first recorded. (Time of server receipt is in "
                                    "TypeMeta.)", 1),
               Column("Count", "The number of times this event has occurred.", 1),
               Column("Name", NAME_DESCRIPTION, 1, format="name"))

    def cells(event: dict, now: datetime) -> list[Any]:
        first = _since(event.get("firstTimestamp") or event.get("eventTime"), now)
        last = _since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
        count = event.get("count") or 0
        series = event.get("series")
        if series:
            last, count = _since(series.get("lastObservedTime"), now), series.get("count") or 0
        elif not count:
            count = 1  # a singleton event of the new API has no count
        regarding, source = event.get("involvedObject") or {}, event.get("source") or {}
        kind = (regarding.get("kind") or "").lower()
        target = f"{kind}/{regarding['name']}" if regarding.get("name") else kind
        component = source.get("component") or event.get("reportingComponent") or ""
        instance = source.get("host") or event.get("reportingInstance") or ""
        return [last, event.get("type", ""), event.get("reason", ""), target, regarding.get("fieldPath", ""),
                f"{component}, {instance}" if instance else component, (event.get("message") or "").strip(), first,
                count, event["metadata"]["name"]]

    return Printer(columns, cells)


PRINTERS: dict[str, Callable[[KubeVersion], Printer]] = {"Job": job_printer, "Namespace": namespace_printer,
                                                         "Pod": pod_printer, "Event": event_printer}


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
        # A row's cells and conditions, kept with the stored object for the moment they were made at (a frozen clock
        # reads the same moment until moved): a Table list of 500 Jobs took 3.3x the JSON list's time before.
        self._rows = Rendered(8192)

    def _cells(self, kind: str, printer: Printer, item: dict, now: datetime) -> tuple[list[Any], Any]:
        meta = item["metadata"]
        return self._rows.get((kind, meta.get("namespace"), meta["name"], now), item,
                              lambda: (printer.cells(item, now), printer.conditions(item)))

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
            cells, conditions = self._cells(kind, printer, item, now)
            rows.append({"cells": cells, "conditions": conditions, "object": shown} if conditions
                        else {"cells": cells, "object": shown})
        return {"kind": "Table", "apiVersion": api_version, "metadata": meta,
                "columnDefinitions": printer.definitions() if columns else None, "rows": rows}
