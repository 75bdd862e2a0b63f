"""The pytest plugin, run as its users run it: inner pytest sessions through `pytester`."""
from __future__ import annotations

import json
import re
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
ASYNC_INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture(autouse=True)
def inner_ini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini(ASYNC_INI)
    for name in ("EMULATOR_URL", "EMULATOR_ADMIN_TOKEN"):  # a developer's own emulator is not the one under test
        monkeypatch.delenv(name, raising=False)
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT"):  # this suite's own -n is not the inner run's
        monkeypatch.delenv(name, raising=False)


def test_in_process_app_factory_gives_private_state(pytester: pytest.Pytester):
    pytester.makepyfile("""
        async def test_two_apps_share_nothing(cloud_job_emulator_app, aiohttp_client):
            first = await aiohttp_client(cloud_job_emulator_app())
            second = await aiohttp_client(cloud_job_emulator_app())
            job = {"metadata": {"name": "only-here"}, "spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
            assert (await first.post("/apis/batch/v1/namespaces/default/jobs", json=job)).status == 201
            assert (await first.get("/apis/batch/v1/namespaces/default/jobs/only-here")).status == 200
            assert (await second.get("/apis/batch/v1/namespaces/default/jobs/only-here")).status == 404
            clock = await (await first.get("/_emulator/clock")).json()
            assert clock == {"now": "2026-01-01T00:00:00Z", "frozen": True}
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_in_process_apps_share_what_the_fixtures_work_out_and_nothing_else(pytester: pytest.Pytester):
    # The session's apps share one fixture memo (the factory's cost): a Job or COS job changed in one app
    # must not show in an app made after it, nor in one made before.
    pytester.makepyfile("""
        from emulator.runtime.emulator import EMULATOR

        JOB = "/apis/batch/v1/namespaces/namespace-test/jobs/pi"
        COS_JOB = "/jobs/f6b885a7-4312-455e-ac70-05d1d5be4cb7"
        COS = {"x-cos-appid": "1250000000"}
        MERGE = {"Content-Type": "application/merge-patch+json"}

        async def test_changes_stay_in_their_app(cloud_job_emulator_app, aiohttp_client):
            apps = [cloud_job_emulator_app(), cloud_job_emulator_app()]
            memo = apps[0][EMULATOR].core.fixtures
            assert apps[1][EMULATOR].core.fixtures is memo and len(memo) > 0
            first, before = await aiohttp_client(apps[0]), await aiohttp_client(apps[1])
            pristine = await (await before.get(JOB)).json()
            cos_pristine = await (await before.get(COS_JOB, headers=COS)).text()
            patch = {"metadata": {"labels": {"changed": "yes"}}, "spec": {"parallelism": 7}}
            assert (await first.patch(JOB, json=patch, headers=MERGE)).status == 200
            status = {"status": {"conditions": None, "active": 3}}
            assert (await first.patch(JOB + "/status", json=status, headers=MERGE)).status == 200
            assert (await first.post(COS_JOB + "/priority", params={"priority": "99"}, headers=COS)).status == 200
            assert "<Priority>99</Priority>" in await (await first.get(COS_JOB, headers=COS)).text()
            kept = len(memo)
            after = await aiohttp_client(cloud_job_emulator_app())
            assert len(memo) == kept
            for client in (before, after):
                job = await (await client.get(JOB)).json()
                assert job["spec"] == pristine["spec"] and job["status"] == pristine["status"]
                assert job["metadata"]["labels"] == pristine["metadata"]["labels"]
                assert await (await client.get(COS_JOB, headers=COS)).text() == cos_pristine
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_live_emulator_is_reset_between_tests(pytester: pytest.Pytester):
    pytester.makepyfile("""
        from kubernetes import client

        JOB = {"metadata": {"name": "leftover"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}

        def test_first_writes(cloud_job_emulator):
            batch = client.BatchV1Api(cloud_job_emulator.kubernetes())
            batch.create_namespaced_job("default", JOB)
            cloud_job_emulator.advance(3600)
            assert cloud_job_emulator.now() == "2026-01-01T01:00:00Z"

        def test_second_sees_none_of_it(cloud_job_emulator):
            batch = client.BatchV1Api(cloud_job_emulator.kubernetes())
            assert [j.metadata.name for j in batch.list_namespaced_job("default").items] == []
            assert cloud_job_emulator.now() == "2026-01-01T00:00:00Z"
            assert {r["operation"] for r in cloud_job_emulator.requests()} == {"listBatchV1NamespacedJob"}
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_marker_sets_fixtures_and_clock(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest
        import urllib.request, json

        @pytest.mark.cloud_job_emulator(bundled=False, clock="2030-05-06T07:08:09Z",
                                        fixtures=[{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}])
        def test_marked(cloud_job_emulator):
            assert cloud_job_emulator.now() == "2030-05-06T07:08:09Z"
            names = [n["metadata"]["name"] for n in json.load(urllib.request.urlopen(cloud_job_emulator.url + "/api/v1/namespaces"))["items"]]
            assert "team-a" in names and "namespace-test" not in names

        def test_unmarked_has_the_bundled_fixtures(cloud_job_emulator):
            assert cloud_job_emulator.state()["collections"]["jobs"]
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_fault_fires_on_the_third_call_only(pytester: pytest.Pytester):
    pytester.makepyfile("""
        from kubernetes import client
        from kubernetes.client.rest import ApiException

        def test_third(cloud_job_emulator):
            cloud_job_emulator.fault(service="kubernetes", operation="readBatchV1NamespacedJobStatus",
                                     status=503, error_code="ServiceUnavailable", message="busy", after=2, times=1)
            batch = client.BatchV1Api(cloud_job_emulator.kubernetes())
            outcomes = []
            for _ in range(4):
                try:
                    batch.read_namespaced_job_status("pi", "namespace-test")
                    outcomes.append(200)
                except ApiException as error:
                    outcomes.append(error.status)
            assert outcomes == [200, 200, 503, 200]
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_emulator_url_points_the_fixtures_at_a_running_emulator(pytester: pytest.Pytester, live_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EMULATOR_URL", live_url)
    pytester.makepyfile(f"""
        def test_uses_it(cloud_job_emulator):
            assert cloud_job_emulator.url == {live_url!r}
            cloud_job_emulator.transition(service="kubernetes", namespace="namespace-test", name="pi", status="Complete")
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    with urllib.request.urlopen(f"{live_url}/apis/batch/v1/namespaces/namespace-test/jobs/pi/status") as response:
        conditions = json.load(response)["status"]["conditions"]
    assert [c["type"] for c in conditions] == ["SuccessCriteriaMet", "Complete"]  # it really was that server


def test_the_marker_clock_gives_the_same_state_in_process_and_live(pytester: pytest.Pytester):
    """The fixtures load at the marker's time in both modes: no step between the default time and it runs."""
    pytester.makepyfile(f"""
        import json, pytest

        COS_JOB = "006c1698-bbf3-4ccf-aa23-12aeec330857"  # Active for an hour after the fixtures load
        pytestmark = pytest.mark.cloud_job_emulator(clock="2030-01-01T00:00:00Z")

        def keep(name, state):
            with open(name, "w") as file:
                json.dump(state, file)
            jobs = dict(((a, j), job) for a, j, job in state["collections"]["cos_jobs"])
            assert jobs["1250000000", COS_JOB]["Status"] == "Active"

        async def test_in_process(cloud_job_emulator_app, aiohttp_client):
            client = await aiohttp_client(cloud_job_emulator_app())
            keep("in_process.json", await (await client.get("/_emulator/state")).json())

        def test_live(cloud_job_emulator):
            keep("live.json", cloud_job_emulator.state())
            cloud_job_emulator.advance(3600)
            cloud_job_emulator.reset()  # back to the marker's time, frozen, the job Active again
            assert cloud_job_emulator.now() == "2030-01-01T00:00:00Z"
            keep("live_again.json", cloud_job_emulator.state())
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    names = ("in_process", "live", "live_again")
    uids = re.compile(r'"uid": "[^"]*"')  # drawn at random unless --id-seed is given
    states = [json.loads(uids.sub('"uid": ""', (pytester.path / f"{name}.json").read_text())) for name in names]
    assert states[0] == states[1] == states[2]


@pytest.fixture
def live_clock_url() -> Iterator[str]:
    """An emulator of the test's own whose clock runs (no --frozen-clock), as a docker-compose service's does."""
    from emulator.pytest_plugin import _start

    process, url = _start()
    yield url
    process.kill()
    process.wait(timeout=10)


def test_emulator_url_mode_resets_that_emulator_to_the_default_frozen_time(pytester: pytest.Pytester,
                                                                           live_clock_url: str,
                                                                           monkeypatch: pytest.MonkeyPatch):
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "left-over"}}
    request = urllib.request.Request(f"{live_clock_url}/api/v1/namespaces", data=json.dumps(namespace).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()
    monkeypatch.setenv("EMULATOR_URL", live_clock_url)
    pytester.makepyfile("""
        import pytest

        def names(emulator):
            return [n for _, n, _ in emulator.state()["collections"]["namespaces"]]

        def test_default_time(cloud_job_emulator):
            assert "left-over" not in names(cloud_job_emulator)  # the fixture's reset really happened there
            assert cloud_job_emulator.now() == "2026-01-01T00:00:00Z"
            cloud_job_emulator.load({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mine"}})
            cloud_job_emulator.advance(90)
            cloud_job_emulator.reset()  # mid-test: still frozen, at the default time
            assert cloud_job_emulator.admin("GET", "clock") == {"now": "2026-01-01T00:00:00Z", "frozen": True}
            assert "mine" not in names(cloud_job_emulator)

        @pytest.mark.cloud_job_emulator(clock="2031-02-03T04:05:06Z")
        def test_marker_time(cloud_job_emulator):
            cloud_job_emulator.advance(5)
            cloud_job_emulator.reset()
            assert cloud_job_emulator.admin("GET", "clock") == {"now": "2031-02-03T04:05:06Z", "frozen": True}
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_plugins_own_emulator_ignores_the_developers_emulator_variables(pytester: pytest.Pytester,
                                                                            monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path):
    sandbox_state = tmp_path / "sandbox-state.json"  # a sandbox's state file, which a test run must never write
    for name, value in {"EMULATOR_STATE_FILE": str(sandbox_state), "EMULATOR_NO_FIXTURES": "1"}.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile("""
        def test_defaults(cloud_job_emulator):
            state = cloud_job_emulator.state()
            assert state["collections"]["jobs"]  # the bundled fixtures, despite EMULATOR_NO_FIXTURES
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert not sandbox_state.exists()  # the emulator it started and stopped wrote no state file


def test_readme_examples_run(pytester: pytest.Pytester):
    section = README.split("## Testing with pytest", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(examples) == 2  # Kubernetes, then MRS through .mrs() and .sahara()
    pytester.makepyfile(**{f"test_readme_example_{number}": example for number, example in enumerate(examples)})
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_ready_made_sahara_and_cos_clients_work(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import xmltodict

        def test_sahara(cloud_job_emulator):
            sahara = cloud_job_emulator.sahara()
            job = sahara.jobs.get("b8ea4daa-0042-45e0-a522-e8b714e74760")
            assert job.name == "my-mapreduce-job"

        def test_cos(cloud_job_emulator):
            cos = cloud_job_emulator.cos_session()
            response = cos.get(cloud_job_emulator.url + "/jobs", params={"jobStatuses": "Active"})
            assert response.status_code == 200, response.text
            assert "q-signature=" in response.request.headers["Authorization"]
            jobs = xmltodict.parse(response.content)["ListJobsResult"]["Jobs"]["member"]
            assert jobs["Status"] == "Active"
            rejected = cloud_job_emulator.cos_session(secret_key="wrong").get(cloud_job_emulator.url + "/jobs")
            assert rejected.status_code == 403  # the signature really is checked

        def test_cos_objects(cloud_job_emulator):
            from qcloud_cos.cos_exception import CosServiceError

            cos = cloud_job_emulator.cos()
            cos.create_bucket(Bucket="src-1250000000")
            put = cos.put_object(Bucket="src-1250000000", Key="a.txt", Body=b"hello world")
            assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
            got = cos.get_object(Bucket="src-1250000000", Key="a.txt")
            assert got["Body"].get_raw_stream().read() == b"hello world"
            try:
                cloud_job_emulator.cos(secret_key="wrong").head_bucket(Bucket="src-1250000000")
            except CosServiceError as error:
                assert error.get_status_code() == 403
            else:
                raise AssertionError("a wrong key was accepted")
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


@pytest.mark.parametrize(("client", "module", "package"), [
    ("kubernetes", "kubernetes", "kubernetes"),
    ("sahara", "saharaclient", "python-saharaclient"),
    ("sahara", "keystoneauth1", "keystoneauth1"),
    ("cos_session", "qcloud_cos", "cos-python-sdk-v5"),
    ("cos", "qcloud_cos", "cos-python-sdk-v5"),
    ("cos_session", "requests", "requests"),
    ("mrs", "huaweicloudsdkmrs", "huaweicloudsdkmrs"),
])
def test_a_client_without_its_library_names_the_extra_that_installs_it(monkeypatch, client, module, package):
    from emulator.pytest_plugin import CloudJobEmulator

    for name in [name for name in sys.modules if name.startswith(f"{module}.")] + [module]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed: importing it raises ImportError
    with pytest.raises(RuntimeError) as raised:
        getattr(CloudJobEmulator("http://127.0.0.1:9"), client)()
    assert str(raised.value) == (f"cloud_job_emulator.{client}() needs the {package} package: "
                                 "pip install 'cloud-job-emulator[clients]'")


def test_verify_finds_requests_and_fails_readably_with_the_closest(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest
        from kubernetes import client

        JOB = {"metadata": {"name": "verified"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}

        def test_verify(cloud_job_emulator):
            batch = client.BatchV1Api(cloud_job_emulator.kubernetes())
            batch.create_namespaced_job("default", JOB)
            batch.read_namespaced_job("verified", "default")
            found = cloud_job_emulator.verify(service="kubernetes", operation="createBatchV1NamespacedJob",
                                              count=1, body_contains='"verified"')
            assert found[0]["status"] == 201
            cloud_job_emulator.verify(service="kubernetes")
            with pytest.raises(AssertionError) as failure:
                cloud_job_emulator.verify(service="kubernetes", operation="deleteBatchV1NamespacedJob", count=1)
            message = str(failure.value)
            assert message.startswith("expected 1 request(s) with service='kubernetes', "
                                      "operation='deleteBatchV1NamespacedJob', found 0 among the 2 journaled")
            assert "closest requests:" in message
            assert ("POST /apis/batch/v1/namespaces/default/jobs -> 201 (kubernetes.createBatchV1NamespacedJob)"
                    in message)
            with pytest.raises(AssertionError, match="found 1 among"):
                cloud_job_emulator.verify(operation="createBatchV1NamespacedJob", count=2)
            with pytest.raises(AssertionError, match="body_contains='nowhere'"):
                cloud_job_emulator.verify(body_contains="nowhere")
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


XDIST_TESTS = """
    import os
    import pytest
    from kubernetes import client

    def job(name):
        return {"metadata": {"name": name}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}

    @pytest.mark.parametrize("number", range(5))
    def test_a_job_of_its_own(cloud_job_emulator, number):
        with open(os.environ["URLS_FILE"], "a") as urls:
            urls.write(f"{os.environ.get('PYTEST_XDIST_WORKER')} {cloud_job_emulator.url}\\n")
        batch = client.BatchV1Api(cloud_job_emulator.kubernetes())
        batch.create_namespaced_job("default", job(f"job-{number}"))
        cloud_job_emulator.advance(5)
        assert [j.metadata.name for j in batch.list_namespaced_job("default").items] == [f"job-{number}"]
        cloud_job_emulator.advance(6)  # 10 s of its container, which starts 1 s after its pod
        assert batch.read_namespaced_job_status(f"job-{number}", "default").status.succeeded == 1
        assert cloud_job_emulator.now() == "2026-01-01T00:00:11Z"
"""


# Plugins the test extra installs that these runs never use (no test here is async): without them each run (a
# controller and two workers) costs about a third of the CPU.
UNUSED_PLUGINS = tuple(option for name in ("schemathesis", "hypothesispytest", "anyio", "aiohttp", "asyncio")
                       for option in ("-p", f"no:{name}"))


def run_under_xdist(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> tuple[pytest.RunResult, set]:
    pytester.makeini("[pytest]\n")  # no asyncio options: its plugin is off
    urls = pytester.path / "urls.txt"
    urls.write_text("")
    monkeypatch.setenv("URLS_FILE", str(urls))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", *UNUSED_PLUGINS)
    return result, set(urls.read_text().splitlines())


def plugin_examples(pytester: pytest.Pytester) -> int:
    """The plugin's examples as test files: the README's, the compose example's and XDIST_TESTS; how many tests."""
    section = README.split("## Testing with pytest", 1)[1].split("\n## ", 1)[0]
    readme = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    compose = (Path(__file__).resolve().parent.parent / "examples" / "compose" / "test_example.py").read_text()
    pytester.makepyfile(**{f"test_readme_example_{number}": example for number, example in enumerate(readme)},
                        test_compose_example=compose, test_xdist=XDIST_TESTS)
    return len(readme) + compose.count("\ndef test_") + 5


def test_under_xdist_each_worker_starts_its_own_emulator(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("EMULATOR_URL", raising=False)
    pytester.makepyfile(XDIST_TESTS)
    result, seen = run_under_xdist(pytester, monkeypatch)
    result.assert_outcomes(passed=5)
    workers = {line.split()[0]: line.split()[1] for line in seen}
    assert set(workers) == {"gw0", "gw1"} and len(set(workers.values())) == 2  # two workers, two emulators


@pytest.mark.slow
def test_under_xdist_the_plugins_examples_are_green_ten_times(pytester: pytest.Pytester,
                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("EMULATOR_URL", raising=False)
    count = plugin_examples(pytester)
    for _ in range(10):
        run_under_xdist(pytester, monkeypatch)[0].assert_outcomes(passed=count)


def test_under_xdist_a_shared_emulator_is_refused_with_a_clear_error(pytester: pytest.Pytester, live_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch):
    """With EMULATOR_URL, every run of the examples under -n 2 ends the same way: each test errors with the
    reason before it touches the shared emulator, which a test then finds untouched."""
    monkeypatch.setenv("EMULATOR_URL", live_url)
    count = plugin_examples(pytester)
    urllib.request.urlopen(f"{live_url}/apis/batch/v1/namespaces/namespace-test/jobs/pi", timeout=10).close()
    result, seen = run_under_xdist(pytester, monkeypatch)
    result.assert_outcomes(errors=count)
    result.stdout.fnmatch_lines(["*EMULATOR_URL names one shared emulator, and this run has 2 pytest-xdist workers*"])
    assert seen == set()  # no test ran against it, and no reset emptied its journal:
    journal = json.load(urllib.request.urlopen(f"{live_url}/_emulator/requests", timeout=10))["requests"]
    assert [entry["operation"] for entry in journal] == ["readBatchV1NamespacedJob"]


def test_verify_by_body_on_an_emulator_without_bodies_says_how_to_keep_them(live_url: str):
    from emulator.pytest_plugin import CloudJobEmulator

    urllib.request.urlopen(f"{live_url}/apis/batch/v1/namespaces/namespace-test/jobs/pi", timeout=10).close()
    emulator = CloudJobEmulator(live_url)  # the shared test server runs without --journal-bodies
    assert emulator.verify(operation="readBatchV1NamespacedJob", count=1)[0]["status"] == 200
    with pytest.raises(AssertionError) as failure:
        emulator.verify(operation="readBatchV1NamespacedJob", body_contains="pi")
    assert str(failure.value).splitlines() == [
        "expected at least 1 request(s) with operation='readBatchV1NamespacedJob', body_contains='pi', "
        "found 0 among the 1 journaled",
        "the journal keeps no bodies: start the emulator with --journal-bodies",
        "closest requests:",
        "  GET /apis/batch/v1/namespaces/namespace-test/jobs/pi -> 200 (kubernetes.readBatchV1NamespacedJob)"]
