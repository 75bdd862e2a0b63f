"""List queries the way Sahara answers them: marker, limit, sort_by, column filters, and prev/next markers.

Checks run in Sahara's order: the marker must name an object of the project (404), then `limit`
must be a positive integer and `sort_by` a sortable field (400 with the integer error name).
`name`, `description` (and a binary's `url`, an execution's `job.name` and `cluster.name`) filter
by regular-expression search, as Sahara does on PostgreSQL; the other filterable columns by
equality, boolean ones (`is_public`, `is_protected`) as PostgreSQL reads `true` / `false`.
Sorting is ascending by the field, ties by id, and descending is that order reversed; the default
is `id`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.services.mrs import errors

Row = dict[str, Any]
TRUE = ("true", "t", "yes", "y", "on", "1")
FALSE = ("false", "f", "no", "n", "off", "0")
Markers = dict[str, "str | None"]


@dataclass(frozen=True)
class Listing:
    """What one kind of object can be sorted and filtered by."""

    sort_fields: tuple[str, ...]
    regex_filters: tuple[str, ...]
    equal_filters: tuple[str, ...]
    boolean_filters: tuple[str, ...] = ()  # `true` / `false` (or PostgreSQL's other spellings of them)


@dataclass(frozen=True)
class Query:
    marker: Row | None
    marker_given: bool
    limit: int | None
    field: str
    descending: bool
    filters: tuple[tuple[str, Callable[[Any], bool]], ...]


def parse_query(args: Mapping[str, str], listing: Listing, find: Callable[[str], Row | None]) -> Query:
    """The checked query; `find` looks a marker id up in the caller's project."""
    marker = None
    if "marker" in args:
        marker = find(args["marker"])
        if marker is None:
            raise errors.not_found(args["marker"])
    limit = None
    if "limit" in args:
        try:
            limit = int(args["limit"])
        except ValueError:
            limit = 0
        if limit <= 0:
            raise errors.bad_query("'limit' must be positive integer")
    sort_by = args.get("sort_by", "id")
    field = sort_by[1:] if sort_by.startswith("-") else sort_by
    if field not in listing.sort_fields:
        raise errors.bad_query(f"Unknown field for sorting {field}")
    filters = []
    for key in dict.fromkeys(args):  # a repeated key counts once, with its first value, as in Flask
        if key in ("marker", "limit", "sort_by"):
            continue
        value = args[key]
        if key in listing.regex_filters:
            filters.append((key, _regex(key, value)))
        elif key in listing.equal_filters:
            filters.append((key, value.__eq__))
        elif key in listing.boolean_filters:
            filters.append((key, _boolean(key, value)))
        else:
            raise errors.bad_query(f"Unknown field for filtering {key}")
    return Query(marker, "marker" in args, limit, field, sort_by.startswith("-"), tuple(filters))


def _boolean(key: str, text: str) -> Callable[[Any], bool]:
    """A test of a boolean column against `text` as PostgreSQL reads a boolean; null never matches."""
    spelled = text.strip().lower()
    if spelled not in TRUE + FALSE:
        raise errors.bad_query(f"Invalid value for filtering {key}: {text}")
    wanted = spelled in TRUE
    return lambda value: value is wanted


def _regex(key: str, pattern: str) -> Callable[[Any], bool]:
    try:
        compiled = re.compile(pattern)
    except re.error:
        raise errors.bad_query(f"Invalid regular expression for {key}: {pattern}") from None
    return lambda value: isinstance(value, str) and compiled.search(value) is not None


def page(rows: list[Row], query: Query) -> tuple[list[Row], Markers | None]:
    """The page of `rows` the query asks for, and the `markers` object (None when Sahara leaves it out)."""
    matching = [row for row in rows if all(test(row[key]) for key, test in query.filters)]

    def order(row: Row) -> tuple:
        value = row[query.field]
        return (value is not None, value if value is not None else "", row["id"])

    matching.sort(key=order, reverse=query.descending)
    if query.limit is None and query.marker is None:
        return matching, None
    ids = [row["id"] for row in matching]
    position = ids.index(query.marker["id"]) if query.marker is not None and query.marker["id"] in ids else None
    if query.marker is None:
        start = 0
    elif position is not None:
        start = position + 1
    else:  # a marker the filters exclude: continue from where it would sort
        key = order(query.marker)
        start = sum(1 for row in matching if (order(row) > key if query.descending else order(row) < key))
    end = len(matching) if query.limit is None else start + query.limit
    prev_id, next_id = _neighbours(ids, query.limit, query.marker, position)
    markers = {"prev": prev_id, "next": next_id} if (prev_id or next_id or query.marker_given) else None
    return matching[start:end], markers


def _neighbours(ids: list[str], limit: int | None, marker: Row | None, position: int | None) -> tuple:
    """Sahara's prev/next: computed on the whole filtered list, quirks included."""
    if limit is None:
        return None, None
    if marker is None:
        return None, (ids[limit - 1] if limit < len(ids) else None)
    if position is None:
        return None, None
    previous = ids[position - limit] if position - limit >= 0 else None
    following = ids[position + limit] if position + limit < len(ids) else None
    return previous, following
