"""Fixture files are parsed once per version of each file: a changed, added or broken file is read again."""
from __future__ import annotations

import os

import pytest

from emulator.core.errors import FixtureError
from emulator.runtime import fixture_files

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def names(folder) -> list[str]:
    return [document["metadata"]["name"] for _, document in fixture_files.read_folder(folder)]


def test_a_file_read_again_after_it_changes(tmp_path):
    path = tmp_path / "ns.yaml"
    path.write_text(NAMESPACE.format(name="first"))
    assert names(tmp_path) == ["first"]
    assert fixture_files.read_folder(tmp_path)[0][1] is fixture_files.read_folder(tmp_path)[0][1]  # parsed once
    path.write_text(NAMESPACE.format(name="second-longer"))  # another size
    assert names(tmp_path) == ["second-longer"]
    stat = path.stat()
    path.write_text(NAMESPACE.format(name="third-longer!"))  # the same size, written within the same mtime tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert names(tmp_path) == ["third-longer!"]
    (tmp_path / "more.yaml").write_text(NAMESPACE.format(name="added"))
    assert names(tmp_path) == ["added", "third-longer!"]


def test_a_broken_file_fails_each_time_and_reads_once_fixed(tmp_path):
    path = tmp_path / "ns.yaml"
    path.write_text("metadata: [unclosed\n")
    for _ in range(2):
        with pytest.raises(FixtureError, match="ns.yaml: not valid YAML"):
            fixture_files.read_folder(tmp_path)
    path.write_text(NAMESPACE.format(name="fixed"))
    assert names(tmp_path) == ["fixed"]
