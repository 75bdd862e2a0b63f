"""Strict MRS authentication: AK/SK SDK-HMAC-SHA256 signatures checked as Huawei's API gateway checks them."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkmrs.v1 import DeleteJobExecutionRequest, ListExecuteJobRequest
from huaweicloudsdkmrs.v1 import MrsClient as MrsV1Client
from huaweicloudsdkmrs.v2 import ShowJobExeListNewRequest
from huaweicloudsdkmrs.v2 import MrsClient
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from live_process import emulator_process
from mrs_support import OTHER_PROJECT, PROJECT
from saharaclient import client as sahara_client
from saharaclient.api.base import APIException

from emulator.pytest_plugin import CloudJobEmulator
from emulator.settings import Settings

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
JOBS = f"/v2/{PROJECT}/clusters/{CLUSTER}/job-executions"
VERIFY_FAILED = "Incorrect IAM authentication information: verify aksk signature fail"
STRICT = ("--auth", "mrs", "--huawei-key", f"test-ak:test-sk@{PROJECT}", "--huawei-key", "any-ak:any-sk",
          "--token", "tok")


def client(url: str, ak: str = "test-ak", sk: str = "test-sk", project: str = PROJECT, version=MrsClient):
    return version.new_builder().with_credentials(BasicCredentials(ak, sk, project)).with_endpoint(url).build()


def refused(call, *args) -> tuple[int, str, str]:
    with pytest.raises(ClientRequestException) as raised:
        call(*args)
    return raised.value.status_code, raised.value.error_code, raised.value.error_msg


@pytest.fixture(scope="module")
def strict_url():
    """An emulator under --auth mrs on a live clock (the SDK signs with the wall clock)."""
    with emulator_process(*STRICT) as (_, url):
        yield url


def test_the_sdk_with_a_known_key_passes_and_a_wrong_one_gets_the_gateways_401(strict_url):
    listed = client(strict_url).show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER))
    assert listed.total_record >= 0
    assert client(strict_url, version=MrsV1Client).list_execute_job(ListExecuteJobRequest()).total_record >= 0
    wrong = client(strict_url, sk="not-the-sk")
    assert refused(wrong.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER)) == (
        401, "APIGW.0301", VERIFY_FAILED)
    wrong_v1 = client(strict_url, sk="not-the-sk", version=MrsV1Client)  # a Sahara-style route: the gateway's 401 too
    assert refused(wrong_v1.delete_job_execution, DeleteJobExecutionRequest(job_execution_id="x")) == (
        401, "APIGW.0301", VERIFY_FAILED)
    unknown = client(strict_url, ak="who")
    assert refused(unknown.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER)) == (
        401, "APIGW.0301", "Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist")
    bound = client(strict_url, project=OTHER_PROJECT)  # test-ak is bound to PROJECT
    assert refused(bound.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER))[:2] == (
        401, "APIGW.0301")
    assert refused(client(strict_url, "any-ak", "any-sk", OTHER_PROJECT).show_job_exe_list_new,
                   ShowJobExeListNewRequest(cluster_id=CLUSTER)) == (
        400, "12000003", "The cluster does not exist.")  # an unbound key reaches MRS in any project


def test_a_signature_outside_the_15_minute_window_of_the_emulators_clock_is_refused(strict_url):
    emulator = CloudJobEmulator(strict_url)
    mrs = client(strict_url)
    try:
        emulator.set_time(datetime.now(timezone.utc) + timedelta(minutes=16))
        assert refused(mrs.show_job_exe_list_new, ShowJobExeListNewRequest(cluster_id=CLUSTER)) == (
            401, "APIGW.0301", VERIFY_FAILED)
        emulator.set_time(datetime.now(timezone.utc) + timedelta(minutes=14))
        assert mrs.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER)).total_record >= 0
    finally:
        emulator.set_time(datetime.now(timezone.utc))


def test_a_token_still_works_and_no_credentials_get_each_apis_401(strict_url):
    sahara = sahara_client.Client("1.1", session=ks_session.Session(
        auth=token_endpoint.Token(endpoint=f"{strict_url}/v1.1/{PROJECT}", token="tok")))
    assert sahara.data_sources.list() == []
    bad = sahara_client.Client("1.1", session=ks_session.Session(
        auth=token_endpoint.Token(endpoint=f"{strict_url}/v1.1/{PROJECT}", token="other")))
    with pytest.raises(APIException):  # Keystone's 401, as before
        bad.data_sources.list()
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{strict_url}{JOBS}", timeout=10)
    body = json.loads(raised.value.read())
    assert (raised.value.code, body["error_code"], body["error_msg"]) == (
        401, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")


@pytest.mark.parametrize("path", [JOBS, f"{JOBS}/x", f"/v1.1/{PROJECT}/job-exes", f"/v1.1/{PROJECT}/cluster_infos/{CLUSTER}"])
async def test_a_bad_token_on_mrss_own_apis_gets_the_gateways_decrypt_token_fail(aiohttp_client, make_app, path):
    http = await aiohttp_client(make_app(auth=frozenset({"mrs"}), tokens=("free", f"bound@{OTHER_PROJECT}")))
    assert (await http.get(path, headers={"X-Auth-Token": "free"})).status in (200, 202, 400)
    for token in ("unlisted", "bound"):  # unknown, and bound to another project
        async with http.get(path, headers={"X-Auth-Token": token}) as response:
            answer = await response.json()
            assert (response.status, answer) == (401, {
                "error_code": "APIGW.0301", "request_id": response.headers["X-Request-Id"],
                "error_msg": "Incorrect IAM authentication information: decrypt token fail"}), token
    sahara = await http.get(f"/v1.1/{PROJECT}/data-sources", headers={"X-Auth-Token": "unlisted"})
    assert (sahara.status, (await sahara.json())["error"]["code"]) == (401, 401)  # Sahara's paths: Keystone's 401


def signed_headers(body: bytes, sk: str = "test-sk", date: str = "20260101T000000Z") -> dict[str, str]:
    """What huaweicloudsdkcore's Signer puts on a POST to JOBS, made in-process at the frozen clock's time."""
    request = SdkRequest(method="POST", schema="http", host="127.0.0.1", resource_path=JOBS, query_params=[],
                         header_params={"Content-Type": "application/json", "X-Project-Id": PROJECT,
                                        "X-Sdk-Date": date}, body=body)
    Signer(BasicCredentials("test-ak", sk, PROJECT)).sign(request)
    return dict(request.header_params)


async def test_the_body_is_signed_too(aiohttp_client, make_app):
    app = make_app(auth=frozenset({"mrs"}), huawei_keys=(("test-ak", "test-sk", None),))
    http = await aiohttp_client(app)
    body = json.dumps({"job_type": "MapReduce", "job_name": "signed"}).encode()

    async def post(data: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        headers = {**headers, "Host": "127.0.0.1"}  # what the signature covers
        async with http.post(JOBS, data=data, headers=headers) as response:
            return response.status, await response.json()

    status, answer = await post(body, signed_headers(body))
    assert status == 200 and answer["job_submit_result"]["state"] == "COMPLETE"
    tampered = body.replace(b"signed", b"forged")
    status, answer = await post(tampered, signed_headers(body))
    assert (status, answer.pop("error_code"), answer.pop("error_msg")) == (401, "APIGW.0301", VERIFY_FAILED)
    assert list(answer) == ["request_id"] and len(answer["request_id"]) == 32
    assert (await post(body, signed_headers(body, date="20251231T234400Z")))[0] == 401  # 16 minutes early


def test_keys_never_show_in_the_settings_repr():
    settings = Settings(huawei_keys=(("test-ak", "very-secret-sk", None),))
    assert "very-secret-sk" not in repr(settings)
