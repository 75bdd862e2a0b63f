"""The emulator's own endpoints as an OpenAPI 3 document, built from the router so no route is left out.

Each service route is named `<service>.<operation>`, and its service describes the operation's
parameters, bodies and answers (`Service.openapi`); the admin API's calls are described here.
"""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator import __version__
from emulator.core.openapi import ANY_OBJECT, operation, parameter, response, schema_object, strict_object
from emulator.runtime.emulator import EMULATOR

ADMIN_ERROR = schema_object("code", "error", "message", code={"type": "integer"})
# RFC 3339 UTC times of this century (the clock takes any; days 01-28, so every generated one is a date).
MOMENT = {"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3])"
                                      r":[0-5][0-9]:[0-5][0-9]Z$"}
CLOCK = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
    "set": MOMENT, "advance_seconds": {"type": "number", "minimum": 0, "maximum": 10 * 365 * 86400},
    "frozen": {"type": "boolean"}}}
RESET = {"type": "object", "additionalProperties": False, "properties": {
    "fixtures": {"type": "boolean"}, "clock": MOMENT, "frozen": {"type": "boolean"}}}
# Of the fixture formats (README: "Fixtures"), the one a schema can tell apart from a refused one: a Namespace
# manifest, under a name no fixture takes (a name taken is a 400, as a bad document is).
FIXTURE = strict_object({"apiVersion": {"enum": ["v1"]}, "kind": {"enum": ["Namespace"]},
                         "metadata": strict_object({"name": {"type": "string", "pattern": "^fuzz-[a-z0-9]{1,20}$"}})})
ADMIN = {
    ("GET", "/_emulator/health"): ("health", None),
    ("GET", "/_emulator/state"): ("state", None),
    ("GET", "/_emulator/clock"): ("read_clock", None),
    ("POST", "/_emulator/clock"): ("update_clock", CLOCK),
    ("GET", "/_emulator/requests"): ("list_requests", None),
    ("GET", "/_emulator/faults"): ("list_faults", None),
    ("POST", "/_emulator/transitions"): ("transition", None),  # each service's own request (`transition_schema`)
    ("POST", "/_emulator/snapshot"): ("snapshot", None),
    ("POST", "/_emulator/reset"): ("reset", RESET),
    ("POST", "/_emulator/fixtures"): ("load_fixtures", {"oneOf": [FIXTURE, {"type": "array", "items": FIXTURE,
                                                                            "maxItems": 1}]}),
    ("DELETE", "/_emulator/requests"): ("clear_requests", None),
    ("POST", "/_emulator/faults"): ("add_fault", None),  # its schema names the served operations (see `build`)
    ("DELETE", "/_emulator/faults"): ("clear_faults", None),
    ("GET", "/_emulator/openapi.json"): ("openapi_document", None),
    ("GET", "/_emulator/collections"): ("list_collections", None),
    ("GET", "/_emulator/collections/{kind}"): ("read_collection", None),
    ("GET", "/_emulator/collections/{kind}/scopes"): ("collection_scopes", None),
    ("GET", "/_emulator/events"): ("events", None),
    ("GET", "/_emulator/ui"): ("dashboard", None),
}
NOT_JSON = {  # answers that are not one JSON value: the dashboard's page, its event stream
    "/_emulator/ui": ("the page", "text/html"),
    "/_emulator/events": ("server-sent events (hello, change, journal, journal-cleared, clock, faults, reset, "
                          "resync), each with one line of JSON data, until the client closes the stream; 429 when "
                          "--max-event-streams are open", "text/event-stream"),
}


def build(app: web.Application) -> dict[str, Any]:
    """The OpenAPI 3 document of every named service route, and every admin call."""
    services = app[EMULATOR].services
    paths: dict[str, dict[str, Any]] = {}
    operations: dict[str, list[str]] = {}
    for route in app.router.routes():
        name = route.name or (route.resource.name if route.resource else None)
        if not name or "." not in name or ":" in name or route.method in ("HEAD", "*"):  # ":": another path form
            continue
        service, _, name = name.partition(".")
        template = route.resource.canonical
        spec = {"operationId": f"{service}.{name}", "tags": [service], **services[service].openapi(name, route.method)}
        own = {p["name"] for p in spec["parameters"] if p["in"] == "path"}  # a service may give a path value's pattern
        spec["parameters"] = [parameter(p, "path") for p in re.findall(r"\{(\w+)\}", template) if p not in own] \
            + spec["parameters"]
        paths.setdefault(template, {})[route.method.lower()] = spec
        operations.setdefault(service, []).append(name)
    bodies = {"add_fault": _fault(operations),
              "transition": {"oneOf": [service.transition_schema for service in services.values()
                                       if service.can_transition]}}
    for (method, path), (name, body) in ADMIN.items():
        body = body or bodies.get(name)
        answer = response(*NOT_JSON[path], {"type": "string"}) if path in NOT_JSON else \
            response("the answer", "application/json", ANY_OBJECT)
        spec = {"operationId": f"admin.{name}", "tags": ["admin"],
                **operation([parameter(p, "path") for p in re.findall(r"\{(\w+)\}", path)], answer,
                            response("an admin error", "application/json", ADMIN_ERROR),
                            {"application/json": body} if body else None)}
        paths.setdefault(path, {})[method.lower()] = spec
    return {"openapi": "3.0.3",
            "info": {"title": "cloud-job-emulator", "version": __version__,
                     "description": "Kubernetes batch/v1 Jobs (Huawei CCE/CCI), Huawei MRS job objects and "
                                    "Tencent COS Batch jobs, emulated in memory; plus the admin API."},
            "paths": dict(sorted(paths.items()))}


def _fault(operations: dict[str, list[str]]) -> dict[str, Any]:
    """A fault rule on one operation of one service, answering with an error status (see runtime/faults.py for the
    other matches and answers: a method and path pattern, a reset, a truncation, a delay, a probability)."""
    count = {"type": "integer", "minimum": 0, "maximum": 1000}
    return {"oneOf": [strict_object({"service": {"enum": [service]}, "operation": {"enum": sorted(set(names))},
                                     "status": {"type": "integer", "minimum": 400, "maximum": 599}},
                                    error_code={"type": "string"}, message={"type": "string"}, times=count,
                                    after=count)
                      for service, names in sorted(operations.items())]}
