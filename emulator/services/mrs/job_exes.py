"""MRS v1.1's own job API (submit-job, job-exes): its body rules, numeric job types and states, and its two shapes.

job_state / job_final_status follow Huawei's docs and terraform (the SDK's docstrings lost the minus
sign): -1/3 Terminated (killed), 1/0 Starting, 2/0 Running, 3/2 Completed, 4/1 Abnormal (failed).
The submit-job answer prints times in epoch seconds; job-exes in epoch milliseconds (`create_at`).
"""
from __future__ import annotations

import re
from typing import Any

from emulator.services.mrs import errors

JOB_TYPES = {1: "MapReduce", 2: "Spark", 3: "Hive", 4: "hql", 5: "DistCp", 6: "SparkScript", 7: "SparkSql"}
NUMBER_OF_TYPE = {name: number for number, name in JOB_TYPES.items()}
UNSUPPORTED_TYPES = (4, 7)  # "not supported currently" / "not supported in this API currently"
STATES = {"PENDING": (1, 0), "RUNNING": (2, 0), "TOBEKILLED": (2, 0), "SUCCEEDED": (3, 2), "FAILED": (4, 1),
          "DONEWITHERROR": (4, 1), "KILLED": (-1, 3)}
USER_ID = "0c7a1f6a3c5a4b1e9a2d1f3b5c7d9e0f"  # the fake MRS user every record is created and updated by
MAX_PATH = 1023
MAX_ARGUMENTS = 150000
MAX_PAGE_SIZE = 100
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_FORBIDDEN = set(";|&><'$")
JAR_BLANK = ("12000081", "The jar_path parameter cannot be left blank if the job type is MapReduce or Spark.")
SCRIPT_BLANK = ("12000114", "The hive_script_path parameter cannot be left blank if the job type is Hive or "
                            "SparkScript.")
PATH_FIELDS = ("jar_path", "input", "output", "job_log", "hive_script_path")
ITEM_FIELDS = ("id", "create_at", "update_at", "tenant_id", "job_id", "job_name", "start_time", "end_time",
               "cluster_id", "group_id", "jar_path", "input", "output", "job_log", "job_type", "file_action",
               "arguments", "hql", "job_state", "job_final_status", "hive_script_path", "create_by", "finished_step",
               "job_main_id", "job_step_id", "postpone_at", "step_name", "step_num", "task_num", "update_by",
               "spend_time", "step_seq", "progress")


def _invalid() -> Exception:
    return errors.native(errors.INVALID_PARAMETER)


def _path(value: str, suffix: str | None = None) -> None:
    if (len(value) > MAX_PATH or _FORBIDDEN & set(value) or not value.startswith(("/", "s3a://", "obs://"))
            or (suffix and not value.lower().endswith(suffix))):
        raise _invalid()


def check_submission(body: Any) -> dict[str, Any]:
    """A submit-job body: job_type 1-7 (4 and 7 refused), job_name, cluster_id, and the per-type path rules."""
    if not isinstance(body, dict):
        raise _invalid()
    job_type, name, cluster_id = body.get("job_type"), body.get("job_name"), body.get("cluster_id")
    if (not isinstance(job_type, int) or isinstance(job_type, bool) or job_type not in JOB_TYPES
            or job_type in UNSUPPORTED_TYPES):
        raise _invalid()
    if not isinstance(name, str) or not _NAME.fullmatch(name) or not isinstance(cluster_id, str) or not cluster_id:
        raise _invalid()
    values = {"job_type": job_type, "job_name": name, "cluster_id": cluster_id}
    for field in PATH_FIELDS + ("arguments", "file_action", "hql"):
        value = body.get(field) or ""
        if not isinstance(value, str):
            raise _invalid()
        values[field] = value
    if job_type in (1, 2) and not values["jar_path"].strip():
        raise errors.native(JAR_BLANK)
    if job_type in (3, 6) and not values["hive_script_path"].strip():
        raise errors.native(SCRIPT_BLANK)
    for field in PATH_FIELDS:
        if values[field]:
            suffix = ".jar" if field == "jar_path" and job_type in (1, 2) else \
                ".sql" if field == "hive_script_path" else None
            _path(values[field], suffix)
    if len(values["arguments"]) > MAX_ARGUMENTS or _FORBIDDEN & set(values["arguments"]):
        raise _invalid()
    if job_type == 5 and values["file_action"] not in ("import", "export"):
        raise _invalid()
    return values


def check_query(args: Any) -> dict[str, Any]:
    """job-exes' query: page_size 1-100 (default 10), current_page from 1, filters job_name, cluster_id, state, id."""
    query: dict[str, Any] = {"page_size": 10, "current_page": 1}
    for name in ("page_size", "current_page"):
        if name in args:
            if not args[name].isdigit() or len(args[name]) > 9:
                raise _invalid()
            query[name] = int(args[name])
    if not 1 <= query["page_size"] <= MAX_PAGE_SIZE or query["current_page"] < 1:
        raise _invalid()
    for name in ("job_name", "id"):
        if name in args:
            query[name] = args[name]
    cluster_id = args.get("cluster_id", args.get("clusterId"))
    if cluster_id is not None:
        query["cluster_id"] = cluster_id
    if "state" in args:
        try:
            query["state"] = int(args["state"])
        except ValueError:
            raise _invalid() from None
    return query


def item(record: dict[str, Any], job_name: str, job_type: str) -> dict[str, Any]:
    """A record as job-exes shows it: times in epoch ms; Sahara-made records with empty paths."""
    native = record.get("native") or {}
    state, final = STATES[record["status"]]
    start, end = record.get("start_ms"), record.get("end_ms")
    shown = {
        "id": record["id"], "create_at": record["created_ms"], "update_at": record.get("updated_ms")
        or record["created_ms"], "tenant_id": record["tenant_id"], "job_id": record["job_id"],
        "job_name": native.get("job_name", job_name), "start_time": start, "end_time": end,
        "cluster_id": record["cluster_id"], "group_id": record["id"],
        **{field: native.get(field, "") for field in PATH_FIELDS[:4]},
        "job_type": native.get("job_type", NUMBER_OF_TYPE.get(job_type, 0)),
        "file_action": native.get("file_action", ""), "arguments": native.get("arguments", ""),
        "hql": native.get("hql", ""), "job_state": state, "job_final_status": final,
        "hive_script_path": native.get("hive_script_path", ""), "create_by": USER_ID, "finished_step": 0,
        "job_main_id": "", "job_step_id": "", "postpone_at": record["created_ms"], "step_name": "", "step_num": 0,
        "task_num": 0, "update_by": USER_ID,
        "spend_time": None if start is None else ((end if end is not None else start) - start) / 1000,
        "step_seq": 0, "progress": "100%" if final else "0%",
    }
    return {field: shown[field] for field in ITEM_FIELDS}


def submitted(record: dict[str, Any]) -> dict[str, Any]:
    """The submit-job answer's `job_execution`: Huawei's documented keys, times in epoch seconds."""
    native = record["native"]
    state, final = STATES[record["status"]]
    seconds = record["created_ms"] // 1000
    start = record.get("start_ms")
    return {
        "templated": False, "created_at": seconds, "updated_at": seconds, "id": record["id"],
        "tenant_id": record["tenant_id"], "job_id": "", "job_name": native["job_name"], "input_id": None,
        "output_id": None, "start_time": None if start is None else start // 1000, "end_time": None,
        "cluster_id": record["cluster_id"], "engine_job_id": record["engine_job_id"], "return_code": None,
        "is_public": None, "is_protected": False, "group_id": record["id"],
        **{field: native[field] for field in PATH_FIELDS[:4]},
        "job_type": native["job_type"], "file_action": native["file_action"], "arguments": native["arguments"],
        "hql": native["hql"], "job_state": state, "job_final_status": final,
        "hive_script_path": native["hive_script_path"], "create_by": USER_ID, "finished_step": 0,
        "job_main_id": "", "job_step_id": "", "postpone_at": seconds, "step_name": "", "step_num": 0,
        "task_num": 0, "update_by": USER_ID, "credentials": "", "user_id": USER_ID, "job_configs": None,
        "extra": None, "data_source_urls": None, "info": None,
    }
