"""The MRS error envelope, the token rule, per-project isolation, and bodies that are not JSON."""
from __future__ import annotations

import pytest
from mrs_support import BINARY_ID, JOB_ID, OTHER_PROJECT, PROJECT, Mrs

from emulator.runtime.emulator import EMULATOR

KEYSTONE_401 = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
ROUTES = [("POST", "jobs"), ("GET", "jobs"), ("GET", f"jobs/{JOB_ID}"), ("PATCH", f"jobs/{JOB_ID}"),
          ("DELETE", f"jobs/{JOB_ID}"), ("POST", "job-binaries"), ("GET", "job-binaries"),
          ("GET", f"job-binaries/{BINARY_ID}"), ("PUT", f"job-binaries/{BINARY_ID}"),
          ("DELETE", f"job-binaries/{BINARY_ID}")]


async def test_sahara_errors_carry_both_families_fields_and_an_error_id(mrs):
    reply = await mrs.get("jobs/missing")
    assert reply.status == 404
    assert list(reply.body) == ["error_code", "error_message", "error_name", "error_msg"]
    assert reply.body["error_code"] == 404
    assert reply.body["error_name"] == "NOT_FOUND"
    assert reply.body["error_msg"] == "Object with {'id': 'missing'} not found"
    assert reply.body["error_message"].startswith("Object with {'id': 'missing'} not found\nError ID: ")
    assert reply.error() == ("NOT_FOUND", "Object with {'id': 'missing'} not found")
    assert reply.headers["Content-Type"].startswith("application/json")


async def test_each_error_gets_its_own_error_id(mrs):
    first, second = await mrs.get("jobs/a"), await mrs.get("jobs/a")
    assert first.body["error_message"] != second.body["error_message"]


@pytest.mark.parametrize("path", ["jobs/nope", "job-binaries/nope"])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_unknown_ids_are_404_with_saharas_text(mrs, method, path):
    reply = await mrs.call(method, path)
    assert reply.status == 404
    assert reply.error() == ("NOT_FOUND", "Object with {'id': 'nope'} not found")


async def test_quotes_in_an_id_are_shown_the_way_python_prints_them(mrs):
    reply = await mrs.get("jobs/it's")
    assert reply.error() == ("NOT_FOUND", "Object with {'id': \"it's\"} not found")


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize("token", [None, "", "   "])
async def test_every_route_needs_a_token(mrs, method, path, token):
    reply = await mrs.call(method, path, token=token)
    assert reply.status == 401
    assert reply.body == KEYSTONE_401
    assert reply.headers["WWW-Authenticate"].startswith('Keystone uri="http://')


async def test_a_refused_request_without_token_changes_nothing(mrs):
    assert (await mrs.delete(f"jobs/{JOB_ID}", token=None)).status == 401
    assert (await mrs.get(f"jobs/{JOB_ID}")).status == 200


async def test_unknown_paths_without_a_token_are_401_as_keystone_answers_first(mrs):
    assert (await mrs.get("clusters", token=None)).body == KEYSTONE_401


async def test_unknown_paths_and_methods_use_the_envelope(mrs):
    reply = await mrs.get("clusters")
    assert reply.status == 404
    assert reply.error()[0] == "NOT_FOUND"
    assert reply.body["error_message"] == reply.body["error_msg"]  # not a Sahara exception: no Error ID
    reply = await mrs.put(f"jobs/{JOB_ID}", {})
    assert reply.status == 405
    assert reply.error() == ("METHOD_NOT_ALLOWED", "The method is not allowed for the requested URL.")


async def test_config_hints_are_not_emulated_and_execute_checks_its_schema(mrs):
    assert (await mrs.get("jobs/config-hints/MapReduce")).status == 404
    reply = await mrs.post(f"jobs/{JOB_ID}/execute", {})
    assert (reply.status, reply.error()) == (400, ("VALIDATION_ERROR", "'cluster_id' is a required property"))


@pytest.mark.parametrize("method, path", [("GET", f"jobs/{JOB_ID}"), ("PATCH", f"jobs/{JOB_ID}"),
                                          ("DELETE", f"jobs/{JOB_ID}"), ("GET", f"job-binaries/{BINARY_ID}"),
                                          ("PUT", f"job-binaries/{BINARY_ID}"),
                                          ("DELETE", f"job-binaries/{BINARY_ID}")])
async def test_another_projects_ids_are_404(mrs, method, path):
    other = mrs.in_project(OTHER_PROJECT)
    reply = await other.call(method, path, {}) if method in ("PATCH", "PUT") else await other.call(method, path)
    assert reply.status == 404
    assert reply.error()[0] == "NOT_FOUND"
    assert (await mrs.get(path)).status == 200


async def test_lists_show_only_the_callers_project(mrs):
    other = mrs.in_project(OTHER_PROJECT)
    mine = await other.new_job("mine")
    assert [job["id"] for job in (await other.get("jobs")).body["jobs"]] == [mine["id"]]
    assert mine["tenant_id"] == OTHER_PROJECT
    assert mine["id"] not in [job["id"] for job in (await mrs.get("jobs")).body["jobs"]]
    assert BINARY_ID not in [b["id"] for b in (await other.get("job-binaries")).body["binaries"]]


@pytest.mark.parametrize("raw", [b"{", b"{'name': 'x'}", b"nope", b"\xff\xfe", b"  "])
async def test_malformed_json_is_400(mrs, raw):
    reply = await mrs.call("POST", "jobs", data=raw, headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.error() == ("MALFORMED_REQUEST_BODY", "Malformed message body: cannot understand JSON")


async def test_malformed_json_on_a_missing_job_is_400_as_the_body_is_read_first(mrs):
    reply = await mrs.call("PATCH", "jobs/nope", data=b"{", headers={"Content-Type": "application/json"})
    assert reply.status == 400


async def test_a_body_that_is_not_json_by_type_is_refused(mrs):
    reply = await mrs.call("POST", "jobs", data=b"name=x", headers={"Content-Type": "text/plain"})
    assert reply.status == 400
    assert reply.error() == ("INVALID_DATA", "Content type 'text/plain' isn't supported")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON", ""])
async def test_json_bodies_may_name_a_charset_or_no_type(mrs, content_type):
    reply = await mrs.call("PATCH", f"jobs/{JOB_ID}", data=b'{"name": "typed"}',
                           headers={"Content-Type": content_type})
    assert reply.status == 202, reply.body
    assert reply.body["job"]["name"] == "typed"


async def test_a_body_over_the_size_limit_is_413(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(max_body_bytes=1024))
    mrs = Mrs(client)
    reply = await mrs.post("jobs", {"name": "big", "type": "DistCp", "description": "d" * 2048})
    assert reply.status == 413
    assert reply.error()[0] == "REQUEST_ENTITY_TOO_LARGE"
    assert (await mrs.post("jobs", {"name": "small", "type": "DistCp"})).status == 202


async def test_an_unexpected_failure_is_500_without_a_traceback(client, mrs):
    service = client.app[EMULATOR].services["mrs"]

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    service.jobs.get = broken
    reply = await mrs.get(f"jobs/{JOB_ID}")
    assert reply.status == 500
    assert reply.body == {"error_code": 500, "error_message": "Internal Server Error",
                          "error_name": "INTERNAL_SERVER_ERROR", "error_msg": "Internal Server Error"}
    assert b"secret" not in reply.raw and b"Traceback" not in reply.raw


async def test_an_injected_5xx_keeps_the_rules_code_and_message(client, mrs):
    rule = {"service": "mrs", "operation": "get_job", "status": 503, "error_code": "MRS.0503",
            "message": "Service unavailable, try again later."}
    async with client.post("/_emulator/faults", json=rule) as response:
        assert response.status in (200, 201)
    reply = await mrs.get(f"jobs/{JOB_ID}")
    assert reply.status == 503
    assert reply.error() == ("MRS.0503", "Service unavailable, try again later.")


async def test_tenant_of_every_object_is_the_paths_project(mrs):
    job = (await mrs.get(f"jobs/{JOB_ID}")).body["job"]
    assert job["tenant_id"] == PROJECT == job["libs"][0]["tenant_id"]


def test_routes_answer_in_the_envelope_their_paths_would_get_on_a_routing_miss():
    # A routed error takes its envelope from the route (MRS's own APIs vs Sahara's), a routing miss from its
    # path: the two must agree on every MRS route.
    from emulator.http.app import create_app
    from emulator.services.mrs import errors

    app = create_app()
    service = app[EMULATOR].services["mrs"]
    names = set()
    for route in app.router.routes():
        name = route.name or ""
        if name.startswith("mrs."):
            names.add(name)
            path = route.resource.canonical.replace("{project_id}", PROJECT)
            path = path.replace("{", "x-").replace("}", "")
            assert (name in service.native_routes) == errors.is_native_path(path), (name, path)
    assert service.native_routes < names and len(service.native_routes) == 10
