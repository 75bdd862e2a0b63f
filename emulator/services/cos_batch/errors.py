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


STORE_FULL = "The object store is full (--cos-max-store-bytes)."

# The object API's catalogue: code -> (status, message); the messages COS prints where known.
OBJECT_ERRORS = {
    "NoSuchBucket": (404, "The specified bucket does not exist."),
    "NoSuchKey": (404, "The specified key does not exist."),
    "NoSuchCopySource": (404, "The specified copy source does not exist."),
    "NoSuchVersion": (404, "The specified version does not exist."),
    "InvalidRequest": (400, "Missing required header for this request: Appid, Bucket format should be "
                            "<bucketname>-<appid>"),
    "InvalidBucketName": (400, "The specified bucket name is not valid."),
    "BucketNameTooLong": (400, "The specified bucket name is too long."),
    "BucketAlreadyOwnedByYou": (409, "Your previous request to create the named bucket succeeded and you "
                                     "already own it."),
    "BucketNotEmpty": (409, "The bucket you tried to delete is not empty."),
    "InvalidObjectState": (403, "The operation is not valid for the object storage class."),
    "RestoreAlreadyInProgress": (409, "Object restore is already in progress."),
    "RestoreNonArchiveObject": (405, "Non-archived objects cannot be restored."),
    "PreconditionFailed": (412, "Precondition not match."),
    "InvalidRange": (416, "The requested range is not satisfiable."),
    "InvalidCopySource": (400, "The copy source is not valid."),
    "InvalidDelimiter": (400, "The delimiter can only be one character."),
    "InvalidArgument": (400, "Invalid argument."),
    "InvalidTag": (400, "The tag is not valid."),
    "InvalidObjectName": (400, "The object name is not valid."),
    "NotSupportedStorageClass": (400, "The storage class you specified is not supported."),
    "KeyTooLong": (400, "Your key is too long."),
    "EntityTooLarge": (400, "Your proposed upload exceeds the maximum allowed object size."),
    "MalformedXML": (400, "The XML you provided was not well-formed or did not validate against our "
                          "published schema."),
    "MissingContentLength": (411, "You must provide the Content-Length HTTP header."),
    "NotImplemented": (501, "A header or query you provided implies functionality that is not implemented."),
    "AccessDenied": (403, "Access Denied."),
}
SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself without changing the "
             "object's metadata, storage class, website redirect location or encryption attributes.")


def object_error(code: str, message: str | None = None, **details: Any) -> ApiError:
    """An object-API error by its COS code, with the catalogue's status and (unless given) message."""
    status, default = OBJECT_ERRORS[code]
    return ApiError(status, code, message or default, **details)


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
