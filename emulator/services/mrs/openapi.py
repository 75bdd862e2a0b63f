"""The MRS routes' request bodies and answers, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import ANY_OBJECT, TEXT, operation, parameter, response, schema_object, strict_object

ERROR = {"anyOf": [
    schema_object("error_code", "error_name", "error_message", "error_msg", error_code={"type": "integer"}),
    schema_object("error", error=schema_object("code", "title", "message")),  # Keystone's 401 for a missing token
]}
NATIVE_ERROR = {"anyOf": [  # MRS's own APIs and Huawei's gateway; unknown clusters use the camel-case pair
    schema_object("error_code", "error_msg", error_code={"type": "string"}),
    schema_object("errorCode", "errorMsg", errorCode={"type": "string"}),
]}
V2_JOB = schema_object("job_id", "job_name", "job_state", "job_result", "job_type", "submitted_time")
NATIVE = {
    "show_cluster_details": schema_object("cluster", cluster=schema_object("clusterId", "clusterState")),
    "create_execute_job": schema_object("job_submit_result",
                                        job_submit_result=schema_object("job_id", "state")),
    "show_job_exe_list_new": schema_object("total_record", "job_list",
                                           job_list={"type": "array", "items": V2_JOB}),
    "show_single_job_exe": schema_object("job_detail", job_detail=V2_JOB),
    "show_sql_result_with_job": schema_object("sql_results"),
    "stop_job": None, "batch_delete_jobs": None,
    "create_and_execute_job": schema_object("job_execution", "id", job_execution=schema_object("id", "job_state")),
    "list_execute_job": schema_object("totalRecord", "job_executions", job_executions={"type": "array"}),
    "show_job_exes": schema_object("job_execution", job_execution=schema_object("id", "job_state", "create_at")),
}
NATIVE_BODIES = {"create_execute_job": ANY_OBJECT, "batch_delete_jobs": ANY_OBJECT,
                 "create_and_execute_job": ANY_OBJECT}
# Credentials a request carries (any, unless strict authentication is on): a Keystone token, or an AK/SK signature.
TOKEN = {"pattern": "^[A-Za-z0-9_-]{1,64}$"}
SIGNATURE = {"pattern": "^SDK-HMAC-SHA256 Access=[A-Za-z0-9]{1,20}, SignedHeaders=host, Signature=[0-9a-f]{64}$"}
JOB = schema_object("id", "name", "type", "mains", "libs", "tenant_id", "created_at", "updated_at")
BINARY = schema_object("id", "name", "url", "tenant_id", "created_at", "updated_at")
BODIES = {"create_job": ANY_OBJECT, "update_job": ANY_OBJECT, "create_job_binary": ANY_OBJECT,
          "update_job_binary": ANY_OBJECT, "create_data_source": ANY_OBJECT, "update_data_source": ANY_OBJECT,
          "execute_job": ANY_OBJECT, "update_job_execution": ANY_OBJECT}
SOURCE = schema_object("id", "name", "type", "url", "tenant_id", "created_at", "updated_at")
EXECUTION = schema_object("id", "job_id", "cluster_id", "tenant_id", "created_at")
RESULTS = {
    "create_job": schema_object("job", job=JOB), "get_job": schema_object("job", job=JOB),
    "update_job": schema_object("job", job=JOB), "list_jobs": schema_object("jobs", jobs={"type": "array"}),
    "create_job_binary": schema_object("job_binary", job_binary=BINARY),
    "get_job_binary": schema_object("job_binary", job_binary=BINARY),
    "update_job_binary": schema_object("job_binary", job_binary=BINARY),
    "list_job_binaries": schema_object("binaries", binaries={"type": "array"}),
    "create_data_source": schema_object("data_source", data_source=SOURCE),
    "get_data_source": schema_object("data_source", data_source=SOURCE),
    "update_data_source": schema_object("data_source", data_source=SOURCE),
    "list_data_sources": schema_object("data_sources", data_sources={"type": "array"}),
    **{name: schema_object("job_execution", job_execution=EXECUTION)
       for name in ("execute_job", "get_job_execution", "refresh_job_execution_status", "cancel_job_execution",
                    "update_job_execution")},
    "list_job_executions": schema_object("job_executions", job_executions={"type": "array"}),
}


def describe(name: str, method: str) -> dict[str, Any]:
    """One operation, by python-saharaclient's name for it (or huaweicloudsdkmrs's, for MRS's own APIs)."""
    if name in NATIVE:
        body = {"application/json": NATIVE_BODIES[name]} if name in NATIVE_BODIES else None
        success = NATIVE[name]
        return operation([parameter("Authorization", "header", True, SIGNATURE)],
                         response("the answer", success and "application/json", success),
                         response("an MRS or API gateway error", "application/json", NATIVE_ERROR), body)
    body = {"application/json": BODIES[name]} if name in BODIES else None
    return operation([parameter("X-Auth-Token", "header", True, TOKEN)],
                     response("the object", None if method == "DELETE" else "application/json", RESULTS.get(name)),
                     response("a Sahara/Huawei error", "application/json", ERROR), body)


TRANSITION = strict_object({"service": {"enum": ["mrs"]}, "project_id": TEXT, "job_execution_id": TEXT,
                           "status": {"enum": ["RUNNING", "SUCCEEDED", "FAILED", "KILLED"]}})  # any execution's
