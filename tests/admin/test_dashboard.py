"""The dashboard's routes: the page and its files, GET / for a browser, and the paged collections it reads."""
from __future__ import annotations

from pathlib import Path

import pytest

import emulator

UI = Path(emulator.__file__).resolve().parent / "admin" / "ui"


async def test_the_page_and_its_files_are_served_from_the_package(client):
    page = await client.get("/_emulator/ui")
    assert page.status == 200 and page.content_type == "text/html"
    html = await page.text()
    assert "/_emulator/ui/vendor/alpinejs/alpine.min.js" in html and "http" not in html.replace("http-equiv", "")
    for name in ("dashboard.js", "dashboard.css", "vendor/alpinejs/alpine.min.js", "vendor/alpinejs/LICENSE.md"):
        response = await client.get(f"/_emulator/ui/{name}")
        assert response.status == 200, name
        assert await response.read() == (UI / name).read_bytes()


async def test_get_root_sends_a_browser_to_the_dashboard_and_others_get_the_404(client):
    browser = await client.get("/", headers={"Accept": "text/html,application/xhtml+xml"}, allow_redirects=False)
    assert browser.status == 302 and browser.headers["Location"] == "/_emulator/ui"
    assert (await client.get("/", headers={"Accept": "application/json"})).status == 404


async def test_with_an_admin_token_the_page_is_open_and_its_data_is_not(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(admin_token="s3cret"))
    assert (await client.get("/_emulator/ui")).status == 200
    assert (await client.get("/_emulator/ui/dashboard.js")).status == 200
    assert (await client.get("/_emulator/collections/jobs")).status == 401
    answer = await client.get("/_emulator/collections/jobs", headers={"X-Emulator-Admin-Token": "s3cret"})
    assert answer.status == 200


async def test_collections_list_counts_and_hide_secrets(client):
    collections = (await (await client.get("/_emulator/collections")).json())["collections"]
    assert collections["jobs"] == 2 and collections["cos_jobs"] == 4
    assert not [kind for kind in collections if kind.endswith("_secrets")]
    assert (await client.get("/_emulator/collections/cos_batch_secrets")).status == 404


async def test_a_page_filters_by_scope_text_and_pointer_and_shows_chosen_fields(client):
    base = "/_emulator/collections/cos_jobs"
    page = await (await client.get(base, params={"where": "/Status=Cancelled", "fields": "/JobId,/Status"})).json()
    assert page["total"] == 1
    assert page["items"][0]["object"] == {"/JobId": "bd883ee0-4642-40fa-ae15-85dd74cb85dc", "/Status": "Cancelled"}
    page = await (await client.get(base, params={"q": "RESTORE-IN-PROGRESS", "fields": "/Status"})).json()
    assert [item["object"]["/Status"] for item in page["items"]] == ["Active"]
    page = await (await client.get("/_emulator/collections/jobs", params={"scope": "namespace-test"})).json()
    assert [item["name"] for item in page["items"]] == ["pi"] and page["items"][0]["object"]["metadata"]["name"] == "pi"
    page = await (await client.get("/_emulator/collections/jobs", params={"where": "/status/active"})).json()
    assert page["total"] == 2
    one = {"scope": "namespace-test", "name": "pi"}
    page = await (await client.get("/_emulator/collections/jobs", params=one)).json()
    assert page["total"] == 1 and page["items"][0]["object"]["metadata"]["uid"]
    page = await (await client.get("/_emulator/collections/jobs", params={**one, "name": "no"})).json()
    assert (page["total"], page["items"]) == (0, [])
    scopes = await (await client.get("/_emulator/collections/jobs/scopes")).json()
    assert scopes == {"scopes": ["namespace-test", "ns-12130306-s"]}


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"fields": "status"},
                                   {"where": "Status=Active"}])
async def test_bad_page_queries_are_refused(client, query):
    assert (await client.get("/_emulator/collections/cos_jobs", params=query)).status == 400


async def test_pages_and_filters_reach_through_ten_thousand_jobs(aiohttp_client, make_app):
    """The page the dashboard reads: the right slice and count; its speed is benchmarks' business, and the browser
    test shows the page with 10,000 jobs."""
    from emulator.runtime.emulator import EMULATOR

    app = make_app()
    jobs = app[EMULATOR].core.store.collection("cos_jobs")
    for number in range(10_000):
        jobs.put("1250000000", f"job-{number:05d}", {"JobId": f"job-{number:05d}",
                                                      "Status": "Active" if number % 2 else "Complete"})
    client = await aiohttp_client(app)
    page = await (await client.get("/_emulator/collections/cos_jobs",
                                   params={"offset": "9990", "limit": "25", "fields": "/JobId,/Status"})).json()
    filtered = await (await client.get("/_emulator/collections/cos_jobs",
                                       params={"where": "/Status=Active", "q": "job-0999", "limit": "25"})).json()
    assert page["total"] == 10_004 and len(page["items"]) == 14
    assert [item["object"] for item in page["items"]][-1] == {"/JobId": "job-09999", "/Status": "Active"}
    assert filtered["total"] == 5  # job-09991, ..., job-09999 that are Active


async def test_the_journal_answers_its_newest_entries_and_filters_by_status(client):
    for name in ("a", "b", "c"):
        await client.get(f"/apis/batch/v1/namespaces/default/jobs/{name}")
    await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi")
    newest = (await (await client.get("/_emulator/requests", params={"limit": "2"})).json())["requests"]
    assert [e["path"].rsplit("/", 1)[1] for e in newest] == ["c", "pi"]
    missing = (await (await client.get("/_emulator/requests", params={"status": "404"})).json())["requests"]
    assert len(missing) == 3
    assert (await client.get("/_emulator/requests", params={"status": "bad"})).status == 400


def test_the_vendored_library_keeps_its_licence_and_version():
    vendor = UI / "vendor" / "alpinejs"
    assert "MIT License" in (vendor / "LICENSE.md").read_text()
    assert "alpinejs 3.17.5" in (vendor / "VERSION").read_text()


def test_the_readmes_screenshot_is_the_dashboard_at_1280_by_800():
    png = (UI.parents[2] / "docs" / "dashboard.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1280, 800)
    readme = (UI.parents[2] / "README.md").read_text()
    assert "![" in readme and "(docs/dashboard.png)" in readme
