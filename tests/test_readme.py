"""The README stays true: its set-up commands are what CI runs, and its examples work as written."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DEFAULT_URL = "http://127.0.0.1:8080"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_test_command_is_what_ci_runs():
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    run_command, test_command = [block.strip() for block in re.findall(r"```sh\n(.*?)```", setup, flags=re.S)]
    assert test_command in (ROOT / ".ci" / "run").read_text().splitlines()
    script = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert run_command.endswith(".venv/bin/" + next(iter(script)))


@pytest.mark.parametrize("command", [
    line for block in code_blocks("sh") for line in re.sub(r"\\\n\s*", " ", block).splitlines()
    if line.startswith("curl ") and DEFAULT_URL in line
])
def test_curl_examples_work(command: str, live_url: str):
    result = subprocess.run(command.replace(DEFAULT_URL, live_url) + " -f -o /dev/null -w '%{http_code}'",
                            shell=True, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout in ("200", "201", "202")


CLIENT_EXAMPLES = {  # each client example's first words of output
    "kubernetes": ["1", "2"],
    "saharaclient": ["my-mapreduce-job"],
    "huaweicloudsdkmrs": ["COMPLETE", "NEW"],
    "qcloud_cos": ["200"],
}


@pytest.mark.parametrize("library", sorted(CLIENT_EXAMPLES))
def test_client_examples_work(library: str, live_url: str, capsys):
    (example,) = [block for block in code_blocks("python") if DEFAULT_URL in block and (
        f"import {library}" in block or f"from {library}" in block)]
    exec(compile(example.replace(DEFAULT_URL, live_url), "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[:len(CLIENT_EXAMPLES[library])] == CLIENT_EXAMPLES[library]


def test_kubectl_example_works(live_url: str, tmp_path: Path):
    (example,) = [block for block in code_blocks("sh") if "kubectl get" in block]
    kubectl = Path(sys.executable).parent / "kubectl"
    script = (example.replace(DEFAULT_URL, live_url).replace("/tmp/emulator.kubeconfig", str(tmp_path / "config"))
              .replace(".venv/bin/kubectl", str(kubectl)))
    env = {**os.environ, "HOME": str(tmp_path)}  # kubectl's discovery cache of its own, not the shared ~/.kube/cache
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60,
                            env=env)
    assert result.returncode == 0, result.stderr
    listed, patched = result.stdout.splitlines()[1:-1], result.stdout.splitlines()[-1]
    assert {line.split()[:2][1] for line in listed} >= {"jobs-12130306", "pi"}
    assert patched == "job.batch/pi patched"


async def test_the_admin_tables_transition_forms_work_and_answer_as_documented(client):
    (row,) = [line for line in README.splitlines() if line.startswith("| `POST /_emulator/transitions` |")]
    forms = re.findall(r"`(\{\"service\": \"\w+\".*?\})` .*?answers `(\{.*?\})`", row)
    assert [json.loads(request)["service"] for request, _ in forms] == ["kubernetes", "cos_batch"]
    for request, answer in forms:
        response = await client.post("/_emulator/transitions", data=request, headers={"Content-Type": "application/json"})
        assert response.status == 200, await response.text()
        body = await response.json()
        assert set(body) == set(re.findall(r'"(\w+)"(?=\s*[:,}])', answer))
        assert body["status"] == json.loads(request)["status"]
        again = await client.post("/_emulator/transitions", data=request, headers={"Content-Type": "application/json"})
        assert again.status == 409  # finished now: the 409 the row promises
