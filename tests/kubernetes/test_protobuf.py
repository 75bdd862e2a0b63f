"""Protobuf bodies: every stored field survives JSON -> protobuf -> JSON, protobuf requests, lists, errors, watches."""
from __future__ import annotations

import json
import struct

from emulator.services.kubernetes import protobuf_messages, schema
from emulator.services.kubernetes.protobuf import MAGIC, codec

PROTOBUF = "application/vnd.kubernetes.protobuf"
TYPED_CLIENT = "application/vnd.kubernetes.protobuf,application/json"  # what client-go's typed clients send

RICH_POD_SPEC = {
    "volumes": [
        {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
        {"name": "conf", "configMap": {"name": "app-config", "items": [{"key": "a", "path": "a.txt", "mode": 420}],
                                       "defaultMode": 420, "optional": False}},
        {"name": "secret", "secret": {"secretName": "s", "defaultMode": 256}},
        {"name": "host", "hostPath": {"path": "/data", "type": "Directory"}},
        {"name": "claim", "persistentVolumeClaim": {"claimName": "c", "readOnly": True}},
        {"name": "proj", "projected": {"sources": [
            {"serviceAccountToken": {"audience": "api", "expirationSeconds": 3600, "path": "token"}},
            {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "metadata.labels"}}]}}]}},
    ],
    "initContainers": [{"name": "init", "image": "busybox", "command": ["true"]}],
    "containers": [{
        "name": "main", "image": "busybox:1.36", "command": ["sh", "-c"], "args": ["echo hi"], "workingDir": "/w",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostPort": 80, "hostIP": "0.0.0.0"}],
        "envFrom": [{"prefix": "P_", "configMapRef": {"name": "cm", "optional": True}}, {"secretRef": {"name": "s"}}],
        "env": [{"name": "A", "value": "1"},
                {"name": "B", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": False}}},
                {"name": "D", "valueFrom": {"resourceFieldRef": {"containerName": "main", "resource": "limits.cpu",
                                                                  "divisor": "1m"}}}],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}},
        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch", "readOnly": True, "subPath": "x"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP",
                                      "httpHeaders": [{"name": "X", "value": "1"}]},
                          "initialDelaySeconds": 3, "periodSeconds": 10, "failureThreshold": 3},
        "readinessProbe": {"tcpSocket": {"port": "http"}, "timeoutSeconds": 1},
        "startupProbe": {"exec": {"command": ["true"]}, "successThreshold": 1},
        "lifecycle": {"preStop": {"sleep": {"seconds": 5}}, "postStart": {"exec": {"command": ["true"]}}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {"runAsUser": 1000, "runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "stdin": True, "tty": True,
    }],
    "restartPolicy": "Never", "terminationGracePeriodSeconds": 30, "activeDeadlineSeconds": 600,
    "dnsPolicy": "ClusterFirst", "nodeSelector": {"disk": "ssd", "arch": "amd64"}, "serviceAccountName": "runner",
    "automountServiceAccountToken": False, "hostNetwork": True,
    "securityContext": {"fsGroup": 2000, "supplementalGroups": [1, 2], "sysctls": [{"name": "a.b", "value": "1"}]},
    "imagePullSecrets": [{"name": "registry"}], "hostname": "h", "subdomain": "s",
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10, "podAffinityTerm": {
            "labelSelector": {"matchLabels": {"app": "x"}}, "topologyKey": "kubernetes.io/hostname"}}]}},
    "schedulerName": "default-scheduler",
    "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute", "tolerationSeconds": 60}],
    "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a.local"]}], "priorityClassName": "high", "priority": 0,
    "dnsConfig": {"nameservers": ["1.1.1.1"], "options": [{"name": "ndots", "value": "2"}]},
    "readinessGates": [{"conditionType": "Ready2"}], "enableServiceLinks": False, "preemptionPolicy": "Never",
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                   "labelSelector": {"matchLabels": {"app": "x"}}}],
    "os": {"name": "linux"}, "schedulingGates": [{"name": "wait"}], "overhead": {"cpu": "10m"},
}


def rich_job(name: str = "rich") -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": name, "labels": {"app": "x", "b": "2"}, "annotations": {"note": "every field"},
        "finalizers": ["example.com/keep"],
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                             "uid": "5f2a1c3e-0000-4000-8000-000000000001", "controller": False}]},
        "spec": {"parallelism": 2, "completions": 4, "activeDeadlineSeconds": 3600, "backoffLimit": 0,
                 "completionMode": "Indexed", "backoffLimitPerIndex": 1, "maxFailedIndexes": 2,
                 "ttlSecondsAfterFinished": 100, "suspend": True, "podReplacementPolicy": "Failed",
                 "podFailurePolicy": {"rules": [
                     {"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In",
                                                           "values": [42]}},
                     {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
                 "successPolicy": {"rules": [{"succeededIndexes": "0-1", "succeededCount": 1}]},
                 "template": {"metadata": {"labels": {"app": "x"}, "annotations": {"a": "b"}},
                              "spec": RICH_POD_SPEC}}}


def test_every_field_the_schema_stores_has_a_message_field():
    declared = protobuf_messages.FIELDS

    def names(message: str) -> set[str]:
        found = set()
        for json_name, mark, _, kind in declared[message]:
            found |= names(kind) if mark == "*" else {json_name}
        return found

    missing, seen = [], set()

    def message(kind: schema.Struct) -> str:  # events.k8s.io/v1's messages are declared with a prefix
        return "EventsV1" + kind.name if kind.package == schema.EVENTS else kind.name

    def walk(kind) -> None:
        if isinstance(kind, schema.Struct) and message(kind) not in seen:
            seen.add(message(kind))
            absent = set(kind.fields) - {"kind", "apiVersion"} - (names(message(kind)) if message(kind) in declared
                                                                  else {"<no message>"})
            missing.extend(f"{message(kind)}.{field}" for field in sorted(absent))
            for sub in kind.fields.values():
                walk(sub)
        elif isinstance(kind, schema.List):
            walk(kind.item)
        elif isinstance(kind, schema.Map):
            walk(kind.value)

    for kind in (schema.JOB_LIST, schema.NAMESPACE_LIST, schema.POD_LIST, schema.EVENT_LIST,
                 schema.EVENTS_V1_EVENT_LIST):
        walk(kind)
    assert not missing


def test_the_envelope_is_the_apiservers():
    data = codec().encode({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}})
    assert data.startswith(MAGIC + b"\x0a\x0f\x0a\x08batch/v1\x12\x03Job\x12") and data.endswith(b"\x1a\x00\x22\x00")


async def _get_both(client, url: str) -> tuple[dict, dict, str]:
    plain = await client.get(url)
    assert plain.status == 200, await plain.text()
    binary = await client.get(url, headers={"Accept": TYPED_CLIENT})
    assert binary.status == 200
    data = await binary.read()
    body = await plain.json()
    return body, codec().decode(data, body["apiVersion"], body["kind"]), binary.content_type


async def test_every_stored_field_of_a_job_survives_protobuf(client, kube):
    await kube.create(rich_job())
    await kube.patch("default", "rich", {"status": {
        "startTime": "2026-01-01T00:00:00Z", "active": 1, "succeeded": 2, "failed": 1, "ready": 0, "terminating": 0,
        "completedIndexes": "0-1", "failedIndexes": "3",
        "uncountedTerminatedPods": {"succeeded": ["a-uid"], "failed": ["b-uid"]},
        "conditions": [{"type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "m",
                        "lastProbeTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}},
        suffix="/status")
    as_json, as_protobuf, content_type = await _get_both(client, kube.url("default", "rich"))
    assert content_type == PROTOBUF
    assert as_protobuf == as_json
    listed_json, listed_protobuf, _ = await _get_both(client, kube.url("default"))
    assert listed_protobuf == listed_json and len(listed_json["items"]) == 1


async def test_the_seeded_jobs_and_namespaces_survive_protobuf(client, kube):
    for url in ("/apis/batch/v1/jobs", "/api/v1/namespaces", "/api/v1/namespaces/default",
                kube.url(kube.CCE_NS, kube.CCE_JOB)):
        as_json, as_protobuf, _ = await _get_both(client, url)
        assert as_protobuf == as_json


async def test_a_protobuf_create_stores_what_the_json_create_stores(client, kube):
    from_json = await kube.create(rich_job("from-json"))
    response = await client.post(kube.url("default"), data=codec().encode(rich_job("from-pb")),
                                 headers={"Content-Type": PROTOBUF, "Accept": TYPED_CLIENT})
    assert response.status == 201 and response.content_type == PROTOBUF
    answered = codec().decode(await response.read(), "batch/v1", "Job")
    stored = await kube.get("default", "from-pb")
    assert answered == stored

    def comparable(job: dict) -> dict:
        meta = {k: v for k, v in job["metadata"].items() if k not in ("name", "uid", "resourceVersion", "selfLink")}
        labels = {k: v for k, v in meta.get("labels", {}).items() if "uid" not in k and "job-name" not in k}
        text = json.dumps(job["spec"]).replace(job["metadata"]["uid"], "UID").replace(job["metadata"]["name"], "NAME")
        return {**meta, "labels": labels, "spec": json.loads(text)}

    assert comparable(stored) == comparable(from_json)


async def test_namespaces_and_delete_options_in_protobuf(client, kube):
    body = codec().encode({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "pb", "labels": {"a": "b"}}})
    response = await client.post("/api/v1/namespaces", data=body, headers={"Content-Type": PROTOBUF})
    created = await kube.ok(response, 201)  # no protobuf Accept: the answer is JSON
    assert created["metadata"]["labels"] == {"a": "b", "kubernetes.io/metadata.name": "pb"}
    await kube.create(kube.manifest("gone"))
    options = codec().encode({"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"})
    deleted = await client.delete(kube.url("default", "gone"), data=options, headers={"Content-Type": PROTOBUF})
    assert (await kube.ok(deleted))["status"] == "Success"


async def test_errors_answer_in_protobuf_when_asked(client, kube):
    response = await client.get(kube.url("default", "missing"), headers={"Accept": TYPED_CLIENT})
    assert response.status == 404 and response.content_type == PROTOBUF
    status = codec().decode(await response.read(), "v1", "Status")
    assert status["kind"] == "Status" and status["code"] == 404 and status["reason"] == "NotFound"
    assert status["details"] == {"name": "missing", "group": "batch", "kind": "jobs"}


async def test_a_body_without_the_magic_is_refused(client, kube):
    response = await client.post(kube.url("default"), data=b"\x0a\x00", headers={"Content-Type": PROTOBUF})
    body = await kube.expect(response, 400, "BadRequest")
    assert "expected prefix [107 56 115 0]" in body["message"]
    wrong = codec().encode({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    await kube.expect(await client.post(kube.url("default"), data=wrong, headers={"Content-Type": PROTOBUF}),
                      400, "BadRequest")


async def test_a_protobuf_watch_sends_length_prefixed_events(client, kube):
    response = await client.get(kube.url("namespace-test"), params={"watch": "1", "timeoutSeconds": "1"},
                                headers={"Accept": PROTOBUF})
    assert response.headers["Content-Type"] == PROTOBUF + ";stream=watch"
    data, events = await response.read(), []
    while data:
        (length,) = struct.unpack(">I", data[:4])
        event = codec().classes["WatchEvent"].FromString(data[4:4 + length])
        events.append((event.type, codec().decode(event.object.raw, "batch/v1", "Job")["metadata"]["name"]))
        data = data[4 + length:]
    assert events == [("ADDED", "pi")]


async def test_a_protobuf_namespace_watch_decodes_as_namespaces(client, kube):
    response = await client.get("/api/v1/namespaces", params={
        "watch": "1", "timeoutSeconds": "1", "fieldSelector": "metadata.name=default"}, headers={"Accept": PROTOBUF})
    assert response.headers["Content-Type"] == PROTOBUF + ";stream=watch"
    data = await response.read()
    (length,) = struct.unpack(">I", data[:4])
    event = codec().classes["WatchEvent"].FromString(data[4:4 + length])
    namespace = codec().decode(event.object.raw, "v1", "Namespace")
    assert (event.type, namespace["metadata"]["name"], namespace["status"]) == ("ADDED", "default", {"phase": "Active"})
    assert len(data) == 4 + length


async def test_every_stored_field_of_a_namespace_survives_protobuf(client, kube):
    """Labels, annotations, finalizers, owners, managedFields of two managers, spec, status; and the terminating
    answer of a delete (deletionTimestamp, phase): the same in JSON and protobuf."""
    await client.post("/api/v1/namespaces", json={"metadata": {"name": "rich", "labels": {"a": "1"},
                                                               "annotations": {"note": "x"}}})
    owner = {"apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": "5f2a1c3e-0000-4000-8000-000000000002",
             "controller": True, "blockOwnerDeletion": False}
    patched = await client.patch("/api/v1/namespaces/rich", json={"metadata": {
        "finalizers": ["example.com/keep"], "ownerReferences": [owner]}},
        headers={"Content-Type": "application/merge-patch+json"}, params={"fieldManager": "editor"})
    assert patched.status == 200, await patched.text()
    applied = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "rich", "labels": {"b": "2"}}}
    response = await client.patch("/api/v1/namespaces/rich", data=json.dumps(applied), params={"fieldManager": "me"},
                                  headers={"Content-Type": "application/apply-patch+yaml"})
    assert response.status == 200, await response.text()
    as_json, as_protobuf, content_type = await _get_both(client, "/api/v1/namespaces/rich")
    assert content_type == PROTOBUF and as_protobuf == as_json
    meta = as_json["metadata"]
    assert meta["ownerReferences"] == [owner] and meta["finalizers"] == ["example.com/keep"]
    assert {e["manager"] for e in meta["managedFields"]} == {"me", "editor", "Python"}
    assert as_json["spec"] == {"finalizers": ["kubernetes"]} and as_json["status"] == {"phase": "Active"}
    plain = await kube.ok(await client.delete("/api/v1/namespaces/rich", params={"dryRun": "All"}))
    binary = await client.delete("/api/v1/namespaces/rich", params={"dryRun": "All"}, headers={"Accept": TYPED_CLIENT})
    terminating = codec().decode(await binary.read(), "v1", "Namespace")
    assert terminating == plain and terminating["status"] == {"phase": "Terminating"}
    assert terminating["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:00Z"
