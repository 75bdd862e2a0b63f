"""Property-based fuzzing of every documented endpoint (schemathesis, every check but negative-data rejection)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from emulator.admin.openapi import build
from emulator.http.app import create_app
from emulator.settings import Settings
from live_process import emulator_process

DOCUMENT = build(create_app(Settings(load_fixtures=False)))
# COS's path-style object routes take only bucket names (`<name>-<APPID>`): any other first segment is no
# route of any service (plain 404), which the fuzzer's generated segments would take for a wrong shape.
# The event stream never ends by itself (tests/admin/test_events.py reads it), nor do Kubernetes' /watch/ paths
# (tests/kubernetes/test_paths_version_deletecollection.py reads them).
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex=r"^/\{bucket\}").exclude(
    operation_id=["admin.events"]).exclude(operation_id_regex=r"^kubernetes\.watch")
# The admin writes that change what every later call sees (a reset, fixtures, fault rules, the journal cleared)
# run on an emulator of their own, not on the session's shared one.
WRITES = ["admin.reset", "admin.load_fixtures", "admin.clear_requests", "admin.add_fault", "admin.clear_faults"]
# Every check schemathesis has, but one: negative_data_rejection (a request the schema does not allow must get a
# 4xx) cannot hold while the documents describe a subset of what each API accepts (a Kubernetes object may carry
# any field the real API server takes; see the README's fixture formats for /_emulator/fixtures).
ALL_BUT_NEGATIVE = [schemathesis.checks.negative_data_rejection]
# positive_data_acceptance (every request the schema allows is taken) holds for every operation but these, whose
# rule ties a body to the path or to other objects, which no schema of one request can say:
BOUND_TO_OTHERS = {
    "kubernetes.replaceBatchV1NamespacedJob": "the body's metadata.name must be the path's, its spec the stored one's",
    "kubernetes.replaceBatchV1NamespacedJobStatus": "the body's metadata.name must be the path's",
    "kubernetes.createCoreV1NamespacedPodEviction": "the body's metadata.name must be the path's",
    "cos_batch.CreateJob": "an XML body, naming a manifest object whose ETag it repeats",
    **{f"mrs.{name}": "the names are unique in a project (Sahara's 400 DB_DUPLICATE_ENTRY for a second one)"
       for name in ("create_job", "create_job_binary", "create_data_source")},
    **{f"mrs.{name}": "the cluster the path or body names must exist: for one that does not, MRS answers 400 "
                      "12000003 (not 404), as the real API does"
       for name in ("show_cluster_details", "create_execute_job", "show_job_exe_list_new", "batch_delete_jobs",
                    "show_single_job_exe", "stop_job", "show_sql_result_with_job", "create_and_execute_job")},
}


def excluded(case) -> list:
    """The checks one case is not held to (see ALL_BUT_NEGATIVE and BOUND_TO_OTHERS)."""
    bound = case.operation.definition.raw.get("operationId") in BOUND_TO_OTHERS
    return ALL_BUT_NEGATIVE + ([schemathesis.checks.positive_data_acceptance] if bound else [])


def test_every_route_is_documented():
    operations = {op["operationId"] for methods in DOCUMENT["paths"].values() for op in methods.values()}
    app = create_app(Settings(load_fixtures=False))
    named = {r.name.partition(":")[0] for r in app.router.routes()
             if r.name and "." in r.name and r.method not in ("HEAD", "*")}
    assert named <= operations
    admin = {(route.method, route.resource.canonical) for app_ in app._subapps
             for route in app_.router.routes() if route.method not in ("HEAD", "*")}
    documented = {(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods}
    assert admin and admin <= documented, admin - documented  # the admin writes too
    assert {"kubernetes.patchBatchV1NamespacedJobStatus", "mrs.update_job", "cos_batch.UpdateJobStatus"} <= operations


def test_the_document_is_served_at_openapi_json(live_server):
    served = requests.get(f"{live_server}/_emulator/openapi.json", timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/json")
    assert served.json() == DOCUMENT
    assert "get" in served.json()["paths"]["/_emulator/openapi.json"]


@schema.exclude(operation_id=WRITES).parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_fuzzed_requests_get_no_server_error_and_keep_their_shape(case, live_url):
    # live_url: each operation is fuzzed from the fixtures and the start time, not from what the tests run
    # before it (other files' tests, other operations' fuzzing: clock moves, transitions) left on the server
    case.call_and_validate(base_url=live_url, excluded_checks=excluded(case))


@pytest.fixture(scope="module")
def own_emulator(tmp_path_factory) -> Iterator[str]:
    """An emulator for the admin writes alone, with a state file (so a snapshot has somewhere to go)."""
    path = tmp_path_factory.mktemp("fuzz") / "state.json"
    with emulator_process("--frozen-clock", "2026-01-01T00:00:00Z", "--state-file", str(path)) as (_, url):
        yield url


@schema.include(operation_id=WRITES).parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_fuzzed_admin_writes_are_taken_as_documented(case, own_emulator):
    requests.post(f"{own_emulator}/_emulator/reset", timeout=10)
    requests.delete(f"{own_emulator}/_emulator/faults", timeout=10)  # a fault rule added by one case ends with it
    case.call_and_validate(base_url=own_emulator, excluded_checks=excluded(case))


def test_a_transition_naming_no_service_by_a_string_is_a_400(live_url):
    for service in ({}, [], 1, None, "nothing"):
        answer = requests.post(f"{live_url}/_emulator/transitions", json={"service": service}, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"] == "BadRequest", (service, answer.text)
