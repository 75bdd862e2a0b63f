"""The COS batch error catalogue (codes, statuses, message texts) and the `<Error>` document."""
from __future__ import annotations

from typing import Any

from emulator.core.errors import ApiError, BodyTooLarge, BodyUnreadable, HeaderTooLarge, MethodNotAllowed, RouteNotFound

# Message texts. Where seed 004 words an UpdateJobStatus error, its wording is used.
APPID_EMPTY = "x-cos-appid cannot be empty"
EMPTY_PARAMETER = "Empty parameter"
INVALID_PARAMETER = "Invalid parameter"
PRIORITY_RANGE = "Priority must be an integer between 0 and 2147483647"
REQUESTED_STATUS = "The value of the requestedJobStatus parameter must be Cancelled or Ready"
JOB_STATUSES = "Parameter jobStatuses is invalid"
MAX_RESULTS = "maxResults must be a positive integer"
NEXT_TOKEN = "nextToken parameter is invalid"
INVALID_REQUEST = "Invalid request"
EMPTY_BODY = "Empty request body"
NO_JOB_ID = "No job ID is provided"
NO_PRIORITY = "No job priority is provided"
TOKEN_EXISTS = "ClientRequestToken already exists"
ALREADY_COMPLETED = "The specified job has already been completed"
STATUS_CHANGE = "Error with the job status change"
MALFORMED = "Invalid request format"
NO_SUCH_JOB = "The specified job does not exist"
NO_SUCH_JOB_OR_FINISHED = "The specified job does not exist or has already been completed"
EXPIRED = "Request has expired"


def invalid_argument(message: str = INVALID_PARAMETER, **details: Any) -> ApiError:
    return ApiError(400, "InvalidArgument", message, **details)


def invalid_request(message: str = INVALID_REQUEST, **details: Any) -> ApiError:
    return ApiError(400, "InvalidRequest", message, **details)


def malformed_xml(message: str = MALFORMED, **details: Any) -> ApiError:
    return ApiError(400, "MalformedXML", message, **details)


def no_such_job(message: str = NO_SUCH_JOB) -> ApiError:
    return ApiError(404, "NoSuchJob", message)


def access_denied(message: str = "Access Denied.") -> ApiError:
    return ApiError(403, "AccessDenied", message)


def signature_mismatch() -> ApiError:
    return ApiError(403, "SignatureDoesNotMatch", "The Signature you specified is invalid.")


def unknown_access_key() -> ApiError:
    return ApiError(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")


def bad_digest() -> ApiError:
    return ApiError(400, "BadDigest", "The Content-MD5 you specified did not match what was received.")


def invalid_digest() -> ApiError:
    return ApiError(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")


def in_cos_terms(error: ApiError) -> ApiError:
    """The foundation's routing errors as COS words them; every other error as raised."""
    if type(error) is ApiError:  # the usual case: raised by the COS code itself
        return error
    if isinstance(error, RouteNotFound):
        return invalid_request()
    if isinstance(error, MethodNotAllowed):
        return ApiError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    if isinstance(error, BodyTooLarge):
        return ApiError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
    if isinstance(error, BodyUnreadable):
        return malformed_xml()
    if isinstance(error, HeaderTooLarge):  # COS's catalogue has no code for it; its XML API's model, S3, has this 400
        return ApiError(400, "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.")
    return error


def error_content(error: ApiError, resource: str, request_id: str, trace_id: str) -> dict[str, str]:
    """The children of COS's `<Error>` root, in COS's order."""
    return {"Code": error.code, "Message": error.message, "Resource": resource, "RequestId": request_id,
            "TraceId": trace_id}
