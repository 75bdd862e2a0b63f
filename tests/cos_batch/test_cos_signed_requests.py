"""Requests signed by cos-python-sdk-v5's own CosS3Auth, sent with `requests` to a live emulator."""
from __future__ import annotations

import requests
from cos_support import ACTIVE_ID, APPID, CANCELLED_ID, SECRET_ID, SECRET_KEY, SUSPENDED_ID, error_of, request_body, xml
from qcloud_cos import CosConfig
from qcloud_cos.cos_auth import CosS3Auth

from emulator.services.cos_batch.authn import signature

CONTROL_HOST = "100000000001.cos-control.ap-chengdu.myqcloud.com"


def send(base: str, method: str, path: str, params: dict | None = None, body: bytes | None = None,
         secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY, headers: dict | None = None,
         sign_params: dict | None = None) -> requests.Response:
    """One request signed the way the SDK signs: the path as `key`, the query dict as `params`."""
    config = CosConfig(Region="ap-chengdu", SecretId=secret_id, SecretKey=secret_key)
    params = params or {}
    auth = CosS3Auth(config, key=path, params=sign_params if sign_params is not None else params, expire=3600)
    all_headers = {"x-cos-appid": APPID, **(headers or {})}
    if body is not None:
        all_headers["Content-Type"] = "application/xml"
    return requests.request(method, base + path, params=params, data=body, headers=all_headers, auth=auth,
                            timeout=10)


def test_signed_create_job(live_url: str) -> None:
    response = send(live_url, "POST", "/jobs", body=request_body())
    assert response.status_code == 200, response.text
    assert "content-type" in response.request.headers["Authorization"]  # the body's headers were signed
    job_id = xml(response.content)["CreateJobResult"]["JobId"]
    described = send(live_url, "GET", f"/jobs/{job_id}")
    assert described.status_code == 200
    assert xml(described.content)["DescribeJobResult"]["Job"]["Status"] == "New"


def test_signed_describe_job_with_the_production_host(live_url: str) -> None:
    response = send(live_url, "GET", f"/jobs/{ACTIVE_ID}", headers={"Host": CONTROL_HOST})
    assert response.status_code == 200, response.text
    assert "host" in response.request.headers["Authorization"]
    assert xml(response.content)["DescribeJobResult"]["Job"]["Status"] == "Active"


def test_signed_list_jobs(live_url: str) -> None:
    response = send(live_url, "GET", "/jobs", params={"jobStatuses": "Suspended", "maxResults": "2"})
    assert response.status_code == 200, response.text
    assert "q-url-param-list=jobstatuses;maxresults" in response.request.headers["Authorization"]
    assert xml(response.content)["ListJobsResult"]["Jobs"]["member"]["JobId"] == SUSPENDED_ID


def test_signed_update_job_priority(live_url: str) -> None:
    response = send(live_url, "POST", f"/jobs/{ACTIVE_ID}/priority", params={"priority": "20"})
    assert response.status_code == 200, response.text
    assert xml(response.content)["UpdateJobPriorityResult"] == {"JobId": ACTIVE_ID, "Priority": "20"}


def test_signed_update_job_status(live_url: str) -> None:
    params = {"requestedJobStatus": "Cancelled", "statusUpdateReason": "no longer needed & ok/100%"}
    response = send(live_url, "POST", f"/jobs/{SUSPENDED_ID}/status", params=params)
    assert response.status_code == 200, response.text
    assert xml(response.content)["UpdateJobStatusResult"] == {
        "JobId": SUSPENDED_ID, "Status": "Cancelled", "StatusUpdateReason": "no longer needed & ok/100%"}


def test_signed_delete_job(live_url: str) -> None:
    response = send(live_url, "DELETE", f"/jobs/{CANCELLED_ID}")
    assert response.status_code == 204, response.text
    assert send(live_url, "GET", f"/jobs/{CANCELLED_ID}").status_code == 404


def test_wrong_secret_key_is_signature_does_not_match(live_url: str) -> None:
    response = send(live_url, "POST", f"/jobs/{SUSPENDED_ID}/status", params={"requestedJobStatus": "Ready"},
                    secret_key="not-the-key")
    assert response.status_code == 403
    assert error_of(response.content) == ("SignatureDoesNotMatch", "The Signature you specified is invalid.")
    assert response.headers["Content-Type"] == "application/xml"
    described = send(live_url, "GET", f"/jobs/{SUSPENDED_ID}")
    assert xml(described.content)["DescribeJobResult"]["Job"]["Status"] == "Suspended"  # nothing happened


def test_a_query_changed_after_signing_is_refused(live_url: str) -> None:
    response = send(live_url, "POST", f"/jobs/{ACTIVE_ID}/priority", params={"priority": "99"},
                    sign_params={"priority": "1"})
    assert response.status_code == 403
    assert error_of(response.content)[0] == "SignatureDoesNotMatch"


def test_a_body_changed_after_signing_is_refused_by_its_digest(live_url: str) -> None:
    config = CosConfig(Region="ap-chengdu", SecretId=SECRET_ID, SecretKey=SECRET_KEY)
    signed = requests.Request("POST", live_url + "/jobs", data=request_body(), auth=CosS3Auth(config, key="/jobs"),
                              headers={"x-cos-appid": APPID, "Content-MD5": "S5isPtMaYVP3PUL594Eiaw=="}).prepare()
    response = requests.Session().send(signed, timeout=10)
    assert (response.status_code, error_of(response.content)[0]) == (400, "BadDigest")


def test_an_unknown_secret_id_is_not_checked(live_url: str) -> None:
    response = send(live_url, "GET", "/jobs", secret_id="AKIDsomebodyelse", secret_key="whatever")
    assert response.status_code == 200


def test_malformed_authorization_is_access_denied(live_url: str) -> None:
    response = requests.get(live_url + "/jobs", headers={"x-cos-appid": APPID, "Authorization": "Bearer token"},
                            timeout=10)
    assert (response.status_code, error_of(response.content)) == (403, ("AccessDenied", "Access Denied."))


def test_signature_matches_the_spec_vectors() -> None:
    """Spec 9.4: made-up key, KeyTime 1795457432;1795461092."""
    key_time = "1795457432;1795461092"
    job = "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/status"
    assert signature(SECRET_KEY, key_time, "POST", job, "requestedjobstatus=Ready",
                     f"content-length=0&host={CONTROL_HOST}&x-cos-appid=1250000000"
                     ) == "371c07dc1a0520b4efe019c400a79d10aa2af47c"
    assert signature(SECRET_KEY, key_time, "POST", job,
                     "requestedjobstatus=Cancelled&statusupdatereason=no%20longer%20needed%20%26%20ok%2F100%25",
                     "content-length=0&host=127.0.0.1&x-cos-appid=1250000000"
                     ) == "512a884fe67aeb32ccc0351c06ab9003e6f28d9b"
    assert signature(SECRET_KEY, key_time, "GET", "/jobs", "jobstatuses=Suspended&maxresults=2",
                     "host=127.0.0.1&x-cos-appid=1250000000") == "1fffafc6f9e809691d808f7ff20a0c574746149f"


async def test_required_signatures_refuse_unsigned_and_unknown_keys(aiohttp_client, make_app) -> None:
    client = await aiohttp_client(make_app(cos_require_signature=True))  # the older flag: strict auth for COS
    response = await client.get("/jobs", headers={"x-cos-appid": APPID})
    assert (response.status, error_of(await response.read())) == (403, ("AccessDenied", "Access Denied."))
    foreign = ("q-sign-algorithm=sha1&q-ak=AKIDnobody&q-sign-time=1;2&q-key-time=1;2&q-header-list="
               "&q-url-param-list=&q-signature=00")
    response = await client.get("/jobs", headers={"x-cos-appid": APPID, "Authorization": foreign})
    assert (response.status, error_of(await response.read())[0]) == (403, "InvalidAccessKeyId")


async def test_reset_forgets_the_fixture_keys(client) -> None:
    forged = (f"q-sign-algorithm=sha1&q-ak={SECRET_ID}&q-sign-time=1;2&q-key-time=1;2&q-header-list="
              "&q-url-param-list=&q-signature=0000000000000000000000000000000000000000")
    headers = {"x-cos-appid": APPID, "Authorization": forged}
    assert (await client.get("/jobs", headers=headers)).status == 403
    assert (await client.post("/_emulator/reset", json={"fixtures": False})).status == 200
    assert (await client.get("/jobs", headers=headers)).status == 200  # no longer a key it knows
