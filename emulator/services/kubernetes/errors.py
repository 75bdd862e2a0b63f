"""metav1.Status: the Kubernetes error envelope, field errors, and the error catalogue's constructors.

Texts follow kube-apiserver (apimachinery `errors.go`, `field/errors.go`); the spec's §3 lists them.
"""
from __future__ import annotations

from typing import Any

from emulator.core import jsonio
from emulator.core.errors import ApiError, HeaderTooLarge

GROUP = "batch"
RESOURCE = "jobs"
QUALIFIED = "jobs.batch"


def _render_value(value: Any) -> str:
    if isinstance(value, str):
        return jsonio.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "null"
    return jsonio.dumps(value).decode()


class FieldError:
    """One `causes[]` entry: a field path, its error type and detail, rendered like field.Error."""

    __slots__ = ("reason", "field", "message")

    def __init__(self, reason: str, field: str, message: str) -> None:
        self.reason, self.field, self.message = reason, field, message

    def cause(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @classmethod
    def invalid(cls, field: str, value: Any, detail: str) -> FieldError:
        return cls("FieldValueInvalid", field, f"Invalid value: {_render_value(value)}: {detail}")

    @classmethod
    def invalid_omit_value(cls, field: str, detail: str) -> FieldError:
        return cls("FieldValueInvalid", field, f"Invalid value: {detail}")

    @classmethod
    def required(cls, field: str, detail: str = "") -> FieldError:
        return cls("FieldValueRequired", field, "Required value" + (f": {detail}" if detail else ""))

    @classmethod
    def not_supported(cls, field: str, value: Any, supported: list[str]) -> FieldError:
        choices = ", ".join(f'"{s}"' for s in supported)
        return cls("FieldValueNotSupported", field, f"Unsupported value: {_render_value(value)}: supported values: {choices}")

    @classmethod
    def duplicate(cls, field: str, value: Any) -> FieldError:
        return cls("FieldValueDuplicate", field, f"Duplicate value: {_render_value(value)}")

    @classmethod
    def not_found(cls, field: str, value: Any) -> FieldError:
        return cls("FieldValueNotFound", field, f"Not found: {_render_value(value)}")

    @classmethod
    def forbidden(cls, field: str, detail: str) -> FieldError:
        return cls("FieldValueForbidden", field, f"Forbidden: {detail}")


def status_body(code: int, reason: str, message: str, details: dict | None) -> dict:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure"}
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def status_for(error: ApiError) -> dict:
    """The Status body for any ApiError raised by or routed to this service."""
    if error.code == "NotFound" and "path" in error.details:  # no route matched
        return status_body(404, "NotFound", "the server could not find the requested resource", {})
    if error.code == "MethodNotAllowed":
        return status_body(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})
    if error.code == "RequestEntityTooLarge" and "limit" in error.details:
        return status_body(413, "RequestEntityTooLarge", f"Request entity too large: limit is {error.details['limit']}", None)
    if isinstance(error, HeaderTooLarge):  # Go's net/http refuses it before the apiserver: a 431, no reason
        return status_body(431, "", f"Request Header Fields Too Large: {error.message}", None)
    return status_body(error.status, error.code, error.message, error.details.get("details"))


def _error(status: int, reason: str, message: str, details: dict | None = None) -> ApiError:
    return ApiError(status, reason, message, details=details)


def not_found(name: str, resource: str = RESOURCE, group: str = GROUP) -> ApiError:
    qualified = f"{resource}.{group}" if group else resource
    details = {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource}
    return _error(404, "NotFound", f'{qualified} "{name}" not found', details)


def already_exists(name: str, resource: str = RESOURCE, group: str = GROUP) -> ApiError:
    qualified = f"{resource}.{group}" if group else resource
    details = {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource}
    return _error(409, "AlreadyExists", f'{qualified} "{name}" already exists', details)


def conflict(name: str, why: str, qualified: str = QUALIFIED, kind: str = RESOURCE, group: str = GROUP) -> ApiError:
    return _error(409, "Conflict", f'Operation cannot be fulfilled on {qualified} "{name}": {why}',
                  {"name": name, "group": group, "kind": kind})


def uid_changed(key: str, given: str, stored: dict, qualified: str = QUALIFIED, kind: str = RESOURCE,
                group: str = GROUP) -> ApiError:
    """409 for an update whose metadata.uid is not the stored object's: the storage layer's failed precondition
    (`key` is the object's /registry path)."""
    meta = stored["metadata"]
    return conflict(meta["name"], f"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
                    f"AdditionalErrorMsg: Precondition failed: UID in precondition: {given}, "
                    f"UID in object meta: {meta['uid']}", qualified, kind, group)


def stale(name: str, qualified: str = QUALIFIED, kind: str = RESOURCE, group: str = GROUP) -> ApiError:
    return conflict(name, "the object has been modified; please apply your changes to the latest version and try again",
                    qualified, kind, group)


def invalid(name: str, errors: list[FieldError], kind: str = "Job", group: str = GROUP) -> ApiError:
    """422 Invalid: one message listing the distinct field errors, every one as a cause."""
    texts = list(dict.fromkeys(str(e) for e in errors))
    listed = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    qualified = f"{kind}.{group}" if group else kind
    details: dict[str, Any] = {k: v for k, v in (("name", name), ("group", group), ("kind", kind)) if v}  # omitempty
    details["causes"] = [e.cause() for e in errors]
    return _error(422, "Invalid", f'{qualified} "{name}" is invalid: {listed}', details)


def bad_request(message: str) -> ApiError:
    return _error(400, "BadRequest", message)


def unsupported_media_type(message: str = "415: Unsupported Media Type", details: dict | None = None) -> ApiError:
    return _error(415, "UnsupportedMediaType", message, details)


def not_acceptable(message: str) -> ApiError:
    return _error(406, "NotAcceptable", message)


def unclassified(message: str) -> ApiError:
    """Bad input the apiserver answers with a reasonless 500; here a 400 with the same message.

    kube-apiserver does not classify these errors, so they surface as 500 InternalError. A client's
    mistake is not a server failure: the emulator keeps the text and answers 400 BadRequest.
    """
    return _error(400, "BadRequest", message)


def too_many_requests(retry_after_seconds: int = 1) -> ApiError:
    """429 as the apiserver's request limits answer it (the renderer adds the Retry-After header)."""
    return _error(429, "TooManyRequests", "Too many requests, please try again later.",
                  {"retryAfterSeconds": retry_after_seconds})


def too_large_resource_version(wanted: int, current: int) -> ApiError:
    """504 as the watch cache answers a resourceVersion it has not reached within its wait (storage's
    NewTooLargeResourceVersionError: a Timeout, retry after 1 s, cause ResourceVersionTooLarge)."""
    return _error(504, "Timeout", f"Timeout: Too large resource version: {wanted}, current: {current}",
                  {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                   "retryAfterSeconds": 1})


def forbidden(message: str, details: dict | None = None) -> ApiError:
    return _error(403, "Forbidden", message, details)


def success(details: dict) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
