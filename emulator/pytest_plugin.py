"""The pytest plugin (entry point `pytest11`): a cloud emulator per test session, reset before each test.

Fixtures:
- `cloud_job_emulator`: a live emulator on a free loopback port (or the one `EMULATOR_URL` names),
  reset before the test, with helpers to steer it and clients configured for it.
- `cloud_job_emulator_app`: a factory of in-process aiohttp applications, each with its own state,
  for `aiohttp_client` (pytest-aiohttp).
The clock is frozen by default. `@pytest.mark.cloud_job_emulator(fixtures=[...], bundled=False,
clock="2030-01-01T00:00:00Z")` loads documents, starts empty, or sets the time for one test.
Under pytest-xdist each worker starts its own emulator; with `EMULATOR_URL` and more than one worker
the fixture refuses (`SHARED_UNDER_XDIST`), since workers would reset one shared emulator and clock.
"""
from __future__ import annotations

import http.client
import importlib
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest

from emulator.core.clock import parse_rfc3339, rfc3339

DEFAULT_TIME = "2026-01-01T00:00:00Z"
SHARED_UNDER_XDIST = (
    "EMULATOR_URL names one shared emulator, and this run has {workers} pytest-xdist workers: each would reset "
    "it (fixtures, journal, faults and its one clock) under the others' tests. A shared emulator cannot be "
    "partitioned per worker (its clock is one), so run its tests in one process (-n 0 or -p no:xdist), or unset "
    "EMULATOR_URL and each worker starts an emulator of its own.")


class EmulatorError(RuntimeError):
    """The admin API refused a call; the message is its answer."""


def _rfc3339(when: str | datetime) -> str:
    return when if isinstance(when, str) else rfc3339(when)


# The ready-made clients' top-level modules and the packages that provide them: the `clients` extra.
_CLIENT_PACKAGES = {"kubernetes": "kubernetes", "saharaclient": "python-saharaclient", "keystoneauth1": "keystoneauth1",
                    "qcloud_cos": "cos-python-sdk-v5", "requests": "requests",
                    "huaweicloudsdkcore": "huaweicloudsdkmrs", "huaweicloudsdkmrs": "huaweicloudsdkmrs"}


def _client_modules(client: str, *names: str) -> list[ModuleType]:
    """The modules `names` for the client method `client`; a library that is not installed is a one-line error."""
    modules = []
    for name in names:
        top = name.partition(".")[0]
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if (error.name or "").partition(".")[0] != top:  # something the library itself needs: as it is
                raise
            raise RuntimeError(f"cloud_job_emulator.{client}() needs the {_CLIENT_PACKAGES[top]} package: "
                               "pip install 'cloud-job-emulator[clients]'") from None
    return modules


class CloudJobEmulator:
    """A running emulator as a test sees it: its URL, its admin API, and clients pointed at it."""

    def __init__(self, url: str, admin_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.start_time = DEFAULT_TIME  # where reset() freezes the clock: the test's marker clock, or the default
        self.admin_token = admin_token or os.environ.get("EMULATOR_ADMIN_TOKEN") or None  # for --admin-token
        self._connection: http.client.HTTPConnection | None = None  # kept alive between admin calls
        self._lock = threading.Lock()  # one admin call at a time on it

    def admin(self, method: str, path: str, body: Any = None, query: dict | None = None) -> Any:
        target = f"/_emulator/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.admin_token:
            headers["X-Emulator-Admin-Token"] = self.admin_token
        status, answer = self._send(method, target, data, headers)
        if status >= 400:
            raise EmulatorError(f"{method} {path}: {status} {answer.decode(errors='replace')}")
        return json.loads(answer or b"null")

    def _send(self, method: str, target: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """One request on the kept-alive connection: a new connection per call cost ~0.2 ms of each test's
        reset. A kept connection the emulator has closed meanwhile (idle timeout, restart) is opened again once."""
        parts = urllib.parse.urlsplit(self.url)
        with self._lock:
            for attempt in (1, 2):
                reused = self._connection is not None
                if self._connection is None:
                    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                    self._connection = kind(parts.hostname or "127.0.0.1", parts.port, timeout=30)
                try:
                    self._connection.request(method, parts.path + target, body=data, headers=headers)
                    response = self._connection.getresponse()
                    answer = response.read()
                    if response.will_close:
                        self._connection.close()
                        self._connection = None
                    return response.status, answer
                except (http.client.HTTPException, OSError) as error:
                    self.close()
                    if not reused or attempt == 2 or isinstance(error, TimeoutError):  # a slow answer: not again
                        raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the kept-alive admin connection (the next admin call opens another)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def reset(self, fixtures: bool = True, clock: str | datetime | None = None) -> None:
        """Back to the fixtures (or empty), the clock frozen at `clock` (default: the test's start) before they load."""
        self.admin("POST", "reset", {"fixtures": fixtures, "clock": _rfc3339(clock or self.start_time), "frozen": True})

    def load(self, documents: dict | list) -> int:
        """Load fixture documents (the fixture-file format) through the create paths."""
        return self.admin("POST", "fixtures", documents)["loaded"]

    def advance(self, seconds: float) -> str:
        """Move the clock on; every transition due by then has happened when this returns."""
        return self.admin("POST", "clock", {"advance_seconds": seconds})["now"]

    def set_time(self, when: str | datetime) -> str:
        return self.admin("POST", "clock", {"set": _rfc3339(when)})["now"]

    def now(self) -> str:
        return self.admin("GET", "clock")["now"]

    def requests(self, service: str | None = None, operation: str | None = None) -> list[dict]:
        query = {k: v for k, v in (("service", service), ("operation", operation)) if v}
        return self.admin("GET", "requests", query=query)["requests"]

    def verify(self, service: str | None = None, operation: str | None = None, count: int | None = None,
               body_contains: str | None = None) -> list[dict]:
        """The journaled requests to `service`/`operation` whose request body contains `body_contains` (which
        needs --journal-bodies; the plugin's own emulator has it); AssertionError unless there are `count` of
        them (default: at least one), showing the closest requests the journal holds."""
        journal = self.requests()
        wanted = {"service": service, "operation": operation}

        def fits(entry: dict) -> list[bool]:
            checks = [entry[name] == value for name, value in wanted.items() if value is not None]
            if body_contains is not None:
                checks.append(body_contains in entry.get("request_body", ""))
            return checks

        found = [entry for entry in journal if all(fits(entry))]
        if (len(found) == count) if count is not None else found:
            return found
        said = ", ".join(f"{name}={value!r}" for name, value in
                         [*wanted.items(), ("body_contains", body_contains)] if value is not None) or "any request"
        lines = [f"expected {count if count is not None else 'at least 1'} request(s) with {said}, "
                 f"found {len(found)} among the {len(journal)} journaled"]
        if body_contains is not None and journal and "request_body" not in journal[0]:
            lines.append("the journal keeps no bodies: start the emulator with --journal-bodies")
        closest = sorted(journal, key=lambda entry: -sum(fits(entry)))[:5]
        if closest:
            lines.append("closest requests:")
            for e in closest:
                body = f" body: {e['request_body'][:80]}" if e.get("request_body") else ""
                lines.append(f"  {e['method']} {e['path']}{'?' + e['query'] if e['query'] else ''} -> {e['status']} "
                             f"({e['service']}.{e['operation']}){body}")
        raise AssertionError("\n".join(lines))

    def fault(self, **rule: Any) -> dict:
        """Add a fault rule, e.g. fault(service="cos_batch", operation="DescribeJob", status=503, after=2)."""
        return self.admin("POST", "faults", rule)

    def transition(self, **request: Any) -> dict:
        """Move one job now, e.g. transition(service="kubernetes", namespace="ns", name="x", status="Complete")."""
        return self.admin("POST", "transitions", request)

    def state(self) -> dict:
        return self.admin("GET", "state")

    # --- clients, where their libraries are installed (the `clients` extra) -----------------------------

    def kubernetes(self):
        """A `kubernetes.client.ApiClient` for this emulator."""
        [client] = _client_modules("kubernetes", "kubernetes.client")
        configuration = client.Configuration()
        configuration.host = self.url
        configuration.api_key = {"authorization": "emulator"}
        configuration.api_key_prefix = {"authorization": "Bearer"}
        return client.ApiClient(configuration)

    def sahara(self, project_id: str = "5a3314075bfa49b9ae360f4ecd333695", token: str = "emulator-token"):
        """A python-saharaclient client for one MRS project."""
        session, token_endpoint, sahara = _client_modules(
            "sahara", "keystoneauth1.session", "keystoneauth1.token_endpoint", "saharaclient.api.client")
        endpoint = f"{self.url}/v1.1/{project_id}"
        return sahara.Client(session=session.Session(auth=token_endpoint.Token(endpoint, token)), sahara_url=endpoint)

    def mrs(self, project_id: str = "5a3314075bfa49b9ae360f4ecd333695", ak: str = "emulator-ak",
            sk: str = "emulator-sk"):
        """huaweicloudsdkmrs's v2 `MrsClient` for one MRS project, signing with this AK/SK (any pair passes unless
        the emulator runs with `--auth mrs` and `--huawei-key`)."""
        credentials, mrs = _client_modules("mrs", "huaweicloudsdkcore.auth.credentials", "huaweicloudsdkmrs.v2")
        credentials = credentials.BasicCredentials(ak, sk, project_id)
        return mrs.MrsClient.new_builder().with_credentials(credentials).with_endpoint(self.url).build()

    def cos(self, region: str = "ap-guangzhou", secret_id: str = "AKIDTESTONLYEXAMPLE000000000000000000",
            secret_key: str = "TestOnlySecretKey0123456789abcdef"):
        """cos-python-sdk-v5's `CosS3Client` for the emulator's object store, configured the SDK's own way
        (`IP` and `Port`): it sends `Host: <bucket>.cos.<region>.myqcloud.com` to the emulator's address."""
        (qcloud_cos,) = _client_modules("cos", "qcloud_cos")
        url = urllib.parse.urlsplit(self.url)
        config = qcloud_cos.CosConfig(Region=region, SecretId=secret_id, SecretKey=secret_key, Scheme=url.scheme,
                                      IP=url.hostname, Port=url.port)
        return qcloud_cos.CosS3Client(config)

    def cos_session(self, appid: str = "1250000000", secret_id: str = "AKIDTESTONLYEXAMPLE000000000000000000",
                    secret_key: str = "TestOnlySecretKey0123456789abcdef"):
        """A `requests` session that signs every request as cos-python-sdk-v5 does and sends `x-cos-appid`.

        The default keys are the bundled fixtures' test-only credentials, which the emulator checks.
        """
        requests, qcloud_cos, cos_auth = _client_modules("cos_session", "requests", "qcloud_cos", "qcloud_cos.cos_auth")
        config = qcloud_cos.CosConfig(Region="ap-guangzhou", SecretId=secret_id, SecretKey=secret_key)

        class SignEach(requests.auth.AuthBase):
            def __call__(self, prepared):
                url = urllib.parse.urlsplit(prepared.url)
                params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                return cos_auth.CosS3Auth(config, key=url.path, params=params, expire=3600)(prepared)

        http = requests.Session()
        http.auth = SignEach()
        http.headers["x-cos-appid"] = appid
        return http


def _start(*options: str) -> tuple[subprocess.Popen, str]:
    """`python -m emulator` on a free loopback port with these options: the process and its URL.

    It gets none of the caller's EMULATOR_* variables: a developer's EMULATOR_STATE_FILE,
    EMULATOR_NO_FIXTURES and the like must neither change a test's results nor be overwritten by it.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("EMULATOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--log-level", "warning", *options],
        stdout=subprocess.PIPE, text=True, env={**env, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"cloud-job-emulator did not start: {line!r}")
    return process, line[line.index("http://"):].split()[0]


@pytest.fixture(scope="session")
def cloud_job_emulator_server() -> Iterator[CloudJobEmulator]:
    """The session's emulator: the one EMULATOR_URL names, or a new process on a free port."""
    external = os.environ.get("EMULATOR_URL")
    if external:
        workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")
        if workers.isdigit() and int(workers) > 1:
            pytest.fail(SHARED_UNDER_XDIST.format(workers=workers), pytrace=False)
        emulator = CloudJobEmulator(external)
        yield emulator
        emulator.close()
        return
    process, url = _start("--frozen-clock", DEFAULT_TIME, "--journal-bodies")
    emulator = CloudJobEmulator(url)
    try:
        yield emulator
    finally:
        emulator.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def cloud_job_emulator(cloud_job_emulator_server: CloudJobEmulator, request: pytest.FixtureRequest) -> CloudJobEmulator:
    """The live emulator, reset for this test (as its `cloud_job_emulator` marker says)."""
    marker = request.node.get_closest_marker("cloud_job_emulator")
    options = dict(marker.kwargs) if marker else {}
    emulator = cloud_job_emulator_server
    emulator.start_time = options.get("clock") or DEFAULT_TIME
    emulator.reset(fixtures=options.get("bundled", True))  # frozen at the start time before the fixtures load
    if options.get("fixtures"):
        emulator.load(options["fixtures"])
    return emulator


@pytest.fixture(scope="session")
def _cloud_job_emulator_fixture_memo() -> Any:
    """What the session's in-process apps work out from the fixture documents they load, worked out once for
    all: they read the same parsed documents (a new app's first reset was ~20% of the factory's time)."""
    from emulator.core.fixture_memo import FixtureMemo

    return FixtureMemo()


@pytest.fixture
def cloud_job_emulator_app(request: pytest.FixtureRequest,
                           _cloud_job_emulator_fixture_memo: Any) -> Callable[..., Any]:
    """A factory: each call returns a new in-process emulator application with its own state."""
    from emulator.http.app import create_app
    from emulator.runtime import fixture_files
    from emulator.runtime.emulator import EMULATOR
    from emulator.settings import Settings

    marker = request.node.get_closest_marker("cloud_job_emulator")
    options = dict(marker.kwargs) if marker else {}

    def factory(**settings: Any):
        start = parse_rfc3339(options.get("clock") or DEFAULT_TIME)
        app = create_app(Settings(**{"clock_start": start, "clock_frozen": True,
                                     "load_fixtures": options.get("bundled", True), **settings}),
                         fixture_memo=_cloud_job_emulator_fixture_memo)
        if options.get("fixtures"):
            fixture_files.apply(fixture_files.parse_value(options["fixtures"], "marker"), app[EMULATOR].services)
        return app

    return factory


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cloud_job_emulator(fixtures=None, bundled=True, clock=None): per-test fixture documents, "
                   "whether the bundled fixtures load, and the frozen clock's time")
