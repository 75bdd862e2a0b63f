"""The seed examples kept in tests/data: complete, in the shapes the tests read, and the seed documents' own."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import seed_examples


def test_the_stored_examples_are_complete_and_the_seeds_own():
    """Every seed's request and response examples, as the generator writes them; where the seed documents are
    beside the checkout (a developer's machine, CI), also exactly what they show."""
    text = seed_examples.STORED.read_text(encoding="utf-8")
    stored = json.loads(text)
    assert text == seed_examples.render(stored)  # written by `python tests/seed_examples.py`, not by hand
    assert list(stored) == ["000", "001", "002", "003", "004"]

    patch, patched = stored["000"]
    assert [operation["op"] for operation in patch] == ["add"] and patched["kind"] == "Job"
    assert [job["kind"] for job in stored["001"]] == ["Job", "Job"]
    update, updated = stored["002"]
    assert updated["job"]["name"] == update["name"] and updated["job"]["libs"][0]["id"] == update["libs"][0]
    [job] = stored["003"]
    assert (job["metadata"]["name"], job["metadata"]["namespace"]) == ("pi", "namespace-test")
    assert [ET.fromstring(document).tag for document in stored["004"]] == ["UpdateJobStatusResult"] * 2

    if seed_examples.SEEDS.is_dir():
        assert stored == seed_examples.read_seeds()
