"""The JSON-Schema keywords Sahara's request schemas (and the stored records' schemas) use, worded as jsonschema 4.

Sahara validates bodies with jsonschema and joins the messages with newlines, each prefixed by
the first key of its path plus `[i]` for deeper steps (`libs[0]: ...`). Keywords are checked in
the schema's own order, as jsonschema does, so several errors come out in the same order.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

Schema = dict[str, Any]
Path = tuple[Any, ...]

_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: type(value) is int,  # as JSON: true is no integer
    "number": lambda value: type(value) in (int, float),
    "null": lambda value: value is None,
}


def _same(a: Any, b: Any) -> bool:
    """JSON equality: unlike Python's ==, true is not 1."""
    return type(a) is type(b) and a == b


def _unique(items: list[Any]) -> bool:
    seen = set()
    for item in items:
        key = orjson.dumps(item, option=orjson.OPT_SORT_KEYS) if isinstance(item, (dict, list)) else (type(item), item)
        if key in seen:
            return False
        seen.add(key)
    return True


class Validator:
    """Checks instances against one schema; `formats` maps a format name to its check."""

    def __init__(self, schema: Schema, formats: dict[str, Callable[[str], bool]]) -> None:
        self.schema = schema
        self.formats = formats

    def messages(self, instance: Any) -> list[str]:
        """Sahara's messages for everything wrong with `instance`; empty when it is valid."""
        return [_prefix(path) + message for path, message in self._errors(self.schema, instance, ())]

    def _errors(self, schema: Schema, instance: Any, path: Path) -> Iterator[tuple[Path, str]]:
        for keyword, value in schema.items():
            if keyword == "type":
                types = [value] if isinstance(value, str) else value
                if not any(_TYPE_CHECKS[name](instance) for name in types):
                    yield path, f"{instance!r} is not of type {', '.join(repr(name) for name in types)}"
            elif keyword == "enum":
                if not any(_same(option, instance) for option in value):
                    yield path, f"{instance!r} is not one of {value!r}"
            elif keyword == "minLength":
                if isinstance(instance, str) and len(instance) < value:
                    yield path, f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}"
            elif keyword == "maxLength":
                if isinstance(instance, str) and len(instance) > value:
                    yield path, f"{instance!r} is too long"
            elif keyword == "minimum":
                if type(instance) in (int, float) and instance < value:
                    yield path, f"{instance!r} is less than the minimum of {value!r}"
            elif keyword == "format":
                if isinstance(instance, str) and not self.formats[value](instance):
                    yield path, f"{instance!r} is not a {value!r}"
            elif keyword == "uniqueItems":
                if value and isinstance(instance, list) and not _unique(instance):
                    yield path, f"{instance!r} has non-unique elements"
            elif keyword == "items":
                if isinstance(instance, list):
                    for index, item in enumerate(instance):
                        yield from self._errors(value, item, (*path, index))
            elif keyword == "properties":
                if isinstance(instance, dict):
                    for name, subschema in value.items():
                        if name in instance:
                            yield from self._errors(subschema, instance[name], (*path, name))
            elif keyword == "additionalProperties":
                if value is False and isinstance(instance, dict):
                    extras = sorted(name for name in instance if name not in schema.get("properties", {}))
                    if extras:
                        verb = "was" if len(extras) == 1 else "were"
                        listed = ", ".join(repr(name) for name in extras)
                        yield path, f"Additional properties are not allowed ({listed} {verb} unexpected)"
            elif keyword == "required":
                if isinstance(instance, dict):
                    for name in value:
                        if name not in instance:
                            yield path, f"{name!r} is a required property"
            else:
                raise ValueError(f"schema keyword {keyword!r} is not supported")


def _prefix(path: Path) -> str:
    if not path:
        return ""
    return str(path[0]) + "".join(f"[{step}]" for step in path[1:]) + ": "
