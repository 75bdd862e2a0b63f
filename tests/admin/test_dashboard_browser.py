"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download).

It signs in with the admin token, sees the seed jobs, advances the clock until a Kubernetes job
completes, injects a fault from the form and sees it fire in the journal, and cancels a COS job.
Screenshots at 1280x800 go to the folder the test prints (DASHBOARD_SCREENSHOTS, or a temporary one).
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live_process import emulator_process

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "dashboard-test-token"
WAIT_MS = 10_000  # each expectation's bound
SUSPENDED_COS_JOB = "f6b885a7-4312-455e-ac70-05d1d5be4cb7"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                                                            "(pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it",
                allow_module_level=True)


def call(url: str, method: str = "GET", body: dict | None = None) -> int:
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\ndashboard screenshots: {folder}")
    return folder


@pytest.fixture
def page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


def test_the_dashboard_shows_and_steers_the_emulator(page, screenshots):
    expect = sync_api.expect
    with emulator_process("--frozen-clock", "2026-01-01T00:00:00Z", "--admin-token", TOKEN) as (_, url):
        page.goto(url + "/")
        assert page.url == url + "/_emulator/ui"

        # The data is behind the admin token: the page asks for it.
        page.get_by_label("Token", exact=True).fill(TOKEN)
        page.get_by_role("button", name="Sign in").click()

        kubernetes = page.get_by_test_id("kubernetes-jobs")
        cos = page.get_by_test_id("cos_batch-jobs")
        expect(kubernetes.get_by_role("row").filter(has_text="namespace-test")).to_contain_text("pi", timeout=WAIT_MS)
        expect(cos.get_by_role("row").filter(has_text=SUSPENDED_COS_JOB)).to_contain_text("Suspended", timeout=WAIT_MS)
        expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:00Z", timeout=WAIT_MS)
        page.screenshot(path=screenshots / "1-seed-jobs.png")

        # A job created through the API runs for 10 s on the clock, its container from 1 s after the pod is
        # bound: advance 10 s and 1 s and watch it complete.
        job = {"metadata": {"name": "nightly"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
        request = urllib.request.Request(url + "/apis/batch/v1/namespaces/default/jobs", data=json.dumps(job).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        nightly = kubernetes.get_by_role("row").filter(has_text="nightly")
        expect(nightly).to_contain_text("Pending", timeout=WAIT_MS)
        page.get_by_role("button", name="Advance 10 s").click()
        expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:10Z", timeout=WAIT_MS)
        page.get_by_role("button", name="Advance 1 s").click()
        expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:11Z", timeout=WAIT_MS)
        expect(nightly).to_contain_text("Complete", timeout=WAIT_MS)
        page.get_by_role("button", name="Show default/nightly").click()
        expect(page.get_by_test_id("job-transitions")).to_contain_text(
            "2026-01-01T00:00:11Z Running -> Complete", timeout=WAIT_MS)
        page.screenshot(path=screenshots / "2-kubernetes-job-complete.png")

        # A fault rule from the form fires on the next read of that job, and the journal shows it.
        page.get_by_label("Service", exact=True).last.select_option("kubernetes")
        page.locator("#fault-operation").fill("readBatchV1NamespacedJob")
        page.locator("#fault-status").fill("503")
        page.get_by_role("button", name="Add the rule").click()
        expect(page.get_by_test_id("faults").get_by_role("row").filter(has_text="readBatchV1NamespacedJob")) \
            .to_contain_text("503", timeout=WAIT_MS)
        assert call(url + "/apis/batch/v1/namespaces/default/jobs/nightly") == 503
        fired = page.get_by_test_id("journal").get_by_role("row").filter(has_text="fault 1")
        expect(fired).to_contain_text("/apis/batch/v1/namespaces/default/jobs/nightly", timeout=WAIT_MS)
        expect(fired).to_contain_text("503", timeout=WAIT_MS)
        expect(page.get_by_test_id("faults").get_by_role("row").filter(has_text="readBatchV1NamespacedJob")) \
            .to_contain_text("1", timeout=WAIT_MS)
        page.screenshot(path=screenshots / "3-fault-fired.png")

        # Cancel a COS job from its detail.
        page.get_by_role("button", name=f"Show 1250000000/{SUSPENDED_COS_JOB}").click()
        detail = page.get_by_test_id("job-detail")
        expect(detail).to_contain_text('"Status": "Suspended"', timeout=WAIT_MS)
        detail.get_by_role("button", name="Cancelled").click()
        expect(cos.get_by_role("row").filter(has_text=SUSPENDED_COS_JOB)).to_contain_text("Cancelled", timeout=WAIT_MS)
        expect(detail).to_contain_text('"Status": "Cancelled"', timeout=WAIT_MS)
        page.screenshot(path=screenshots / "4-cos-job-cancelled.png")
        page.screenshot(path=screenshots / "dashboard-full.png", full_page=True)
