"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch on a Job's, Pod's or Namespace's JSON.

Errors carry the apiserver's texts (spec §3.2, §8): a malformed document is 400, a patch that
cannot be applied is 422 with the generic message, over 10000 JSON-patch operations is 413.
"""
from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer

from emulator.core import jsonio
from emulator.core.errors import ApiError
from emulator.services.kubernetes import errors, schema
from emulator.services.kubernetes.errors import FieldError
from emulator.services.kubernetes.options import WriteOptions
from emulator.services.kubernetes.wire import json_type

MAX_JSON_PATCH_OPERATIONS = 10000
SIMPLE_MEMBERS = frozenset(("op", "path", "value"))  # the members of an operation the library need not apply

# patchStrategy=merge lists of a Job, its pod template and a Pod, by field path (list items add nothing to the
# path), with their patchMergeKey; None marks a list of primitives merged as a set.
MERGE_KEYS: dict[tuple[str, ...], str | None] = {
    ("metadata", "finalizers"): None,
    ("metadata", "ownerReferences"): "uid",
    ("status", "conditions"): "type",
    ("spec", "template", "metadata", "finalizers"): None,
    ("spec", "template", "metadata", "ownerReferences"): "uid",
}
for _pod_spec in (("spec", "template", "spec"), ("spec",)):  # a Job's pod template, a Pod's own spec
    for _containers in ("containers", "initContainers", "ephemeralContainers"):
        _base = _pod_spec + (_containers,)
        MERGE_KEYS[_base] = "name"
        MERGE_KEYS[_base + ("env",)] = "name"
        MERGE_KEYS[_base + ("ports",)] = "containerPort"
        MERGE_KEYS[_base + ("volumeMounts",)] = "mountPath"
        MERGE_KEYS[_base + ("volumeDevices",)] = "devicePath"
    for _field, _key in (("volumes", "name"), ("imagePullSecrets", "name"), ("hostAliases", "ip"),
                         ("schedulingGates", "name")):
        MERGE_KEYS[_pod_spec + (_field,)] = _key


def patched_object(current: dict, patch_type: str, document: Any, kind: schema.Struct, options: WriteOptions) -> dict:
    """The object a json, merge or strategic patch makes of `current`, decoded into `kind` as the apiserver does
    (unknown fields pruned, or refused under Strict); 422 for a result that no longer decodes."""
    if patch_type == "application/json-patch+json":
        patched = json_patch(current, document)
    elif patch_type == "application/merge-patch+json":
        if document is None:
            raise errors.bad_request("Invalid JSON Patch")
        patched = merge_patch(current, document)
    else:  # strategic-merge-patch+json (apply-patch+yaml is server-side apply)
        patched = strategic_merge_patch(current, document)
    if not isinstance(patched, dict):
        raise _decode_error(patch_type, document, patched, f"json: cannot unmarshal {json_type(patched)} "
                            "into Go value of type map[string]interface {}")
    try:
        unknown = schema.check_object(patched, kind, current)
    except schema.DecodeError as error:
        raise _decode_error(patch_type, document, patched, str(error)) from None
    options.unknown_fields(unknown, lambda reason: _decode_error(patch_type, document, patched, reason))
    return schema.prune(patched, kind) if unknown else patched


def _decode_error(patch_type: str, document: Any, patched: Any, reason: str) -> Exception:
    """422 for a patched object that no longer decodes: a strategic patch is shown as Go prints the patch map,
    the other types as the whole patched JSON (apiserver patch.go)."""
    strategic = patch_type == "application/strategic-merge-patch+json"
    shown = go_map(document) if strategic else jsonio.dumps(patched).decode()
    return errors.invalid("", [FieldError.invalid("patch", shown, reason)], kind="", group="")


def rejected() -> ApiError:
    """The generic 422 a JSON patch that cannot be applied gets; the library's reason is dropped."""
    return ApiError(422, "Invalid", "the server rejected our request due to an error in our request", details={})


def json_patch(document: dict, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise errors.bad_request(f"json: cannot unmarshal {json_type(operations)} into Go value of type jsonpatch.Patch")
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise ApiError(413, "RequestEntityTooLarge",
                       "Request entity too large: The allowed maximum operations in a JSON patch is "
                       f"{MAX_JSON_PATCH_OPERATIONS}, got {len(operations)}")
    if not all(isinstance(op, dict) for op in operations):
        raise errors.bad_request("json: cannot unmarshal array into Go value of type jsonpatch.Operation")
    simple = _simple_json_patch(document, operations)
    if simple is not None:
        return simple
    try:
        result = dict(document)
        for operation in jsonpatch.JsonPatch(operations)._ops:  # what JsonPatch.apply does, one at a time
            for pointer in (operation.location, operation.operation.get("from")):
                _copy_along(result, pointer)
            result = operation.apply(result)
        return result
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, KeyError, IndexError, TypeError, ValueError):
        raise rejected() from None


def _simple_json_patch(document: dict, operations: list[dict]) -> dict | None:
    """The common patch, without the library: only `add` and `replace` of object members, through objects,
    with plain paths (no `~` escapes) and nothing but op, path and value given; None for any other patch,
    which then goes through the library (and fails or succeeds exactly as it decides)."""
    result = dict(document)
    for operation in operations:
        op, path = operation.get("op"), operation.get("path")
        if (op != "add" and op != "replace") or operation.keys() != SIMPLE_MEMBERS or type(path) is not str \
                or not path.startswith("/") or "~" in path:
            return None
        *parents, key = path[1:].split("/")
        parent = result
        for part in parents:
            child = parent.get(part)
            if type(child) is not dict:
                return None
            parent[part] = parent = dict(child)
        if op == "replace" and key not in parent:
            return None
        parent[key] = copy.deepcopy(operation["value"])
    return result


def _copy_along(document: Any, pointer: Any) -> None:
    """Replace the containers holding what `pointer` names by shallow copies, so an operation there changes
    only copies: the patched job shares every untouched part with the stored one, which stays as it was."""
    if not isinstance(pointer, str):
        return
    parent = document
    for part in jsonpointer.JsonPointer(pointer).parts[:-1]:
        if isinstance(parent, list):
            if not part.isdigit() or int(part) >= len(parent):
                return
            part = int(part)
        elif not isinstance(parent, dict) or part not in parent:
            return
        child = parent[part]
        if not isinstance(child, (dict, list)):
            return
        parent[part] = child = type(child)(child)
        parent = child


def merge_patch(document: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(document) if isinstance(document, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def go_map(value: Any) -> str:
    """A decoded JSON value as Go's fmt prints a map[string]interface{} (`map[status:map[active:x]]`)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_map(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_map(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "<nil>"}[value]
    return str(value)


def strategic_merge_patch(document: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        raise errors.bad_request(f"json: cannot unmarshal {json_type(patch)} into Go value of type map[string]interface {{}}")
    return _merge_map(document if isinstance(document, dict) else {}, patch, ())


def _merge_map(original: dict, patch: dict, path: tuple[str, ...]) -> dict:
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return {}
    result = dict(original)
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            doomed = value if isinstance(value, list) else []
            if isinstance(result.get(field), list):
                result[field] = [v for v in result[field] if v not in doomed]
            continue
        if key.startswith("$") :  # $setElementOrder/..., $retainKeys, $patch: accepted, not needed here
            continue
        child = path + (key,)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge_map(result[key], value, child)
        elif isinstance(value, dict):
            result[key] = _merge_map({}, value, child) if "$patch" in value else copy.deepcopy(value)
        elif isinstance(value, list) and child in MERGE_KEYS and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, child, MERGE_KEYS[child])
        elif isinstance(value, list):
            result[key] = _without_directives(value, child)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _without_directives(items: list, path: tuple[str, ...]) -> list:
    """A list that replaces the original: directive elements are dropped, as when merging into nothing."""
    if path in MERGE_KEYS and any(isinstance(i, dict) and "$patch" in i for i in items):
        return _merge_list([], items, path, MERGE_KEYS[path])
    return copy.deepcopy(items)


def _merge_list(original: list, patch: list, path: tuple[str, ...], key: str | None) -> list:
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    if key is None:  # a set of primitives
        return list(original) + [copy.deepcopy(v) for v in patch if v not in original]
    result = [copy.deepcopy(i) for i in original]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise errors.unclassified(f"map: {go_map(item)} does not contain declared merge key: {key}")
        at = next((n for n, old in enumerate(result) if isinstance(old, dict) and old.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if at is not None:
                del result[at]
        elif at is None:
            result.append(_merge_map({}, item, path))
        else:
            result[at] = _merge_map(result[at], item, path)
    return result
