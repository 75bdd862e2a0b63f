"""What is shared instead of copied, and still comes out the same. A managedFields entry whose paths a write leaves
alone is written back as stored, byte for byte the same as rendering its paths again; a client's tree, in any
order, is rendered again in FieldsV1 order. A fixture Job shares its document's parts, which no write changes."""
from __future__ import annotations

import json
import random

from emulator.runtime.emulator import EMULATOR
from emulator.services.kubernetes.apply import Trees, entries_of, from_fields_v1, stored, to_fields_v1

ELEMENTS = ["f:a", "f:b", "f:status", 'k:{"name":"x"}', 'k:{"type":"Complete"}', "v:1", "i:0"]


def shuffled(node: dict, chance: random.Random) -> dict:
    items = list(node.items())
    chance.shuffle(items)
    return {key: shuffled(child, chance) for key, child in items}


def test_entries_are_written_back_as_rendering_their_paths_writes_them():
    chance = random.Random(20)
    trees = Trees()  # one memo for every round, as a registry has: kept trees come out the same as new ones
    for _ in range(3000):
        paths = {tuple(chance.choice(ELEMENTS) for _ in range(chance.randrange(1, 4)))
                 for _ in range(chance.randrange(1, 8))}
        tree = to_fields_v1(paths)
        for given in (tree, shuffled(tree, chance), {**tree, ".": {}}, {**tree, "f:odd": {".": {}}}):
            item = {"manager": "m", "operation": "Update", "apiVersion": "batch/v1", "time": "t",
                    "fieldsType": "FieldsV1", "fieldsV1": given}
            expected = to_fields_v1(from_fields_v1(given))
            [written] = stored(entries_of([item], trees, stored_ones=False), trees)
            assert json.dumps(written["fieldsV1"]) == json.dumps(expected)
            if given is tree:  # as this module wrote it: kept, and the same as rendering it again
                [kept] = stored(entries_of([item], trees), trees)
                assert kept["fieldsV1"] is tree and json.dumps(tree) == json.dumps(expected)
            [entry] = entries_of([item], trees)
            entry.paths -= {next(iter(entry.paths))}  # a write took a path: rendered from what is left
            left = stored([entry], trees)
            assert (left[0]["fieldsV1"] if left else None) == (to_fields_v1(entry.paths) if entry.paths else None)


def test_a_set_is_written_once_and_its_tree_known_by_sight_without_sharing_the_set():
    trees = Trees()
    paths = {("f:metadata", "f:labels", "f:app"), ("f:status", "f:phase"), ("f:metadata", "f:labels")}
    tree = trees.tree(paths)
    assert tree == to_fields_v1(paths) and trees.tree(set(paths)) is tree  # the second entry with it shares it
    item = {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "t", "fieldsType": "FieldsV1",
            "fieldsV1": tree}
    [first], [second] = entries_of([item], trees), entries_of([item], trees)
    assert first.paths == second.paths == paths and first.paths is not second.paths
    first.paths -= {("f:status", "f:phase")}  # a write takes a path from one entry: the other and the memo keep it
    assert second.paths == paths and trees.paths(tree) == paths
    [written] = stored([first], trees)
    assert written["fieldsV1"] == to_fields_v1(paths - {("f:status", "f:phase")})
    [kept] = stored([second], trees)
    assert kept["fieldsV1"] is tree
    alike = json.loads(json.dumps(tree))  # the same tree, not this memo's: read by walking it
    assert trees.paths(alike) == paths


def test_the_memo_keeps_at_most_its_bound():
    trees = Trees()
    for number in range(Trees.KEPT * 2 + 5):
        paths = {("f:metadata", "f:labels", f"f:label-{number}")}
        assert trees.tree(paths) == to_fields_v1(paths)
        assert 1 <= len(trees) <= Trees.KEPT


def test_a_tree_written_here_is_read_back_without_a_walk_after_the_memo_let_it_go(monkeypatch):
    """Thousands of Pods written at the same moment outrun the memo: a tree still carries its paths (shared tuples,
    bounded), serializes as the plain tree, and a copy of it that came back from the wire is walked."""
    from emulator.services.kubernetes import apply

    trees = Trees()
    paths = {("f:status", "f:podIPs", 'k:{"ip":"10.0.0.7"}'), ("f:status", "f:podIPs", 'k:{"ip":"10.0.0.7"}', "f:ip")}
    tree = trees.tree(paths)
    for number in range(Trees.KEPT + 1):  # the memo starts over
        trees.tree({("f:metadata", "f:labels", f"f:label-{number}")})
    monkeypatch.setattr(apply, "from_fields_v1", None)  # a walk would fail here
    assert trees.paths(tree) == paths and json.dumps(tree) == json.dumps(to_fields_v1(paths))
    again = trees.tree(set(paths))
    assert again is not tree and all(a is b for a, b in zip(sorted(again.paths), sorted(tree.paths)))
    monkeypatch.undo()
    assert trees.paths(json.loads(json.dumps(tree))) == paths
    monkeypatch.setattr(Trees, "KEPT_PATHS", 3)
    for number in range(10):
        trees.tree({("f:a", f"f:{number}"), ("f:b", f"f:{number}")})
        assert len(trees._paths) <= 3 + 2


def test_trees_are_in_fields_v1_order_with_a_dot_on_every_set_path_that_has_children():
    """structured-merge-diff's order: `.` first, then field names, keys, values and indexes, each kind by text."""
    rank = {".": 0, "f": 1, "k": 2, "v": 3, "i": 4}
    chance = random.Random(7)

    def check(node: dict, path: tuple, paths: set) -> None:
        assert list(node) == sorted(node, key=lambda element: (rank[element[0]], element))
        has_children = any(key != "." for key in node)
        assert ("." in node) == (path in paths and has_children)
        for element, child in node.items():
            if element != ".":
                assert child or path + (element,) in paths  # an empty node is a path of the set
                check(child, path + (element,), paths)

    for _ in range(2000):
        paths = {tuple(chance.choice(ELEMENTS) for _ in range(chance.randrange(0, 4)))
                 for _ in range(chance.randrange(1, 8))}
        tree = to_fields_v1(paths)
        check(tree, (), paths)
        assert from_fields_v1(tree) == (paths if len(paths) > 1 or () not in paths else set())


async def test_fixture_jobs_share_the_documents_and_no_write_changes_them(kube):
    """A fixture Job keeps the document's parts (it is not copied whole on every reset): whatever the API and
    the controller then do to the Jobs, the documents the next reset loads are unchanged."""
    emulator = kube.client.app[EMULATOR]
    documents = [document for _, document in emulator.fixture_documents if document.get("kind") == "Job"]
    assert len(documents) == 2
    before = json.dumps(documents)
    first = await kube.get(kube.CCI_NS, kube.CCI_JOB)
    await kube.patch(kube.CCI_NS, kube.CCI_JOB, {"metadata": {"labels": {"extra": "x"}}})
    await kube.patch(kube.CCI_NS, kube.CCI_JOB, {"status": {"active": 2, "ready": 1}}, "strategic", "/status")
    await kube.patch(kube.CCE_NS, kube.CCE_JOB, [{"op": "add", "path": "/spec/suspend", "value": True}], "json")
    await kube.patch(kube.CCE_NS, kube.CCE_JOB, [{"op": "add", "path": "/status/active", "value": 2}], "json",
                     "/status")
    advanced = await kube.client.post("/_emulator/clock", json={"advance_seconds": 120})
    assert advanced.status == 200
    assert (await kube.client.delete(kube.url(kube.CCI_NS, kube.CCI_JOB))).status == 200
    assert json.dumps(documents) == before
    plain = kube.manifest("plain", labels={"team": "a"})  # no selector: the fixture's labels and selector are made
    plain["metadata"]["namespace"] = "default"
    plain["spec"]["template"]["metadata"] = {"labels": {"app": "x"}}
    given = json.dumps(plain)
    emulator.services["kubernetes"].jobs.load_fixture(plain)
    stored_job = await kube.get("default", "plain")
    assert stored_job["spec"]["template"]["metadata"]["labels"]["job-name"] == "plain"
    assert "selector" in stored_job["spec"]
    assert json.dumps(plain) == given
    assert (await kube.client.post("/_emulator/reset", json={})).status == 200
    again = await kube.get(kube.CCI_NS, kube.CCI_JOB)
    assert {**again, "metadata": {**again["metadata"], "uid": "-"}} == {**first, "metadata": {**first["metadata"],
                                                                                           "uid": "-"}}


async def test_only_the_documents_a_reset_loads_have_their_decoded_form_kept(kube):
    emulator = kube.client.app[EMULATOR]
    kept = len(emulator.core.fixtures)
    assert kept >= 2  # the bundled Jobs (and COS's fixture requests)
    loaded = await kube.client.post("/_emulator/fixtures", json=kube.manifest("posted") | {"metadata": {
        "name": "posted", "namespace": "default"}})
    assert loaded.status == 200, await loaded.text()
    assert len(emulator.core.fixtures) == kept
    assert (await kube.client.post("/_emulator/reset", json={})).status == 200
    assert len(emulator.core.fixtures) == kept
