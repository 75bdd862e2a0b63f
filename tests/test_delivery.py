"""The container delivery says what it must, read without an engine: Dockerfile, .dockerignore, compose file, smoke script."""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def the(instruction: str) -> list[str]:
    return [arguments for word, arguments in instructions() if word == instruction]


def environment() -> dict[str, str]:
    return dict(pair.split("=", 1) for arguments in the("ENV") for pair in shlex.split(arguments))


def healthcheck_command() -> list[str]:
    (arguments,) = the("HEALTHCHECK")
    exec_form = json.loads(arguments[arguments.index("CMD") + 3:])
    assert isinstance(exec_form, list)
    return exec_form


def test_the_base_image_is_a_build_argument_defaulting_to_python_slim():
    words = [word for word, _ in instructions()]
    assert words.index("ARG") < words.index("FROM")
    assert "BASE_IMAGE=python:3.12-slim" in the("ARG")
    assert the("FROM") == ["${BASE_IMAGE}"]


def test_the_package_is_installed_into_its_own_venv_not_editable_and_without_test_extras():
    run = " ".join(the("RUN"))
    assert "python3 -m venv /opt/emulator" in run
    install = run[run.index("pip install"):]
    assert "-e " not in install and "--editable" not in install and "[test]" not in install
    assert the("CMD") == ['["/opt/emulator/bin/cloud-job-emulator"]']  # exec form: SIGTERM reaches it


def test_it_runs_as_a_non_root_user_on_all_addresses_port_8080():
    (user,) = the("USER")
    assert user not in ("root", "0") and "useradd --uid 10001" in " ".join(the("RUN"))
    assert the("EXPOSE") == ["8080"]
    assert environment()["EMULATOR_HOST"] == "0.0.0.0" and environment()["EMULATOR_PORT"] == "8080"
    assert the("STOPSIGNAL") == ["SIGTERM"]


def test_fixtures_come_from_a_volume_at_fixtures_or_the_bundled_copy_there():
    assert environment()["EMULATOR_FIXTURES"] == "/fixtures"
    assert "fixtures /fixtures" in the("COPY")


def test_the_healthcheck_uses_the_images_python_and_really_checks_health(live_server):
    command = healthcheck_command()
    assert command[0] == "/opt/emulator/bin/python" and "curl" not in " ".join(command)
    assert "/_emulator/health" in command[-1]
    port = live_server.rsplit(":", 1)[1]
    here = [sys.executable, *command[1:]]
    assert subprocess.run(here, env={**os.environ, "EMULATOR_PORT": port}, timeout=30).returncode == 0
    with socket.socket() as closed:  # bound but not listening: refused, and nothing else can take the port meanwhile
        closed.bind(("127.0.0.1", 0))
        free = str(closed.getsockname()[1])
        unhealthy = subprocess.run(here, env={**os.environ, "EMULATOR_PORT": free}, capture_output=True, timeout=30)
    assert unhealthy.returncode != 0


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context: the last matching pattern decides."""
    verdict = False
    for pattern in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep, pattern = pattern.startswith("!"), pattern.lstrip("!")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:end])) for end in range(1, len(parts) + 1)):
            verdict = not keep
    return verdict


@pytest.mark.parametrize("path", [".git/config", ".venv/bin/python", "tests/conftest.py", ".pytest_cache/v/x",
                                  "emulator/__pycache__/app.cpython-311.pyc", "benchmarks/run.py", "Dockerfile"])
def test_dockerignore_keeps_tests_caches_venvs_and_git_out(path):
    assert ignored(path)


def test_dockerignore_lets_in_everything_the_dockerfile_copies():
    copied = [word for arguments in the("COPY") for word in arguments.split()[:-1]]
    assert copied and all(not ignored(word) for word in copied)
    assert not ignored("emulator/app.py") and not ignored("fixtures/kubernetes/pi.json")


def test_compose_runs_the_example_tests_once_the_emulator_is_healthy():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    emulator, tests = compose["emulator"], compose["tests"]
    assert emulator["build"] == "." and "/_emulator/health" in " ".join(emulator["healthcheck"]["test"])
    assert tests["depends_on"] == {"emulator": {"condition": "service_healthy"}}
    assert tests["environment"]["EMULATOR_URL"] == "http://emulator:8080"
    assert tests["build"]["args"]["EXTRA_PACKAGES"] == "pytest"
    assert "./examples/compose:/tests:ro" in tests["volumes"] and "/tests" in tests["command"]
    assert (ROOT / "examples" / "compose" / "test_example.py").is_file()


@pytest.mark.slow
def test_the_compose_example_tests_pass_against_a_running_emulator(live_server):
    own = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST_")}  # one process,
    # as a user runs it, even when this suite runs under -n (the plugin refuses a shared emulator for workers)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/compose"],
                            cwd=ROOT, env={**own, "EMULATOR_URL": live_server},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_smoke_script_is_executable_valid_bash():
    script = ROOT / "scripts" / "container-smoke.sh"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(script)], timeout=30).returncode == 0
