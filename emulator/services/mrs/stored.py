"""MRS records as the state file holds them: each checked at start against the shape its create path writes."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from emulator.core.errors import ApiError
from emulator.core.store import Store
from emulator.services.mrs import binaries, clusters, datasources, edp, executions, job_exes, jobs, validation
from emulator.services.mrs.schema import Schema, Validator
from emulator.services.mrs.shapes import TIME_FORMAT
from emulator.services.mrs.wire import PROJECT_ID


def _uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _sahara_time(text: str) -> bool:
    try:
        datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        return False
    return True


FORMATS = {**validation.FORMATS, "uuid": _uuid, "sahara_time": _sahara_time, "digits": str.isdecimal}
TEXT: Schema = {"type": "string"}
TIME: Schema = {"type": "string", "format": "sahara_time"}
TIME_OR_NULL: Schema = {"type": ["string", "null"], "format": "sahara_time"}
UUID: Schema = {"type": "string", "format": "uuid"}
BOOLEAN: Schema = {"type": "boolean"}
MS: Schema = {"type": "integer", "minimum": 0}
MS_OR_NULL: Schema = {"type": ["integer", "null"], "minimum": 0}
OBJECT_OR_NULL: Schema = {"type": ["object", "null"]}


def _record(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Validator:
    """Every field the create path writes is required; nothing else is allowed."""
    return Validator({"type": "object", "properties": properties, "additionalProperties": False,
                      "required": [name for name in properties if name not in optional]}, FORMATS)


_JOB_FIELDS = validation.JOB_CREATE.schema["properties"]
_BINARY_FIELDS = validation.BINARY_CREATE.schema["properties"]
_SOURCE_FIELDS = validation.DATA_SOURCE_CREATE.schema["properties"]
_COUNT: Schema = {"type": "string", "format": "digits"}
SCHEMAS: dict[str, Validator] = {
    jobs.KIND: _record({
        "name": _JOB_FIELDS["name"], "type": _JOB_FIELDS["type"], "description": _JOB_FIELDS["description"],
        "mains": _JOB_FIELDS["mains"], "libs": _JOB_FIELDS["libs"], "created_at": TIME, "updated_at": TIME_OR_NULL,
        "id": UUID, "tenant_id": TEXT, "is_public": _JOB_FIELDS["is_public"],
        "is_protected": _JOB_FIELDS["is_protected"], "interface": {"type": "array", "items": {"type": "object"}}}),
    binaries.KIND: _record({
        "name": _BINARY_FIELDS["name"], "url": _BINARY_FIELDS["url"], "description": _BINARY_FIELDS["description"],
        "created_at": TIME, "updated_at": TIME_OR_NULL, "id": UUID, "tenant_id": TEXT,
        "is_public": _BINARY_FIELDS["is_public"], "is_protected": _BINARY_FIELDS["is_protected"],
        "extra": OBJECT_OR_NULL}),
    datasources.KIND: _record({
        "name": _SOURCE_FIELDS["name"], "type": _SOURCE_FIELDS["type"], "url": _SOURCE_FIELDS["url"],
        "description": _SOURCE_FIELDS["description"], "created_at": TIME, "updated_at": TIME_OR_NULL, "id": UUID,
        "tenant_id": TEXT, "is_public": BOOLEAN, "is_protected": BOOLEAN}),
    datasources.SECRETS: _record({"credentials": {"type": "object"}}),
    clusters.KIND: _record({
        "clusterId": {"type": "string", "minLength": 1}, "clusterName": {"type": "string", "minLength": 1},
        "clusterState": {"type": "string", "enum": list(clusters.STATES)}, "clusterVersion": TEXT,
        "componentList": {"type": "array", "items": _record({
            "componentId": TEXT, "componentName": {"type": "string", "minLength": 1}, "componentVersion": TEXT,
            "componentDesc": TEXT}).schema},
        "tenantId": TEXT, "createAt": _COUNT, "updateAt": _COUNT, "masterNodeNum": _COUNT, "coreNodeNum": _COUNT,
        "totalNodeNum": _COUNT, "safeMode": {"type": "integer", "enum": [0, 1]},
        "stageDesc": {"type": ["string", "null"]}, "applications": MS}),
    edp.KIND: _record({
        "id": UUID, "tenant_id": TEXT, "job_id": TEXT, "cluster_id": TEXT, "input_id": {"type": ["string", "null"]},
        "output_id": {"type": ["string", "null"]}, "start_time": TIME_OR_NULL, "end_time": TIME_OR_NULL,
        "info": {"type": ["object", "null"], "additionalProperties": False, "required": ["status"],
                 "properties": {"status": TEXT}},
        "engine_job_id": {"type": ["string", "null"]}, "oozie_job_id": {"type": ["string", "null"]},
        "return_code": {"type": ["string", "integer", "null"]}, "job_configs": OBJECT_OR_NULL,
        "data_source_urls": OBJECT_OR_NULL,
        "is_public": {"type": ["boolean", "null"]}, "is_protected": BOOLEAN, "created_at": TIME,
        "updated_at": TIME_OR_NULL,
        "native": {"type": "object"},
        "status": {"type": "string", "enum": ["PENDING", "RUNNING", "TOBEKILLED", *edp.TERMINAL]},
        "outcome": {"type": "string", "enum": list(validation.OUTCOMES)}, "duration_ms": MS, "next_at": MS_OR_NULL,
        "created_ms": MS, "start_ms": MS_OR_NULL, "end_ms": MS_OR_NULL, "updated_ms": MS},
        optional=("native", "updated_ms")),
    executions.KIND: _record({
        "job_id": UUID, "user": TEXT, "job_name": TEXT,
        "job_result": {"type": "string", "enum": list(validation.V2_RESULTS)},
        "job_state": {"type": "string", "enum": list(validation.V2_STATES)}, "job_progress": {"type": "number"},
        "job_type": {"type": "string", "enum": list(validation.V2_TYPES)}, "started_time": MS, "submitted_time": MS,
        "finished_time": MS, "elapsed_time": MS, "arguments": TEXT, "launcher_id": TEXT, "properties": TEXT,
        "app_id": TEXT, "tracking_url": {"type": ["string", "null"]}, "queue": TEXT, "cluster_id": TEXT,
        "argument_list": {"type": "array", "items": TEXT},
        "outcome": {"type": "string", "enum": list(validation.OUTCOMES)}, "duration_ms": MS, "next_at": MS_OR_NULL}),
}
# Which fields hold a record's own id and project: they must name where it is stored.
_IDENTITY = {clusters.KIND: ("clusterId", "tenantId"), executions.KIND: ("job_id", None),
             datasources.SECRETS: (None, None)}


def problem(kind: str, scope: str, name: str, obj: dict[str, Any]) -> str | None:
    """What makes one saved MRS record unusable (the checks its create path makes), or None; not MRS's: None."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        return None
    if not PROJECT_ID.match(scope):
        return "is not stored under an MRS project id"
    messages = schema.messages(obj)
    if messages:
        return messages[0]
    own_id, own_project = _IDENTITY.get(kind, ("id", "tenant_id"))
    if own_id and obj[own_id] != name or own_project and obj[own_project] != scope:
        return f'"{own_id}" and "{own_project or "its project"}" must name where it is stored'
    return _state_problem(kind, obj)


def _state_problem(kind: str, record: dict[str, Any]) -> str | None:
    """The rules the create path and the state machines keep beyond the shape."""
    # (A job's per-type rules on mains and libs are not checked: PATCH may change its type without them, as MRS does.)
    if kind == datasources.KIND:
        try:
            validation.check_data_source_url(record["type"], record["url"])
        except ApiError as error:
            return error.message
    elif kind == edp.KIND:
        finished = record["status"] in edp.TERMINAL
        if finished != (record["next_at"] is None):
            return '"next_at" must be null exactly when the execution has finished'
        if record["info"] is not None and record["info"]["status"] != record["status"]:
            return '"info.status" must be the execution\'s "status"'
        if "native" in record:
            try:
                job_exes.check_submission(record["native"])
            except ApiError as error:
                return f'"native" is no submit-job body MRS accepts ({error.message})'
    elif kind == executions.KIND:
        if (record["job_state"] in executions.TERMINAL) != (record["next_at"] is None):
            return '"next_at" must be null exactly when the job has finished'
    return None


def dangling(store: Store) -> Iterator[str]:
    """Each saved record naming a cluster, job, binary or data source the state file does not hold, in one line."""
    def held(kind: str, project: str, object_id: Any) -> bool:
        return store.collection(kind).get(project, object_id) is not None

    for (project, job_id), job in store.collection(jobs.KIND).scan():
        for binary_id in job["mains"] + job["libs"]:
            if not held(binaries.KIND, project, binary_id):
                yield f"{jobs.KIND} '{project}/{job_id}' names job binary {binary_id!r}, which it does not hold"
    for (project, source_id), _ in store.collection(datasources.SECRETS).scan():
        if not held(datasources.KIND, project, source_id):
            yield f"{datasources.SECRETS} '{project}/{source_id}' belongs to no data source it holds"
    for kind in (edp.KIND, executions.KIND):
        for (project, record_id), record in store.collection(kind).scan():
            if not held(clusters.KIND, project, record["cluster_id"]):
                yield f"{kind} '{project}/{record_id}' names cluster {record['cluster_id']!r}, which it does not hold"
            if kind == edp.KIND and record["job_id"] and not held(jobs.KIND, project, record["job_id"]):
                yield f"{kind} '{project}/{record_id}' names job {record['job_id']!r}, which it does not hold"
