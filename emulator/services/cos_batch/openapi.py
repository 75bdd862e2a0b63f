"""The COS batch routes' parameters and XML bodies, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from emulator.core.openapi import operation, parameter, response

XML = {"type": "string"}
QUERY = {"ListJobs": ["jobStatuses", "maxResults", "nextToken"], "UpdateJobPriority": ["priority"],
         "UpdateJobStatus": ["requestedJobStatus", "statusUpdateReason"]}


def describe(name: str, method: str) -> dict[str, Any]:
    """One operation, by its COS action name."""
    parameters = [parameter("x-cos-appid", "header", required=True)] + [parameter(q, "query") for q in QUERY.get(name, [])]
    return operation(parameters, response("the result document", None if method == "DELETE" else "application/xml", XML),
                     response("a COS <Error> document", "application/xml", XML),
                     {"application/xml": XML} if name == "CreateJob" else None)
