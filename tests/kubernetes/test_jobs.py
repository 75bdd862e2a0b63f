"""The batch/v1 Job resource over HTTP: create, read, replace, patch, delete, list, watch, and the wire."""
from __future__ import annotations

import asyncio
import json

import pytest
from kube_support import read_events

UID_LABELS = ("batch.kubernetes.io/controller-uid", "controller-uid")
NAME_LABELS = ("batch.kubernetes.io/job-name", "job-name")
ORPHAN_WARNING = ('299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background '
                  'to remove them or set propagationPolicy=Orphan to suppress this warning"')
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
QUALIFIED_NAME_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def rv(obj: dict) -> int:
    return int(obj["metadata"]["resourceVersion"])


def names(job_list: dict) -> list[str]:
    return [item["metadata"]["name"] for item in job_list["items"]]


# --- create --------------------------------------------------------------------------------------

async def test_create_sets_server_fields_defaults_and_generated_selector(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("pi"))
    job = await kube.ok(response, 201)
    meta, spec = job["metadata"], job["spec"]
    uid = meta["uid"]
    assert job["kind"] == "Job" and job["apiVersion"] == "batch/v1"
    assert len(uid) == 36 and uid.count("-") == 4
    assert meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert meta["resourceVersion"].isdigit() and meta["generation"] == 1
    assert meta["namespace"] == "default" and meta["enable"] is True
    assert meta["selfLink"] == "/apis/batch/v1/namespaces/default/jobs/pi"
    expected_labels = {**{key: uid for key in UID_LABELS}, **{key: "pi" for key in NAME_LABELS}}
    assert spec["template"]["metadata"]["labels"] == expected_labels
    assert meta["labels"] == expected_labels  # a job without labels takes its template's
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert {k: spec[k] for k in ("parallelism", "completions", "backoffLimit", "completionMode", "suspend",
                                 "podReplacementPolicy")} == {
        "parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed", "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed"}
    pod = spec["template"]["spec"]
    assert pod["containers"] == [{"name": "main", "image": "busybox:1.36", "resources": {},
                                  "terminationMessagePath": "/dev/termination-log",
                                  "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}]
    assert {k: pod[k] for k in ("terminationGracePeriodSeconds", "dnsPolicy", "securityContext", "schedulerName")} == {
        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "securityContext": {},
        "schedulerName": "default-scheduler"}
    assert job["status"] == {}
    assert await kube.get("default", "pi") == job


async def test_create_keeps_user_labels_and_discards_status(kube):
    body = kube.manifest("labelled", labels={"team": "blue"}, parallelism=3)
    body["status"] = {"active": 7}
    body["metadata"]["enable"] = False
    job = await kube.create(body)
    assert job["metadata"]["labels"] == {"team": "blue"}
    assert job["metadata"]["enable"] is False
    assert job["spec"]["parallelism"] == 3 and "completions" not in job["spec"]
    assert job["status"] == {}


async def test_create_generates_distinct_uids_and_increasing_versions(kube):
    first = await kube.create(kube.manifest("one"))
    second = await kube.create(kube.manifest("two"))
    assert first["metadata"]["uid"] != second["metadata"]["uid"]
    assert rv(second) > rv(first)


async def test_create_with_generate_name_appends_a_suffix(kube):
    body = kube.manifest()
    body["metadata"] = {"generateName": "batch-"}
    job = await kube.create(body)
    assert job["metadata"]["name"].startswith("batch-") and len(job["metadata"]["name"]) == len("batch-") + 5


async def test_create_of_an_existing_name_is_409_already_exists(client, kube):
    await kube.create(kube.manifest("twice"))
    response = await client.post(kube.url("default"), json=kube.manifest("twice"))
    body = await kube.expect(response, 409, "AlreadyExists", 'jobs.batch "twice" already exists')
    assert body["details"] == {"name": "twice", "group": "batch", "kind": "jobs"}


async def test_create_in_a_missing_namespace_is_404(client, kube):
    response = await client.post(kube.url("x"), json=kube.manifest("lost"))
    body = await kube.expect(response, 404, "NotFound", 'namespaces "x" not found')
    assert body["details"] == {"name": "x", "kind": "namespaces"}


async def test_create_with_a_bad_name_is_422_dns_subdomain(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("My_Job"))
    body = await kube.expect(response, 422, "Invalid",
                             f'Job.batch "My_Job" is invalid: metadata.name: Invalid value: "My_Job": '
                             f"{SUBDOMAIN_MESSAGE}")
    assert body["details"] == {"name": "My_Job", "group": "batch", "kind": "Job", "causes": [
        {"reason": "FieldValueInvalid", "message": f'Invalid value: "My_Job": {SUBDOMAIN_MESSAGE}',
         "field": "metadata.name"}]}


async def test_create_without_a_name_is_422_required(client, kube):
    body = kube.manifest()
    body["metadata"] = {}
    response = await client.post(kube.url("default"), json=body)
    result = await kube.expect(response, 422, "Invalid",
                               'Job.batch "" is invalid: metadata.name: Required value: name or generateName '
                               "is required")
    assert result["details"] == {"group": "batch", "kind": "Job", "causes": [
        {"reason": "FieldValueRequired", "message": "Required value: name or generateName is required",
         "field": "metadata.name"}]}


async def test_create_with_a_64_character_name_fails_on_the_template_labels(client, kube):
    name = "a" * 64
    response = await client.post(kube.url("default"), json=kube.manifest(name))
    text = f'Invalid value: "{name}": must be no more than 63 characters'
    body = await kube.expect(response, 422, "Invalid", f'Job.batch "{name}" is invalid: spec.template.labels: {text}')
    assert body["details"]["causes"] == [{"reason": "FieldValueInvalid", "message": text,
                                          "field": "spec.template.labels"}] * 2


@pytest.mark.parametrize(("key", "problems"), [
    ("a/b/c", ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
               "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
               "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and "
               "'/' (e.g. 'example.com/MyName')"]),
    ("/x", ["prefix part must be non-empty"]),
    ("x/", ["name part must be non-empty", QUALIFIED_NAME_MESSAGE]),
    ("Example.com/x", ["prefix part " + SUBDOMAIN_MESSAGE]),
    ("x" * 64 + "_", ["name part must be no more than 63 characters", QUALIFIED_NAME_MESSAGE]),
])
async def test_a_label_key_gets_each_problem_isqualifiedname_finds(client, kube, key, problems):
    response = await client.post(kube.url("default"), json=kube.manifest("labelled", labels={key: "v"}))
    body = await kube.expect(response, 422, "Invalid")
    assert body["details"]["causes"] == [{"reason": "FieldValueInvalid", "message": f'Invalid value: "{key}": {p}',
                                          "field": "metadata.labels"} for p in problems]


async def test_create_with_a_63_character_name_succeeds(kube):
    assert (await kube.create(kube.manifest("b" * 63)))["metadata"]["name"] == "b" * 63


async def test_create_with_negative_counters_is_422_with_a_cause_each(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("neg", parallelism=-1, backoffLimit=-2))
    body = await kube.expect(response, 422, "Invalid", (
        'Job.batch "neg" is invalid: [spec.parallelism: Invalid value: -1: must be greater than or equal to 0, '
        "spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0]"))
    assert [(c["field"], c["reason"]) for c in body["details"]["causes"]] == [
        ("spec.parallelism", "FieldValueInvalid"), ("spec.backoffLimit", "FieldValueInvalid")]


@pytest.mark.parametrize(("policy", "reason", "message"), [
    (None, "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"'),
    ("Always", "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"'),
    ("Sometimes", "FieldValueNotSupported", 'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"'),
])
async def test_create_with_a_bad_or_missing_restart_policy_is_422(client, kube, policy, reason, message):
    body = kube.manifest("restart")
    body["spec"]["template"]["spec"]["restartPolicy"] = policy
    response = await client.post(kube.url("default"), json=body)
    result = await kube.expect(response, 422, "Invalid",
                               f'Job.batch "restart" is invalid: spec.template.spec.restartPolicy: {message}')
    assert result["details"]["causes"] == [
        {"reason": reason, "message": message, "field": "spec.template.spec.restartPolicy"}]


async def test_create_without_containers_is_422_required(client, kube):
    body = kube.manifest("empty")
    body["spec"]["template"]["spec"]["containers"] = []
    response = await client.post(kube.url("default"), json=body)
    result = await kube.expect(response, 422, "Invalid",
                               'Job.batch "empty" is invalid: spec.template.spec.containers: Required value')
    assert result["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.template.spec.containers"}]


@pytest.mark.parametrize(("data", "go_error", "shown"), [
    (b'{"metadata": ', "unexpected end of JSON input", '{"metadata": '),
    (b"{bad}", "invalid character 'b' looking for beginning of object key string", "{bad}"),
    (b'{"a": 1 "b": 2}', "invalid character '\"' after object key:value pair", '{"a": 1 "b": 2}'),
    (b"not json", "invalid character 'o' in literal null (expecting 'u')", "6e 6f 74 20 6a 73 6f 6e"),
    (b"[" * 20000, "invalid character '[' exceeded max depth", " ".join(["5b"] * 30)),
])
async def test_create_with_malformed_json_is_400_with_gos_message(client, kube, data, go_error, shown):
    response = await client.post(kube.url("default"), data=data, headers={"Content-Type": "application/json"})
    body = await kube.expect(response, 400, "BadRequest")
    assert body["message"] == ("the object provided is unrecognized (must be of type Job): couldn't get "
                               f"version/kind; json parse error: {go_error} ({shown} ...)")
    assert "details" not in body


async def test_create_with_a_json_array_body_is_400(client, kube):
    response = await client.post(kube.url("default"), data=b"[1]", headers={"Content-Type": "application/json"})
    body = await kube.expect(response, 400, "BadRequest")
    assert "json: cannot unmarshal array into Go value" in body["message"]


async def test_create_with_another_namespace_in_the_body_is_400(client, kube):
    body = kube.manifest("elsewhere")
    body["metadata"]["namespace"] = "namespace-test"
    response = await client.post(kube.url("default"), json=body)
    await kube.expect(response, 400, "BadRequest",
                      "the namespace of the provided object does not match the namespace sent on the request")
    await kube.expect(await client.get(kube.url("namespace-test", "elsewhere")), 404, "NotFound")


async def test_create_with_a_wrong_field_type_is_400(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("typed", parallelism="1"))
    await kube.expect(response, 400, "BadRequest", (
        'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field '
        "JobSpec.spec.parallelism of type int32"))


async def test_create_with_a_resource_version_is_400_with_the_apiservers_message(client, kube):
    body = kube.manifest("versioned")
    body["metadata"]["resourceVersion"] = "5"
    response = await client.post(kube.url("default"), json=body)
    await kube.expect(response, 400, "BadRequest", "resourceVersion should not be set on objects to be created")


async def test_create_with_another_api_version_is_400(client, kube):
    body = {**kube.manifest("old"), "apiVersion": "batch/v1beta1"}
    response = await client.post(kube.url("default"), json=body)
    await kube.expect(response, 400, "BadRequest",
                      "the API version in the data (batch/v1beta1) does not match the expected API version (batch/v1)")


async def test_create_accepts_yaml(client, kube):
    manifest = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: from-yaml\nspec:\n  template:\n    spec:\n"
                "      containers: [{name: main, image: perl}]\n      restartPolicy: OnFailure\n")
    response = await client.post(kube.url("default"), data=manifest, headers={"Content-Type": "application/yaml"})
    assert (await kube.ok(response, 201))["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


async def test_create_and_replace_without_a_content_type_read_json(client, kube):
    """The official Python client (v37) sends POST and PUT bodies with no Content-Type at all."""
    response = await client.post(kube.url("default"), data=json.dumps(kube.manifest("bare")).encode(),
                                 skip_auto_headers=["Content-Type"])
    job = await kube.ok(response, 201)
    response = await client.put(kube.url("default", "bare", "/status"), skip_auto_headers=["Content-Type"],
                                data=json.dumps({**job, "status": {"active": 1}}).encode())
    assert (await kube.ok(response))["status"] == {"active": 1}


async def test_create_with_an_unknown_body_type_is_415_without_details(client, kube):
    response = await client.post(kube.url("default"), data=b"{}", headers={"Content-Type": "text/plain"})
    body = await kube.expect(response, 415, "UnsupportedMediaType", (
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml, application/vnd.kubernetes.protobuf"))
    assert "details" not in body


async def test_dry_run_create_returns_the_job_and_stores_nothing(client, kube):
    before = await kube.list(None)
    response = await client.post(kube.url("default"), json=kube.manifest("dry"), params={"dryRun": "All"})
    job = await kube.ok(response, 201)
    assert job["metadata"]["name"] == "dry" and job["spec"]["parallelism"] == 1
    await kube.expect(await client.get(kube.url("default", "dry")), 404, "NotFound")
    after = await kube.list(None)
    assert names(after) == names(before) and rv(after) == rv(before)


async def test_unsupported_dry_run_value_is_422(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("dry"), params={"dryRun": "Some"})
    await kube.expect(response, 422, "Invalid", 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                                                '["Some"]: supported values: "All"')


async def test_strict_field_validation_rejects_an_unknown_field(client, kube):
    body = kube.manifest("strict", foo=1)
    response = await client.post(kube.url("default"), json=body, params={"fieldValidation": "Strict"})
    await kube.expect(response, 400, "BadRequest", 'Job in version "v1" cannot be handled as a Job: strict decoding '
                                                   'error: unknown field "spec.foo"')
    await kube.expect(await client.get(kube.url("default", "strict")), 404, "NotFound")


async def test_default_field_validation_warns_and_drops_an_unknown_field(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("warned", foo=1))
    job = await kube.ok(response, 201)
    assert response.headers.getall("Warning") == ['299 - "unknown field \\"spec.foo\\""']
    assert "foo" not in job["spec"]
    assert "foo" not in (await kube.get("default", "warned"))["spec"]


async def test_ignore_field_validation_is_silent(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("quiet", foo=1),
                                 params={"fieldValidation": "Ignore"})
    assert response.status == 201 and "Warning" not in response.headers


async def test_unsupported_field_validation_value_is_422(client, kube):
    response = await client.post(kube.url("default"), json=kube.manifest("x"), params={"fieldValidation": "Loose"})
    await kube.expect(response, 422, "Invalid", 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported '
                                                'value: "Loose": supported values: "", "Ignore", "Strict", "Warn"')


# --- read, replace, patch ------------------------------------------------------------------------

async def test_get_of_a_missing_job_is_404(client, kube):
    body = await kube.expect(await client.get(kube.url("default", "nope")), 404, "NotFound",
                             'jobs.batch "nope" not found')
    assert body["details"] == {"name": "nope", "group": "batch", "kind": "jobs"}


async def test_put_spec_change_bumps_generation(kube):
    job = await kube.create(kube.manifest("put"))
    job["spec"]["parallelism"] = 3
    replaced = await kube.put("default", "put", job)
    assert replaced["spec"]["parallelism"] == 3
    assert replaced["metadata"]["generation"] == 2 and rv(replaced) > rv(job)


async def test_put_without_spec_change_keeps_generation(kube):
    job = await kube.create(kube.manifest("put"))
    job["metadata"]["annotations"] = {"a": "b"}
    replaced = await kube.put("default", "put", job)
    assert replaced["metadata"]["annotations"] == {"a": "b"}
    assert replaced["metadata"]["generation"] == 1 and rv(replaced) > rv(job)


async def test_put_ignores_status_changes(kube):
    job = await kube.create(kube.manifest("put"))
    replaced = await kube.put("default", "put", {**job, "status": {"succeeded": 1}})
    assert replaced["status"] == {} and rv(replaced) == rv(job)


async def test_put_of_a_seed_job_as_read_is_a_no_op(kube):
    job = await kube.get(kube.CCE_NS, kube.CCE_JOB)  # stored as the seed shows it, without the v1 defaults
    assert await kube.put(kube.CCE_NS, kube.CCE_JOB, job) == job
    scaled = await kube.patch(kube.CCE_NS, kube.CCE_JOB, {"spec": {"parallelism": 2}})
    assert scaled["metadata"]["generation"] == 2 and rv(scaled) > rv(job)


async def test_put_changing_the_template_is_422_immutable(kube):
    job = await kube.create(kube.manifest("put"))
    job["spec"]["template"]["spec"]["containers"][0]["image"] = "perl"
    response = await kube.put_raw("default", "put", job)
    body = await kube.expect(response, 422, "Invalid")
    assert body["message"].startswith('Job.batch "put" is invalid: spec.template: Invalid value: {')
    assert body["message"].endswith("}: field is immutable")
    assert [c["field"] for c in body["details"]["causes"]] == ["spec.template"]
    assert (await kube.get("default", "put"))["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"


async def test_put_with_another_name_in_the_body_is_400(kube):
    job = await kube.create(kube.manifest("put"))
    job["metadata"]["name"] = "other"
    await kube.expect(await kube.put_raw("default", "put", job), 400, "BadRequest",
                      "the name of the object (other) does not match the name on the URL (put)")
    del job["metadata"]["name"]
    await kube.expect(await kube.put_raw("default", "put", job), 400, "BadRequest",
                      "the name of the object () does not match the name on the URL (put)")


async def test_put_with_another_namespace_in_the_body_is_400(kube):
    job = await kube.create(kube.manifest("put"))
    job["metadata"]["namespace"] = "namespace-test"
    await kube.expect(await kube.put_raw("default", "put", job), 400, "BadRequest",
                      "the namespace of the provided object does not match the namespace sent on the request")


async def test_put_with_another_uid_is_409_precondition_failure(kube):
    job = await kube.create(kube.manifest("put"))
    uid = job["metadata"]["uid"]
    job["metadata"]["uid"] = "00000000-0000-4000-8000-000000000000"
    body = await kube.expect(await kube.put_raw("default", "put", job), 409, "Conflict")
    assert body["message"].endswith(
        f"Precondition failed: UID in precondition: 00000000-0000-4000-8000-000000000000, UID in object meta: {uid}")


async def test_put_with_a_stale_resource_version_is_409(kube):
    job = await kube.create(kube.manifest("put"))
    await kube.patch("default", "put", {"metadata": {"labels": {"x": "1"}}})
    await kube.expect(await kube.put_raw("default", "put", job), 409, "Conflict", (
        'Operation cannot be fulfilled on jobs.batch "put": the object has been modified; please apply your changes '
        "to the latest version and try again"))


async def test_put_of_a_missing_job_is_404(kube):
    await kube.expect(await kube.put_raw("default", "nope", kube.manifest("nope")), 404, "NotFound",
                      'jobs.batch "nope" not found')


async def test_put_with_a_wrong_field_type_is_400(kube):
    job = await kube.create(kube.manifest("put"))
    job["spec"]["backoffLimit"] = "6"
    await kube.expect(await kube.put_raw("default", "put", job), 400, "BadRequest", (
        'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field '
        "JobSpec.spec.backoffLimit of type int32"))


async def test_patch_main_resource_with_json_patch(kube):
    await kube.create(kube.manifest("patched"))
    job = await kube.patch("default", "patched", [{"op": "replace", "path": "/spec/parallelism", "value": 2},
                                                  {"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}],
                           "json")
    assert job["spec"]["parallelism"] == 2 and job["metadata"]["annotations"] == {"a": "b"}
    assert job["metadata"]["generation"] == 2


@pytest.mark.parametrize("query", [{"dryRun": "All"}, {}])
async def test_json_patch_leaves_the_stored_job_alone_until_it_is_written(kube, query):
    """Patches change copies only: a dry run, or a patch whose last operation fails, stores nothing,
    even where an operation moves a part of the job and the next one changes what was moved."""
    created = await kube.create(kube.manifest("patched", labels={"a": "b"}))
    moves = [{"op": "move", "from": "/metadata/labels", "path": "/metadata/annotations"},
             {"op": "add", "path": "/metadata/annotations/c", "value": "d"},
             {"op": "replace", "path": "/spec/parallelism", "value": 2}]
    failing = [] if query else [{"op": "test", "path": "/spec/parallelism", "value": 99}]
    response = await kube.patch_raw("default", "patched", moves + failing, "json", **query)
    if query:
        job = await kube.ok(response)
        assert job["metadata"]["annotations"] == {"a": "b", "c": "d"} and "labels" not in job["metadata"]
    else:
        await kube.expect(response, 422, "Invalid")
    assert await kube.get("default", "patched") == created


async def test_patch_main_resource_with_merge_patch_ignores_status(kube):
    await kube.create(kube.manifest("patched"))
    job = await kube.patch("default", "patched", {"spec": {"suspend": True}, "status": {"active": 1}})
    assert job["spec"]["suspend"] is True and job["status"] == {}
    assert job["metadata"]["generation"] == 2


async def test_patch_main_resource_with_strategic_merge_patch_merges_containers_by_name(kube):
    body = kube.manifest("patched")
    body["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "nginx"})
    await kube.create(body)
    side_only = {"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "nginx"}]}}}}
    job = await kube.patch("default", "patched", {"metadata": {"labels": {"extra": "yes"}}, **side_only}, "strategic")
    assert [c["name"] for c in job["spec"]["template"]["spec"]["containers"]] == ["main", "side"]
    assert job["metadata"]["labels"]["extra"] == "yes" and job["metadata"]["labels"]["job-name"] == "patched"
    assert job["metadata"]["generation"] == 1
    # a merge patch replaces the list instead, which would change the immutable template
    await kube.expect(await kube.patch_raw("default", "patched", side_only, "merge"), 422, "Invalid")


@pytest.mark.parametrize(("patch", "patch_type", "query", "code", "reason", "message_end"), [
    ({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "perl"}]}}}}, "strategic", {},
     422, "Invalid", "}: field is immutable"),
    ({"metadata": {"uid": "another"}}, "merge", {},
     422, "Invalid", 'Job.batch "patched" is invalid: metadata.uid: Invalid value: "another": field is immutable'),
    ({"metadata": {"name": "renamed"}}, "merge", {},
     400, "BadRequest", "the name of the object (renamed) does not match the name on the URL (patched)"),
    ([{"op": "add", "path": "/metadata/namespace", "value": "namespace-test"}], "json", {},
     400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"),
    ({"spec": {"foo": 1}}, "merge", {"fieldValidation": "Strict"},
     422, "Invalid", 'strict decoding error: unknown field "spec.foo"'),
])
async def test_patch_main_resource_errors(kube, patch, patch_type, query, code, reason, message_end):
    created = await kube.create(kube.manifest("patched"))
    body = await kube.expect(await kube.patch_raw("default", "patched", patch, patch_type, **query), code, reason)
    assert body["message"].endswith(message_end)
    assert await kube.get("default", "patched") == created


# --- delete --------------------------------------------------------------------------------------

async def test_delete_in_background_returns_success_status_then_404(client, kube):
    job = await kube.create(kube.manifest("gone"))
    response = await client.delete(kube.url("default", "gone"), params={"propagationPolicy": "Background"})
    assert response.status == 200 and "Warning" not in response.headers
    assert await response.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                      "details": {"name": "gone", "group": "batch", "kind": "jobs",
                                                  "uid": job["metadata"]["uid"]}}
    await kube.expect(await client.get(kube.url("default", "gone")), 404, "NotFound")


async def test_delete_options_in_the_body_count(client, kube):
    await kube.create(kube.manifest("gone"))
    response = await client.delete(kube.url("default", "gone"), json={
        "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})
    assert (await kube.ok(response))["status"] == "Success"


async def test_delete_with_a_body_ignores_the_query(client, kube):
    await kube.create(kube.manifest("orphaned"))
    response = await client.delete(kube.url("default", "orphaned"), params={"propagationPolicy": "Background"},
                                   json={"kind": "DeleteOptions", "apiVersion": "v1"})
    assert (await kube.ok(response))["metadata"]["finalizers"] == ["orphan"]
    assert response.headers.getall("Warning") == [ORPHAN_WARNING]


async def test_delete_by_default_orphans_returns_the_job_warns_then_404(client, kube):
    job = await kube.create(kube.manifest("orphaned"))
    response = await client.delete(kube.url("default", "orphaned"))
    body = await kube.ok(response)
    assert response.headers.getall("Warning") == [ORPHAN_WARNING]
    assert body["kind"] == "Job" and body["metadata"]["uid"] == job["metadata"]["uid"]
    assert body["metadata"]["finalizers"] == ["orphan"]
    assert body["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    assert body["metadata"]["deletionGracePeriodSeconds"] == 0
    assert body["metadata"]["generation"] == 2
    await kube.expect(await client.get(kube.url("default", "orphaned")), 404, "NotFound")


async def test_delete_with_orphan_policy_does_not_warn(client, kube):
    await kube.create(kube.manifest("orphaned"))
    response = await client.delete(kube.url("default", "orphaned"), params={"propagationPolicy": "Orphan"})
    assert (await kube.ok(response))["metadata"]["finalizers"] == ["orphan"]
    assert "Warning" not in response.headers


async def test_delete_of_a_missing_job_is_404(client, kube):
    await kube.expect(await client.delete(kube.url("default", "nope")), 404, "NotFound", 'jobs.batch "nope" not found')


async def test_delete_with_a_wrong_uid_precondition_is_409(client, kube):
    job = await kube.create(kube.manifest("kept"))
    response = await client.delete(kube.url("default", "kept"), json={"preconditions": {"uid": "other"}})
    body = await kube.expect(response, 409, "Conflict", (
        f'Operation cannot be fulfilled on Job.batch "kept": the UID in the precondition (other) does not match the '
        f"UID in record ({job['metadata']['uid']}). The object might have been deleted and then recreated"))
    assert body["details"] == {"name": "kept", "group": "batch", "kind": "Job"}
    assert (await kube.get("default", "kept"))["metadata"]["uid"] == job["metadata"]["uid"]


async def test_delete_with_a_stale_resource_version_precondition_is_409(client, kube):
    job = await kube.create(kube.manifest("kept"))
    current = await kube.patch("default", "kept", {"metadata": {"labels": {"v": "2"}}})
    response = await client.delete(kube.url("default", "kept"), json={
        "preconditions": {"resourceVersion": job["metadata"]["resourceVersion"]}})
    await kube.expect(response, 409, "Conflict", (
        f'Operation cannot be fulfilled on Job.batch "kept": the ResourceVersion in the precondition '
        f"({job['metadata']['resourceVersion']}) does not match the ResourceVersion in record "
        f"({current['metadata']['resourceVersion']}). The object might have been modified"))


async def test_delete_with_matching_preconditions_deletes(client, kube):
    job = await kube.create(kube.manifest("gone"))
    response = await client.delete(kube.url("default", "gone"), json={
        "propagationPolicy": "Background",
        "preconditions": {"uid": job["metadata"]["uid"], "resourceVersion": job["metadata"]["resourceVersion"]}})
    assert (await kube.ok(response))["status"] == "Success"


async def test_dry_run_delete_keeps_the_job(client, kube):
    job = await kube.create(kube.manifest("kept"))
    response = await client.delete(kube.url("default", "kept"), params={"propagationPolicy": "Background",
                                                                        "dryRun": "All"})
    assert (await kube.ok(response))["status"] == "Success"
    assert await kube.get("default", "kept") == job


async def test_delete_waits_for_other_finalizers(client, kube):
    body = kube.manifest("held")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    await kube.create(body)
    response = await client.delete(kube.url("default", "held"), params={"propagationPolicy": "Background"})
    marked = await kube.ok(response)
    assert marked["kind"] == "Job" and marked["metadata"]["finalizers"] == ["example.com/hold"]
    assert marked["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    assert (await kube.get("default", "held"))["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
    await kube.patch("default", "held", {"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/hold"]}},
                     "strategic")
    await kube.expect(await client.get(kube.url("default", "held")), 404, "NotFound")


async def test_body_over_the_size_limit_is_413(kube_on):
    kube = await kube_on(max_body_bytes=1024)
    body = kube.manifest("big", labels={f"label-{index}": "x" * 40 for index in range(40)})
    response = await kube.client.post(kube.url("default"), json=body)
    await kube.expect(response, 413, "RequestEntityTooLarge", "Request entity too large: limit is 1024")


# --- list ----------------------------------------------------------------------------------------

async def test_list_per_namespace_and_across_namespaces(kube):
    await kube.create(kube.manifest("b"))
    await kube.create(kube.manifest("a"))
    listed = await kube.list("default")
    assert listed["kind"] == "JobList" and listed["apiVersion"] == "batch/v1"
    assert names(listed) == ["a", "b"]
    assert all("kind" not in item and "apiVersion" not in item for item in listed["items"])
    everywhere = await kube.list(None)
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in everywhere["items"]] == [
        ("default", "a"), ("default", "b"), ("namespace-test", "pi"), ("ns-12130306-s", "jobs-12130306")]
    assert "continue" not in everywhere["metadata"]
    assert rv(everywhere) >= max(rv(item) for item in everywhere["items"])


async def test_list_of_an_empty_or_missing_namespace_is_an_empty_list(kube):
    assert (await kube.list("kube-system"))["items"] == []
    assert (await kube.list("no-such-namespace"))["items"] == []


async def test_list_with_label_selectors(kube):
    await kube.create(kube.manifest("web", labels={"app": "web", "tier": "front"}))
    await kube.create(kube.manifest("db", labels={"app": "db"}))
    await kube.create(kube.manifest("batch", labels={"app": "batch", "tier": "back"}))
    cases = {
        "app=web": ["web"], "app==db": ["db"], "app!=web": ["batch", "db"], "app in (web,db)": ["db", "web"],
        "app notin (web)": ["batch", "db"], "tier": ["batch", "web"], "!tier": ["db"], "app!=db,tier": ["batch", "web"],
    }
    for selector, expected in cases.items():
        assert names(await kube.list("default", labelSelector=selector)) == expected, selector
    assert names(await kube.list(None, labelSelector="job-name=pi")) == ["pi"]


async def test_list_with_a_bad_label_selector_is_400(client, kube):
    response = await client.get(kube.url("default"), params={"labelSelector": "app in ("})
    await kube.expect(response, 400, "BadRequest")


async def test_list_with_field_selectors(kube):
    await kube.create(kube.manifest("done"))
    await kube.patch("default", "done", {"status": {"succeeded": 1}}, suffix="/status")
    await kube.create(kube.manifest("todo"))
    assert names(await kube.list(None, fieldSelector="metadata.name=todo")) == ["todo"]
    assert names(await kube.list(None, fieldSelector="metadata.namespace=namespace-test")) == ["pi"]
    assert names(await kube.list("default", fieldSelector="status.successful=1")) == ["done"]
    assert names(await kube.list("default", fieldSelector="status.successful==0")) == ["todo"]
    assert names(await kube.list("default", fieldSelector="metadata.name!=done")) == ["todo"]
    assert names(await kube.list(None, fieldSelector="metadata.namespace=default,status.successful!=1")) == ["todo"]


async def test_list_with_an_unsupported_field_label_is_400(client, kube):
    response = await client.get(kube.url(None), params={"fieldSelector": "spec.parallelism=1"})
    await kube.expect(response, 400, "BadRequest", 'field label "spec.parallelism" not supported for Job')


async def test_list_pages_through_every_item_exactly_once(kube):
    for index in range(7):
        await kube.create(kube.manifest(f"job-{index}"))
    seen, remaining_counts, token = [], [], None
    while True:
        query = {"limit": "3", **({"continue": token} if token else {})}
        page = await kube.list(None, **query)
        assert len(page["items"]) <= 3
        seen += [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            assert "remainingItemCount" not in page["metadata"]
            break
        remaining_counts.append(page["metadata"]["remainingItemCount"])
    everything = await kube.list(None)
    assert seen == [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in everything["items"]]
    assert len(seen) == len(set(seen)) == 9
    assert remaining_counts == [6, 3]


async def test_list_pages_in_one_namespace(kube):
    for index in range(5):
        await kube.create(kube.manifest(f"job-{index}"))
    first = await kube.list("default", limit="2")
    assert names(first) == ["job-0", "job-1"] and first["metadata"]["remainingItemCount"] == 3
    second = await kube.list("default", limit="2", **{"continue": first["metadata"]["continue"]})
    assert names(second) == ["job-2", "job-3"]
    third = await kube.list("default", limit="2", **{"continue": second["metadata"]["continue"]})
    assert names(third) == ["job-4"] and "continue" not in third["metadata"]


async def test_list_with_a_bad_continue_token_is_400(client, kube):
    response = await client.get(kube.url(None), params={"continue": "not-a-token"})
    body = await kube.expect(response, 400, "BadRequest")
    assert body["message"].startswith("invalid continue token: continue key is not valid: ")


async def test_list_with_a_bad_limit_is_400(client, kube):
    await kube.expect(await client.get(kube.url(None), params={"limit": "many"}), 400, "BadRequest")


@pytest.mark.parametrize(("query", "why"), [
    ({"resourceVersionMatch": "NotOlderThan"}, "unless resourceVersion is provided"),
    ({"resourceVersionMatch": "NotOlderThan", "resourceVersion": "1", "continue": "x"}, "when continue is provided"),
])
async def test_list_with_resource_version_match_misused_is_422(client, kube, query, why):
    response = await client.get(kube.url("default"), params=query)
    await kube.expect(response, 422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: '
                                                f"Forbidden: resourceVersionMatch is forbidden {why}")


async def test_list_accepts_and_ignores_a_resource_version(kube):
    assert names(await kube.list(None, resourceVersion="0", resourceVersionMatch="NotOlderThan")) == [
        "pi", "jobs-12130306"]


# --- watch ---------------------------------------------------------------------------------------

def summary(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"]["name"]) for e in events]


async def test_watch_from_a_resource_version_sees_added_modified_deleted(client, kube):
    start = rv(await kube.list("default"))
    await kube.create(kube.manifest("watched"))
    await kube.patch("default", "watched", {"status": {"active": 1}}, suffix="/status")
    await client.delete(kube.url("default", "watched"), params={"propagationPolicy": "Background"})
    response = await client.get(kube.url("default"), params={"watch": "true", "resourceVersion": str(start)})
    assert response.status == 200 and response.headers["Content-Type"] == "application/json"
    events = await read_events(response, 3)
    response.close()
    assert summary(events) == [("ADDED", "watched"), ("MODIFIED", "watched"), ("DELETED", "watched")]
    assert all(e["object"]["kind"] == "Job" and e["object"]["apiVersion"] == "batch/v1" for e in events)
    assert events[1]["object"]["status"] == {"active": 1}
    versions = [rv(e["object"]) for e in events]
    assert versions == sorted(versions) and versions[0] > start


async def test_watch_streams_live_events_in_order(client, kube):
    start = str(rv(await kube.list(None)))
    response = await client.get(kube.url(None), params={"watch": "1", "resourceVersion": start})
    await kube.create(kube.manifest("live"))
    await kube.patch("default", "live", {"metadata": {"labels": {"x": "y"}}})
    await kube.patch(kube.CCI_NS, kube.CCI_JOB, {"status": {"succeeded": 1}}, suffix="/status")
    events = await read_events(response, 3)
    response.close()
    assert summary(events) == [("ADDED", "live"), ("MODIFIED", "live"), ("MODIFIED", "pi")]


async def test_watch_without_resource_version_starts_with_synthetic_added_events(client, kube):
    await kube.create(kube.manifest("existing"))
    response = await client.get(kube.url(None), params={"watch": "true"})
    initial = await read_events(response, 3)
    await kube.create(kube.manifest("newer"))
    [live] = await read_events(response, 1)
    response.close()
    assert summary(initial) == [("ADDED", "existing"), ("ADDED", "pi"), ("ADDED", "jobs-12130306")]
    assert summary([live]) == [("ADDED", "newer")]


async def test_watch_from_a_too_old_resource_version_is_a_410_error_event(kube_on):
    kube = await kube_on(watch_history=2)
    client = kube.client
    start = rv(await kube.list(None))
    for index in range(3):
        await kube.create(kube.manifest(f"job-{index}"))
    response = await client.get(kube.url("default"), params={"watch": "true", "resourceVersion": str(start)})
    assert response.status == 200
    lines = (await asyncio.wait_for(response.read(), 10)).splitlines()  # the stream ends after the error
    [event] = [json.loads(line) for line in lines]
    assert event["type"] == "ERROR"
    error = event["object"]
    assert {k: error[k] for k in ("kind", "apiVersion", "metadata", "status", "reason", "code")} == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Expired", "code": 410}
    assert error["message"].startswith(f"too old resource version: {start} (")


async def test_watch_within_history_resumes(kube_on):
    kube = await kube_on(watch_history=2)
    client = kube.client
    for index in range(3):
        await kube.create(kube.manifest(f"job-{index}"))
    middle = rv(await kube.get("default", "job-1"))
    response = await client.get(kube.url("default"), params={"watch": "true", "resourceVersion": str(middle)})
    events = await read_events(response, 1)
    response.close()
    assert summary(events) == [("ADDED", "job-2")]


async def test_label_selector_watch_reports_a_job_leaving_the_selector_as_deleted(client, kube):
    await kube.create(kube.manifest("mover", labels={"stage": "one"}))
    start = rv(await kube.list("default"))
    response = await client.get(kube.url("default"), params={
        "watch": "true", "resourceVersion": str(start), "labelSelector": "stage=two"})
    await kube.patch("default", "mover", {"metadata": {"labels": {"stage": "two"}}})
    await kube.patch("default", "mover", {"metadata": {"annotations": {"seen": "yes"}}})
    await kube.patch("default", "mover", {"metadata": {"labels": {"stage": "three"}}})
    events = await read_events(response, 3)
    response.close()
    assert summary(events) == [("ADDED", "mover"), ("MODIFIED", "mover"), ("DELETED", "mover")]
    assert events[2]["object"]["metadata"]["labels"] == {"stage": "three"}


async def test_field_selector_watch_follows_one_job(client, kube):
    response = await client.get(kube.url(None), params={"watch": "true", "fieldSelector": "metadata.name=pi"})
    [initial] = await read_events(response, 1)
    await kube.create(kube.manifest("noise"))
    await kube.patch(kube.CCI_NS, kube.CCI_JOB, {"status": {"failed": 1}}, suffix="/status")
    [event] = await read_events(response, 1)
    response.close()
    assert summary([initial, event]) == [("ADDED", "pi"), ("MODIFIED", "pi")]


# --- concurrency and the wire --------------------------------------------------------------------

async def test_concurrent_patches_never_lose_an_update(kube):
    created = await kube.create(kube.manifest("busy"))
    results = await asyncio.gather(*(
        kube.patch("default", "busy", {"metadata": {"labels": {f"writer-{index}": str(index)}}})
        for index in range(50)))
    labels = (await kube.get("default", "busy"))["metadata"]["labels"]
    assert all(labels[f"writer-{index}"] == str(index) for index in range(50))
    versions = [rv(result) for result in results]
    assert len(set(versions)) == 50 and min(versions) > rv(created)


async def test_pretty_output_is_indented_without_trailing_newline(client, kube):
    raw = await (await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB), params={"pretty": "true"})).text()
    assert raw.startswith('{\n  "kind": "Job",\n  "apiVersion": "batch/v1",\n')
    assert not raw.endswith("\n")
    assert json.loads(raw)["metadata"]["name"] == "pi"


async def test_compact_output_ends_with_a_newline(client, kube):
    raw = await (await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB))).text()
    assert raw.startswith('{"kind":"Job","apiVersion":"batch/v1",') and raw.endswith("}\n")
    assert raw.count("\n") == 1
    raw_false = await (await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB), params={"pretty": "false"})).text()
    assert raw_false == raw


async def test_curl_user_agent_gets_pretty_output(client, kube):
    raw = await (await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB), headers={"User-Agent": "curl/8.5.0"})).text()
    assert raw.startswith('{\n  "kind"')


async def test_pretty_errors_are_indented_too(client, kube):
    response = await client.get(kube.url("default", "nope"), params={"pretty": "true"})
    text = await response.text()
    assert response.status == 404 and text.startswith('{\n  "kind": "Status"')


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/apis/batch/v1/jobs"),  # deletecollection is namespaced only
    ("POST", "/apis/batch/v1/namespaces/default/jobs/pi/status"),
    ("DELETE", "/apis/batch/v1/namespaces/default/jobs/pi/status"),
    ("POST", "/apis/batch/v1/namespaces/default/jobs/pi"),
    ("PUT", "/apis/batch/v1/jobs"),
])
async def test_method_a_route_does_not_allow_is_405(client, kube, method, path):
    response = await client.request(method, path, json={})
    body = await kube.expect(response, 405, "MethodNotAllowed",
                             "the server does not allow this method on the requested resource")
    assert body["details"] == {}


@pytest.mark.parametrize("path", [
    "/apis/batch/v1/foo", "/apis/batch/v2/jobs", "/apis/apps/v1/deployments",
    "/apis/batch/v1/namespaces/default/jobs/pi/logs", "/api/v1/services",
])
async def test_unknown_path_is_a_404_status(client, kube, path):
    response = await client.get(path)
    body = await kube.expect(response, 404, "NotFound", "the server could not find the requested resource")
    assert body["details"] == {}


@pytest.mark.parametrize("headers", [
    {"X-Auth-Token": "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQExDTALBglghkgBZQMEAgEwggLoBgkqhkiG9w0BBwGgg"},
    {"Authorization": "Bearer some-token"},
    {"X-Auth-Token": "t", "Authorization": "Bearer t"},
])
async def test_auth_headers_are_accepted(client, kube, headers):
    read = await client.get(kube.url(kube.CCI_NS, kube.CCI_JOB, "/status"), headers=headers)
    assert read.status == 200
    created = await client.post(kube.url("default"), json=kube.manifest("authed"), headers=headers)
    assert created.status == 201


async def test_responses_are_application_json(client, kube):
    for response in (await client.get(kube.url(None)), await client.get(kube.url("default", "nope"))):
        assert response.headers["Content-Type"] == "application/json"



async def test_default_delete_is_seen_by_a_watch_as_modified_then_deleted(client, kube):
    await kube.create(kube.manifest("orphaned"))
    response = await client.get(kube.url("default"), params={
        "watch": "true", "resourceVersion": str(rv(await kube.list("default")))})
    await client.delete(kube.url("default", "orphaned"))
    events = await read_events(response, 2)
    response.close()
    assert summary(events) == [("MODIFIED", "orphaned"), ("DELETED", "orphaned")]
    assert events[0]["object"]["metadata"]["finalizers"] == ["orphan"]
    assert "finalizers" not in events[1]["object"]["metadata"]


async def test_create_with_mounts_of_volumes_the_pod_lacks_is_422_as_validate_pod_spec_orders_it(client, kube):
    body = kube.manifest("mounts")
    spec = body["spec"]["template"]["spec"]
    spec["volumes"] = [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}},
                       {"name": "Bad", "emptyDir": {}}]
    spec["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"},
                                             {"name": "dta", "mountPath": "/data"}]
    spec["initContainers"] = [{"name": "init", "image": "busybox",
                               "volumeMounts": [{"name": "Bad", "mountPath": "/c"}]}]  # an invalid volume: unknown
    response = await client.post(kube.url("default"), json=body)
    prefix = "spec.template.spec"
    result = await kube.expect(response, 422, "Invalid", (
        f'Job.batch "mounts" is invalid: [{prefix}.volumes[1].name: Duplicate value: "data", '
        f'{prefix}.volumes[2].name: Invalid value: "Bad": a lowercase RFC 1123 label must consist of lower case '
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
        "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), "
        f'{prefix}.containers[0].volumeMounts[1].name: Not found: "dta", '
        f'{prefix}.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique, '
        f'{prefix}.initContainers[0].volumeMounts[0].name: Not found: "Bad"]'))
    assert [c["reason"] for c in result["details"]["causes"]] == [
        "FieldValueDuplicate", "FieldValueInvalid", "FieldValueNotFound", "FieldValueInvalid", "FieldValueNotFound"]
    pod = {"metadata": {"name": "typo"}, "spec": {"volumes": [{"name": "data", "emptyDir": {}}], "containers": [
        {"name": "app", "image": "busybox", "volumeMounts": [{"name": "dat", "mountPath": "/d"}]}]}}
    response = await client.post("/api/v1/namespaces/default/pods", json=pod)
    await kube.expect(response, 422, "Invalid",
                      'Pod "typo" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "dat"')
