"""What MRS accepts in job and job-binary bodies: Sahara's schemas with Huawei's limits, then the per-type rules.

Limits follow seed 002 and Huawei's pages: names are 1-80 letters, digits, `-` and `_` (seed 002),
descriptions at most 65535 characters or null, binary urls 1-255 characters starting with `s3a://`
or `/`. Job types are Huawei's create list on POST and its shorter update list on PATCH.
"""
from __future__ import annotations

import re
from typing import Any

from emulator.services.mrs import errors
from emulator.services.mrs.schema import Schema, Validator

CREATE_TYPES = ["MapReduce", "Spark", "Hive", "hql", "DistCp", "SparkScript", "SparkSql"]
UPDATE_TYPES = ["MapReduce", "Spark", "Hive", "DistCp", "SparkScript"]
NEED_MAINS = ("Hive", "SparkScript", "hql")
NEED_LIBS = ("MapReduce", "Spark")
NEED_MAINS_MESSAGE = "If the job type is Hive or Spark Script, the value of the mains should not be left blank."
NEED_LIBS_MESSAGE = "If the job type is MapReduce or Spark, the value of the libs should not be left blank."
INTERFACE_MESSAGE = "interface: The current version does not support this function."

_NAME = re.compile(r"[A-Za-z0-9_-]+")
FORMATS = {
    "valid_name": lambda text: _NAME.fullmatch(text) is not None,
    "valid_job_location": lambda text: text.startswith(("s3a://", "/")),
}

NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 80, "format": "valid_name"}
DESCRIPTION: Schema = {"type": ["string", "null"], "maxLength": 65535}
BINARY_IDS: Schema = {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}}
FLAG: Schema = {"type": ["boolean", "null"]}


def _job_schema(types: list[str], required: list[str]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "name": NAME,
            "description": DESCRIPTION,
            "type": {"type": "string", "enum": types},
            "mains": BINARY_IDS,
            "libs": BINARY_IDS,
            "interface": {"type": ["array", "null"], "uniqueItems": True},
            "is_public": FLAG,
            "is_protected": FLAG,
        },
        "additionalProperties": False,
        "required": required,
    }


def _binary_schema(required: list[str]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "name": NAME,
            "description": DESCRIPTION,
            "url": {"type": "string", "minLength": 1, "maxLength": 255, "format": "valid_job_location"},
            "is_public": FLAG,
            "is_protected": FLAG,
            "extra": {"type": ["object", "null"]},
        },
        "additionalProperties": False,
        "required": required,
    }


JOB_CREATE = Validator(_job_schema(CREATE_TYPES, ["name", "type"]), FORMATS)
JOB_UPDATE = Validator(_job_schema(UPDATE_TYPES, []), FORMATS)
BINARY_CREATE = Validator(_binary_schema(["name", "url"]), FORMATS)
BINARY_UPDATE = Validator(_binary_schema([]), FORMATS)


def check(validator: Validator, body: Any) -> dict[str, Any]:
    """`body` if the schema accepts it, else 400 VALIDATION_ERROR with every message."""
    messages = validator.messages(body)
    if messages:
        raise errors.validation_error(messages)
    return body


def check_job_content(job_type: str, mains: list[str], libs: list[str], interface: list[Any] | None) -> None:
    """Huawei's per-type rules on mains and libs; interface arguments are not supported."""
    if job_type in NEED_MAINS and not mains:
        raise errors.invalid_data(NEED_MAINS_MESSAGE)
    if job_type in NEED_LIBS and not libs:
        raise errors.invalid_data(NEED_LIBS_MESSAGE)
    if interface:
        raise errors.invalid_data(INTERFACE_MESSAGE)


# MRS v2 job executions (POST /v2/{project_id}/clusters/{cluster_id}/job-executions).
V2_TYPES = ("MapReduce", "SparkSubmit", "SparkPython", "HiveScript", "HiveSql", "DistCp", "SparkScript",
            "SparkSql", "Flink")
V2_STATES = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED")
V2_RESULTS = ("SUCCEEDED", "FAILED", "KILLED", "UNDEFINED")
OUTCOMES = ("SUCCEEDED", "FAILED", "KILLED")
DURATION_KEY = "cloud-job-emulator.duration-seconds"
OUTCOME_KEY = "cloud-job-emulator.outcome"
MAX_ARGUMENTS_CHARS = 150000  # the whole arguments content (current Huawei docs and the SDK)
MAX_PROPERTIES_CHARS = 2048
MAX_DURATION_SECONDS = 365 * 24 * 3600
_V2_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ARGUMENT_FORBIDDEN = set(";|&>'<$")
SQL_TEXT_TYPES = ("HiveSql", "SparkSql")  # their last argument is SQL text: `;` separates its statements
_PROPERTY_FORBIDDEN = set("><|'`&!\\")
_QUERY_TEXT = {"job_name": re.compile(r"[A-Za-z0-9_-]{1,128}"), "job_id": re.compile(r"[A-Za-z0-9-]{1,64}"),
               "user": re.compile(r"[A-Za-z_.-][A-Za-z0-9_.-]{0,31}"), "queue": re.compile(r"[A-Za-z0-9_-]{1,64}")}
MAX_PAGE = 1000  # the largest `limit` a v2 list accepts (terraform pages by 100)


def _invalid() -> Exception:
    return errors.native(errors.INVALID_PARAMETER)


def check_v2_submission(body: Any) -> dict[str, Any]:
    """A v2 submission's job_type, job_name, arguments (list) and properties (map), and the scripted run.

    Returns the four fields plus `duration` (seconds or None) and `outcome` taken from the emulator's
    properties; anything out of MRS's rules is its 400 `12000002`.
    """
    if not isinstance(body, dict):
        raise _invalid()
    job_type, job_name = body.get("job_type"), body.get("job_name")
    if job_type not in V2_TYPES or not isinstance(job_name, str) or not _V2_NAME.fullmatch(job_name):
        raise _invalid()
    arguments = body.get("arguments") or []
    if not isinstance(arguments, list) or not all(isinstance(item, str) for item in arguments):
        raise _invalid()
    forbidden = _ARGUMENT_FORBIDDEN - (set(";") if job_type in SQL_TEXT_TYPES else set())
    if sum(map(len, arguments)) > MAX_ARGUMENTS_CHARS or any(forbidden & set(item) for item in arguments):
        raise _invalid()
    properties = body.get("properties") or {}
    if not isinstance(properties, dict) or not all(isinstance(value, str) for value in properties.values()):
        raise _invalid()
    if (sum(len(key) + len(value) for key, value in properties.items()) > MAX_PROPERTIES_CHARS
            or any(_PROPERTY_FORBIDDEN & set(key + value) for key, value in properties.items())):
        raise _invalid()
    duration, outcome = scripted_run(properties)
    return {"job_type": job_type, "job_name": job_name, "arguments": list(arguments),
            "properties": dict(properties), "duration": duration, "outcome": outcome}


def scripted_run(settings: dict[str, Any]) -> tuple[float | None, str]:
    """The run time (None: the emulator's default) and outcome a submission asks for; 400 if out of range."""
    duration = settings.get(DURATION_KEY)
    if duration is not None:
        try:
            duration = float(duration)
        except (TypeError, ValueError):
            raise _invalid() from None
        if not 0 <= duration <= MAX_DURATION_SECONDS:
            raise _invalid()
    outcome = settings.get(OUTCOME_KEY, "SUCCEEDED")
    if outcome not in OUTCOMES:
        raise _invalid()
    return duration, outcome


def check_v2_query(args: Any) -> dict[str, Any]:
    """The v2 list query: filters, `limit` (1..MAX_PAGE, default 10), `offset` (page number from 1), `sort_by`."""
    query: dict[str, Any] = {"limit": 10, "offset": 1, "sort_by": "desc"}
    for name, value in args.items():
        if name in _QUERY_TEXT:
            if not _QUERY_TEXT[name].fullmatch(value):
                raise _invalid()
            query[name] = value
        elif name in ("job_type", "job_state", "job_result"):
            allowed = {"job_type": V2_TYPES, "job_state": V2_STATES, "job_result": V2_RESULTS}[name]
            if value not in allowed:
                raise _invalid()
            query[name] = "SparkSubmit" if value == "SparkPython" else value
        elif name in ("limit", "offset", "submitted_time_begin", "submitted_time_end"):
            if not value.isdigit() or len(value) > 15:
                raise _invalid()
            query[name] = int(value)
        elif name == "sort_by":
            if value not in ("asc", "desc"):
                raise _invalid()
            query[name] = value
        # other keys are ignored, as MRS ignores them
    if not 1 <= query["limit"] <= MAX_PAGE or query["offset"] < 1:
        raise _invalid()
    return query


def check_job_id_list(body: Any) -> list[str]:
    """A batch delete's `job_id_list` (array of strings; absent means none)."""
    if not isinstance(body, dict):
        raise _invalid()
    ids = body.get("job_id_list", [])
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids) or len(ids) > MAX_PAGE:
        raise _invalid()
    return ids


# Sahara EDP data sources, as MRS accepts them: hdfs (a path or hdfs://host/...) and obs (s3a:// or obs://).
# swift passes the schema (Sahara's type) but MRS does not support it: INVALID_DATA, as Sahara answers a type its
# deployment does not load.
DATA_SOURCE_TYPES = ["hdfs", "obs", "swift"]
# A url's placeholders, resolved when an execution starts: %JOB_EXEC_ID% and %RANDSTR(<length>)%.
RANDSTR = re.compile(r"%RANDSTR\((-?\d+)\)%")
MAX_RANDSTR = 1024  # the most random letters one url may ask for


def _data_source_schema(required: list[str]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "name": NAME,
            "description": DESCRIPTION,
            "type": {"type": "string", "enum": DATA_SOURCE_TYPES},
            "url": {"type": "string", "minLength": 1, "maxLength": 255},
            "credentials": {"type": ["object", "null"]},
            "is_public": FLAG,
            "is_protected": FLAG,
        },
        "additionalProperties": False,
        "required": required,
    }


DATA_SOURCE_CREATE = Validator(_data_source_schema(["name", "type", "url"]), FORMATS)
DATA_SOURCE_UPDATE = Validator(_data_source_schema([]), FORMATS)


def check_data_source_url(source_type: str, url: str) -> None:
    """Sahara's url rules: its %RANDSTR(n)% placeholders, then per type, with MRS's types: hdfs paths or
    hdfs://host, obs as s3a:// or obs://."""
    lengths = [int(length) for length in RANDSTR.findall(url)]
    if any(length <= 0 for length in lengths):
        raise errors.invalid_data("Requested RANDSTR length must be positive.")
    if sum(lengths) > MAX_RANDSTR:
        raise errors.invalid_data(f"Requested RANDSTR length is too long, please choose a value less than "
                                  f"{MAX_RANDSTR}.")
    if source_type == "swift":
        raise errors.invalid_data("Invalid data source")
    if source_type == "hdfs":
        if url.startswith("/"):
            return
        if not url.startswith("hdfs://"):
            raise errors.invalid_data("URL scheme must be 'hdfs'")
        if not url[len("hdfs://"):].split("/", 1)[0]:
            raise errors.invalid_data("HDFS url is incorrect, cannot determine a hostname")
    elif not url.startswith(("s3a://", "obs://")):
        raise errors.invalid_data("URL scheme must be 's3a' or 'obs'")
    elif not url.split("://", 1)[1].split("/", 1)[0]:
        raise errors.invalid_data("Bucket name must be present")
