"""Kubernetes fixture documents: Job, Namespace, Pod and Event manifests, or a v1 List of them, stored as given."""
from __future__ import annotations

from typing import Any

from emulator.services.kubernetes import stored
from emulator.services.kubernetes.events import Events
from emulator.services.kubernetes.namespaces import Namespaces
from emulator.services.kubernetes.pods import Pods
from emulator.services.kubernetes.registry import Jobs


def load(document: dict[str, Any], jobs: Jobs, namespaces: Namespaces, pods: Pods, events: Events) -> None:
    """Store the manifest's objects as given; ValueError (or the API's ApiError) says what is wrong."""
    kind = document.get("kind")
    for field in ("metadata", "spec", "status", "involvedObject"):
        if not isinstance(document.get(field, {}), dict):
            raise ValueError(f"{field} must be an object")
    if kind == "List":
        items = document.get("items") or []
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValueError("a List's items must be manifests (objects)")
        for item in items:
            load(item, jobs, namespaces, pods, events)
    elif kind == "Namespace":
        namespaces.load_fixture(document)
    elif kind == "Job":
        jobs.load_fixture(document)
    elif kind == "Pod":
        _as_a_state_file_holds_it("pods", pods.load_fixture(document))
    elif kind == "Event":
        _as_a_state_file_holds_it("events", events.load_fixture(document))
    else:
        raise ValueError(f"kind {kind!r} is not served: fixtures hold Job, Pod, Event, Namespace or List manifests")


def _as_a_state_file_holds_it(kind: str, stored_object: dict) -> None:
    """A Pod or Event is stored as given: it must pass the checks a state file's would, or a restart would refuse
    the state it is saved in (ValueError; the loader rolls the store back)."""
    meta = stored_object["metadata"]
    problem = stored.problem(kind, meta["namespace"], meta["name"], stored_object)
    if problem:
        raise ValueError(f"{kind[:-1].capitalize()} {meta['namespace']}/{meta['name']} {problem}")
