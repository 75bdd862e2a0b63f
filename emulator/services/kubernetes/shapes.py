"""The response shapes: a Job, a JobList, a Namespace and its list, as kube-apiserver prints them."""
from __future__ import annotations

from typing import Any


def job_body(job: dict[str, Any], self_link: str | None = None) -> dict[str, Any]:
    """A stored Job as a response object; Huawei's docs show `selfLink` right after the namespace."""
    meta = job["metadata"]
    if self_link:
        meta = {"name": meta["name"], "namespace": meta["namespace"], "selfLink": self_link, **meta}
    return {"kind": "Job", "apiVersion": "batch/v1", "metadata": meta, "spec": job["spec"], "status": job["status"]}


def list_body(kind: str, api_version: str, items: list[dict], revision: int,
              continue_token: str | None = None, remaining: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": str(revision)}
    if continue_token:
        meta["continue"] = continue_token
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    return {"kind": kind, "apiVersion": api_version, "metadata": meta, "items": items}


def namespace_body(namespace: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Namespace", "apiVersion": "v1", **namespace}


NAME_LABEL = "kubernetes.io/metadata.name"  # every Namespace carries its name in this label


def new_namespace(name: str, uid: str, now: str, labels: dict | None = None, annotations: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name, "uid": uid, "creationTimestamp": now,
                            "labels": {**(labels or {}), NAME_LABEL: name}}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def success_status(code: int) -> dict[str, Any]:
    """The Status a subresource create answers with when it returns no object (pods/eviction)."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}


def pod_body(pod: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Pod", "apiVersion": "v1", **pod}


def event_body(event: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Event", "apiVersion": "v1", **event}


def event_v1_body(event: dict[str, Any]) -> dict[str, Any]:
    """The same stored Event as events.k8s.io/v1 shows it (field mapping of the apiserver's conversion)."""
    body: dict[str, Any] = {"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": event["metadata"],
                            "eventTime": event.get("eventTime"), "reportingController": event.get("reportingComponent", ""),
                            "reportingInstance": event.get("reportingInstance", ""), "reason": event.get("reason"),
                            "regarding": event["involvedObject"], "note": event.get("message"), "type": event.get("type"),
                            "deprecatedSource": event.get("source") or {},
                            "deprecatedFirstTimestamp": event.get("firstTimestamp"),
                            "deprecatedLastTimestamp": event.get("lastTimestamp"),
                            "deprecatedCount": event.get("count")}
    for key in ("action", "related", "series"):
        if event.get(key):
            body[key] = event[key]
    for key in ("reportingController", "reportingInstance", "reason", "note", "type", "deprecatedCount"):
        if not body[key]:  # omitempty in events.k8s.io/v1's types
            del body[key]
    return body
