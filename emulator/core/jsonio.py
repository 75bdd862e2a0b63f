"""JSON in and out, through orjson: bytes out, strict parsing in."""
from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any, pretty: bool = False) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises ValueError on anything that is not one JSON value."""
    return orjson.loads(data)
