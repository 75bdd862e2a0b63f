"""Hostile and malformed input to every route of every service: a 4xx in the service's envelope, never a 500.

Routes are taken from the app's router, so a new route is covered without touching this file.
"""
from __future__ import annotations

import re

import pytest

from aiohttp.test_utils import TestServer

from emulator.http import limits
from emulator.http.app import create_app
from emulator.runtime.emulator import EMULATOR
from emulator.settings import Settings

HEADERS = {"X-Auth-Token": "t", "x-cos-appid": "1250000000"}
VALUES = {"namespace": "default", "name": "pi", "project_id": "5a3314075bfa49b9ae360f4ecd333695",
          "job_id": "b8ea4daa-0042-45e0-a522-e8b714e74760", "binary_id": "2628d0e4-6109-4a09-a338-c4ee1b0963ed",
          "JobId": "53dc6228-c50b-46f7-8ad7-65e7159f1aae", "bucket": "examplebucket-1250000000", "key": "k",
          "slash": "/"}
NESTED = b"[" * 100_000 + b"]" * 100_000
BODIES = {
    "malformed json": (b'{"metadata": {', "application/json"),
    "malformed xml": (b"<CreateJobRequest><Priority>", "application/xml"),
    "empty": (b"", "application/json"),
    "deeply nested": (NESTED, "application/json"),
    "invalid utf-8": (b'{"name": "\xff\xfe\xfd"}', "application/json"),
    "wrong content type": (b"a=b&c=d", "application/x-www-form-urlencoded"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "huge number": (b'{"spec": {"parallelism": 1e400}, "priority": 99999999999999999999999}', "application/json"),
    "entity expansion": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                         b"<CreateJobRequest><Description>&b;</Description></CreateJobRequest>", "application/xml"),
    "merge patch": (b'{"status": {"active": "many"}}', "application/merge-patch+json"),
    "fields of the wrong type": (b'{"apiVersion": "v1", "kind": "Pod", "metadata": [null, null], "spec": [], '
                                 b'"name": [], "type": {}, "items": [1]}', "application/json"),
    "json patch": (b'[{"op": "move", "from": "/nope", "path": "/status"}]', "application/json-patch+json"),
}


def service_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(load_fixtures=False))
    routes = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if route.method in ("HEAD", "*") or not template or template.startswith("/_emulator"):
            continue
        if "/watch/" in template:  # Kubernetes' /watch/ paths stream until they time out; their list routes are here
            continue
        routes.append((route.method, template))
    return sorted(set(routes))


ROUTES = service_routes()


def fill(template: str) -> str:
    return re.sub(r"\{(\w+)[^}]*\}", lambda m: VALUES.get(m.group(1), "x"), template)


def assert_clean(status: int, text: str) -> None:
    """A 4xx or a success; or COS's 501 NotImplemented for object features not emulated (POST Object form
    uploads, ?acl, ...), which the COS spec chooses over a silent success."""
    assert 400 <= status < 500 or status in (200, 201, 202, 204) \
        or status == 501 and "<Code>NotImplemented</Code>" in text, status
    assert "Traceback" not in text and 'File "' not in text


@pytest.mark.parametrize(("method", "template"), ROUTES)
@pytest.mark.parametrize("kind", sorted(BODIES))
async def test_bad_bodies_get_a_client_error(client, method, template, kind):
    body, content_type = BODIES[kind]
    response = await client.request(method, fill(template), data=body,
                                     headers={**HEADERS, "Content-Type": content_type})
    assert_clean(response.status, await response.text())
    assert (await client.get("/_emulator/health")).status == 200


def reads_a_body(method: str, template: str) -> bool:
    """Routes whose operation takes a request body (COS takes its other parameters from the query)."""
    if template.startswith("/jobs"):
        return method == "POST" and template == "/jobs"
    return method in ("POST", "PUT", "PATCH")


@pytest.mark.parametrize(("method", "template"), ROUTES)
async def test_a_body_over_the_limit_gets_the_services_too_large_answer(aiohttp_client, make_app, method, template):
    client = await aiohttp_client(make_app(max_body_bytes=1024, cos_max_object_bytes=1024))  # COS objects: their own bound
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
    response = await client.request(method, fill(template), data=b"{" + b" " * 4096 + b"}",
                                    headers={**HEADERS, "Content-Type": content_type})
    text = await response.text()
    assert_clean(response.status, text)
    if reads_a_body(method, template):  # 413, or COS's own 400 EntityTooLarge
        assert response.status == 413 or (response.status == 400 and "<Code>EntityTooLarge</Code>" in text)


@pytest.mark.parametrize("path", [
    "/apis/batch/v1/namespaces/default/jobs/a%2Fb/status",
    "/apis/batch/v1/namespaces/%2E%2E/jobs/pi",
    "/apis/batch/v1/namespaces/default/jobs/..%2F..%2F_emulator%2Freset",
    "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs/..%2Fjob-binaries",
    "/jobs/%2E%2E%2Fjobs",
    "/jobs/x/status?requestedJobStatus=Ready&statusUpdateReason=" + "%FF" * 10,
    "/apis/batch/v1/jobs?labelSelector=a%20in%20(&fieldSelector=%00",
    "/apis/batch/v1/jobs?limit=-1&continue=%%%%",
    "/apis/batch/v1/jobs?limit=99999999999999999999999999",
])
async def test_odd_paths_and_queries_get_a_client_error(client, path):
    response = await client.get(path, headers=HEADERS)
    assert_clean(response.status, await response.text())
    assert response.status != 500


@pytest.mark.parametrize(("method", "template"), ROUTES)
async def test_unknown_query_parameters_are_ignored_or_refused_cleanly(client, method, template):
    response = await client.request(method, fill(template) + "?bogus=1&pretty=maybe&watch=nope", headers=HEADERS)
    assert_clean(response.status, await response.text())


HUGE_HEADER_ANSWERS = {  # path -> status and a piece of the owning service's envelope
    "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status": (431, '"kind":"Status"'),
    "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs": (400, '"error_name":"BAD_REQUEST"'),
    "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae": (400, "<Code>RequestHeaderSectionTooLarge</Code>"),
    "/_emulator/health": (431, '"error": "RequestHeaderFieldsTooLarge"'),
}


async def served_with_parser_limits(aiohttp_client, make_app, **settings):
    """A client on an app served as the command serves it: the parser reads lines past the header limit."""
    app = make_app(**settings)
    server = TestServer(app)
    await server.start_server(**limits.parser_options(app[EMULATOR].settings))
    return await aiohttp_client(server)


@pytest.mark.parametrize("path", sorted(HUGE_HEADER_ANSWERS))
async def test_a_huge_header_value_gets_the_services_envelope(aiohttp_client, make_app, path):
    client = await served_with_parser_limits(aiohttp_client, make_app)
    response = await client.get(path, headers={**HEADERS, "X-Auth-Token": "t" * 100_000})
    status, envelope = HUGE_HEADER_ANSWERS[path]
    text = await response.text()
    assert response.status == status and envelope in text, text
    assert_clean(response.status, text)
    assert (await client.get("/_emulator/health")).status == 200


@pytest.mark.parametrize("path", sorted(HUGE_HEADER_ANSWERS))
async def test_a_header_or_url_over_a_configured_limit_gets_the_envelope(aiohttp_client, make_app, path):
    client = await aiohttp_client(make_app(max_header_bytes=1024))  # under aiohttp's own 8190: no parser options
    status, envelope = HUGE_HEADER_ANSWERS[path]
    for headers, query in (({"X-Custom": "v" * 1024}, ""), ({}, "?q=" + "a" * 1024)):
        response = await client.get(path + query, headers={**HEADERS, **headers})
        text = await response.text()
        assert response.status == status and envelope in text, text
    assert (await client.get(path, headers={**HEADERS, "X-Custom": "v" * 900})).status < 400


async def test_a_header_past_the_parsers_ceiling_is_refused_and_the_server_stays_up(aiohttp_client, make_app):
    client = await served_with_parser_limits(aiohttp_client, make_app)
    response = await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status",
                                headers={"X-Auth-Token": "t" * 3_000_000})
    assert response.status == 400  # aiohttp's parser, before the path is known
    assert "Traceback" not in await response.text()
    assert (await client.get("/_emulator/health")).status == 200


# --- what sits around the body: credentials, numbers in the query, the body's encoding ------------------------

from raw_http import exchange, request as raw_request  # noqa: E402

STRICT = {"auth": frozenset({"kubernetes", "mrs", "cos_batch"}), "tokens": ("tok", "bound@" + VALUES["project_id"]),
          "cos_keys": (("AKIDhostile", "hostile-key"),), "admin_token": "admin"}
COS_PATH = "/jobs/" + VALUES["JobId"]
COS_HOST = {"Host": "1250000000.cos-control.ap-guangzhou.myqcloud.com", "x-cos-appid": "1250000000"}


async def served(aiohttp_client, make_app, **settings):
    client = await aiohttp_client(make_app(**settings))
    return client, client.server.port


@pytest.mark.parametrize(("path", "header", "status", "envelope"), [
    ("/_emulator/state", "X-Emulator-Admin-Token", 401, b'"error": "Unauthorized"'),
    ("/apis/batch/v1/jobs", "Authorization", 401, b'"kind":"Status"'),
    ("/v1.1/" + VALUES["project_id"] + "/jobs", "X-Auth-Token", 401, b'"title":"Unauthorized"'),
])
@pytest.mark.parametrize("value", [b"\xff\xfe", b"Bearer \xff\xfe", b"\xc3\xa9t\xc3\xa9", b"tok\xff"])
async def test_undecodable_credentials_are_refused_not_raised_on(aiohttp_client, make_app, path, header, status,
                                                                 envelope, value):
    _, port = await served(aiohttp_client, make_app, **STRICT)
    answer_status, answer = await exchange(port, raw_request("GET", path, {header: value}))
    assert answer_status == status and envelope in answer, answer


def cos_authorization(signature: bytes) -> bytes:
    return (b"q-sign-algorithm=sha1&q-ak=AKIDhostile&q-sign-time=1;9999999999&q-key-time=1;9999999999"
            b"&q-header-list=&q-url-param-list=&q-signature=" + signature)


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("signature", [b"\xc3\xa9", b"\xff" * 40, "é".encode() * 20])
async def test_a_cos_signature_with_non_ascii_is_a_signature_mismatch(aiohttp_client, make_app, strict, signature):
    _, port = await served(aiohttp_client, make_app, **(STRICT if strict else {"cos_keys": STRICT["cos_keys"]}))
    status, answer = await exchange(port, raw_request("GET", COS_PATH, {**COS_HOST,
                                                                        "Authorization": cos_authorization(signature)}))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer, answer


NUMBERS = ["%C2%B2", "%D9%A1", "9" * 5000, "9" * 20, "-1", "+1", "1e3", "0x10", "%20", "1%00", "%EF%BC%91"]


@pytest.mark.parametrize("parameter", ["limit", "watch=1&resourceVersion", "watch=1&timeoutSeconds",
                                       "resourceVersion", "timeoutSeconds"])
@pytest.mark.parametrize("number", NUMBERS)
async def test_numbers_in_the_kubernetes_query_are_a_400_or_ignored(aiohttp_client, make_app, parameter, number):
    _, port = await served(aiohttp_client, make_app)
    extra = "&timeoutSeconds=1" if "watch" in parameter and "timeoutSeconds" not in parameter else ""
    status, answer = await exchange(port, raw_request("GET", f"/apis/batch/v1/jobs?{parameter}={number}{extra}"))
    assert status in (200, 400), answer[:500]
    assert b'"kind":"Status"' in answer if status == 400 else True


@pytest.mark.parametrize("number", ["%C2%B2", "9" * 5000, "9" * 20])
async def test_an_unreadable_number_in_limit_is_the_apiservers_400(client, number):
    response = await client.get(f"/apis/batch/v1/jobs?limit={number}")
    body = await response.json()
    assert response.status == 400 and body["reason"] == "BadRequest" and "for limit" in body["message"]


ENCODED_BODY_ANSWERS = {  # a body that says it is gzip but is not: the owning service's 400
    "kubernetes": (400, b'"reason":"BadRequest"'),
    "mrs": (400, b'"error_name":"BAD_REQUEST"'),
    "cos_batch": (400, b"<Code>MalformedXML</Code>"),
}


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])  # br: refused by the parser (no Brotli)
@pytest.mark.parametrize(("method", "template"), [route for route in ROUTES if reads_a_body(*route)])
async def test_a_body_not_in_its_content_encoding_is_the_services_400(aiohttp_client, make_app, method, template,
                                                                     encoding):
    client, port = await served(aiohttp_client, make_app)
    services = client.app[EMULATOR].services
    service = client.app[EMULATOR].service_for(template) or services["cos_batch"]  # /{bucket}...: COS path style
    content_type = "application/xml" if service.name == "cos_batch" else \
        "application/merge-patch+json" if method == "PATCH" else "application/json"
    status, answer = await exchange(port, raw_request(method, fill(template), {
        **HEADERS, "Content-Type": content_type, "Content-Encoding": encoding}, b"not compressed at all"))
    expected_status, envelope = ENCODED_BODY_ANSWERS[service.name]
    if template.startswith("/v2/") or template.endswith("/submit-job"):  # MRS's own API answers in its own envelope
        envelope = b'"error_code":"12000002"'
    if template.startswith("/{bucket}"):  # COS objects: the bucket is looked up first (404), POST forms are not emulated
        assert status in (400, 404, 501) and b"<Error>" in answer, answer
        return
    assert status == expected_status and envelope in answer, answer


async def test_a_fixture_upload_not_in_its_content_encoding_is_a_400(aiohttp_client, make_app):
    _, port = await served(aiohttp_client, make_app)
    status, answer = await exchange(port, raw_request("POST", "/_emulator/fixtures", {
        "Content-Type": "application/json", "Content-Encoding": "gzip"}, b'{"not": "gzip"}'))
    assert status == 400 and b'"error": "BadRequest"' in answer, answer


HOSTILE_VALUES = ["%C2%B2", "%D9%A1%D9%A2", "%EF%BC%91", "-1", "+1", "1e3", "0x10", "9" * 5000, "%00", "%FF%FE",
                  "%C3%A9", "a" * 5000, "%20", "(", "%2F..%2F", "%25%25"]
QUERIES = {  # the query parameters each service parses, on the routes that read them
    "/apis/batch/v1/namespaces/default/jobs": ["limit", "continue", "labelSelector", "fieldSelector",
                                                "resourceVersion", "resourceVersionMatch", "pretty", "watch"],
    "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs": ["limit", "marker", "sort_by", "name", "type"],
    "/jobs": ["maxResults", "nextToken", "jobStatuses"],
    "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/priority": ["priority"],
    "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/status": ["requestedJobStatus", "statusUpdateReason"],
    "/apis/batch/v1/namespaces/default/jobs/pi": ["propagationPolicy", "dryRun", "fieldManager", "fieldValidation",
                                                  "gracePeriodSeconds", "orphanDependents"],
    "/_emulator/requests": ["service", "operation"],
}


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize("path", sorted(QUERIES))
async def test_hostile_values_in_every_parsed_query_parameter_get_no_server_error(client, path, value):
    for method in ("GET", "POST", "DELETE", "PATCH"):
        for name in QUERIES[path]:
            status, answer = await exchange(client.server.port, raw_request(method, f"{path}?{name}={value}", {
                **HEADERS, "Content-Type": "application/merge-patch+json" if method == "PATCH" else "application/json",
                **({"Accept": "application/json"} if value else {})}, b"{}" if method != "GET" else b""))
            assert status < 500 and b"Traceback" not in answer, (method, name, answer[:400])


@pytest.mark.parametrize("header", ["Accept", "Content-Type", "X-Auth-Token", "x-cos-appid", "Host", "User-Agent",
                                    "Authorization", "Expect", "Content-Encoding"])
@pytest.mark.parametrize("value", [b"\xff\xfe", b"\xc3\xa9", b"x" * 5000, b"", b" ", b"\xef\xbc\x91", b"*/*;q=\xff"])
async def test_hostile_values_in_every_parsed_header_get_no_server_error(client, header, value):
    for method, path in (("GET", "/apis/batch/v1/namespaces/default/jobs/pi"),
                         ("POST", "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs"), ("GET", "/jobs"),
                         ("GET", "/_emulator/health")):
        status, answer = await exchange(client.server.port, raw_request(method, path, {**HEADERS, header: value},
                                                                        b"{}" if method == "POST" else b""))
        assert status < 500 and b"Traceback" not in answer, (method, path, answer[:400])
