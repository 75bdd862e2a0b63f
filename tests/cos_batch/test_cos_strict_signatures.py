"""Strict COS authentication: the spec's §9.4 vectors verify on the wire, and every tampering is refused."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from cos_support import APPID, COMPLETE_ID, SECRET_ID, SECRET_KEY, error_of, xml

from emulator.services.cos_batch.authn import signature

KEY_TIME = "1795457432;1795461092"  # the spec vectors' window
INSIDE = datetime.fromtimestamp(1795457432 + 600, timezone.utc)
CONTROL_HOST = "100000000001.cos-control.ap-chengdu.myqcloud.com"
STATUS_PATH = f"/jobs/{COMPLETE_ID}/status"


def authorization(signed: str, headers: str, params: str, key_time: str = KEY_TIME, secret_id: str = SECRET_ID) -> str:
    return (f"q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={key_time}&q-key-time={key_time}"
            f"&q-header-list={headers}&q-url-param-list={params}&q-signature={signed}")


# Spec 9.4, case 1: UpdateJobStatus Ready with the production Host.
READY = authorization("371c07dc1a0520b4efe019c400a79d10aa2af47c", "content-length;host;x-cos-appid",
                      "requestedjobstatus")
# Spec 9.4, case 2: the reason sent form-encoded (`+` as space), Host 127.0.0.1 signed without its port.
CANCELLED = authorization("512a884fe67aeb32ccc0351c06ab9003e6f28d9b", "content-length;host;x-cos-appid",
                          "requestedjobstatus;statusupdatereason")
CANCELLED_QUERY = "requestedJobStatus=Cancelled&statusUpdateReason=no+longer+needed+%26+ok%2F100%25"
# Spec 9.4, case 3: ListJobs.
LISTED = authorization("1fffafc6f9e809691d808f7ff20a0c574746149f", "host;x-cos-appid", "jobstatuses;maxresults")


@pytest.fixture
async def strict(aiohttp_client, make_app):
    """An emulator with strict COS authentication, its clock inside the vectors' window."""
    return await aiohttp_client(make_app(auth=frozenset({"cos_batch"}), clock_start=INSIDE))


async def send(client, method: str, path: str, authorization_value: str | None, host: str | None = None,
               **headers: str):
    all_headers = {"x-cos-appid": APPID, **headers}
    if authorization_value is not None:
        all_headers["Authorization"] = authorization_value
    if host is not None:
        all_headers["Host"] = host
    response = await client.request(method, path, headers=all_headers, data=b"" if method == "POST" else None)
    return response.status, await response.read()


async def test_the_spec_vectors_pass_on_the_wire(strict) -> None:
    # The Complete job cannot be confirmed: a 400 from the handler shows the signature was accepted.
    status, body = await send(strict, "POST", STATUS_PATH + "?requestedJobStatus=Ready", READY, host=CONTROL_HOST)
    assert (status, error_of(body)[0]) == (400, "InvalidRequest")
    port = strict.server.port
    status, body = await send(strict, "POST", STATUS_PATH + "?" + CANCELLED_QUERY, CANCELLED,
                              host=f"127.0.0.1:{port}")
    assert (status, error_of(body)[0]) == (400, "InvalidRequest")
    status, body = await send(strict, "GET", "/jobs?jobStatuses=Suspended&maxResults=2", LISTED,
                              host=f"127.0.0.1:{port}")
    assert status == 200, body
    assert xml(body)["ListJobsResult"]["Jobs"]["member"]["Status"] == "Suspended"


async def test_unsigned_unknown_key_and_malformed_authorization(strict) -> None:
    status, body = await send(strict, "GET", "/jobs", None)
    assert (status, error_of(body)) == (403, ("AccessDenied", "Access Denied."))
    status, body = await send(strict, "GET", "/jobs", LISTED.replace(SECRET_ID, "AKIDnobody"))
    assert (status, error_of(body)[0]) == (403, "InvalidAccessKeyId")
    status, body = await send(strict, "GET", "/jobs", "Bearer token")
    assert (status, error_of(body)) == (403, ("AccessDenied", "Access Denied."))
    status, body = await send(strict, "GET", "/jobs/x/unrouted", None)  # refused before routing, too
    assert (status, error_of(body)[0]) == (403, "AccessDenied")


@pytest.mark.parametrize("path, authorization_value, host", [
    pytest.param(f"/jobs/{COMPLETE_ID}0/status?requestedJobStatus=Ready", READY, CONTROL_HOST, id="path"),
    pytest.param(STATUS_PATH + "?requestedJobStatus=Cancelled", READY, CONTROL_HOST, id="query"),
    pytest.param(STATUS_PATH + "?requestedJobStatus=Ready", READY, "another.cos-control.ap-chengdu.myqcloud.com",
                 id="host"),
    pytest.param(STATUS_PATH + "?" + CANCELLED_QUERY.replace("100", "101"), CANCELLED, None, id="plus-query"),
    pytest.param(STATUS_PATH + "?requestedJobStatus=Ready", READY.replace("q-signature=3", "q-signature=4"),
                 CONTROL_HOST, id="signature"),
])
async def test_tampering_is_signature_does_not_match(strict, path, authorization_value, host) -> None:
    status, body = await send(strict, "POST", path, authorization_value,
                              host=host if host else f"127.0.0.1:{strict.server.port}")
    assert (status, error_of(body)) == (403, ("SignatureDoesNotMatch", "The Signature you specified is invalid."))


async def test_a_signed_header_changed_is_refused_but_unlisted_ones_and_params_are_free(strict) -> None:
    path = STATUS_PATH + "?requestedJobStatus=Ready"
    status, body = await send(strict, "POST", path, READY, host=CONTROL_HOST, **{"x-cos-appid": "1250000001"})
    assert (status, error_of(body)[0]) == (403, "SignatureDoesNotMatch")
    status, body = await send(strict, "POST", path + "&unsigned=1", READY, host=CONTROL_HOST,
                              **{"x-unsigned": "anything", "Date": "Thu, 01 Jan 2026 00:00:00 GMT"})
    assert (status, error_of(body)[0]) == (400, "InvalidRequest")  # past the signature


@pytest.mark.parametrize("moment", [1795457432 - 1, 1795461092 + 1])
async def test_outside_the_key_time_is_request_has_expired(aiohttp_client, make_app, moment) -> None:
    client = await aiohttp_client(make_app(auth=frozenset({"cos_batch"}),
                                           clock_start=datetime.fromtimestamp(moment, timezone.utc)))
    status, body = await send(client, "GET", "/jobs?jobStatuses=Suspended&maxResults=2", LISTED,
                              host=f"127.0.0.1:{client.server.port}")
    assert (status, error_of(body)) == (403, ("AccessDenied", "Request has expired"))


async def test_a_sign_time_apart_from_the_key_time_is_checked_too(strict) -> None:
    late = LISTED.replace(f"q-sign-time={KEY_TIME}", "q-sign-time=1;2")
    status, body = await send(strict, "GET", "/jobs?jobStatuses=Suspended&maxResults=2", late,
                              host=f"127.0.0.1:{strict.server.port}")
    assert (status, error_of(body)) == (403, ("AccessDenied", "Request has expired"))


async def test_the_window_follows_the_emulator_clock(strict) -> None:
    path, host = "/jobs?jobStatuses=Suspended&maxResults=2", f"127.0.0.1:{strict.server.port}"
    assert (await send(strict, "GET", path, LISTED, host=host))[0] == 200
    assert (await strict.post("/_emulator/clock", json={"advance_seconds": 3600})).status == 200
    status, body = await send(strict, "GET", path, LISTED, host=host)
    assert (status, error_of(body)[1]) == (403, "Request has expired")


async def test_a_configured_key_signs_like_a_fixture_key(aiohttp_client, make_app) -> None:
    client = await aiohttp_client(make_app(auth=frozenset({"cos_batch"}), clock_start=INSIDE, load_fixtures=False,
                                           cos_keys=(("AKIDconfigured", "configured-secret"),)))
    host = f"127.0.0.1:{client.server.port}"
    signed = signature("configured-secret", KEY_TIME, "GET", "/jobs", "", f"host=127.0.0.1&x-cos-appid={APPID}")
    value = authorization(signed, "host;x-cos-appid", "", secret_id="AKIDconfigured")
    assert (await send(client, "GET", "/jobs", value, host=host))[0] == 200
    assert (await send(client, "GET", "/jobs", LISTED, host=host))[0] == 403  # no fixtures: the test key is unknown


def test_the_secret_key_is_what_the_signature_depends_on() -> None:
    assert signature(SECRET_KEY, KEY_TIME, "GET", "/jobs", "jobstatuses=Suspended&maxresults=2",
                     "host=127.0.0.1&x-cos-appid=1250000000") == "1fffafc6f9e809691d808f7ff20a0c574746149f"
    assert signature(SECRET_KEY + "x", KEY_TIME, "GET", "/jobs", "jobstatuses=Suspended&maxresults=2",
                     "host=127.0.0.1&x-cos-appid=1250000000") != "1fffafc6f9e809691d808f7ff20a0c574746149f"
