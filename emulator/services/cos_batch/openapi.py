"""The COS batch routes' parameters and XML bodies, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import operation, parameter, response
from emulator.services.cos_batch.objects import BUCKET

XML = {"type": "string"}
OBJECT_QUERY = {"GetBucket": ["prefix", "delimiter", "marker", "max-keys", "encoding-type"]}
OBJECT_OPERATIONS = ("PutBucket", "GetBucket", "HeadBucket", "DeleteBucket", "PutObject", "GetObject", "HeadObject",
                     "DeleteObject", "PostObjectRestore")
QUERY = {"ListJobs": ["jobStatuses", "maxResults", "nextToken"], "UpdateJobPriority": ["priority"],
         "UpdateJobStatus": ["requestedJobStatus", "statusUpdateReason"]}


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
    parameters = [parameter("x-cos-appid", "header", required=True)] + [parameter(q, "query") for q in QUERY.get(name, [])]
    return operation(parameters, response("the result document", None if method == "DELETE" else "application/xml", XML),
                     response("a COS <Error> document", "application/xml", XML),
                     {"application/xml": XML} if name == "CreateJob" else None)
