"""Pods, Events and the controller's and kubelet's run records as the state file holds them (and as fixture Pods
and Events are stored), checked at start."""
from __future__ import annotations

from typing import Any

from emulator.core.clock import parse_rfc3339
from emulator.services.kubernetes import validation
from emulator.services.kubernetes.kubelet import STEPS as KUBELET_STEPS

PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


def _time(value: Any, nullable: bool = False) -> bool:
    if value is None:
        return nullable
    try:
        parse_rfc3339(value)
    except (TypeError, ValueError):
        return False
    return True


def _count(value: Any, low: int = 0) -> bool:
    return type(value) is int and value >= low


def _dicts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def problem(kind: str, scope: str, name: str, obj: dict) -> str | None:
    """What makes a saved Pod, Event or run record unusable (the checks its create path makes), or None."""
    check = {"pods": _pod, "events": _event, "kubernetes_job_runs": _job_run, "kubernetes_pod_runs": _pod_run}.get(kind)
    if check is None:
        return None
    try:
        return check(scope, name, obj)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return f"is malformed ({type(error).__name__}: {error})"


def _meta(scope: str, name: str, obj: dict) -> str | None:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or meta.get("name") != name or meta.get("namespace") != scope:
        return "metadata.name and metadata.namespace must name where it is stored"
    errors = validation.object_meta_errors(meta, True)
    if errors:
        return str(errors[0])
    if not _dicts(meta.get("ownerReferences", [])) or not all(
            isinstance(owner.get("uid"), str) for owner in meta.get("ownerReferences", [])):
        return "metadata.ownerReferences must be objects with a uid"
    return None


def _pod(scope: str, name: str, pod: dict) -> str | None:
    found = _meta(scope, name, pod)
    if found:
        return found
    spec, status = pod.get("spec"), pod.get("status")
    if not isinstance(spec, dict) or not isinstance(status, dict):
        return "spec and status must be objects"
    # Fixture Pods are stored as given (any field, any value of its type), so a saved one is held to what the
    # emulator reads of it, not to the create path's rules.
    containers = spec.get("containers", [])
    if not _dicts(containers) or not all(isinstance(container.get("name"), str) for container in containers):
        return "spec.containers must be objects with a name"
    if status.get("phase", "Pending") not in PHASES:
        return f"status.phase must be one of {', '.join(PHASES)}"
    for field in ("conditions", "containerStatuses", "initContainerStatuses"):
        if not _dicts(status.get(field, [])):
            return f"status.{field} must be a list of objects"
    return None


def _event(scope: str, name: str, event: dict) -> str | None:
    found = _meta(scope, name, event)
    if found:
        return found
    if not isinstance(event.get("involvedObject"), dict) or not isinstance(event.get("source", {}), (dict, type(None))):
        return "involvedObject (and source) must be objects"
    if not all(isinstance(event.get(field), str) for field in ("type", "reason", "message")):
        return "type, reason and message must be strings"
    if not _time(event.get("lastTimestamp"), nullable=bool(event.get("eventTime"))) \
            or not _time(event.get("firstTimestamp"), nullable=True):
        return "lastTimestamp (and firstTimestamp) must be times; lastTimestamp may be null beside an eventTime"
    if not _count(event.get("count", 0)) or not isinstance(event.get("series") or {}, dict):
        return "count must be a count, and series an object"
    return None


def _job_run(scope: str, name: str, run: dict) -> str | None:
    if not isinstance(run.get("uid"), str) or not _count(run.get("created")) or not _count(run.get("failures")):
        return '"uid", "created" and "failures" must be a uid and counts'
    attempts = run.get("attempts")
    if not isinstance(attempts, dict) or not all(_count(value) for value in attempts.values()):
        return '"attempts" must count attempts by index'
    if not _time(run.get("last_failure"), nullable=True) or not _time(run.get("api_retry_at"), nullable=True) \
            or not _count(run.get("api_failures", 0)) or not isinstance(run.get("next"), (dict, type(None))):
        return '"last_failure" and "api_retry_at" must be times or null, "api_failures" a count'
    return None


def _pod_run(scope: str, name: str, plan: dict) -> str | None:
    if type(plan.get("duration")) not in (int, float) or plan["duration"] < 0 or not _count(plan.get("runs")):
        return '"duration" must be seconds and "runs" a count'
    codes = plan.get("exit_codes")
    if not isinstance(codes, list) or not codes or not all(type(code) is int for code in codes):
        return '"exit_codes" must list exit codes'
    if plan.get("failure", "Error") not in ("Error", "OOMKilled"):
        return '"failure" must be Error or OOMKilled'
    init_codes = plan.get("init_codes", {})
    if not isinstance(init_codes, dict) or not all(type(code) is int for code in init_codes.values()):
        return '"init_codes" must map init container names to exit codes'
    logs = plan.get("logs")
    if not isinstance(logs, dict) or not all(
            isinstance(lines, list) and all(isinstance(line, str) for line in lines) for lines in logs.values()):
        return '"logs" must map container names to lines'
    step = plan.get("next")
    if step is not None and not (isinstance(step, dict) and step.get("step") in KUBELET_STEPS
                                 and _time(step.get("at"))):
        return f'"next" must be null or a step ({", ".join(KUBELET_STEPS)}) and its time'
    return None
