"""The COS batch routes' parameters and XML bodies, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import TEXT, operation, parameter, response, strict_object
from emulator.services.cos_batch.lifecycle import REQUESTABLE, STATUSES
from emulator.services.cos_batch.object_validation import LIST_QUERY
from emulator.services.cos_batch.objects import BUCKET

XML = {"type": "string"}
OBJECT_QUERY = {"GetBucket": LIST_QUERY}
OBJECT_OPERATIONS = ("PutBucket", "GetBucket", "HeadBucket", "DeleteBucket", "PutObject", "GetObject", "HeadObject",
                     "DeleteObject", "PostObjectRestore")
QUERY = {"ListJobs": ["jobStatuses", "maxResults", "nextToken"], "UpdateJobPriority": ["priority"],
         "UpdateJobStatus": ["requestedJobStatus", "statusUpdateReason"]}
_STATUS = "(" + "|".join(STATUSES) + ")"
# What validation.py takes, as patterns (a subset where the rule is a range: maxResults 1-1000, priority 0-2^31-1;
# nextToken takes only what a ListJobs answered, so the document offers none).
SCHEMAS = {"x-cos-appid": {"pattern": "^[0-9]{1,10}$"}, "jobStatuses": {"pattern": f"^({_STATUS}(,{_STATUS})*)?$"},
           "maxResults": {"pattern": "^([1-9][0-9]{0,2}|1000)$"}, "nextToken": {"maxLength": 0},
           "priority": {"pattern": "^[0-9]{1,9}$"}, "requestedJobStatus": {"enum": list(REQUESTABLE)},
           "statusUpdateReason": {"pattern": "^[A-Za-z0-9 ]{0,64}$"}, "job_id": {"pattern": "^[A-Za-z0-9_-]{1,64}$"}}
REQUIRED = ("x-cos-appid", "priority", "requestedJobStatus")


def describe(name: str, method: str) -> dict[str, Any]:
    """One operation, by its COS action name."""
    if name in OBJECT_OPERATIONS:  # signed like the job API, but no x-cos-appid: the bucket name carries it
        body = {"application/octet-stream": {"type": "string", "format": "binary"}} if name == "PutObject" else None
        bucket = {**parameter("bucket", "path"), "description": f"<name>-<APPID>: {BUCKET.pattern}",
                  "schema": {"type": "string", "enum": ["examplebucket-1250000000"]}}
        slash = {**parameter("slash", "path"), "schema": {"type": "string", "enum": ["", "/"]}}
        paths = [bucket, slash] if "Bucket" in name else [bucket]
        return operation(paths + [parameter(q, "query") for q in OBJECT_QUERY.get(name, [])],
                         response("the object, or a result document", None if method == "DELETE" else "application/xml", XML),
                         response("a COS <Error> document", "application/xml", XML), body)
    parameters = [parameter("x-cos-appid", "header", True, SCHEMAS["x-cos-appid"])] + [
        parameter(q, "query", q in REQUIRED, SCHEMAS[q]) for q in QUERY.get(name, [])]
    if name in ("DescribeJob", "DeleteJob", "UpdateJobPriority", "UpdateJobStatus"):
        parameters.insert(0, parameter("job_id", "path", True, SCHEMAS["job_id"]))
    return operation(parameters, response("the result document", None if method == "DELETE" else "application/xml", XML),
                     response("a COS <Error> document", "application/xml", XML),
                     {"application/xml": XML} if name == "CreateJob" else None)


TRANSITION = strict_object({"service": {"enum": ["cos_batch"]}, "appid": TEXT, "job_id": TEXT,
                           "status": {"enum": list(STATUSES)}})
