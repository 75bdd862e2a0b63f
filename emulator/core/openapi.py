"""Building blocks of OpenAPI 3 schemas, for the tables each service supplies to the admin API's document."""
from __future__ import annotations

from typing import Any

ANY_OBJECT: dict[str, Any] = {"type": "object"}
TEXT: dict[str, Any] = {"type": "string", "minLength": 1}


def schema_object(*required: str, **properties: Any) -> dict[str, Any]:
    """An object schema with these required names and property schemas."""
    return {"type": "object", "required": list(required), "properties": properties}


def strict_object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """An object schema with these required and optional properties and no other."""
    return {"type": "object", "additionalProperties": False, "required": list(required),
            "properties": {**required, **optional}}


def parameter(name: str, where: str, required: bool = False, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A parameter `in` path, query or header (path parameters are always required): a string, or as `schema` says
    (as strict as the service's validation, so every value it allows is one the service takes)."""
    return {"name": name, "in": where, "required": required or where == "path",
            "schema": {"type": "string", **(schema or {})}}


def response(description: str, content_type: str | None, schema: dict | None) -> dict[str, Any]:
    """A response with one content type (none for an empty body)."""
    answer: dict[str, Any] = {"description": description}
    if content_type:
        answer["content"] = {content_type: {"schema": schema or ANY_OBJECT}}
    return answer


def operation(parameters: list[dict], success: dict, error: dict, body: dict[str, dict] | None = None) -> dict[str, Any]:
    """The parameters, responses and (when `body` maps content types to schemas) request body of one operation."""
    spec: dict[str, Any] = {"parameters": parameters, "responses": {"2XX": success, "4XX": error}}
    if body:
        spec["requestBody"] = {"required": True, "content": {t: {"schema": s} for t, s in body.items()}}
    return spec
