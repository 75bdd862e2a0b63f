"""The emulator's own endpoints as an OpenAPI 3 document, built from the router so no route is left out.

Each route is named `<service>.<operation>`; the shapes come from the tables below: what each
service answers on success and in its error envelope, and which request bodies it reads.
"""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from emulator import __version__


def _object(*required: str, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


ANY_OBJECT = {"type": "object"}
KUBE_STATUS = _object("kind", "apiVersion", "metadata", "status", "code",
                      kind={"enum": ["Status"]}, apiVersion={"enum": ["v1"]}, status={"enum": ["Failure"]},
                      code={"type": "integer"}, message={"type": "string"}, reason={"type": "string"})
KUBE_SUCCESS_STATUS = _object("kind", "status", kind={"enum": ["Status"]}, status={"enum": ["Success"]})
JOB = _object("kind", "apiVersion", "metadata", "spec", "status", kind={"enum": ["Job"]},
              apiVersion={"enum": ["batch/v1"]}, metadata=_object("name", "namespace", "uid", "resourceVersion"))
JOB_LIST = _object("kind", "apiVersion", "metadata", "items", kind={"enum": ["JobList"]},
                   items={"type": "array", "items": _object("metadata", "spec", "status")})
NAMESPACE = _object("kind", "apiVersion", "metadata", kind={"enum": ["Namespace"]})
NAMESPACE_LIST = _object("kind", "items", kind={"enum": ["NamespaceList"]}, items={"type": "array"})
MRS_ERROR = {"anyOf": [
    _object("error_code", "error_name", "error_message", "error_msg", error_code={"type": "integer"}),
    _object("error", error=_object("code", "title", "message")),  # Keystone's 401 for a missing token
]}
MRS_JOB = _object("id", "name", "type", "mains", "libs", "tenant_id", "created_at", "updated_at")
MRS_BINARY = _object("id", "name", "url", "tenant_id", "created_at", "updated_at")
ADMIN_ERROR = _object("code", "error", "message", code={"type": "integer"})
XML = {"type": "string"}

KUBERNETES_BODIES = {
    "createBatchV1NamespacedJob": {"application/json": ANY_OBJECT},
    "replaceBatchV1NamespacedJob": {"application/json": ANY_OBJECT},
    "replaceBatchV1NamespacedJobStatus": {"application/json": ANY_OBJECT},
    "patchBatchV1NamespacedJob": {"application/merge-patch+json": ANY_OBJECT,
                                  "application/json-patch+json": {"type": "array", "items": ANY_OBJECT},
                                  "application/strategic-merge-patch+json": ANY_OBJECT},
    "patchBatchV1NamespacedJobStatus": {"application/merge-patch+json": ANY_OBJECT,
                                        "application/json-patch+json": {"type": "array", "items": ANY_OBJECT},
                                        "application/strategic-merge-patch+json": ANY_OBJECT},
    "createCoreV1Namespace": {"application/json": ANY_OBJECT},
}
KUBERNETES_RESULTS = {
    "readBatchV1NamespacedJob": JOB, "readBatchV1NamespacedJobStatus": JOB,
    "replaceBatchV1NamespacedJob": JOB, "replaceBatchV1NamespacedJobStatus": JOB,
    "patchBatchV1NamespacedJob": JOB, "patchBatchV1NamespacedJobStatus": JOB, "createBatchV1NamespacedJob": JOB,
    "deleteBatchV1NamespacedJob": {"anyOf": [JOB, KUBE_SUCCESS_STATUS]},
    "listBatchV1NamespacedJob": JOB_LIST, "listBatchV1JobForAllNamespaces": JOB_LIST,
    "listCoreV1Namespace": NAMESPACE_LIST, "createCoreV1Namespace": NAMESPACE,
    "readCoreV1Namespace": NAMESPACE, "deleteCoreV1Namespace": NAMESPACE,
}
KUBERNETES_QUERY = {  # documented query parameters (watch is left out: it streams until closed)
    "listBatchV1NamespacedJob": ["labelSelector", "fieldSelector", "limit", "continue", "pretty"],
    "listBatchV1JobForAllNamespaces": ["labelSelector", "fieldSelector", "limit", "continue", "pretty"],
    "deleteBatchV1NamespacedJob": ["propagationPolicy", "dryRun"],
    "createBatchV1NamespacedJob": ["dryRun", "fieldValidation", "pretty"],
}
MRS_BODIES = {"create_job": ANY_OBJECT, "update_job": ANY_OBJECT, "create_job_binary": ANY_OBJECT,
              "update_job_binary": ANY_OBJECT}
MRS_RESULTS = {
    "create_job": _object("job", job=MRS_JOB), "get_job": _object("job", job=MRS_JOB),
    "update_job": _object("job", job=MRS_JOB), "list_jobs": _object("jobs", jobs={"type": "array"}),
    "create_job_binary": _object("job_binary", job_binary=MRS_BINARY),
    "get_job_binary": _object("job_binary", job_binary=MRS_BINARY),
    "update_job_binary": _object("job_binary", job_binary=MRS_BINARY),
    "list_job_binaries": _object("binaries", binaries={"type": "array"}),
}
COS_QUERY = {"ListJobs": ["jobStatuses", "maxResults", "nextToken"], "UpdateJobPriority": ["priority"],
             "UpdateJobStatus": ["requestedJobStatus", "statusUpdateReason"]}


def _parameter(name: str, where: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": {"type": "string"}}


def _response(description: str, content_type: str | None, schema: dict | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if content_type:
        answer["content"] = {content_type: {"schema": schema or ANY_OBJECT}}
    return answer


def _operation(service: str, operation: str, method: str) -> dict[str, Any]:
    """Parameters, body and responses of one service operation."""
    parameters: list[dict] = []
    body: dict[str, dict] = {}
    if service == "kubernetes":
        parameters = [_parameter(q, "query") for q in KUBERNETES_QUERY.get(operation, [])]
        body = KUBERNETES_BODIES.get(operation, {})
        result = KUBERNETES_RESULTS.get(operation, ANY_OBJECT)
        success = _response("the object", "application/json", result)
        error = _response("a metav1.Status", "application/json", KUBE_STATUS)
    elif service == "mrs":
        parameters = [_parameter("X-Auth-Token", "header", required=True)]
        body = {"application/json": MRS_BODIES[operation]} if operation in MRS_BODIES else {}
        success = _response("the object", None if method == "DELETE" else "application/json",
                            MRS_RESULTS.get(operation))
        error = _response("a Sahara/Huawei error", "application/json", MRS_ERROR)
    else:  # cos_batch
        parameters = [_parameter("x-cos-appid", "header", required=True)]
        parameters += [_parameter(q, "query") for q in COS_QUERY.get(operation, [])]
        body = {"application/xml": XML} if operation == "CreateJob" else {}
        success = _response("the result document", None if method == "DELETE" else "application/xml", XML)
        error = _response("a COS <Error> document", "application/xml", XML)
    spec: dict[str, Any] = {"operationId": f"{service}.{operation}", "tags": [service],
                            "parameters": parameters, "responses": {"2XX": success, "4XX": error}}
    if body:
        spec["requestBody"] = {"required": True, "content": {t: {"schema": s} for t, s in body.items()}}
    return spec


ADMIN = {
    ("GET", "/_emulator/health"): ("health", None),
    ("GET", "/_emulator/state"): ("state", None),
    ("GET", "/_emulator/clock"): ("read_clock", None),
    ("POST", "/_emulator/clock"): ("update_clock", ANY_OBJECT),
    ("GET", "/_emulator/requests"): ("list_requests", None),
    ("GET", "/_emulator/faults"): ("list_faults", None),
    ("POST", "/_emulator/transitions"): ("transition", ANY_OBJECT),
    ("POST", "/_emulator/snapshot"): ("snapshot", None),
    ("GET", "/_emulator/openapi.json"): ("openapi_document", None),
}


def build(app: web.Application) -> dict[str, Any]:
    """The OpenAPI 3 document of every named service route, and the admin API's read and clock calls."""
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        name = route.name or (route.resource.name if route.resource else None)
        if not name or "." not in name or route.method in ("HEAD", "*"):
            continue
        service, _, operation = name.partition(".")
        template = route.resource.canonical
        spec = _operation(service, operation, route.method)
        spec["parameters"] = [_parameter(p, "path") for p in re.findall(r"\{(\w+)\}", template)] + spec["parameters"]
        paths.setdefault(template, {})[route.method.lower()] = spec
    for (method, path), (operation, body) in ADMIN.items():
        spec = {"operationId": f"admin.{operation}", "tags": ["admin"],
                "responses": {"2XX": _response("the answer", "application/json", ANY_OBJECT),
                              "4XX": _response("an admin error", "application/json", ADMIN_ERROR)}}
        if body:
            spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        paths.setdefault(path, {})[method.lower()] = spec
    return {"openapi": "3.0.3",
            "info": {"title": "cloud-job-emulator", "version": __version__,
                     "description": "Kubernetes batch/v1 Jobs (Huawei CCE/CCI), Huawei MRS job objects and "
                                    "Tencent COS Batch jobs, emulated in memory; plus the admin API."},
            "paths": dict(sorted(paths.items()))}
