"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download).

It signs in with the admin token (kept in the tab only; a wrong one refused), sees the seed jobs, advances the
clock until a Kubernetes job completes (and its pod succeeds), injects a fault from the form and sees it fire in
the journal, cancels a COS job, fails a Kubernetes job and moves MRS executions (v2, Sahara EDP) from their
detail, reads a request's kept bodies, saves a snapshot, sets the clock, resets, and pages through 10,000 jobs;
everything made through the services' APIs appears through the event stream alone. axe-core audits the page
with its data loaded, and the keyboard drives it. One browser and one emulator (--admin-token,
--journal-bodies, --state-file) serve the module. Screenshots at 1280x800 go to the folder the test prints
(DASHBOARD_SCREENSHOTS, or a temporary one); its dashboard.png is the README's docs/dashboard.png.
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
PROJECT = "5a3314075bfa49b9ae360f4ecd333695"  # the MRS seed project and cluster
CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"

Axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not "
                          "installed (pip install -e '.[test]')").Axe
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed "
                                                            "(pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it",
                allow_module_level=True)


def call(url: str, method: str = "GET", body: object = None) -> int:
    return answer(url, method, body)[0]


def answer(url: str, method: str = "GET", body: object = None) -> tuple[int, dict]:
    """The status and JSON body of one call, with an MRS token and (for the admin API) the admin token."""
    headers = {"Content-Type": "application/json", "X-Auth-Token": "any"}
    if "/_emulator/" in url:
        headers["X-Emulator-Admin-Token"] = TOKEN
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\ndashboard screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def state_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dashboard") / "state.json"


@pytest.fixture(scope="module")
def url(state_file):
    with emulator_process("--frozen-clock", "2026-01-01T00:00:00Z", "--admin-token", TOKEN, "--journal-bodies",
                          "--state-file", str(state_file)) as (_, base):
        yield base


@pytest.fixture
def page(browser, url):
    """A tab at 1280x800 that may reach the emulator only: anything else is refused and fails the test (the
    page works offline, with nothing from a CDN)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    elsewhere: list[str] = []

    def only_the_emulator(route) -> None:
        if route.request.url.startswith(url + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_emulator)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert elsewhere == []


def sign_in(page, url: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    sync_api.expect(page.get_by_test_id("live")).to_have_text("live", timeout=WAIT_MS)


def serious_violations(page) -> list[str]:
    """axe-core's violations of serious or critical impact on the page as it is now, one line each."""
    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']][:5]}"
            for v in found if v["impact"] in ("serious", "critical")]


def test_the_dashboard_shows_and_steers_the_emulator(page, url, screenshots):
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
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
    pod = page.get_by_test_id("kubernetes-pods").get_by_role("row").filter(has_text="nightly-")
    expect(pod).to_contain_text("Succeeded", timeout=WAIT_MS)
    page.screenshot(path=screenshots / "dashboard.png")  # the README's docs/dashboard.png
    page.get_by_role("button", name="Show default/nightly", exact=True).click()
    expect(page.get_by_test_id("job-transitions")).to_contain_text(
        "2026-01-01T00:00:11Z Running -> Complete", timeout=WAIT_MS)
    expect(page.get_by_test_id("job-pods").get_by_role("row").filter(has_text="nightly-")) \
        .to_contain_text("Succeeded", timeout=WAIT_MS)
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
    page.get_by_role("button", name=f"Show 1250000000/{SUSPENDED_COS_JOB}", exact=True).click()
    detail = page.get_by_test_id("job-detail")
    expect(detail).to_contain_text('"Status": "Suspended"', timeout=WAIT_MS)
    detail.get_by_role("button", name="Cancelled").click()
    expect(cos.get_by_role("row").filter(has_text=SUSPENDED_COS_JOB)).to_contain_text("Cancelled", timeout=WAIT_MS)
    expect(detail).to_contain_text('"Status": "Cancelled"', timeout=WAIT_MS)
    page.screenshot(path=screenshots / "4-cos-job-cancelled.png")
    page.screenshot(path=screenshots / "dashboard-full.png", full_page=True)


def test_mrs_executions_are_shown_filtered_and_moved(page, url, screenshots):
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
    sign_in(page, url)
    status, submitted = answer(f"{url}/v2/{PROJECT}/clusters/{CLUSTER}/job-executions", "POST",
                               {"job_type": "MapReduce", "job_name": "wordcount"})
    assert status == 200
    v2_id = submitted["job_submit_result"]["job_id"]
    status, exe = answer(f"{url}/v1.1/{PROJECT}/jobs/submit-job", "POST",
                         {"job_type": 1, "job_name": "legacy", "cluster_id": CLUSTER, "jar_path": "/x.jar"})
    assert status == 200
    exe_id = exe["job_execution"]["id"]

    # Both appear through the event stream alone, each in its own table.
    v2 = page.get_by_test_id("mrs-executions").get_by_role("row").filter(has_text=v2_id)
    expect(v2).to_contain_text("wordcount", timeout=WAIT_MS)
    expect(v2).to_contain_text("NEW", timeout=WAIT_MS)
    edp = page.get_by_test_id("mrs-edp-executions").get_by_role("row").filter(has_text=exe_id)
    expect(edp).to_contain_text("v1.1 job-exes", timeout=WAIT_MS)
    expect(edp).to_contain_text("RUNNING", timeout=WAIT_MS)

    # A v2 execution finishes from its detail, through the admin API's transition.
    page.get_by_role("button", name=f"Show {PROJECT}/{v2_id}", exact=True).click()
    detail = page.get_by_test_id("job-detail")
    expect(detail).to_contain_text('"job_state": "NEW"', timeout=WAIT_MS)
    detail.get_by_role("button", name="FINISHED", exact=True).click()
    expect(v2).to_contain_text("SUCCEEDED", timeout=WAIT_MS)
    expect(detail).to_contain_text('"job_state": "FINISHED"', timeout=WAIT_MS)

    # The v1.1 execution fails from its detail; the status filter then keeps it, or leaves none.
    page.get_by_role("button", name=f"Show {PROJECT}/{exe_id}", exact=True).click()
    expect(detail).to_contain_text('"status": "RUNNING"', timeout=WAIT_MS)
    detail.get_by_role("button", name="FAILED", exact=True).click()
    expect(edp).to_contain_text("FAILED", timeout=WAIT_MS)
    status_filter = page.locator("#mrs-edp-status")
    status_filter.select_option("FAILED")
    expect(edp).to_contain_text("FAILED", timeout=WAIT_MS)
    status_filter.select_option("RUNNING")
    expect(page.get_by_test_id("mrs-edp-executions")).to_contain_text("No executions match.", timeout=WAIT_MS)
    page.screenshot(path=screenshots / "5-mrs-executions.png")


def test_the_page_with_data_has_no_serious_accessibility_violation_and_works_from_the_keyboard(page, url):
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
    assert call(url + "/_emulator/faults", "POST", {"service": "kubernetes", "operation": "readBatchV1NamespacedJob",
                                                    "status": 503}) == 201
    assert call(url + "/apis/batch/v1/namespaces/namespace-test/jobs/pi") == 503
    sign_in(page, url)
    expect(page.get_by_test_id("journal").get_by_role("row").filter(has_text="fault 1")) \
        .to_contain_text("503", timeout=WAIT_MS)
    expect(page.get_by_test_id("kubernetes-pods")).to_contain_text("No pods match.", timeout=WAIT_MS)
    assert serious_violations(page) == []

    # From the keyboard: Advance 1 s, then open a job's detail and audit it too.
    page.get_by_role("button", name="Advance 1 s").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:01Z", timeout=WAIT_MS)
    page.get_by_role("button", name="Show namespace-test/pi", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#job-title")).to_be_focused(timeout=WAIT_MS)
    expect(page.get_by_test_id("job-detail")).to_contain_text('"name": "pi"', timeout=WAIT_MS)
    assert serious_violations(page) == []

    # The journal filters by status, and a misspelled fault rule typed into the form is refused with the API's
    # message naming the valid choices; both from the keyboard.
    assert call(url + "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status") == 200
    journal = page.get_by_test_id("journal")
    expect(journal.get_by_role("row").filter(has_text="readBatchV1NamespacedJobStatus")).to_contain_text(
        "200", timeout=WAIT_MS)
    page.locator("#journal-status").focus()
    page.keyboard.type("503")
    expect(journal.locator("tbody tr")).to_have_count(1, timeout=WAIT_MS)
    expect(journal.locator("tbody tr")).to_contain_text("fault 1")
    page.locator("#fault-service").focus()
    page.keyboard.press("c")  # the first service starting with "c": cos_batch
    expect(page.locator("#fault-service")).to_have_value("cos_batch")
    page.keyboard.press("Tab")
    page.keyboard.type("DescribeJobs")
    for _ in range(3):  # method, path, status
        page.keyboard.press("Tab")
    page.keyboard.type("503")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text('cos_batch has no operation "DescribeJobs"; valid: ',
                                                       timeout=WAIT_MS)
    expect(page.get_by_role("status")).to_contain_text("DescribeJob, ")
    expect(page.get_by_test_id("faults")).not_to_contain_text("DescribeJobs")  # nothing stored

    # The audit sees what it is for: an unlabelled field and faint text are serious or critical.
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('afterbegin',
        '<input id="unlabelled"><span style="color:#ddd;background:#fff">faint</span>')""")
    assert {line.split()[0] for line in serious_violations(page)} == {"label", "color-contrast"}


def test_the_token_is_asked_for_and_kept_in_this_tab_only(browser, url):
    expect = sync_api.expect
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    try:
        page = context.new_page()
        page.goto(url + "/")
        token = page.get_by_label("Token", exact=True)
        expect(token).to_be_focused(timeout=WAIT_MS)  # the prompt takes the keyboard at once

        # A wrong token is refused, said so, and forgotten; the prompt stays.
        page.keyboard.type("not-the-token")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text(
            "That admin token was refused; give the one the emulator was started with.", timeout=WAIT_MS)
        expect(token).to_be_visible()
        assert page.evaluate("sessionStorage.length") == 0

        # From the keyboard alone: type it, press Enter.
        token.focus()
        page.keyboard.type(TOKEN)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("live")).to_have_text("live", timeout=WAIT_MS)
        expect(page.get_by_test_id("kubernetes-jobs")).to_contain_text("namespace-test", timeout=WAIT_MS)
        expect(token).to_be_hidden()

        # Kept in this tab's sessionStorage only: no localStorage, no cookie, never in a URL.
        assert page.evaluate("sessionStorage.getItem('cloud-job-emulator-admin-token')") == TOKEN
        assert page.evaluate("localStorage.length") == 0 and context.cookies() == []
        assert any("/_emulator/events" in u for u in urls) and not [u for u in urls if TOKEN in u]
        page.reload()  # the same tab keeps it
        expect(page.get_by_test_id("live")).to_have_text("live", timeout=WAIT_MS)
        expect(token).to_be_hidden()

        other = context.new_page()  # another tab of the same browser asks again
        other.goto(url + "/")
        expect(other.get_by_label("Token", exact=True)).to_be_visible(timeout=WAIT_MS)
        assert other.evaluate("sessionStorage.length") == 0
        expect(other.get_by_test_id("kubernetes-jobs")).not_to_contain_text("namespace-test")
    finally:
        context.close()


def test_kubernetes_moves_request_bodies_and_the_snapshot_button(page, url, state_file, screenshots):
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
    sign_in(page, url)
    job = {"metadata": {"name": "doomed"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
    assert call(url + "/apis/batch/v1/namespaces/default/jobs", "POST", job) == 201

    # The journal's detail of that request shows what was sent and answered (--journal-bodies).
    journal = page.get_by_test_id("journal")
    created = journal.get_by_role("row").filter(has_text="createBatchV1NamespacedJob")
    expect(created).to_contain_text("201", timeout=WAIT_MS)
    created.get_by_role("button").click()
    detail = page.get_by_test_id("request-detail")
    expect(page.locator("#request-title")).to_be_focused(timeout=WAIT_MS)
    expect(detail).to_contain_text("POST /apis/batch/v1/namespaces/default/jobs", timeout=WAIT_MS)
    expect(page.get_by_test_id("request-body")).to_contain_text('"name": "doomed"', timeout=WAIT_MS)
    expect(page.get_by_test_id("response-body")).to_contain_text('"uid": "', timeout=WAIT_MS)
    expect(page.get_by_test_id("response-body")).to_contain_text('"kind": "Job"', timeout=WAIT_MS)
    assert serious_violations(page) == []

    # A Kubernetes job has Complete and Failed buttons in its detail; Failed fails it at once.
    page.get_by_role("button", name="Show default/doomed", exact=True).click()
    job_detail = page.get_by_test_id("job-detail")
    expect(job_detail.get_by_role("button", name="Complete", exact=True)).to_be_visible(timeout=WAIT_MS)
    job_detail.get_by_role("button", name="Failed", exact=True).click()
    row = page.get_by_test_id("kubernetes-jobs").get_by_role("row").filter(has_text="doomed")
    expect(row).to_contain_text("Failed", timeout=WAIT_MS)
    expect(page.get_by_test_id("job-history")).to_contain_text("Failed=True (BackoffLimitExceeded)", timeout=WAIT_MS)
    # A finished job has no move left: its buttons go.
    expect(job_detail).to_contain_text("It has finished: no move is left.", timeout=WAIT_MS)
    expect(job_detail.get_by_role("button", name="Complete", exact=True)).to_have_count(0)

    # The snapshot button (there because --state-file is set) writes the state file now.
    assert not state_file.exists()
    page.get_by_role("button", name="Save a snapshot").click()
    expect(page.get_by_role("status")).to_contain_text(f"snapshot saved to {state_file}", timeout=WAIT_MS)
    saved = json.loads(state_file.read_text())
    assert '"doomed"' in json.dumps(saved)
    page.screenshot(path=screenshots / "6-request-detail-and-failed-job.png", full_page=True)

    # The clock is set from its field; Reset (once confirmed) brings back the fixtures and the start time.
    page.get_by_label("Set to (RFC 3339)").fill("2026-06-01T12:00:00Z")
    page.get_by_role("button", name="Set", exact=True).click()
    expect(page.get_by_test_id("clock")).to_have_text("2026-06-01T12:00:00Z", timeout=WAIT_MS)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset everything").click()
    expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:00Z", timeout=WAIT_MS)
    expect(page.get_by_test_id("kubernetes-jobs")).not_to_contain_text("doomed", timeout=WAIT_MS)
    expect(page.get_by_test_id("kubernetes-jobs")).to_contain_text("namespace-test")
    expect(page.get_by_test_id("journal").locator("tbody tr")).to_have_count(0, timeout=WAIT_MS)


BULK = 10_000
BULK_NAMESPACE = "bulk"


def bulk_jobs(start: int, stop: int) -> list[dict]:
    return [{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": f"bulk-{n:05d}", "namespace": BULK_NAMESPACE},
             "spec": {"template": {"spec": {"restartPolicy": "Never",
                                            "containers": [{"name": "c", "image": "busybox"}]}}}}
            for n in range(start, stop)]


def test_ten_thousand_jobs_are_paged_filtered_and_followed_live(page, url, screenshots):
    """10,000 jobs arrive while the page is open: it reads a bounded number of pages (not one per change), the
    table holds one page of rows, and paging, filters and the clock still answer."""
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
    sign_in(page, url)
    reads: list[str] = []
    page.on("request", lambda request: reads.append(request.url) if "/_emulator/collections/jobs?" in request.url
            else None)
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": BULK_NAMESPACE}}
    assert answer(url + "/_emulator/fixtures", "POST", [namespace])[0] == 200
    for start in range(0, BULK, 2500):  # each load is 2,500 store writes, streamed to the page
        status, loaded = answer(url + "/_emulator/fixtures", "POST", bulk_jobs(start, start + 2500))
        assert (status, loaded) == (200, {"loaded": 2500})
    total = BULK + 2  # and the two bundled jobs
    pages = page.get_by_test_id("kubernetes-jobs-pages")
    expect(pages).to_have_text(f"1–10 of {total}", timeout=WAIT_MS)
    table = page.get_by_test_id("kubernetes-jobs")
    rows = table.locator("tbody tr").filter(has_text="Pending")
    expect(rows).to_have_count(10, timeout=WAIT_MS)
    assert len(reads) < 20, f"{len(reads)} reads of the jobs table for {BULK} changes"
    page.screenshot(path=screenshots / "7-ten-thousand-jobs.png")

    page.get_by_role("navigation", name="Kubernetes Jobs pages").get_by_role("button", name="Last").click()
    expect(pages).to_have_text(f"{total - 1}–{total} of {total}", timeout=WAIT_MS)
    page.locator("#kubernetes-limit").select_option("100")
    expect(pages).to_have_text(f"1–100 of {total}", timeout=WAIT_MS)
    expect(rows).to_have_count(100, timeout=WAIT_MS)
    assert page.locator("tr").count() < 400  # every table on the page: pages of rows, never all 10,000

    page.locator("#kubernetes-scope").select_option(BULK_NAMESPACE)
    expect(pages).to_have_text(f"1–100 of {BULK}", timeout=WAIT_MS)
    page.locator("#kubernetes-q").fill("bulk-09999")
    expect(pages).to_have_text("1–1 of 1", timeout=WAIT_MS)
    page.get_by_role("button", name=f"Show {BULK_NAMESPACE}/bulk-09999", exact=True).click()
    expect(page.get_by_test_id("job-detail")).to_contain_text('"name": "bulk-09999"', timeout=WAIT_MS)

    page.get_by_role("button", name="Advance 1 s").click()  # the page still steers the emulator
    expect(page.get_by_test_id("clock")).to_have_text("2026-01-01T00:00:01Z", timeout=WAIT_MS)


def test_a_refusal_of_what_was_asked_before_the_sign_in_leaves_the_page_signed_in(page, url):
    """The page asks for the operation names while it shows the token prompt. That 401 can come back after the
    sign-in (a busy machine): it says nothing of the token now, so the page stays signed in and live (it used to
    ask for the token again, and hid what it showed)."""
    expect = sync_api.expect
    assert call(url + "/_emulator/reset", "POST", {}) == 200
    held = []

    def hold_the_tokenless_one(route) -> None:
        if not held and "x-emulator-admin-token" not in route.request.headers:
            held.append(route)  # answered below, once signed in
        else:
            route.fallback()

    page.route("**/_emulator/openapi.json", hold_the_tokenless_one)
    with page.expect_request(lambda request: request.url.endswith("/_emulator/openapi.json")):
        page.goto(url + "/")
    page.get_by_label("Token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("live")).to_have_text("live", timeout=WAIT_MS)
    assert len(held) == 1
    with page.expect_response(lambda response: response.url.endswith("/openapi.json") and response.status == 401):
        held[0].fallback()
    job = {"metadata": {"name": "after"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
    assert call(url + "/apis/batch/v1/namespaces/default/jobs", "POST", job) == 201
    row = page.get_by_test_id("journal").get_by_role("row").filter(has_text="createBatchV1NamespacedJob")
    expect(row).to_contain_text("201", timeout=WAIT_MS)
    expect(page.get_by_label("Token", exact=True)).to_be_hidden()
    expect(page.get_by_test_id("live")).to_have_text("live")
