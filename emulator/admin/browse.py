"""Paging through the store's collections for the dashboard: filters by scope, text and JSON pointer, without
knowing any service's shapes (the page knows how to show each)."""
from __future__ import annotations

from dataclasses import is_dataclass
from itertools import islice
from typing import Any

from multidict import MultiMapping

from emulator.core import jsonio
from emulator.core.credentials import SECRET_SUFFIX
from emulator.core.errors import ApiError
from emulator.core.store import Store

MAX_LIMIT = 500  # objects one page may hold


def kinds(store: Store) -> list[str]:
    """The collections shown: every one but those holding secrets."""
    return [kind for kind in store.kinds() if not kind.endswith(SECRET_SUFFIX)]


def _collection(store: Store, kind: str):
    if kind not in kinds(store):
        raise ApiError(404, "NotFound", f"no collection {kind!r}; there are: {', '.join(kinds(store))}")
    return store.collection(kind)


def _bad(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _pointer(text: str) -> list[str]:
    if not text.startswith("/"):
        raise _bad(f"{text!r} is not a JSON pointer (it starts with /)")
    return [part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/")]


def _values(value: Any, parts: list[str]) -> list[Any]:
    """What the pointer reaches in `value`; a `*` part takes every item of a list."""
    if not parts:
        return [value]
    if is_dataclass(value) and not isinstance(value, type):  # a frozen record some service stores (COS objects)
        value = vars(value)
    head, rest = parts[0], parts[1:]
    if head == "*" and isinstance(value, list):
        return [found for item in value for found in _values(item, rest)]
    if isinstance(value, dict) and head in value:
        return _values(value[head], rest)
    if isinstance(value, list) and head.isdigit() and int(head) < len(value):
        return _values(value[int(head)], rest)
    return []


def _condition(text: str):
    """`/pointer=value` (some value reached equals it, compared as text) or `/pointer` (some value reached is
    neither null, false, 0 nor empty)."""
    path, equals, wanted = text.partition("=")
    parts = _pointer(path)
    if equals:
        return lambda obj: any(str(v) == wanted if not isinstance(v, bool) else str(v).lower() == wanted
                               for v in _values(obj, parts))
    return lambda obj: any(bool(v) for v in _values(obj, parts))


def _project(obj: Any, fields: list[list[str]] | None) -> Any:
    if fields is None:
        return obj
    shown: dict[str, Any] = {}
    for parts in fields:
        found = _values(obj, parts)
        shown["/" + "/".join(parts)] = found[0] if len(found) == 1 and "*" not in parts else found or None
    return shown


def _number(query: MultiMapping[str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(f'"{name}" must be a whole number from {low} to {high}')
    return int(text)


def page(store: Store, kind: str, query: MultiMapping[str]) -> dict[str, Any]:
    """One page of a collection: `scope`, `name` (with `scope`: the one object so keyed), `q` (text anywhere in the
    object, any case), `where` (repeatable
    `/pointer=value` or `/pointer`), `offset`, `limit` (at most MAX_LIMIT), `fields` (comma-separated pointers
    to show instead of each whole object)."""
    collection = _collection(store, kind)
    offset = _number(query, "offset", 0, 0, 10**9)
    limit = _number(query, "limit", 50, 1, MAX_LIMIT)
    fields = [_pointer(f) for f in query["fields"].split(",") if f] if query.get("fields") else None
    scope = query.get("scope") or None
    name = query.get("name")
    if name is not None:  # one object by its key
        found = collection.get(scope or "", name)
        items = [] if found is None else [{"scope": scope or "", "name": name, "object": _project(found, fields)}]
        return {"kind": kind, "total": len(items), "offset": 0, "limit": limit, "items": items}
    tests = [_condition(text) for text in query.getall("where", [])]
    text = (query.get("q") or "").lower()
    if text:
        tests.append(lambda obj: text in jsonio.dumps(obj).decode().lower())
    if not tests:
        total = collection.count(scope)
        chosen = islice(collection.scan(scope), offset, offset + limit)
    else:
        matching = [entry for entry in collection.scan(scope) if all(test(entry[1]) for test in tests)]
        total, chosen = len(matching), iter(matching[offset:offset + limit])
    items = [{"scope": key[0], "name": key[1], "object": _project(obj, fields)} for key, obj in chosen]
    return {"kind": kind, "total": total, "offset": offset, "limit": limit, "items": items}


def scopes(store: Store, kind: str) -> list[str]:
    """The scopes (namespaces, projects, APPIDs) a collection holds objects in, in order."""
    found: list[str] = []
    for (scope, _), _ in _collection(store, kind).scan():
        if not found or found[-1] != scope:
            found.append(scope)
    return found
