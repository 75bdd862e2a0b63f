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
