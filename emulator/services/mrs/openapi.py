"""The MRS routes' request bodies and answers, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import ANY_OBJECT, operation, parameter, response, schema_object

ERROR = {"anyOf": [
    schema_object("error_code", "error_name", "error_message", "error_msg", error_code={"type": "integer"}),
    schema_object("error", error=schema_object("code", "title", "message")),  # Keystone's 401 for a missing token
]}
JOB = schema_object("id", "name", "type", "mains", "libs", "tenant_id", "created_at", "updated_at")
BINARY = schema_object("id", "name", "url", "tenant_id", "created_at", "updated_at")
BODIES = {"create_job": ANY_OBJECT, "update_job": ANY_OBJECT, "create_job_binary": ANY_OBJECT,
          "update_job_binary": ANY_OBJECT}
RESULTS = {
    "create_job": schema_object("job", job=JOB), "get_job": schema_object("job", job=JOB),
    "update_job": schema_object("job", job=JOB), "list_jobs": schema_object("jobs", jobs={"type": "array"}),
    "create_job_binary": schema_object("job_binary", job_binary=BINARY),
    "get_job_binary": schema_object("job_binary", job_binary=BINARY),
    "update_job_binary": schema_object("job_binary", job_binary=BINARY),
    "list_job_binaries": schema_object("binaries", binaries={"type": "array"}),
}


def describe(name: str, method: str) -> dict[str, Any]:
    """One operation, by python-saharaclient's name for it."""
    body = {"application/json": BODIES[name]} if name in BODIES else None
    return operation([parameter("X-Auth-Token", "header", required=True)],
                     response("the object", None if method == "DELETE" else "application/json", RESULTS.get(name)),
                     response("a Sahara/Huawei error", "application/json", ERROR), body)
