"""Fixture files: read JSON or YAML documents from a folder and hand each to the service it names.

A document goes to the service that owns it (`Service.owns_fixture`): the one its `service` key
names, or the one that takes plain manifests with `apiVersion` and `kind` (Kubernetes). A file may hold one document, a JSON list of
them, or several YAML documents. Every failure names the file (and document) and the reason.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from emulator.core import jsonio
from emulator.core.errors import ApiError, FixtureError
from emulator.services.protocol import Service

SUFFIXES = (".json", ".yaml", ".yml")
Document = tuple[str, dict[str, Any]]  # (where it came from, the document)


def parse_documents(text: str, source: str) -> list[Document]:
    """The documents of one file's text; `source` names it in errors."""
    try:
        if source.endswith(".json"):
            loaded: list[Any] = [jsonio.loads(text)]
        else:
            loaded = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except (ValueError, yaml.YAMLError) as error:
        raise FixtureError(f"{source}: not valid {'JSON' if source.endswith('.json') else 'YAML'}: "
                           f"{_one_line(error)}") from None
    documents: list[Document] = []
    for doc in loaded:
        documents.extend(parse_value(doc, source, start=len(documents)))
    return documents


def _one_line(error: Exception) -> str:
    """A parser's complaint on one line; PyYAML's own spans several, with a caret under the source."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.MarkedYAMLError) and error.problem and mark is not None:
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def parse_value(value: Any, source: str, start: int = 0) -> list[Document]:
    """One document, or a list of them, as labelled documents."""
    documents: list[Document] = []
    for item in value if isinstance(value, list) else [value]:
        label = f"{source} document {start + len(documents) + 1}"
        if not isinstance(item, dict):
            raise FixtureError(f"{label}: a fixture document must be an object")
        documents.append((label, item))
    return documents


def read_folder(folder: Path) -> list[Document]:
    """Every document of every fixture file below `folder`, files in path order."""
    if not folder.is_dir():
        raise FixtureError(f"{folder}: fixture folder not found")
    documents: list[Document] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
        try:
            stat = path.stat()
            documents.extend(_read_file(str(path), stat.st_mtime_ns, stat.st_size))
        except (OSError, UnicodeDecodeError) as error:
            raise FixtureError(f"{path}: cannot be read: {error}") from None
    return documents


@lru_cache(maxsize=256)
def _read_file(path: str, mtime_ns: int, size: int) -> tuple[Document, ...]:
    """One file's documents, parsed once per version of the file (its path, modification time and size): every
    emulator a test suite makes reads the same bundled files (YAML parsing was ~60% of the app factory's time).
    Documents are never changed by who loads them (a reset loads the same ones again), so they can be shared."""
    return tuple(parse_documents(Path(path).read_text(encoding="utf-8"), path))


def apply(documents: Iterable[Document], services: Mapping[str, Service]) -> int:
    """Load each document through its service's create path; how many were loaded."""
    count = 0
    for label, document in documents:
        owner = next((service for service in services.values() if service.owns_fixture(document)), None)
        if owner is None:
            known = ", ".join(sorted(services))
            raise FixtureError(f"{label}: names no known service (give \"service\": one of {known}, "
                               "or apiVersion and kind for Kubernetes)")
        try:
            owner.load_fixture(document)
        except ApiError as error:
            raise FixtureError(f"{label}: {error.message}") from None
        except (ValueError, TypeError, KeyError) as error:
            raise FixtureError(f"{label}: {error}") from None
        count += 1
    return count
