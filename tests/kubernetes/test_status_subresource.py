"""The jobs/status subresource over HTTP: the seed examples replayed, what PUT and PATCH may change,
the three patch types, and every error the spec's catalogue gives for them."""
from __future__ import annotations

import copy
import json

import pytest

GENERIC_422 = "the server rejected our request due to an error in our request"


def without_resource_version(job: dict) -> dict:
    job = copy.deepcopy(job)
    del job["metadata"]["resourceVersion"]
    return job


def rv(job: dict) -> int:
    return int(job["metadata"]["resourceVersion"])


@pytest.fixture
async def job(kube) -> dict:
    """A freshly created job (generation 1, status {})."""
    return await kube.create(kube.manifest("status-demo"))


# --- the seed examples ---------------------------------------------------------------------------

async def test_read_status_returns_seed_003_example(kube):
    [documented] = kube.seed(3)
    assert await kube.get(kube.CCI_NS, kube.CCI_JOB, "/status") == documented


async def test_read_status_is_the_full_job_with_a_status_self_link(kube):
    job = await kube.get(kube.CCI_NS, kube.CCI_JOB)
    status = await kube.get(kube.CCI_NS, kube.CCI_JOB, "/status")
    assert job["metadata"]["selfLink"] == "/apis/batch/v1/namespaces/namespace-test/jobs/pi"
    assert status["metadata"]["selfLink"] == "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"
    assert {**job, "metadata": {}} == {**status, "metadata": {}}


async def test_seed_000_json_patch_returns_documented_response(kube):
    [operations, documented] = kube.seed(0)
    assert operations == [{"op": "add", "path": "/status/active", "value": 2}]
    response = await kube.patch_raw(kube.CCE_NS, kube.CCE_JOB, operations, "json", "/status")
    assert response.headers["Content-Type"] == "application/json"
    body = await kube.ok(response)
    assert without_resource_version(body) == without_resource_version(documented)
    assert body["status"]["active"] == 2


async def test_seed_001_put_body_returns_documented_response(kube):
    [request, documented] = kube.seed(1)
    assert await kube.put(kube.CCE_NS, kube.CCE_JOB, request, "/status") == documented


async def test_seed_001_put_after_seed_000_patch_is_a_stale_write(kube):
    [operations, _] = kube.seed(0)
    [request, _] = kube.seed(1)
    await kube.patch(kube.CCE_NS, kube.CCE_JOB, operations, "json", "/status")
    response = await kube.put_raw(kube.CCE_NS, kube.CCE_JOB, request, "/status")
    await kube.expect(response, 409, "Conflict")


# --- what a status write may change --------------------------------------------------------------

async def test_put_status_ignores_spec_changes(kube, job):
    body = copy.deepcopy(job)
    body["spec"]["parallelism"] = 5
    body["spec"]["backoffLimit"] = 1
    body["status"] = {"active": 1, "startTime": "2026-01-01T00:00:00Z"}
    body["metadata"]["labels"]["team"] = "blue"
    replaced = await kube.put("default", "status-demo", body, "/status")
    assert replaced["spec"] == job["spec"]
    assert replaced["status"] == {"active": 1, "startTime": "2026-01-01T00:00:00Z"}
    assert replaced["metadata"]["labels"]["team"] == "blue"
    assert replaced["metadata"]["generation"] == 1
    assert await kube.get("default", "status-demo") == {**replaced, "metadata": {
        **replaced["metadata"], "selfLink": "/apis/batch/v1/namespaces/default/jobs/status-demo"}}


async def test_put_status_echoes_only_the_jobs_own_self_link(kube, job):
    body = copy.deepcopy(job)
    body["metadata"]["selfLink"] = "/api/v1/namespaces/default/secrets/elsewhere"
    replaced = await kube.put("default", "status-demo", body, "/status")
    assert replaced["metadata"]["selfLink"] == "/apis/batch/v1/namespaces/default/jobs/status-demo/status"


@pytest.mark.parametrize("suffix", ["", "/status"])
async def test_a_put_body_without_a_namespace_takes_the_urls(kube, job, suffix):
    body = copy.deepcopy(job)
    del body["metadata"]["namespace"]
    body["status"] = {"active": 1}
    replaced = await kube.put("default", "status-demo", body, suffix)
    assert replaced["metadata"]["namespace"] == "default"
    assert rv(replaced) == rv(job) + (1 if suffix else 0)  # a main-resource PUT ignores status: a no-op


@pytest.mark.parametrize("suffix", ["", "/status"])
async def test_a_patch_removing_the_namespace_takes_the_urls(kube, job, suffix):
    patched = await kube.patch("default", "status-demo", {"metadata": {"namespace": None}, "status": {"active": 1}},
                               "merge", suffix)
    assert patched["metadata"]["namespace"] == "default"
    assert await kube.get("default", "status-demo") == patched | {"metadata": {
        **patched["metadata"], "selfLink": "/apis/batch/v1/namespaces/default/jobs/status-demo"}}


async def test_patch_status_ignores_spec_changes(kube, job):
    patched = await kube.patch("default", "status-demo", {
        "spec": {"parallelism": 3, "suspend": True},
        "metadata": {"annotations": {"note": "kept"}},
        "status": {"succeeded": 1},
    }, "merge", "/status")
    assert patched["spec"] == job["spec"]
    assert patched["status"] == {"succeeded": 1}
    assert patched["metadata"]["annotations"] == {"note": "kept"}
    assert patched["metadata"]["generation"] == 1


async def test_status_writes_keep_system_metadata(kube, job):
    body = copy.deepcopy(job)
    body["metadata"].update(generation=9, creationTimestamp="2000-01-01T00:00:00Z")
    body["status"] = {"failed": 1}
    replaced = await kube.put("default", "status-demo", body, "/status")
    assert replaced["metadata"]["generation"] == 1
    assert replaced["metadata"]["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert replaced["metadata"]["uid"] == job["metadata"]["uid"]


async def test_main_resource_put_ignores_status_changes(kube, job):
    body = copy.deepcopy(job)
    body["status"] = {"active": 4}
    assert (await kube.put("default", "status-demo", body))["status"] == {}


async def test_zero_counters_are_omitted_from_status(kube, job):
    patched = await kube.patch("default", "status-demo", {"status": {"active": 0, "failed": 2, "ready": 0}},
                               "merge", "/status")
    assert patched["status"] == {"failed": 2, "ready": 0}


# --- the three patch types -----------------------------------------------------------------------

async def test_json_patch_add_works_on_a_fresh_status(kube, job):
    patched = await kube.patch("default", "status-demo", [
        {"op": "add", "path": "/status/active", "value": 1},
        {"op": "add", "path": "/status/startTime", "value": "2026-01-01T00:00:00Z"},
    ], "json", "/status")
    assert patched["status"] == {"active": 1, "startTime": "2026-01-01T00:00:00Z"}


async def test_merge_patch_merges_maps_deletes_nulls_and_replaces_lists(kube, job):
    conditions = [{"type": "Suspended", "status": "True", "reason": "JobSuspended"},
                  {"type": "Complete", "status": "False"}]
    await kube.patch("default", "status-demo", {"status": {"active": 2, "conditions": conditions}},
                     "merge", "/status")
    patched = await kube.patch("default", "status-demo", {
        "status": {"active": None, "failed": 1, "conditions": [{"type": "Complete", "status": "False"}]},
    }, "merge", "/status")
    assert patched["status"] == {"failed": 1, "conditions": [{"type": "Complete", "status": "False"}]}


async def test_strategic_merge_patch_merges_conditions_by_type(kube, job):
    await kube.patch("default", "status-demo", {"status": {"conditions": [
        {"type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "Job suspended"},
    ]}}, "strategic", "/status")
    patched = await kube.patch("default", "status-demo", {"status": {"conditions": [
        {"type": "Suspended", "status": "False", "reason": "JobResumed"},
        {"type": "Complete", "status": "False"},
    ]}}, "strategic", "/status")
    assert patched["status"]["conditions"] == [
        {"type": "Suspended", "status": "False", "reason": "JobResumed", "message": "Job suspended"},
        {"type": "Complete", "status": "False"},
    ]


@pytest.mark.parametrize(("directive", "left"), [
    ([{"$patch": "delete", "type": "Suspended"}], [{"type": "Complete", "status": "False"}]),
    ([{"$patch": "replace"}, {"type": "FailureTarget", "status": "False"}],
     [{"type": "FailureTarget", "status": "False"}]),
])
async def test_strategic_merge_patch_honours_delete_and_replace_directives_in_conditions(kube, job, directive, left):
    await kube.patch("default", "status-demo", {"status": {"conditions": [
        {"type": "Suspended", "status": "True"}, {"type": "Complete", "status": "False"},
    ]}}, "strategic", "/status")
    patched = await kube.patch("default", "status-demo", {"status": {"conditions": directive}}, "strategic", "/status")
    assert patched["status"]["conditions"] == left


async def test_strategic_merge_patch_replace_directive_on_a_map(kube, job):
    await kube.patch("default", "status-demo", {"status": {"active": 1, "failed": 2}}, "strategic", "/status")
    patched = await kube.patch("default", "status-demo", {"status": {"$patch": "replace", "succeeded": 1}},
                               "strategic", "/status")
    assert patched["status"] == {"succeeded": 1}


async def test_strategic_merge_patch_condition_without_its_merge_key_is_400(kube, job):
    await kube.patch("default", "status-demo", {"status": {"conditions": [{"type": "Suspended", "status": "True"}]}},
                     "strategic", "/status")
    response = await kube.patch_raw("default", "status-demo", {"status": {"conditions": [{"status": "True"}]}},
                                    "strategic", "/status")
    await kube.expect(response, 400, "BadRequest", "map: map[status:True] does not contain declared merge key: type")


# --- patch errors --------------------------------------------------------------------------------

async def test_json_patch_replace_of_a_missing_path_is_422_with_the_generic_message(kube, job):
    response = await kube.patch_raw("default", "status-demo", [{"op": "replace", "path": "/status/active", "value": 1}],
                                    "json", "/status")
    body = await kube.expect(response, 422, "Invalid", GENERIC_422)
    assert body["details"] == {}


async def test_json_patch_failed_test_op_is_422(kube, job):
    response = await kube.patch_raw("default", "status-demo", [{"op": "test", "path": "/metadata/name", "value": "x"}],
                                    "json", "/status")
    assert (await kube.expect(response, 422, "Invalid", GENERIC_422))["details"] == {}


async def test_json_patch_that_is_not_an_array_is_400(kube, job):
    response = await kube.patch_raw("default", "status-demo", {"op": "add", "path": "/status/active", "value": 1},
                                    "json", "/status")
    body = await kube.expect(response, 400, "BadRequest",
                             "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    assert "details" not in body


async def test_json_patch_over_10000_operations_is_413(kube, job):
    operations = [{"op": "test", "path": "/kind", "value": "Job"}] * 10001
    response = await kube.patch_raw("default", "status-demo", operations, "json", "/status")
    await kube.expect(response, 413, "RequestEntityTooLarge", "Request entity too large: The allowed maximum "
                                                              "operations in a JSON patch is 10000, got 10001")


async def test_strategic_merge_patch_that_is_not_an_object_is_400(kube, job):
    response = await kube.patch_raw("default", "status-demo", [{"status": {}}], "strategic", "/status")
    body = await kube.expect(response, 400, "BadRequest")
    assert body["message"].startswith("json: cannot unmarshal array into Go value of type map[string]interface")


async def test_apply_patch_needs_a_field_manager_and_then_merges(kube, job):
    manifest = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: status-demo\nstatus:\n  active: 1\n"
    response = await kube.patch_raw("default", "status-demo", manifest, "application/apply-patch+yaml", "/status")
    await kube.expect(response, 422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
                                                "value: is required for apply patch")
    applied = await kube.patch("default", "status-demo", manifest, "application/apply-patch+yaml", "/status",
                               fieldManager="tests")
    assert applied["status"] == {"active": 1}


@pytest.mark.parametrize("patch_type", ["json", "merge", "strategic"])
async def test_malformed_patch_json_is_400_invalid_json_patch(kube, job, patch_type):
    response = await kube.patch_raw("default", "status-demo", '{"status": {', patch_type, "/status")
    await kube.expect(response, 400, "BadRequest", "invalid JSON patch")


async def test_merge_patch_null_is_400(kube, job):
    response = await kube.patch_raw("default", "status-demo", "null", "merge", "/status")
    await kube.expect(response, 400, "BadRequest", "Invalid JSON Patch")


async def test_patch_making_a_field_the_wrong_type_is_422(kube, job):
    response = await kube.patch_raw("default", "status-demo", {"status": {"active": "x"}}, "merge", "/status")
    body = await kube.expect(response, 422, "Invalid")
    reason = "json: cannot unmarshal string into Go struct field JobStatus.status.active of type int32"
    assert body["message"].startswith(' "" is invalid: patch: Invalid value: "{')
    assert body["message"].endswith(f'": {reason}')
    [cause] = body["details"]["causes"]
    assert cause["reason"] == "FieldValueInvalid" and cause["field"] == "patch"
    assert cause["message"].endswith(reason)
    assert set(body["details"]) == {"causes"}  # the empty name and kind are omitted
    assert (await kube.get("default", "status-demo"))["status"] == {}


async def test_strategic_patch_making_a_field_the_wrong_type_shows_the_patch_as_a_go_map(kube, job):
    response = await kube.patch_raw("default", "status-demo", {"status": {"active": "x"}}, "strategic", "/status")
    body = await kube.expect(response, 422, "Invalid")
    assert body["message"] == (' "" is invalid: patch: Invalid value: "map[status:map[active:x]]": json: cannot '
                               "unmarshal string into Go struct field JobStatus.status.active of type int32")


async def test_json_patch_making_a_field_the_wrong_type_is_422(kube, job):
    response = await kube.patch_raw("default", "status-demo", [{"op": "add", "path": "/status/failed", "value": True}],
                                    "json", "/status")
    body = await kube.expect(response, 422, "Invalid")
    assert body["message"].endswith(
        "json: cannot unmarshal bool into Go struct field JobStatus.status.failed of type int32")


@pytest.mark.parametrize("force", ["true", "false"])
async def test_force_on_a_non_apply_patch_is_422(kube, job, force):
    response = await kube.patch_raw("default", "status-demo", {"status": {"active": 1}}, "merge", "/status",
                                    force=force)
    body = await kube.expect(response, 422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: '
                                                       "may not be specified for non-apply patch")
    assert body["details"]["causes"] == [{"reason": "FieldValueForbidden", "field": "force",
                                          "message": "Forbidden: may not be specified for non-apply patch"}]
    assert (await kube.get("default", "status-demo"))["status"] == {}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
async def test_unsupported_patch_content_type_is_415(client, kube, job, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.patch(kube.url("default", "status-demo", "/status"), data=b'{"status":{"active":1}}',
                                  headers=headers, skip_auto_headers=["Content-Type"])
    body = await kube.expect(response, 415, "UnsupportedMediaType", "415: Unsupported Media Type")
    assert body["details"] == {}


async def test_patch_on_a_missing_job_is_404(kube):
    response = await kube.patch_raw("default", "nope", {"status": {"active": 1}}, "merge", "/status")
    body = await kube.expect(response, 404, "NotFound", 'jobs.batch "nope" not found')
    assert body["details"] == {"name": "nope", "group": "batch", "kind": "jobs"}


async def test_status_read_and_replace_of_a_missing_job_is_404(client, kube):
    await kube.expect(await client.get(kube.url("default", "nope", "/status")), 404, "NotFound",
                      'jobs.batch "nope" not found')
    await kube.expect(await kube.put_raw("default", "nope", kube.manifest("nope"), "/status"), 404, "NotFound",
                      'jobs.batch "nope" not found')


# --- validation ----------------------------------------------------------------------------------

async def test_negative_status_counters_are_422_with_causes(kube, job):
    response = await kube.patch_raw("default", "status-demo", {"status": {"active": -1, "failed": -2}},
                                    "merge", "/status")
    body = await kube.expect(response, 422, "Invalid", (
        'Job.batch "status-demo" is invalid: [status.active: Invalid value: -1: must be greater than or equal '
        "to 0, status.failed: Invalid value: -2: must be greater than or equal to 0]"))
    assert body["details"] == {"name": "status-demo", "group": "batch", "kind": "Job", "causes": [
        {"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0",
         "field": "status.active"},
        {"reason": "FieldValueInvalid", "message": "Invalid value: -2: must be greater than or equal to 0",
         "field": "status.failed"},
    ]}


async def test_negative_counter_in_a_status_put_is_422(kube, job):
    body = {**job, "status": {"succeeded": -1}}
    response = await kube.put_raw("default", "status-demo", body, "/status")
    result = await kube.expect(response, 422, "Invalid",
                               'Job.batch "status-demo" is invalid: status.succeeded: Invalid value: -1: '
                               "must be greater than or equal to 0")
    assert [c["field"] for c in result["details"]["causes"]] == ["status.succeeded"]


# --- resourceVersion -----------------------------------------------------------------------------

async def test_put_status_with_a_stale_resource_version_is_409(kube, job):
    await kube.patch("default", "status-demo", {"status": {"active": 1}}, "merge", "/status")
    response = await kube.put_raw("default", "status-demo", {**job, "status": {"active": 2}}, "/status")
    body = await kube.expect(response, 409, "Conflict", (
        'Operation cannot be fulfilled on jobs.batch "status-demo": the object has been modified; please apply '
        "your changes to the latest version and try again"))
    assert body["details"] == {"name": "status-demo", "group": "batch", "kind": "jobs"}
    assert (await kube.get("default", "status-demo"))["status"] == {"active": 1}


async def test_patch_status_setting_a_stale_resource_version_is_409(kube, job):
    await kube.patch("default", "status-demo", {"status": {"active": 1}}, "merge", "/status")
    stale = {"metadata": {"resourceVersion": job["metadata"]["resourceVersion"]}, "status": {"active": 3}}
    await kube.expect(await kube.patch_raw("default", "status-demo", stale, "merge", "/status"), 409, "Conflict")


async def test_put_status_without_resource_version_is_unconditional(kube, job):
    await kube.patch("default", "status-demo", {"status": {"active": 1}}, "merge", "/status")
    body = copy.deepcopy(job)
    del body["metadata"]["resourceVersion"]
    body["status"] = {"active": 2}
    assert (await kube.put("default", "status-demo", body, "/status"))["status"] == {"active": 2}


async def test_no_op_write_keeps_the_resource_version(kube, job):
    same_patch = await kube.patch("default", "status-demo", {"status": {}}, "merge", "/status")
    same_put = await kube.put("default", "status-demo", job, "/status")
    same_json = await kube.patch("default", "status-demo", [{"op": "test", "path": "/status", "value": {}}],
                                 "json", "/status")
    assert rv(same_patch) == rv(same_put) == rv(same_json) == rv(job)


async def test_resource_version_increases_on_every_real_write(kube, job):
    versions = [rv(job)]
    for active in (1, 2, 3):
        versions.append(rv(await kube.patch("default", "status-demo", {"status": {"active": active}},
                                            "merge", "/status")))
    current = await kube.get("default", "status-demo")
    versions.append(rv(await kube.put("default", "status-demo", {**current, "status": {"failed": 1}}, "/status")))
    versions.append(rv(await kube.patch("default", "status-demo", {"status": {"failed": 2}}, "strategic", "/status")))
    assert versions == sorted(set(versions)), versions
    other = await kube.create(kube.manifest("later"))
    assert rv(other) > versions[-1]


async def test_dry_run_status_patch_changes_nothing(kube, job):
    patched = await kube.patch("default", "status-demo", {"status": {"active": 5}}, "merge", "/status", dryRun="All")
    assert patched["status"] == {"active": 5}
    assert await kube.get("default", "status-demo") == job


async def test_status_response_is_json_numbers_not_strings(client, kube):
    raw = await (await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB, "/status"))).read()
    assert json.loads(raw)["status"]["active"] == 1
    assert b'"active":1' in raw
