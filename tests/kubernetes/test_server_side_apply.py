"""Server-side apply and managedFields, replaying the field-ownership examples of the Kubernetes documentation."""
from __future__ import annotations

import json

import pytest

from emulator.services.kubernetes.apply import from_fields_v1, render_path, to_fields_v1

APPLY = "application/apply-patch+yaml"


def applied(name: str = "ssa", **spec) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "labels": {"app": "a"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "main", "image": "busybox"}]}}, **spec}}


def entries(job: dict) -> dict[tuple[str, str, str], dict]:
    return {(e["manager"], e["operation"], e.get("subresource", "")): e["fieldsV1"]
            for e in job["metadata"].get("managedFields", [])}


async def apply(kube, body: dict, manager: str, code: int = 200, namespace: str = "default", **query: str):
    response = await kube.patch_raw(namespace, body["metadata"]["name"], json.dumps(body), APPLY,
                                    fieldManager=manager, **query)
    assert response.status == code, await response.text()
    return await response.json()


async def test_apply_creates_a_missing_job_with_an_apply_entry(kube):
    job = await apply(kube, applied(parallelism=1), "alice", 201)
    assert job["spec"]["parallelism"] == 1 and job["spec"]["backoffLimit"] == 6  # defaults still apply
    [entry] = job["metadata"]["managedFields"]
    assert {k: entry[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} == {
        "manager": "alice", "operation": "Apply", "apiVersion": "batch/v1", "time": "2026-01-01T00:00:00Z",
        "fieldsType": "FieldsV1"}
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:parallelism": {}, "f:template": {"f:spec": {
            "f:containers": {'k:{"name":"main"}': {".": {}, "f:image": {}, "f:name": {}}},
            "f:restartPolicy": {}}}}}
    assert (await kube.get("default", "ssa"))["metadata"]["managedFields"] == job["metadata"]["managedFields"]


async def test_apply_on_status_never_creates(kube):
    response = await kube.patch_raw("default", "nobody", json.dumps(applied("nobody")), APPLY, suffix="/status",
                                    fieldManager="alice")
    await kube.expect(response, 404, "NotFound")


async def test_a_second_manager_conflicts_and_force_takes_the_field(kube):
    await apply(kube, applied(parallelism=1), "alice", 201)
    response = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=2)), APPLY, fieldManager="bob")
    body = await kube.expect(response, 409, "Conflict",
                             'Apply failed with 1 conflict: conflict with "alice": .spec.parallelism')
    assert body["details"] == {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"',
                                           "field": ".spec.parallelism"}]}
    assert (await kube.get("default", "ssa"))["spec"]["parallelism"] == 1  # nothing stored
    forced = await apply(kube, applied(parallelism=2), "bob", force="true")
    assert forced["spec"]["parallelism"] == 2
    owners = entries(forced)
    assert "f:parallelism" not in owners[("alice", "Apply", "")]["f:spec"]
    assert "f:parallelism" in owners[("bob", "Apply", "")]["f:spec"]


async def test_applying_the_same_value_shares_the_field_and_it_stays_when_one_lets_go(kube):
    await apply(kube, applied(activeDeadlineSeconds=60), "alice", 201)
    shared = await apply(kube, applied(activeDeadlineSeconds=60), "bob")  # same value: no conflict, both own it
    owners = entries(shared)
    assert "f:activeDeadlineSeconds" in owners[("alice", "Apply", "")]["f:spec"]
    assert "f:activeDeadlineSeconds" in owners[("bob", "Apply", "")]["f:spec"]
    left = await apply(kube, applied(), "alice")  # alice stops applying it: bob still owns it, so it stays
    assert left["spec"]["activeDeadlineSeconds"] == 60
    gone = await apply(kube, applied(), "bob")  # nobody applies it any more: removed
    assert "activeDeadlineSeconds" not in gone["spec"]
    assert "f:activeDeadlineSeconds" not in json.dumps(gone["metadata"].get("managedFields"))


async def test_a_field_dropped_from_the_config_is_removed(kube):
    await apply(kube, applied(activeDeadlineSeconds=100), "alice", 201)
    job = await apply(kube, applied(), "alice")
    assert "activeDeadlineSeconds" not in job["spec"]


async def test_updates_take_fields_without_conflict_and_then_conflict_with_apply(kube):
    await apply(kube, applied(parallelism=1), "alice", 201)
    patched = await kube.patch("default", "ssa", {"spec": {"parallelism": 3}}, fieldManager="scaler")
    owners = entries(patched)
    assert owners[("scaler", "Update", "")] == {"f:spec": {"f:parallelism": {}}}
    assert "f:parallelism" not in owners[("alice", "Apply", "")]["f:spec"]
    response = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=1)), APPLY, fieldManager="alice")
    await kube.expect(response, 409, "Conflict",
                      'Apply failed with 1 conflict: conflict with "scaler" using batch/v1: .spec.parallelism')


async def test_map_keys_and_set_items_are_owned_one_by_one(kube):
    first = applied()
    first["metadata"] |= {"labels": {"a": "1"}, "finalizers": ["example.com/a"]}
    await apply(kube, first, "alice", 201)
    second = applied()
    second["metadata"] |= {"labels": {"b": "2"}, "finalizers": ["example.com/b"]}
    job = await apply(kube, second, "bob")  # other keys and items of the same map and set: merged, no conflict
    assert job["metadata"]["labels"] == {"a": "1", "b": "2"}
    assert job["metadata"]["finalizers"] == ["example.com/a", "example.com/b"]
    assert entries(job)[("bob", "Apply", "")]["f:metadata"] == {
        "f:finalizers": {'v:"example.com/b"': {}}, "f:labels": {"f:b": {}}}
    dropped = applied()
    dropped["metadata"] |= {"labels": {}, "finalizers": []}
    job = await apply(kube, dropped, "alice")  # alice lets go of hers: removed, bob's stay
    assert job["metadata"]["labels"] == {"b": "2"} and job["metadata"]["finalizers"] == ["example.com/b"]


async def test_every_write_records_its_manager(client, kube):
    created = await kube.create(kube.manifest("tracked"), namespace="default")
    [entry] = created["metadata"]["managedFields"]
    assert entry["manager"] == "Python" and entry["operation"] == "Update"  # aiohttp's User-Agent up to "/"
    named = await kube.ok(await client.post(kube.url("default"), json=kube.manifest("named"),
                                            params={"fieldManager": "tool"}), 201)
    assert named["metadata"]["managedFields"][0]["manager"] == "tool"
    status = await kube.patch("default", "named", {"status": {"active": 1, "startTime": "2026-01-01T00:00:00Z"}},
                              suffix="/status", fieldManager="runner")
    assert entries(status)[("runner", "Update", "status")] == {"f:status": {"f:active": {}, "f:startTime": {}}}
    again = await kube.patch("default", "named", {"status": {"active": 1}}, suffix="/status", fieldManager="runner")
    assert again["metadata"]["resourceVersion"] == status["metadata"]["resourceVersion"]  # a no-op stays one


async def test_the_controller_writes_status_as_kube_controller_manager(kube_on):
    kube = await kube_on(job_duration=1)
    await kube.create(kube.manifest("run"))
    await kube.client.post("/_emulator/clock", json={"advance_seconds": 2})
    job = await kube.get("default", "run")
    assert ("kube-controller-manager", "Update", "status") in entries(job)


@pytest.mark.parametrize(("body", "message"), [
    ({"apiVersion": "v1", "kind": "Job", "metadata": {"name": "ssa"}}, "invalid object type: v1, Kind=Job"),
    ({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "other"}},
     "the name of the object (other) does not match the name on the URL (ssa)"),
    ({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "ssa", "managedFields": []}},
     "metadata.managedFields must be nil")])
async def test_bad_apply_bodies(kube, body, message):
    response = await kube.patch_raw("default", "ssa", json.dumps(body), APPLY, fieldManager="alice")
    await kube.expect(response, 400, "BadRequest", message)


def test_fields_v1_round_trip_and_path_rendering():
    tree = {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"main"}': {".": {}, "f:image": {}}}}}}, "f:metadata": {"f:finalizers": {'v:"x"': {}}}}
    paths = from_fields_v1(tree)
    assert to_fields_v1(paths) == {"f:metadata": tree["f:metadata"], "f:spec": tree["f:spec"]}
    assert render_path(("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"main"}', "f:image")) == \
        '.spec.template.spec.containers[name="main"].image'
    assert render_path(("f:ports", 'k:{"containerPort":8080,"protocol":"TCP"}')) == \
        '.ports[containerPort=8080,protocol="TCP"]'
    assert render_path(("f:metadata", "f:finalizers", 'v:"x"')) == '.metadata.finalizers[="x"]'


async def test_a_created_namespace_records_its_manager(client, kube):
    response = await client.post("/api/v1/namespaces", json={"metadata": {"name": "mine", "labels": {"a": "b"}}},
                                 params={"fieldManager": "kubectl-create"})
    [entry] = (await kube.ok(response, 201))["metadata"]["managedFields"]
    assert entry["manager"] == "kubectl-create" and entry["apiVersion"] == "v1"
    assert entry["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:a": {}, "f:kubernetes.io/metadata.name": {}}}}
    seeded = await kube.ok(await client.get("/api/v1/namespaces/namespace-test"))
    assert "managedFields" not in seeded["metadata"]  # fixtures are stored as before tracking


NAMESPACES = "/api/v1/namespaces"


def applied_namespace(name: str = "team", **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


async def apply_namespace(client, body: dict, manager: str, code: int = 200, **query: str) -> dict:
    response = await client.patch(f"{NAMESPACES}/{body['metadata']['name']}", data=json.dumps(body),
                                  headers={"Content-Type": APPLY}, params={"fieldManager": manager, **query})
    assert response.status == code, await response.text()
    return await response.json()


async def test_apply_creates_a_namespace_then_owns_its_labels_beside_an_update_manager(client, kube):
    created = await apply_namespace(client, applied_namespace(env="dev"), "alice", 201)
    assert created["status"] == {"phase": "Active"} and created["spec"] == {"finalizers": ["kubernetes"]}
    assert created["metadata"]["labels"] == {"env": "dev", "kubernetes.io/metadata.name": "team"}
    assert entries(created) == {("alice", "Apply", ""): {"f:metadata": {"f:labels": {"f:env": {}}}}}
    labelled = await kube.ok(await client.patch(
        f"{NAMESPACES}/team", json={"metadata": {"labels": {"owner": "ops"}, "annotations": {"n": "1"}}},
        headers={"Content-Type": "application/merge-patch+json"}, params={"fieldManager": "kubectl-label"}))
    assert labelled["metadata"]["labels"] == {"env": "dev", "owner": "ops", "kubernetes.io/metadata.name": "team"}
    assert entries(labelled)[("kubectl-label", "Update", "")] == {
        "f:metadata": {"f:annotations": {".": {}, "f:n": {}}, "f:labels": {"f:owner": {}}}}
    again = await apply_namespace(client, applied_namespace(env="dev"), "alice")  # unchanged: a no-op
    assert again["metadata"]["resourceVersion"] == labelled["metadata"]["resourceVersion"]
    response = await client.patch(f"{NAMESPACES}/team", data=json.dumps(applied_namespace(env="dev", owner="me")),
                                  headers={"Content-Type": APPLY}, params={"fieldManager": "alice"})
    await kube.expect(response, 409, "Conflict", 'Apply failed with 1 conflict: conflict with "kubectl-label" '
                                                 'using v1: .metadata.labels.owner')
    forced = await apply_namespace(client, applied_namespace(env="dev", owner="me"), "alice", force="true")
    assert forced["metadata"]["labels"]["owner"] == "me"
    assert entries(forced)[("kubectl-label", "Update", "")] == {"f:metadata": {"f:annotations": {".": {}, "f:n": {}}}}
    dropped = await apply_namespace(client, applied_namespace(owner="me"), "alice")  # env let go of: removed
    assert dropped["metadata"]["labels"] == {"owner": "me", "kubernetes.io/metadata.name": "team"}


async def test_namespace_updates_keep_spec_status_and_the_name_label(client, kube):
    await kube.create_namespace("kept")
    stored = await kube.ok(await client.get(f"{NAMESPACES}/kept"))
    body = {**stored, "metadata": {**stored["metadata"], "labels": {"a": "b"}, "finalizers": ["example.com/x"]},
            "spec": {"finalizers": []}, "status": {"phase": "Terminating"}}
    replaced = await kube.ok(await client.put(f"{NAMESPACES}/kept", json=body, params={"fieldManager": "editor"}))
    assert replaced["metadata"]["labels"] == {"a": "b", "kubernetes.io/metadata.name": "kept"}
    assert replaced["metadata"]["finalizers"] == ["example.com/x"]
    assert replaced["spec"] == {"finalizers": ["kubernetes"]} and replaced["status"] == {"phase": "Active"}
    stale = await client.put(f"{NAMESPACES}/kept", json=body)
    await kube.expect(stale, 409, "Conflict", 'Operation cannot be fulfilled on namespaces "kept": the object has '
                                              'been modified; please apply your changes to the latest version and '
                                              'try again')
    json_patch = [{"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}]
    patched = await kube.ok(await client.patch(f"{NAMESPACES}/kept", json=json_patch,
                                               headers={"Content-Type": "application/json-patch+json"}))
    assert patched["metadata"]["annotations"] == {"x": "y"}
    strategic = await kube.ok(await client.patch(f"{NAMESPACES}/kept", json={"metadata": {"finalizers": ["b/y"]}},
                                                 headers={"Content-Type": "application/strategic-merge-patch+json"}))
    assert strategic["metadata"]["finalizers"] == ["example.com/x", "b/y"]  # a set, merged
    renamed = await client.patch(f"{NAMESPACES}/kept", json={"metadata": {"name": "other"}},
                                 headers={"Content-Type": "application/merge-patch+json"})
    await kube.expect(renamed, 400, "BadRequest", "the name of the object (other) does not match the name on the "
                                                  "URL (kept)")
    bad = await client.patch(f"{NAMESPACES}/kept", json={"metadata": {"labels": {"a": "-"}}},
                             headers={"Content-Type": "application/merge-patch+json"})
    assert (await kube.expect(bad, 422, "Invalid"))["details"]["kind"] == "Namespace"
    missing = await client.patch(f"{NAMESPACES}/nowhere", json={},
                                 headers={"Content-Type": "application/merge-patch+json"})
    await kube.expect(missing, 404, "NotFound", 'namespaces "nowhere" not found')


async def test_transferring_ownership_to_a_controller_as_the_documentation_shows(client, kube):
    """The documented hand-over of `replicas` to the HPA, with a Job's parallelism: a private manager applies
    only that field (sharing it), the user drops it from their configuration (it stays), and once the
    controller writes it the private manager owns nothing and its entry is gone."""
    await apply(kube, applied(parallelism=3), "kubectl", 201)
    only = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "ssa"}, "spec": {"parallelism": 3}}
    shared = await apply(kube, only, "handover-to-hpa")
    assert "f:parallelism" in entries(shared)[("kubectl", "Apply", "")]["f:spec"]
    assert entries(shared)[("handover-to-hpa", "Apply", "")] == {"f:spec": {"f:parallelism": {}}}
    dropped = await apply(kube, applied(), "kubectl")  # the user lets go: the field stays, not reset
    assert dropped["spec"]["parallelism"] == 3
    assert "f:parallelism" not in entries(dropped)[("kubectl", "Apply", "")]["f:spec"]
    scaled = await kube.patch("default", "ssa", {"spec": {"parallelism": 5}}, fieldManager="hpa-controller")
    owners = entries(scaled)
    assert owners[("hpa-controller", "Update", "")] == {"f:spec": {"f:parallelism": {}}}
    assert ("handover-to-hpa", "Apply", "") not in owners  # it owns nothing any more: removed, no clean-up needed
    again = await apply(kube, applied(), "kubectl")  # the user's next apply no longer fights the controller
    assert again["spec"]["parallelism"] == 5


async def test_a_conflict_resolved_by_giving_up_or_by_sharing_the_value(client, kube):
    """The documented three ways out of a conflict; forcing is shown above, here the other two."""
    await apply(kube, applied(parallelism=1), "alice", 201)
    response = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=2)), APPLY, fieldManager="bob")
    await kube.expect(response, 409, "Conflict")
    gave_up = await apply(kube, applied(), "bob")  # bob drops the field: unchanged, alice's alone
    assert gave_up["spec"]["parallelism"] == 1
    assert "f:parallelism" not in json.dumps(entries(gave_up)[("bob", "Apply", "")])
    shared = await apply(kube, applied(parallelism=1), "bob")  # bob takes the server's value: both own it
    assert all("f:parallelism" in entries(shared)[(who, "Apply", "")]["f:spec"] for who in ("alice", "bob"))
    response = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=4)), APPLY, fieldManager="bob")
    body = await kube.expect(response, 409, "Conflict", 'Apply failed with 1 conflict: conflict with "alice": '
                                                        '.spec.parallelism')
    assert [cause["field"] for cause in body["details"]["causes"]] == [".spec.parallelism"]


async def test_clearing_managed_fields_as_the_documentation_shows(client, kube):
    """`[{}]` through a merge or JSON patch strips managedFields; `[]` leaves them, so unaware clients never strip."""
    await apply(kube, applied(parallelism=1), "alice", 201)
    kept = await kube.patch("default", "ssa", {"metadata": {"managedFields": []}}, fieldManager="tool")
    assert [e["manager"] for e in kept["metadata"]["managedFields"]] == ["alice"]
    stripped = await kube.patch("default", "ssa", {"metadata": {"managedFields": [{}]}}, fieldManager="tool")
    assert "managedFields" not in stripped["metadata"]
    await apply(kube, applied(parallelism=1), "alice")
    operations = [{"op": "replace", "path": "/metadata/managedFields", "value": [{}]},
                  {"op": "replace", "path": "/spec/parallelism", "value": 2}]
    reset = await kube.patch("default", "ssa", operations, "json", fieldManager="tool")
    assert entries(reset) == {("tool", "Update", ""): {"f:spec": {"f:parallelism": {}}}}  # reset, then the change


async def test_kubectl_takes_over_client_side_apply_fields_named_in_the_last_applied_annotation(client, kube):
    """The apiserver lets the manager `kubectl` take, without a conflict, the fields the last-applied annotation
    still gives their live values, and keeps that annotation up to date; other managers and fields conflict."""
    last = applied(parallelism=1)
    csa = {**last, "metadata": {**last["metadata"], "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(last)}}}
    response = await client.post(kube.url("default"), json=csa, params={"fieldManager": "kubectl-client-side-apply"})
    await kube.ok(response, 201)
    await kube.patch("default", "ssa", {"spec": {"activeDeadlineSeconds": 9}}, fieldManager="kubectl-edit")
    other = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=2)), APPLY, fieldManager="someone")
    await kube.expect(other, 409, "Conflict")  # only kubectl's apply takes client-side apply's fields
    edited = await kube.patch_raw("default", "ssa", json.dumps(applied(parallelism=2, activeDeadlineSeconds=5)), APPLY,
                                  fieldManager="kubectl")
    await kube.expect(edited, 409, "Conflict", 'Apply failed with 1 conflict: conflict with "kubectl-edit" using '
                                               'batch/v1: .spec.activeDeadlineSeconds')  # not in the annotation
    taken = await apply(kube, applied(parallelism=2), "kubectl")
    assert taken["spec"]["parallelism"] == 2
    assert "f:parallelism" in entries(taken)[("kubectl", "Apply", "")]["f:spec"]
    annotation = taken["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(annotation) == applied(parallelism=2) and ", " not in annotation  # Go's compact, sorted JSON
    assert list(json.loads(annotation)) == sorted(json.loads(annotation))


PODS = "/api/v1/namespaces/default/pods"


def applied_pod(name: str = "web", image: str = "busybox:1.36", **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"containers": [{"name": "main", "image": image}]}}


async def apply_pod(client, body: dict, manager: str, code: int = 200, **query: str) -> dict:
    response = await client.patch(f"{PODS}/{body['metadata']['name']}", data=json.dumps(body),
                                  headers={"Content-Type": APPLY}, params={"fieldManager": manager, **query})
    assert response.status == code, await response.text()
    return await response.json()


async def test_a_posted_pod_is_owned_by_its_writer_without_what_admission_adds(client, kube):
    body = {"metadata": {"name": "posted"}, "spec": {"containers": [{"name": "main", "image": "busybox"}]}}
    pod = await kube.ok(await client.post(PODS, json=body, params={"fieldManager": "kubectl-run"}), 201)
    assert pod["spec"]["serviceAccountName"] == "default" and pod["spec"]["tolerations"]  # admission's
    [entry] = pod["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl-run", "Update", "v1")
    spec = entry["fieldsV1"]["f:spec"]
    assert set(spec) == {"f:containers", "f:dnsPolicy", "f:enableServiceLinks", "f:restartPolicy", "f:schedulerName",
                         "f:securityContext", "f:terminationGracePeriodSeconds"}
    assert spec["f:containers"]['k:{"name":"main"}'] == {
        ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
        "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}
    assert "f:status" not in entry["fieldsV1"]


async def test_a_job_pod_records_the_controller_and_the_kubelet(client, kube):
    await kube.create({**kube.manifest("tracked"), "metadata": {"name": "tracked"}})
    await client.post("/_emulator/clock", json={"advance_seconds": 2})
    [pod] = (await kube.ok(await client.get(PODS, params={"labelSelector": "job-name=tracked"})))["items"]
    owners = entries(pod)
    created = owners[("kube-controller-manager", "Update", "")]
    assert set(created["f:metadata"]) == {"f:finalizers", "f:generateName", "f:labels", "f:ownerReferences"}
    assert "f:nodeName" not in created["f:spec"] and "f:serviceAccountName" not in created["f:spec"]
    status = owners[("kubelet", "Update", "status")]["f:status"]
    assert {"f:phase", "f:conditions", "f:containerStatuses", "f:hostIP", "f:startTime"} <= set(status)
    assert 'k:{"type":"Ready"}' in status["f:conditions"]


async def test_server_side_apply_of_a_pod_creates_updates_conflicts_and_forbids_spec_changes(client, kube):
    created = await apply_pod(client, applied_pod(), "alice", 201)
    assert created["status"]["phase"] == "Pending" and created["spec"]["restartPolicy"] == "Always"
    assert entries(created)[("alice", "Apply", "")]["f:spec"] == {
        "f:containers": {'k:{"name":"main"}': {".": {}, "f:image": {}, "f:name": {}}}}
    newer = await apply_pod(client, applied_pod(image="busybox:1.37", tier="a", app="web"), "alice")
    assert newer["spec"]["containers"][0]["image"] == "busybox:1.37" and newer["metadata"]["labels"]["tier"] == "a"
    strategic = await kube.ok(await client.patch(f"{PODS}/web", json={
        "metadata": {"labels": {"tier": "b"}}, "spec": {"containers": [{"name": "main", "image": "busybox:1.38"}]}},
        headers={"Content-Type": "application/strategic-merge-patch+json"}, params={"fieldManager": "kubectl-edit"}))
    assert strategic["spec"]["containers"][0]["image"] == "busybox:1.38"  # merged by name: the rest kept
    assert strategic["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    response = await client.patch(f"{PODS}/web", data=json.dumps(applied_pod(image="busybox:1.37", tier="a",
                                                                             app="web")),
                                  headers={"Content-Type": APPLY}, params={"fieldManager": "alice"})
    body = await kube.expect(response, 409, "Conflict")
    assert body["message"] == ('Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1:\n'
                               '- .metadata.labels.tier\n- .spec.containers[name="main"].image')
    forced = await apply_pod(client, applied_pod(image="busybox:1.37", tier="a", app="web"), "alice", force="true")
    assert forced["metadata"]["labels"]["tier"] == "a" and ("kubectl-edit", "Update", "") not in entries(forced)
    changed = applied_pod(image="busybox:1.37", tier="a", app="web")
    changed["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    response = await client.patch(f"{PODS}/web", data=json.dumps(changed), headers={"Content-Type": APPLY},
                                  params={"fieldManager": "alice"})
    body = await kube.expect(response, 422, "Invalid")
    assert body["message"].startswith('Pod "web" is invalid: spec: Forbidden: pod updates may not change fields '
                                      'other than `spec.containers[*].image`')
    assert body["details"]["causes"][0] == {"reason": "FieldValueForbidden", "field": "spec",
                                            "message": body["message"].split("spec: ", 1)[1]}
    status = await kube.ok(await client.patch(f"{PODS}/web", json={"status": {"phase": "Failed"}},
                                              headers={"Content-Type": "application/merge-patch+json"}))
    assert status["status"]["phase"] == "Pending"  # the main resource never writes status


async def test_an_entry_is_stamped_each_time_its_manager_changes_the_object(client, kube):
    await kube.create(kube.manifest("stamped"))
    times = []
    for value in ("1", "2", "2"):  # a first change, a change of a field it owns already, a no-op
        await client.post("/_emulator/clock", json={"advance_seconds": 60})
        job = await kube.patch("default", "stamped", {"metadata": {"labels": {"a": value}}}, fieldManager="tool")
        [entry] = [e for e in job["metadata"]["managedFields"] if e["manager"] == "tool"]
        times.append(entry["time"])
    assert times == ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:02:00Z"]


async def test_an_apply_entry_is_stamped_when_the_apply_changes_the_object(client, kube):
    times = []
    for parallelism in (1, 2, 2):  # a create, a new value of the same field, the same configuration again
        await client.post("/_emulator/clock", json={"advance_seconds": 60})
        job = await apply(kube, applied(parallelism=parallelism), "alice", 201 if not times else 200)
        times.append(job["metadata"]["managedFields"][0]["time"])
    assert times == ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:02:00Z"]


async def test_events_record_the_process_that_wrote_them(client, kube):
    await kube.create(kube.manifest("noted"))
    await client.post("/_emulator/clock", json={"advance_seconds": 2})
    events = (await kube.ok(await client.get("/api/v1/namespaces/default/events")))["items"]
    by_reason = {e["reason"]: e["metadata"]["managedFields"] for e in events}
    [created] = by_reason["SuccessfulCreate"]
    assert (created["manager"], created["operation"], created["apiVersion"]) == ("kube-controller-manager", "Update",
                                                                               "v1")
    assert created["fieldsV1"]["f:involvedObject"] == {} and created["fieldsV1"]["f:source"] == {"f:component": {}}
    assert {"f:count", "f:firstTimestamp", "f:lastTimestamp", "f:message", "f:reason", "f:type"} <= set(
        created["fieldsV1"])
    assert by_reason["Started"][0]["manager"] == "kubelet" and by_reason["Scheduled"][0]["manager"] == "kube-scheduler"
    name = next(e["metadata"]["name"] for e in events if e["reason"] == "SuccessfulCreate")
    v1 = await kube.ok(await client.get(f"/apis/events.k8s.io/v1/namespaces/default/events/{name}"))
    assert v1["metadata"]["managedFields"] == [created]  # entries keep the version they were written in


async def test_a_pod_replaced_with_put_changes_its_image_and_labels_only(client, kube):
    await apply_pod(client, applied_pod("put"), "alice", 201)
    stored = await kube.ok(await client.get(f"{PODS}/put"))
    body = {**stored, "metadata": {**stored["metadata"], "labels": {"app": "put", "x": "y"}}}
    body["spec"] = {**stored["spec"], "containers": [{**stored["spec"]["containers"][0], "image": "busybox:2"}]}
    replaced = await kube.ok(await client.put(f"{PODS}/put", json=body, params={"fieldManager": "editor"}))
    assert replaced["spec"]["containers"][0]["image"] == "busybox:2" and replaced["metadata"]["labels"]["x"] == "y"
    assert entries(replaced)[("editor", "Update", "")] == {"f:metadata": {"f:labels": {"f:x": {}}}, "f:spec": {
        "f:containers": {'k:{"name":"main"}': {"f:image": {}}}}}
    stale = await client.put(f"{PODS}/put", json=body)
    await kube.expect(stale, 409, "Conflict", 'Operation cannot be fulfilled on pods "put": the object has been '
                                              'modified; please apply your changes to the latest version and try again')
    body = {**replaced, "spec": {**replaced["spec"], "restartPolicy": "Never"}}
    refused = await client.put(f"{PODS}/put", json=body)
    assert "pod updates may not change fields other than" in (await kube.expect(refused, 422, "Invalid"))["message"]
    other = await client.put(f"{PODS}/put", json={**replaced, "metadata": {**replaced["metadata"], "uid": "x"}})
    assert "Precondition failed: UID in precondition: x" in (await kube.expect(other, 409, "Conflict"))["message"]
