"""The package's shape: no import cycles, imports only run downwards, shared code names no service."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "emulator"
SERVICES = ("kubernetes", "mrs", "cos_batch")
# What each room may import from the package (besides itself), top to bottom; a service package may also
# import its own modules. Nothing below imports what sits above it.
ALLOWED = {
    "emulator.cli": {"emulator", "emulator.core", "emulator.http", "emulator.runtime", "emulator.services",
                     "emulator.settings"},
    "emulator.pytest_plugin": {"emulator.core", "emulator.http", "emulator.runtime", "emulator.settings"},
    "emulator.__main__": {"emulator.cli"},
    "emulator.http": {"emulator.admin", "emulator.runtime", "emulator.services", "emulator.core", "emulator.settings"},
    "emulator.admin": {"emulator", "emulator.runtime", "emulator.core"},
    "emulator.runtime": {"emulator", "emulator.services", "emulator.core", "emulator.settings"},
    "emulator.services": {"emulator", "emulator.services", "emulator.core", "emulator.settings"},
    "emulator.core": set(),
    "emulator.settings": set(),
    "emulator": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """Every package module `name` imports, anywhere in it (functions and TYPE_CHECKING blocks too)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def room(name: str) -> str:
    """The room a module belongs to: the most specific key of ALLOWED it falls under."""
    return max((key for key in ALLOWED if name == key or name.startswith(key + ".")), key=len)


def test_the_package_has_no_import_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


@pytest.mark.parametrize("source, target, seen", [
    ("emulator.core.store", "emulator.runtime.emulator", "import cycle: "),  # core up to the runtime: a circle
    ("emulator.services.mrs.jobs", "emulator.runtime.journal", "emulator.services.mrs.jobs -> emulator.runtime.journal"),
    ("emulator.services.mrs.jobs", "emulator.services.kubernetes.errors", "emulator.services.mrs.jobs -> emulator.services"),
])
def test_the_checks_see_a_made_up_import(monkeypatch, source, target, seen):
    """The checks are not vacuous: one made-up import makes at least one of them fail, naming it."""
    monkeypatch.setitem(GRAPH, source, GRAPH[source] | {target})
    failures = []
    for check in (test_the_package_has_no_import_cycle, test_imports_only_run_downwards,
                  test_shared_code_imports_no_service_and_each_service_only_itself):
        try:
            check()
        except AssertionError as error:
            failures.append(str(error))
    assert any(seen in failure for failure in failures), failures


def test_imports_only_run_downwards():
    wrong = []
    for name, targets in GRAPH.items():
        own = room(name)
        for target in targets:
            if room(target) == own or room(target) in ALLOWED[own]:
                continue
            wrong.append(f"{name} -> {target}")
    assert not wrong, "imports that run up or sideways: " + ", ".join(sorted(wrong))


def test_shared_code_imports_no_service_and_each_service_only_itself():
    wrong = []
    for name, targets in GRAPH.items():
        mine = next((s for s in SERVICES if name.startswith(f"emulator.services.{s}")), None)
        for target in targets:
            theirs = next((s for s in SERVICES if target.startswith(f"emulator.services.{s}")), None)
            if theirs is None or theirs == mine or name == "emulator.services.catalog":
                continue
            wrong.append(f"{name} -> {target}")
    assert not wrong, "only the catalog may name a service from outside it: " + ", ".join(sorted(wrong))


def test_every_service_has_the_same_rooms():
    rooms = {"service", "routes", "handlers", "registry", "validation", "wire", "shapes", "errors", "fixtures",
             "authn", "openapi"}
    for service in SERVICES:
        present = {path.stem for path in (PACKAGE / "services" / service).glob("*.py")}
        assert rooms <= present, f"{service} lacks {sorted(rooms - present)}"


def test_every_module_starts_with_a_one_line_docstring():
    for name, path in MODULES.items():
        docstring = ast.get_docstring(ast.parse(path.read_text()), clean=False)
        assert docstring and docstring.strip(), f"{name} has no docstring"
        assert docstring.split("\n", 1)[0].strip(), f"{name}'s docstring does not open with a line of its own"
