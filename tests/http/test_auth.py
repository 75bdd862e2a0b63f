"""Optional strict authentication (issue #8): off by default, then per service, the admin token, and no leaked secret."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from kubernetes import client as k8s
from kubernetes.client.rest import ApiException
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from saharaclient import client as sahara_client
from saharaclient.api.base import APIException
from waiting import LogTail

from emulator.core.credentials import token_projects
from emulator.http import auth
from emulator.services.catalog import NAMES
from emulator.runtime import state_file
from emulator.http.app import create_app
from emulator.runtime.emulator import EMULATOR
from emulator.cli import parse_settings
from emulator.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TEST_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
PROJECT = "5a3314075bfa49b9ae360f4ecd333695"
OTHER_PROJECT = "0f0e0d0c0b0a09080706050403020100"
MRS_JOB = "b8ea4daa-0042-45e0-a522-e8b714e74760"
APPID = "1250000000"
ACTIVE_ID = "006c1698-bbf3-4ccf-aa23-12aeec330857"
FIXTURE_SECRET_ID, FIXTURE_SECRET_KEY = "AKIDTESTONLYEXAMPLE000000000000000000", "TestOnlySecretKey0123456789abcdef"
K8S_TOKEN, BOUND_TOKEN, FREE_TOKEN = "k8s-token-4f1c9a", "mrs-token-7d2e11", "free-token-93ab04"
COS_ID, COS_SECRET = "AKIDconfigured0000000000000000000001", "configured-secret-5e8f2c"
ADMIN = "admin-secret-61b7d3"
SECRETS = (K8S_TOKEN, BOUND_TOKEN, FREE_TOKEN, COS_SECRET, ADMIN, FIXTURE_SECRET_KEY)
UNAUTHORIZED_STATUS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
KEYSTONE_401 = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
STRICT = {"auth": frozenset(NAMES), "tokens": (K8S_TOKEN, f"{BOUND_TOKEN}@{PROJECT}", FREE_TOKEN),
          "cos_keys": ((COS_ID, COS_SECRET),), "admin_token": ADMIN}
ADMIN_HEADERS = {auth.ADMIN_HEADER: ADMIN}


@pytest.fixture
async def strict(aiohttp_client, make_app):
    """An in-process emulator with every check on."""
    return await aiohttp_client(make_app(**STRICT))


# --- off by default ----------------------------------------------------------------------------------

def test_off_by_default_no_middleware_is_added():
    app = create_app(Settings(clock_start=TEST_TIME, clock_frozen=True))
    assert auth.middleware(app[EMULATOR]) is None
    assert "authenticate" not in [middleware.__name__ for middleware in app.middlewares]


async def test_off_by_default_any_token_or_none_is_accepted(client):
    assert (await client.get("/apis/batch/v1/jobs")).status == 200
    assert (await client.get(f"/v1.1/{PROJECT}/jobs", headers={"X-Auth-Token": "anything"})).status == 200
    assert (await client.get("/jobs", headers={"x-cos-appid": APPID})).status == 200
    assert (await client.get("/_emulator/state")).status == 200


# --- Kubernetes ----------------------------------------------------------------------------------------

async def test_kubernetes_wants_a_listed_token(strict):
    response = await strict.get("/apis/batch/v1/jobs")
    assert response.status == 401
    assert await response.read() == json.dumps(UNAUTHORIZED_STATUS, separators=(",", ":")).encode() + b"\n"
    assert response.headers["Content-Type"] == "application/json"
    for headers in ({"Authorization": f"Bearer {K8S_TOKEN}"}, {"Authorization": f"bearer {FREE_TOKEN}"},
                    {"X-Auth-Token": K8S_TOKEN}, {"Authorization": f"Bearer {BOUND_TOKEN}"}):
        assert (await strict.get("/apis/batch/v1/jobs", headers=headers)).status == 200, headers
    for headers in ({"Authorization": "Bearer wrong"}, {"X-Auth-Token": "wrong"},
                    {"Authorization": f"Basic {K8S_TOKEN}"}, {"Authorization": "Bearer "}):
        response = await strict.get("/apis/batch/v1/jobs", headers=headers)
        assert (response.status, await response.json()) == (401, UNAUTHORIZED_STATUS), headers


async def test_kubernetes_version_is_public_but_discovery_is_not(strict):
    assert (await strict.get("/version")).status == 200
    assert (await strict.get("/version", headers={"Authorization": "Bearer wrong"})).status == 401
    for path in ("/api", "/apis", "/api/v1", "/apis/batch/v1", "/openapi/v3", "/apis/batch/v1/nowhere"):
        response = await strict.get(path)
        assert (response.status, await response.json()) == (401, UNAUTHORIZED_STATUS), path
        assert (await strict.get(path, headers={"Authorization": f"Bearer {K8S_TOKEN}"})).status != 401


# --- MRS -------------------------------------------------------------------------------------------------

async def test_mrs_wants_a_listed_token(strict):
    for headers in ({}, {"X-Auth-Token": "wrong"}, {"Authorization": f"Bearer {FREE_TOKEN}"}):
        response = await strict.get(f"/v1.1/{PROJECT}/jobs/{MRS_JOB}", headers=headers)
        assert (response.status, await response.json()) == (401, KEYSTONE_401), headers
        assert response.headers["WWW-Authenticate"].startswith("Keystone uri=")
    for token in (BOUND_TOKEN, FREE_TOKEN, K8S_TOKEN):
        assert (await strict.get(f"/v1.1/{PROJECT}/jobs/{MRS_JOB}", headers={"X-Auth-Token": token})).status == 200


async def test_mrs_bound_token_on_another_project_is_sahara_tenant_mismatch(strict):
    assert (await strict.get(f"/v1.1/{OTHER_PROJECT}/jobs", headers={"X-Auth-Token": FREE_TOKEN})).status == 200
    path = f"/v1.1/{OTHER_PROJECT}/jobs"
    response = await strict.get(path, headers={"X-Auth-Token": BOUND_TOKEN, "Accept": "application/json"})
    assert response.status == 401 and response.headers["Content-Type"] == "application/json"
    body = await response.json()
    assert (body["code"], body["title"]) == ("401 Unauthorized", "Unauthorized")
    assert body["message"].endswith("<br /><br />\nToken tenant != requested tenant\n\n")
    response = await strict.get(path, headers={"X-Auth-Token": BOUND_TOKEN, "Accept": "*/*"})
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "<h1>401 Unauthorized</h1>" in await response.text()
    response = await strict.get(path, headers={"X-Auth-Token": BOUND_TOKEN, "Accept": ""})
    assert (await response.text()).startswith("401 Unauthorized\n\n")
    assert (await response.text()).endswith("\n\n Token tenant != requested tenant  ")


# --- admin token -------------------------------------------------------------------------------------------

async def test_the_admin_api_wants_the_admin_token_but_health_is_open(strict):
    assert (await strict.get("/_emulator/health")).status == 200
    for headers in ({}, {auth.ADMIN_HEADER: "wrong"}, {"Authorization": f"Bearer {ADMIN}"}):
        response = await strict.get("/_emulator/state", headers=headers)
        assert response.status == 401
        body = await response.json()
        assert (body["code"], body["error"]) == (401, "Unauthorized") and auth.ADMIN_HEADER in body["message"]
    assert (await strict.post("/_emulator/reset", headers={auth.ADMIN_HEADER: "wrong"})).status == 401
    assert (await strict.get("/_emulator/state", headers=ADMIN_HEADERS)).status == 200


async def test_the_admin_token_applies_without_strict_auth(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(admin_token=ADMIN))
    assert (await client.get("/_emulator/clock")).status == 401
    assert (await client.get("/_emulator/clock", headers=ADMIN_HEADERS)).status == 200
    assert (await client.get("/apis/batch/v1/jobs")).status == 200  # the services stay open


# --- secrets stay secret ----------------------------------------------------------------------------------

def test_settings_never_show_credentials():
    shown = repr(Settings(**STRICT))
    assert not [secret for secret in SECRETS if secret in shown]


async def test_no_secret_in_the_journal_or_the_state(strict):
    await strict.get("/apis/batch/v1/jobs", headers={"Authorization": f"Bearer {K8S_TOKEN}"})
    await strict.get(f"/v1.1/{PROJECT}/jobs", headers={"X-Auth-Token": BOUND_TOKEN})
    await strict.get("/_emulator/clock", headers=ADMIN_HEADERS)
    journal = await (await strict.get("/_emulator/requests", headers=ADMIN_HEADERS)).text()
    assert json.loads(journal)["requests"] and not [secret for secret in SECRETS if secret in journal]
    dump = await (await strict.get("/_emulator/state", headers=ADMIN_HEADERS)).text()
    assert not [secret for secret in (*SECRETS, FIXTURE_SECRET_ID, COS_ID) if secret in dump]
    assert "cos_jobs" in json.loads(dump)["collections"]


def test_cos_keys_survive_a_restart_from_the_state_file_but_stay_out_of_the_state(tmp_path):
    settings = Settings(clock_start=TEST_TIME, clock_frozen=True, state_file=tmp_path / "state.json",
                        cos_keys=((COS_ID, COS_SECRET),))
    first = create_app(settings)[EMULATOR]
    assert first.source.startswith("fixtures")
    first.save()
    second = create_app(settings)[EMULATOR]
    assert second.source.startswith("state file")
    service = second.services["cos_batch"]
    assert service.secret_key(FIXTURE_SECRET_ID) == FIXTURE_SECRET_KEY  # from the fixtures, through the file
    assert service.secret_key(COS_ID) == COS_SECRET  # from the settings, at every start
    assert COS_SECRET not in (tmp_path / "state.json").read_text()  # configured keys are not written
    second.reset(load_fixtures=False)
    assert service.secret_key(FIXTURE_SECRET_ID) is None  # reset forgets what the fixtures brought


# --- options ---------------------------------------------------------------------------------------------------

def test_options_and_variables(monkeypatch):
    for name in ("EMULATOR_AUTH", "EMULATOR_TOKEN", "EMULATOR_COS_KEY", "EMULATOR_ADMIN_TOKEN", "EMULATOR_HUAWEI_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert parse_settings([]).auth == frozenset() and parse_settings([]).admin_token is None
    settings = parse_settings(["--auth", "strict", "--token", "a", "--token", f"b@{PROJECT}",
                               "--cos-key", "id:se:cret", "--admin-token", "x"])
    assert settings.auth == frozenset(NAMES)
    assert settings.tokens == ("a", f"b@{PROJECT}") and settings.cos_keys == (("id", "se:cret"),)
    assert settings.admin_token == "x"
    assert parse_settings(["--auth", "kubernetes, cos_batch", "--token", "a"]).auth == {"kubernetes", "cos_batch"}
    assert parse_settings(["--cos-require-signature"]).cos_require_signature
    assert parse_settings(["--cos-require-signature"]).strict == {"cos_batch"}
    monkeypatch.setenv("EMULATOR_AUTH", "mrs")
    monkeypatch.setenv("EMULATOR_TOKEN", "a, b@p")
    monkeypatch.setenv("EMULATOR_COS_KEY", "i1:k1,i2:k2")
    monkeypatch.setenv("EMULATOR_ADMIN_TOKEN", "y")
    settings = parse_settings([])
    assert (settings.auth, settings.tokens, settings.cos_keys, settings.admin_token) == (
        {"mrs"}, ("a", "b@p"), (("i1", "k1"), ("i2", "k2")), "y")
    assert parse_settings(["--token", "c"]).tokens == ("c",)  # a flag replaces its variable
    monkeypatch.setenv("EMULATOR_HUAWEI_KEY", "ak1:sk1, ak2:s:k2@p")
    assert parse_settings([]).huawei_keys == (("ak1", "sk1", None), ("ak2", "s:k2", "p"))
    monkeypatch.delenv("EMULATOR_TOKEN")
    assert parse_settings(["--huawei-key", "ak:sk"]).huawei_keys == (("ak", "sk", None),)  # mrs needs no token then
    assert token_projects(["a", "b@p", "c@"]) == {"a": None, "b": "p", "c@": None}


def test_an_empty_admin_token_is_refused_alike_from_the_flag_and_the_variable(capsys, monkeypatch):
    for argv, variable in ((["--admin-token", ""], None), (["--admin-token", "  "], None), ([], ""), ([], " ")):
        monkeypatch.delenv("EMULATOR_ADMIN_TOKEN", raising=False)
        if variable is not None:
            monkeypatch.setenv("EMULATOR_ADMIN_TOKEN", variable)
        with pytest.raises(SystemExit) as stopped:
            parse_settings(argv)
        assert stopped.value.code == 2 and "give a non-empty token" in capsys.readouterr().err, (argv, variable)


@pytest.mark.parametrize("argv, words", [
    (["--auth", "everything"], "everything is not strict, off or a service"),
    (["--auth", "kubernetes"], "kubernetes needs at least one --token"),
    (["--cos-key", "only-a-secret-value"], "give SECRET_ID:SECRET_KEY"),
    (["--huawei-key", "only-a-secret-value"], "give AK:SK or AK:SK@PROJECT_ID"),
    (["--huawei-key", "ak:only-a-secret-value@"], "give AK:SK or AK:SK@PROJECT_ID"),
    (["--auth", "mrs"], "mrs needs at least one --token or --huawei-key"),
    (["--token", "@project"], "give TOKEN or TOKEN@PROJECT_ID"),
])
def test_bad_options_stop_without_repeating_a_secret(argv, words, capsys, monkeypatch):
    monkeypatch.delenv("EMULATOR_TOKEN", raising=False)
    monkeypatch.delenv("EMULATOR_HUAWEI_KEY", raising=False)
    with pytest.raises(SystemExit) as stopped:
        parse_settings(argv)
    error = capsys.readouterr().err
    assert stopped.value.code == 2 and words in error and "only-a-secret-value" not in error


# --- the real clients against a live strict emulator ------------------------------------------------------

@pytest.fixture(scope="module")
def strict_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A real emulator process with every check on (secrets from flags and variables), its log in a file.

    Its clock is frozen at the wall-clock time (and `strict_url` sets it again for each test), so the SDK's
    signatures (now-60 .. now+expire) hold.
    """
    log = tmp_path_factory.mktemp("strict") / "stderr.log"
    now = wall_clock_now()
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMULATOR_")}
    env.update(PYTHONUNBUFFERED="1", EMULATOR_COS_KEY=f"{COS_ID}:{COS_SECRET}", EMULATOR_ADMIN_TOKEN=ADMIN)
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--port", "0", "--frozen-clock", now, "--auth", "strict",
             "--token", K8S_TOKEN, "--token", f"{BOUND_TOKEN}@{PROJECT}", "--log-level", "debug"],
            stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT, env=env)
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"emulator did not start: {line!r} {log.read_text()}")
    try:
        yield line[line.index("http://"):].split()[0], log
    finally:
        process.terminate()
        process.wait(timeout=10)


def wall_clock_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def admin(url: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}/_emulator/{path}", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json", **ADMIN_HEADERS})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def strict_url(strict_server) -> str:
    url, _ = strict_server
    # Frozen at this test's wall-clock time: a signature made now holds only within 60 s of the emulator's
    # clock, and the module may have run longer than that since the server started.
    admin(url, "reset", {"clock": wall_clock_now(), "frozen": True})
    return url


def kubernetes_api(url: str, api_key: dict | None) -> k8s.BatchV1Api:
    configuration = k8s.Configuration()
    configuration.host = url
    if api_key is not None:
        configuration.api_key = api_key
    return k8s.BatchV1Api(k8s.ApiClient(configuration))


def test_the_kubernetes_client_with_and_without_a_bearer_token(strict_url):
    job = kubernetes_api(strict_url, {"authorization": f"Bearer {K8S_TOKEN}"}).read_namespaced_job("pi",
                                                                                                   "namespace-test")
    assert job.metadata.name == "pi"
    with pytest.raises(ApiException) as raised:
        kubernetes_api(strict_url, None).read_namespaced_job("pi", "namespace-test")
    assert (raised.value.status, json.loads(raised.value.body)) == (401, UNAUTHORIZED_STATUS)


def sahara(url: str, project: str, token: str):
    endpoint = f"{url}/v1.1/{project}"
    return sahara_client.Client("1.1", session=ks_session.Session(auth=token_endpoint.Token(endpoint, token)))


def test_saharaclient_with_a_bound_token_and_on_another_project(strict_url):
    assert sahara(strict_url, PROJECT, BOUND_TOKEN).jobs.get(MRS_JOB).id == MRS_JOB
    assert sahara(strict_url, OTHER_PROJECT, K8S_TOKEN).jobs.list() == []  # an unbound token: any project
    with pytest.raises(APIException) as raised:
        sahara(strict_url, OTHER_PROJECT, BOUND_TOKEN).jobs.list()
    assert raised.value.error_code == 401
    with pytest.raises(APIException) as raised:
        sahara(strict_url, PROJECT, "not-a-listed-token").jobs.list()
    assert raised.value.error_code is None  # keystonemiddleware's body has no Sahara error_code


def cos_request(url: str, method: str, path: str, params: dict, secret_id: str, secret_key: str,
                expire: int = 3600, **headers: str) -> requests.Response:
    config = CosConfig(Region="ap-chengdu", SecretId=secret_id, SecretKey=secret_key)
    return requests.request(method, url + path, params=params, headers={"x-cos-appid": APPID, **headers},
                            auth=CosS3Auth(config, key=path, params=params, expire=expire), timeout=10)


def test_cos_requests_signed_by_the_sdk(strict_url):
    response = cos_request(strict_url, "GET", f"/jobs/{ACTIVE_ID}", {}, FIXTURE_SECRET_ID, FIXTURE_SECRET_KEY)
    assert response.status_code == 200, response.text
    response = cos_request(strict_url, "POST", f"/jobs/{ACTIVE_ID}/priority", {"priority": "7"}, COS_ID, COS_SECRET,
                           Host="100000000001.cos-control.ap-chengdu.myqcloud.com")
    assert response.status_code == 200, response.text
    response = cos_request(strict_url, "POST", f"/jobs/{ACTIVE_ID}/priority", {"priority": "7"}, COS_ID, "wrong")
    assert (response.status_code, "<Code>SignatureDoesNotMatch</Code>" in response.text) == (403, True)
    assert requests.get(f"{strict_url}/jobs", headers={"x-cos-appid": APPID}, timeout=10).status_code == 403


def test_cos_an_expired_sdk_signature_is_refused(strict_url):
    config = CosConfig(Region="ap-chengdu", SecretId=COS_ID, SecretKey=COS_SECRET)
    signed = requests.Request("GET", f"{strict_url}/jobs", headers={"x-cos-appid": APPID},
                              auth=CosS3Auth(config, key="/jobs", expire=120)).prepare()
    admin(strict_url, "clock", {"advance_seconds": 600})
    response = requests.Session().send(signed, timeout=10)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text and "<Message>Request has expired</Message>" in response.text


def test_the_live_admin_api_and_log_keep_secrets(strict_server, strict_url):
    _, log = strict_server
    since = LogTail(log)  # this test's lines only: earlier tests on this server wrote the same kinds of line
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{strict_url}/_emulator/requests", timeout=10)
    assert raised.value.code == 401
    with urllib.request.urlopen(f"{strict_url}/_emulator/health", timeout=10) as response:  # the HEALTHCHECK's call
        assert response.status == 200
    kubernetes_api(strict_url, {"authorization": f"Bearer {K8S_TOKEN}"}).list_job_for_all_namespaces()
    cos_request(strict_url, "GET", "/jobs", {}, COS_ID, COS_SECRET)
    journal = json.dumps(admin(strict_url, "requests"))
    # The access log writes its lines in batches (every 50 ms): wait for this test's own lines, each of them.
    since.wait_for(" GET /_emulator/requests 401 ", " GET /_emulator/health 200 ", " GET /apis/batch/v1/jobs 200 ",
                   " GET /jobs 200 ", " GET /_emulator/requests 200 ")
    text = log.read_text()
    assert "strict authentication for" in text  # logged at start-up
    assert not [secret for secret in SECRETS if secret in text or secret in journal]


def test_cos_keys_and_buckets_named_like_another_services_paths_are_checked_by_cos(strict_url):
    """The service whose route takes a request checks it: COS objects `api/...`, `v2/...`, `version` and a
    path-style bucket `api-<APPID>` are COS's, not Kubernetes' or MRS's (whose tokens they do not carry)."""
    port = int(strict_url.rsplit(":", 1)[1])
    cos = CosS3Client(CosConfig(Region="ap-guangzhou", SecretId=FIXTURE_SECRET_ID, SecretKey=FIXTURE_SECRET_KEY,
                                Scheme="http", IP="127.0.0.1", Port=port))
    cos.create_bucket(Bucket="api-1250000000")
    for key in ("api/v1/pods", "apis/batch", "version", "openapi/v3", "v2/p/clusters", "v1.1/p/jobs"):
        cos.put_object(Bucket="api-1250000000", Key=key, Body=key.encode())
        assert cos.get_object(Bucket="api-1250000000", Key=key)["Body"].get_raw_stream().read() == key.encode()
    config = CosConfig(Region="ap-guangzhou", SecretId=FIXTURE_SECRET_ID, SecretKey=FIXTURE_SECRET_KEY)
    path_style = requests.get(f"{strict_url}/api-1250000000/version", timeout=10,
                              headers={"Host": "cos.ap-guangzhou.myqcloud.com"},
                              auth=CosS3Auth(config, key="/api-1250000000/version"))
    assert (path_style.status_code, path_style.content) == (200, b"version")
    unsigned = requests.get(f"{strict_url}/api-1250000000/version", timeout=10,
                            headers={"Host": "cos.ap-guangzhou.myqcloud.com"})
    assert unsigned.status_code == 403 and b"<Code>AccessDenied</Code>" in unsigned.content  # COS's refusal
