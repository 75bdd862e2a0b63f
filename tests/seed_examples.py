"""The seed documents' request and response examples, kept in tests/data so a bare checkout can test against them.

The five seed documents are the API pages the product was made from; they are not part of the repository.
`python tests/seed_examples.py FOLDER` rewrites tests/data/seed_examples.json from the documents in FOLDER,
and tests/test_seed_examples.py also compares the two where a developer's checkout has them beside it.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # the developers' copy, beside the checkout
STORED = Path(__file__).resolve().parent / "data" / "seed_examples.json"
JSON_SEEDS = (0, 1, 2, 3)  # the Kubernetes and MRS seeds: their fenced blocks are JSON


def _json_blocks(text: str) -> list[Any]:
    """Every fenced block parsed as JSON; a header line before the value is dropped."""
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    return [json.loads(block[min(i for i in (block.find("{"), block.find("[")) if i >= 0):]) for block in blocks]


def read_seeds(folder: Path = SEEDS) -> dict[str, Any]:
    """The examples as the seed documents in `folder` show them."""
    def text(number: int) -> str:
        [path] = folder.glob(f"{number:03d}_*.txt")
        return path.read_text(encoding="utf-8")

    examples: dict[str, Any] = {f"{n:03d}": _json_blocks(text(n)) for n in JSON_SEEDS}
    examples["004"] = re.findall(r"<UpdateJobStatusResult>.*?</UpdateJobStatusResult>", text(4), re.S)
    return examples


def seed(number: int) -> list[Any]:
    """Seed `number`'s examples in document order: parsed JSON (000 to 003) or XML texts (004)."""
    return json.loads(STORED.read_text(encoding="utf-8"))[f"{number:03d}"]


def render(examples: dict[str, Any]) -> str:
    """The stored file's text for `examples`: the only way it is written."""
    return json.dumps(examples, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS
    STORED.write_text(render(read_seeds(folder)), encoding="utf-8")
