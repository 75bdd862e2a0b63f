"""The README's run command works from an installed wheel: `pip install .` then the emulator on its bundled fixtures."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_built_wheel_runs_on_its_bundled_fixtures(tmp_path: Path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("cloud_job_emulator-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "cloud-job-emulator = emulator.cli:main" in (installed / entry_points).read_text()
    # run from elsewhere, with the wheel's package first on the path (the dependencies come from this venv)
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--quiet"], cwd=tmp_path,
                               env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line[line.index("http://"):].split()[0]
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=10) as response:
            health = json.load(response)
        for page in ("ui", "ui/dashboard.js", "ui/vendor/alpinejs/alpine.min.js", "ui/vendor/alpinejs/LICENSE.md"):
            with urllib.request.urlopen(f"{url}/_emulator/{page}", timeout=10) as response:
                assert response.status == 200 and response.read(), page  # the dashboard ships in the wheel
    finally:
        process.terminate()
        log = process.communicate(timeout=10)[1]
    assert f"started from fixtures {installed / 'emulator' / '_fixtures'}" in log
    assert health["status"] == "ok" and health["services"]["kubernetes"]["jobs"] >= 2
