"""Server-side apply and managedFields: field sets, ownership per manager and operation, structured merge, conflicts.

Follows the apiserver's field manager (structured-merge-diff) for the schema's types: a path is a tuple
of FieldsV1 elements (`f:name`, `k:{"name":"x"}`, `v:"x"`); lists merge as their `schema.List` says
(map lists by their keys, sets by value, atomic lists whole) and untyped parts as granular maps.
Any kind is tracked by giving `FieldManager` its schema type and its reset fields.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from emulator.services.kubernetes import errors, schema
from emulator.services.kubernetes.schema import ANY, List, Map, Struct
from emulator.services.kubernetes.wire import json_type

Path = tuple[str, ...]
NEVER_OWNED: frozenset[Path] = frozenset((  # the strip-meta manager's paths, none longer than two elements
    ("f:apiVersion",), ("f:kind",), ("f:metadata",), *(("f:metadata", f"f:{name}") for name in (
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields",
        "clusterName"))))
MAX_UPDATE_ENTRIES = 10
# Every leaf of every FieldsV1 tree this module writes is this one empty dict: stored objects are never changed in
# place (writes copy what they change), and a Pod's or Event's managedFields are mostly leaves, so sharing them
# halves the dicts Python's garbage collector walks (run_jobs.py, 500 Jobs: advance 9.3 s -> 6 s, peak RSS
# 159 -> 138 MiB)
LEAF: dict = {}
KUBECTL = "kubectl"  # the apply manager the apiserver hands client-side apply's fields to
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _key(element: str) -> str:
    return element[2:]


_compact = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps with these arguments makes an encoder per call
_quoted = json.encoder.encode_basestring_ascii  # a str quoted as json.dumps and _compact quote it (ASCII, escaped)


def _item_element(item: Any, kind: List) -> str:
    """A list item's element: `k:` and the item's keys as compact JSON (keys sorted) in a map list, else `v:` and
    the item. The usual item, one string key (a name, type or ip), and a string are written here directly."""
    if kind.list_type == "map" and isinstance(item, dict):
        keys = kind.keys
        if len(keys) == 1 and type(item.get(keys[0])) is str:
            return f"k:{{{_quoted(keys[0])}:{_quoted(item[keys[0]])}}}"
        return "k:" + _compact({key: item.get(key) for key in sorted(keys) if key in item})
    return "v:" + (_quoted(item) if type(item) is str else _compact(item))


def _field(kind: Any, name: str) -> Any:
    if isinstance(kind, Struct):
        return kind.fields.get(name, ANY)
    if isinstance(kind, Map):
        return kind.value
    return ANY


def _granular_list(kind: Any) -> bool:
    return isinstance(kind, List) and kind.list_type in ("map", "set")


def _atomic(kind: Any) -> bool:
    return isinstance(kind, Struct) and kind.atomic or isinstance(kind, List) and not _granular_list(kind)


def field_set(value: Any, kind: Any) -> set[Path]:
    """The paths an applied configuration sets: its leaves, atomic parts whole, list items with `.` (the item
    path itself) when they have children."""
    found: set[Path] = set()
    _fields(value, kind, (), found)
    return found


def _fields(value: Any, kind: Any, prefix: Path, found: set[Path]) -> None:
    """field_set's walk, into the caller's set."""
    if isinstance(value, dict) and not _atomic(kind) and value:
        for name, item in value.items():
            _fields(item, _field(kind, name), prefix + (f"f:{name}",), found)
    elif isinstance(value, list) and _granular_list(kind) and value:
        for item in value:
            path = prefix + (_item_element(item, kind),)
            found.add(path)
            if kind.list_type == "map" and isinstance(item, dict) and not _atomic(kind.item):
                _fields(item, kind.item, path, found)
    else:
        found.add(prefix)


def changed_paths(old: Any, new: Any, kind: Any) -> tuple[set[Path], set[Path]]:
    """(added or modified, removed) paths from `old` to `new`; a map or list item new here counts as a node."""
    added: set[Path] = set()
    removed: set[Path] = set()
    if old != new:
        _changes(old, new, kind, (), added, removed)
    return added, removed


_ABSENT = object()


def _changes(old: Any, new: Any, kind: Any, prefix: Path, added: set[Path], removed: set[Path]) -> None:
    """changed_paths's walk of two unequal values, into the caller's two sets (one set each, not one per level)."""
    if isinstance(new, dict) and isinstance(old, dict) and not _atomic(kind):
        fields = kind.fields if isinstance(kind, Struct) else None  # _field's lookup, once per map here
        each = kind.value if isinstance(kind, Map) else ANY
        for name, value in new.items():
            before = old.get(name, _ABSENT)
            if before is value:  # (writes copy only what they change: most of an object is the same objects)
                continue
            sub = each if fields is None else fields.get(name, ANY)
            if before is _ABSENT:  # a new map is a node of its own; a struct is always there in Go (zero value)
                path = prefix + (f"f:{name}",)
                if isinstance(value, dict) and value and not _atomic(sub):
                    if not isinstance(sub, Struct):
                        added.add(path)
                    _changes({}, value, sub, path, added, removed)
                elif isinstance(value, list) and value and _granular_list(sub):
                    _changes([], value, sub, path, added, removed)
                else:
                    added.add(path)
            elif before != value:
                _changes(before, value, sub, prefix + (f"f:{name}",), added, removed)
        for name, value in old.items():
            if name not in new:
                path = prefix + (f"f:{name}",)
                removed.add(path)
                _fields(value, _field(kind, name), path, removed)
        return
    if isinstance(new, list) and isinstance(old, list) and _granular_list(kind):
        olds = {_item_element(item, kind): item for item in old}
        news = {_item_element(item, kind): item for item in new}
        for element, item in news.items():
            if element not in olds:
                path = prefix + (element,)
                added.add(path)
                if isinstance(item, dict) and not _atomic(kind.item):
                    _changes({}, item, kind.item, path, added, removed)
            elif kind.list_type == "map" and olds[element] != item:
                _changes(olds[element], item, kind.item, prefix + (element,), added, removed)
        for element, item in olds.items():
            if element not in news:
                path = prefix + (element,)
                removed.add(path)
                _fields(item, kind.item, path, removed)
        return
    added.add(prefix)


def merge(live: Any, config: Any, kind: Any) -> Any:
    """The applied configuration merged into the live object (structs and maps by field, list-maps by key)."""
    if isinstance(live, dict) and isinstance(config, dict) and not _atomic(kind):
        merged = dict(live)
        for name, item in config.items():
            merged[name] = merge(live[name], item, _field(kind, name)) if name in live else copy.deepcopy(item)
        return merged
    if isinstance(live, list) and isinstance(config, list) and _granular_list(kind):
        items = {_item_element(item, kind): item for item in live}
        for item in config:
            element = _item_element(item, kind)
            items[element] = merge(items[element], item, kind.item) if element in items else copy.deepcopy(item)
        return list(items.values())
    return copy.deepcopy(config)


def remove(value: Any, path: Path, kind: Any) -> Any:
    """The value without the node at `path` (a missing one is no change)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head.startswith("f:") and _key(head) in value:
        name = _key(head)
        if not rest:
            return {k: v for k, v in value.items() if k != name}
        return {**value, name: remove(value[name], rest, _field(kind, name))}
    if isinstance(value, list) and isinstance(kind, List):
        if not rest:
            return [item for item in value if _item_element(item, kind) != head]
        return [remove(item, rest, kind.item) if _item_element(item, kind) == head else item for item in value]
    return value


def to_fields_v1(paths: set[Path]) -> dict:
    """The FieldsV1 tree of a set: a path that also has children gets `.`; children in FieldsV1 order.

    The paths go in sorted element by element, so every node's children arrive in order (dicts keep the order
    they were filled in) and a path comes just before the paths under it."""
    ordered = _in_fields_v1_order(paths)
    tree: dict = {}
    for index, path in enumerate(ordered, 1):
        parent = index < len(ordered) and ordered[index][:len(path)] == path
        if not path:  # the root
            if parent:
                tree["."] = LEAF
            continue
        node = tree
        for element in path[:-1]:
            child = node.get(element)
            if child is None:
                child = node[element] = {}
            node = child
        node[path[-1]] = {".": LEAF} if parent else LEAF
    return tree or LEAF


ELEMENT_ORDER = {".": 0, "f": 1, "k": 2, "v": 3, "i": 4}  # a FieldsV1 node's children: by kind, then by text
_TEXT_ORDERED = {"f", "k", "v"}


def _in_fields_v1_order(paths: set[Path]) -> list[Path]:
    """The paths sorted element by element, each element by its kind's rank, then its text. The kinds this module
    writes (`f:`, `k:`, `v:`) rank as their letters sort, so paths of only those sort as they are."""
    if {element[:1] for path in paths for element in path} <= _TEXT_ORDERED:
        return sorted(paths)
    return sorted(paths, key=lambda path: [(ELEMENT_ORDER.get(element[:1], 5), element) for element in path])


def from_fields_v1(tree: Any) -> set[Path]:
    """The path set of a FieldsV1 tree: each `.` and each leaf."""
    found: set[Path] = set()
    if isinstance(tree, dict):
        _paths_in(tree, (), found)
    return found


def _paths_in(tree: dict, prefix: Path, found: set[Path]) -> None:
    for element, child in tree.items():
        if element == ".":
            found.add(prefix)
        elif isinstance(child, dict) and child:
            _paths_in(child, prefix + (element,), found)
        else:
            found.add(prefix + (element,))


class FieldsTree(dict):
    """A FieldsV1 tree written here, with its paths (`paths`): read back, it needs no walk. A dict to every reader
    (orjson, the protobuf encoder and equality take it as one)."""

    __slots__ = ("paths",)

    def __init__(self, tree: dict, paths: tuple[Path, ...]) -> None:
        super().__init__(tree)
        self.paths = paths


class Trees:
    """FieldsV1 trees kept by the path set they hold, so entries with the same set share one tree, written once.
    Sharing is safe as for LEAF: nothing changes a stored tree in place. At most KEPT trees (then it starts
    over): a Job's Pods and Events mostly repeat a few sets. Running 100 Jobs x 3 Pods: 22.13 -> 18.18 M
    instructions per Job (callgrind).

    Each tree written carries its paths, so reading it back is no walk, kept or not: thousands of Pods
    written at the same moments (each kubelet tree its own, by its Pod's IP) outrun any memo of trees
    (the benchmark's 10,000 Jobs x 3 Pods: 41.8 -> 36.3 s of CPU, peak RSS 727 -> 752 MiB). Their path
    tuples are shared through `_paths` (at most KEPT_PATHS, then it starts over), or each tree would hold
    copies of its own (+7 KiB per Pod).
    """

    KEPT = 1024
    KEPT_PATHS = 65536

    def __init__(self) -> None:
        self._trees: dict[frozenset[Path], dict] = {}
        self._paths: dict[Path, Path] = {}

    def __len__(self) -> int:
        return len(self._trees)

    def tree(self, paths: set[Path]) -> dict:
        key = frozenset(paths)
        tree = self._trees.get(key)
        if tree is None:
            tree = to_fields_v1(paths)
            if tree is not LEAF:  # (the tree of both the empty set and the root alone)
                if len(self._paths) >= self.KEPT_PATHS:
                    self._paths.clear()
                shared = self._paths.setdefault
                tree = FieldsTree(tree, tuple(shared(path, path) for path in key))
                if len(self._trees) >= self.KEPT:
                    self._trees.clear()
                self._trees[key] = tree
        return tree

    @staticmethod
    def paths(tree: Any) -> frozenset[Path]:
        return frozenset(tree.paths) if type(tree) is FieldsTree else frozenset(from_fields_v1(tree))


def render_path(path: Path) -> str:
    """A path as conflict messages print it: `.spec.template.spec.containers[name="main"].image`."""
    text = ""
    for element in path:
        if element.startswith("f:"):
            text += "." + _key(element)
        elif element.startswith("k:"):
            keys = json.loads(_key(element))
            text += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]"
        else:
            text += f"[={_key(element)}]"
    return text


@dataclass
class Entry:
    manager: str
    operation: str  # "Apply" or "Update"
    api_version: str
    time: str
    paths: set[Path]
    subresource: str = ""
    tree: dict | None = None  # the stored FieldsV1 this entry was read from, kept while its paths are unchanged
    tree_paths: frozenset[Path] | None = None

    def same_owner(self, manager: str, operation: str, api_version: str, subresource: str) -> bool:
        return (self.manager, self.operation, self.subresource) == (manager, operation, subresource) and \
            (operation == "Apply" or self.api_version == api_version)

    def describe(self) -> str:
        shown = json.dumps(self.manager)
        if self.subresource:
            shown += f" with subresource {json.dumps(self.subresource)}"
        return shown if self.operation == "Apply" else f"{shown} using {self.api_version}"

    def stored(self, trees: Trees) -> dict:
        tree = self.tree if self.tree is not None and self.paths == self.tree_paths else trees.tree(self.paths)
        entry = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
                 "time": self.time, "fieldsType": "FieldsV1", "fieldsV1": tree}
        return entry | ({"subresource": self.subresource} if self.subresource else {})


def entries_of(managed: Any, trees: Trees, stored_ones: bool = True) -> list[Entry]:
    """managedFields as entries; entries that are not well-formed are skipped. The FieldsV1 of `stored_ones` (as
    this module wrote them) is written back as it is while unchanged; a client's is always written anew. (Checking
    a stored tree's order costs as much as writing it anew: running 1,000 Jobs x 3 Pods took 12.4 s of CPU with
    that check, 9.9 s without, Xeon; a fixture's hand-ordered tree is kept as given until its paths change.)"""
    found = []
    for item in managed if isinstance(managed, list) else []:
        if isinstance(item, dict) and isinstance(item.get("manager"), str) and item.get("operation") in ("Apply", "Update"):
            tree = item.get("fieldsV1")
            paths = trees.paths(tree)
            found.append(Entry(item["manager"], item["operation"], str(item.get("apiVersion", "")),
                               str(item.get("time", "")), set(paths), str(item.get("subresource", "")),
                               tree if stored_ones and isinstance(tree, dict) else None, paths))
    return found


def stored(entries: list[Entry], trees: Trees) -> list[dict] | None:
    kept = [entry for entry in entries if entry.paths]
    kept.sort(key=lambda e: (e.operation != "Apply", e.time, e.manager, e.api_version, e.subresource))
    return [entry.stored(trees) for entry in kept] or None


class FieldManager:
    """Ownership of one kind's fields: Update entries for ordinary writes, Apply entries and conflicts for applies."""

    def __init__(self, kind: Struct, api_version: str, reset: dict[str, tuple[str, ...]],
                 server_set: tuple[Path, ...] = ()) -> None:
        self.kind, self.api_version = kind, api_version
        self.reset = reset  # subresource ("" for the main resource) -> top-level fields it never owns
        self._ignored = {subresource: frozenset(("f:" + name,) for name in names)
                         for subresource, names in reset.items()}
        self.server_set = set(server_set)  # what the strategy adds after field tracking: no Update writer owns it
        self._server_nodes = _proper_prefixes(self.server_set)
        self.trees = Trees()

    def _owned(self, paths: set[Path], subresource: str) -> set[Path]:
        ignored = self._ignored.get(subresource, frozenset())
        return {p for p in paths if p and p[:1] not in ignored and p[:2] not in NEVER_OWNED}

    def update(self, old: dict | None, new: dict, manager: str, subresource: str, now: str) -> list[dict] | None:
        """The managedFields after an ordinary write by `manager`: what it changed is taken from everyone and
        given to it. `new`'s own managedFields, when a non-empty list, replace the tracking first; `[]` clears it."""
        given = new["metadata"].get("managedFields")
        kept = (old or {}).get("metadata", {}).get("managedFields")
        if subresource or given is None or given == kept:
            if old is not None and not kept:
                return None  # an object stored before tracking (a fixture): updates do not start it
            entries = entries_of(kept, self.trees)
        else:
            entries = entries_of(given, self.trees, stored_ones=False)
        before = _plain(old) if old is not None else {}
        added, removed = changed_paths(before, _plain(new), self.kind)
        added = self._owned(added, subresource)
        if self.server_set & added:
            kept = added - self.server_set
            nodes = _proper_prefixes(kept)
            added = {p for p in kept if p in nodes or p not in self._server_nodes}  # nodes only of server fields go
        if not added and not removed:
            return stored(entries, self.trees)
        for entry in entries:
            entry.paths -= added | removed
        return self._give(entries, manager, "Update", subresource, added, now, touched=bool(added))

    def _give(self, entries: list[Entry], manager: str, operation: str, subresource: str, paths: set[Path],
              now: str, touched: bool, replace: bool = False) -> list[dict] | None:
        """The entries with `paths` given to the manager's entry (replacing its set for an apply); its time is now
        when the write `touched` the object, as the apiserver's managedFieldsUpdater stamps it."""
        mine = next((e for e in entries if e.same_owner(manager, operation, self.api_version, subresource)), None)
        if mine is None:
            mine = Entry(manager, operation, self.api_version, now, set(), subresource)
            entries.append(mine)
        if touched or mine.paths != (set(paths) if replace else mine.paths | paths):
            mine.time = now
        mine.paths = set(paths) if replace else mine.paths | paths
        updates = [e for e in entries if e.operation == "Update"]
        if len(updates) > MAX_UPDATE_ENTRIES:  # the oldest merged into one, as the apiserver caps them
            oldest = sorted(updates, key=lambda e: e.time)[: len(updates) - MAX_UPDATE_ENTRIES + 1]
            merged = Entry("ancient-changes", "Update", self.api_version, oldest[-1].time,
                           set().union(*(e.paths for e in oldest)))
            entries = [e for e in entries if e not in oldest] + [merged]
        return stored(entries, self.trees)

    def apply(self, live: dict | None, config: dict, manager: str, subresource: str, force: bool,
              now: str) -> tuple[dict, list[dict] | None]:
        """The object after applying `config` as `manager`, and its managedFields; a 409 on conflicts unless
        `force`. `live` is None for a create."""
        base = _plain(live) if live is not None else {}
        entries = entries_of((live or {}).get("metadata", {}).get("managedFields"), self.trees)
        if live is not None and not entries:  # the first apply to an untracked object: the rest was someone's
            owned = self._owned(field_set(base, self.kind), "") - self.server_set
            entries = [Entry("before-first-apply", "Update", self.api_version, now, owned)]
        config = {k: v for k, v in config.items() if k not in self.reset.get(subresource, ())}
        applied = self._owned(field_set(config, self.kind), subresource)
        result = merge(base, config, self.kind)
        mine = next((e for e in entries if e.same_owner(manager, "Apply", self.api_version, subresource)), None)
        others = [e for e in entries if e is not mine]
        previous = mine.paths if mine else set()
        kept = applied.union(*(e.paths for e in others))
        for path in sorted(previous - applied, key=len, reverse=True):  # no longer applied and nobody's: removed
            if any(q[:len(path)] == path for q in kept):
                continue  # still owned, or a node with owned fields under it
            if any(q[:len(path)] == path and q != path for q in previous) and _at(result, path, self.kind)[1]:
                continue  # a node goes once what was applied under it is gone and nothing else is left in it
            result = remove(result, path, self.kind)
        added, removed = changed_paths(base, result, self.kind)
        conflicts = [(e, sorted(e.paths & added)) for e in others if e.paths & added]
        if conflicts and not force and manager == KUBECTL:  # client-side apply's fields go to kubectl's apply
            allowed = self._last_applied(base)
            conflicts = [(e, kept) for e, paths in conflicts if (kept := [p for p in paths if p not in allowed])]
        if conflicts and not force:
            raise _conflict(conflicts)
        for entry in others:  # forced: what conflicted is taken from its owners
            entry.paths -= removed | added
        managed = self._give(entries, manager, "Apply", subresource, applied, now, result != base, replace=True)
        annotations = result.get("metadata", {}).get("annotations") or {}
        if manager == KUBECTL and annotations.get(LAST_APPLIED):  # kept up to date for a later client-side apply
            result["metadata"] = {**result["metadata"], "annotations": {**annotations,
                                                                        LAST_APPLIED: _last_applied_value(config)}}
        return result, managed

    def _last_applied(self, live: dict) -> set[Path]:
        """The fields the last-applied annotation sets to the values the object still has: what kubectl's
        client-side apply managed, which kubectl's server-side apply takes over without a conflict."""
        try:
            last = json.loads(((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED) or "")
        except ValueError:
            return set()
        if not isinstance(last, dict) or last.get("apiVersion") != self.api_version:
            return set()
        paths = field_set(last, self.kind)
        return {path for path in paths if _same_at(last, live, path, self.kind,
                                                   leaf=not any(q[:len(path)] == path for q in paths if q != path))}


def check_applied(document: Any, api_version: str, kind: str, name: str, namespace: str = "") -> None:
    """The 400s of an apply body that is not an object of the URL's kind and name, or that sets managedFields."""
    if not isinstance(document, dict):
        raise errors.bad_request(f"error decoding patch: json: cannot unmarshal {json_type(document)} into Go "
                                 "value of type map[string]interface {}")
    if (document.get("apiVersion"), document.get("kind")) != (api_version, kind):
        raise errors.bad_request(f"invalid object type: {document.get('apiVersion') or ''}, "
                                 f"Kind={document.get('kind') or ''}")
    meta = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    if meta.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    if meta.get("namespace") and meta["namespace"] != namespace:
        raise errors.bad_request(f"the namespace of the object ({meta['namespace']}) does not match the "
                                 f"namespace on the request ({namespace})")
    if meta.get("name") != name:
        raise errors.bad_request(f"the name of the object ({meta.get('name') or ''}) does not match the name "
                                 f"on the URL ({name})")


def _at(value: Any, path: Path, kind: Any) -> tuple[bool, Any]:
    """(whether it is there, the value) at `path`."""
    for element in path:
        if isinstance(value, dict) and element.startswith("f:") and _key(element) in value:
            value, kind = value[_key(element)], _field(kind, _key(element))
        elif isinstance(value, list) and isinstance(kind, List):
            found = [item for item in value if _item_element(item, kind) == element]
            if not found:
                return False, None
            value, kind = found[0], kind.item
        else:
            return False, None
    return True, value


def _same_at(last: Any, live: Any, path: Path, kind: Any, leaf: bool) -> bool:
    """Whether the live object has the node at `path` (and, for a leaf, the value `last` gives it)."""
    there, value = _at(live, path, kind)
    return there and (not leaf or value == _at(last, path, kind)[1])


def _last_applied_value(config: dict) -> str:
    """The annotation as the apiserver writes it: the applied configuration (without the annotation) as Go
    encodes a map, keys sorted and <, >, & escaped."""
    meta = dict(config.get("metadata") or {})
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    if "annotations" in meta:
        meta["annotations"] = annotations
    text = json.dumps({**config, "metadata": meta}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _proper_prefixes(paths: set[Path]) -> set[Path]:
    """The nodes the paths run through (each path's prefixes, not the path itself)."""
    return {path[:end] for path in paths for end in range(len(path))}


def _plain(value: dict) -> dict:
    """The object as field sets see it: no managedFields."""
    meta = dict(value.get("metadata", {}))
    meta.pop("managedFields", None)
    return {**value, "metadata": meta}


def _conflict(conflicts: list[tuple[Entry, list[Path]]]) -> Exception:
    count = sum(len(paths) for _, paths in conflicts)
    ordered = sorted(conflicts, key=lambda item: item[0].manager)
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {entry.describe()}",
               "field": render_path(path)} for entry, paths in ordered for path in paths]
    if count == 1:
        [(entry, [path])] = ordered
        message = f"Apply failed with 1 conflict: conflict with {entry.describe()}: {render_path(path)}"
    else:
        parts = [f"conflicts with {entry.describe()}:\n" + "\n".join(f"- {render_path(p)}" for p in paths)
                 for entry, paths in ordered]
        message = f"Apply failed with {count} conflicts: " + "\n".join(parts)
    return errors.ApiError(409, "Conflict", message, details={"causes": causes})


_JOB_LABELS = ("batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name")
# Pods: what admission plugins add after field tracking (service account, priority, default tolerations) and the
# node the scheduler binds it to belong to no writer
_ADMITTED = ("serviceAccountName", "serviceAccount", "priority", "preemptionPolicy", "tolerations", "nodeName")


# Each registry makes its own field manager, so the trees it keeps are that registry's (state lives on the app)
def job_fields() -> FieldManager:
    return FieldManager(schema.JOB, "batch/v1", {"": ("status",), "status": ("spec",)}, (
        ("f:metadata", "f:enable"), ("f:spec", "f:selector"),
        *(("f:metadata", "f:labels", f"f:{label}") for label in _JOB_LABELS),
        *(("f:spec", "f:template", "f:metadata", "f:labels", f"f:{label}") for label in _JOB_LABELS)))


def pod_fields() -> FieldManager:
    return FieldManager(schema.POD, "v1", {"": ("status",), "status": ("spec",)},
                        tuple(("f:spec", f"f:{name}") for name in _ADMITTED))


def event_fields() -> FieldManager:
    return FieldManager(schema.EVENT, "v1", {})


def namespace_fields() -> FieldManager:
    return FieldManager(schema.NAMESPACE, "v1", {"": ("status",), "status": ("spec",)}, (("f:spec", "f:finalizers"),))
