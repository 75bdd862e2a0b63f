"""resource.Quantity: container resources decoded, written back in canonical form and validated as the apiserver
does, and the pod's QoS class worked out from their values (not their spelling)."""
from __future__ import annotations

import pytest

from emulator.services.kubernetes.quantity import FORMAT_WRONG, NUMERIC, SUFFIX, canonical, json_text, parse

# apimachinery's own examples (the Quantity comment, its tests' table) and the parse quirks its fast path keeps
CANONICAL = {
    "1.5": "1500m", "1.5Gi": "1536Mi", "1024Mi": "1Gi", "0.5": "500m", "1000m": "1", "1500m": "1500m",
    "1000": "1k", "2000k": "2M", "1000000": "1M", "0.5Gi": "512Mi", "1.5Mi": "1536Ki", "2048Ki": "2Mi",
    "1.5Ki": "1536", "0.5Ki": "512", "1023": "1023", "1024": "1024", "1.2345": "1234500u", "0.9n": "1n",
    "0.1n": "1n", "1.0": "1", "0.0": "0", "-0": "0", "00": "0", "-1.5": "-1500m", "-2048Mi": "-2Gi",
    "8Ei": "9223372036854775807", "1000E": "1e21", "1e100": "10e99", "1.5e3": "1500", "100e-3": "100e-3",
    "1E3": "1E3", "+1": "+1", "01": "01", "5.": "5.", "Mi": "0", "+": "0", "129M": "129M", "123Mi": "123Mi",
}


@pytest.mark.parametrize("given,written", sorted(CANONICAL.items()))
def test_a_quantity_is_written_as_apimachinery_writes_it(given, written):
    assert canonical(parse(given)) == written


@pytest.mark.parametrize("given,message", [
    ("", FORMAT_WRONG), ("abc", FORMAT_WRONG), ("1gi", FORMAT_WRONG), ("500mb", FORMAT_WRONG),
    ("1.2.3", FORMAT_WRONG), (" 1", FORMAT_WRONG), ("1ki", SUFFIX), ("1e", SUFFIX), ("1Mi5", SUFFIX),
    ("1e1001", SUFFIX), ("1" * 1001, NUMERIC)])  # the last two: past the documented bounds
def test_a_malformed_quantity_gets_apimachinerys_error(given, message):
    with pytest.raises(ValueError) as refused:
        parse(given)
    assert str(refused.value) == message


def test_json_numbers_parse_as_their_text_and_values_compare_whatever_their_spelling():
    assert [canonical(parse(json_text(value))) for value in (1, 0.5, 2.0, 1e3)] == ["1", "500m", "2", "1k"]
    assert json_text(None) is None and json_text(True) == "true" and json_text(" 1Gi ") == "1Gi"
    assert parse("1").nanos() == parse("1000m").nanos() == parse("0.001k").nanos() and parse("1Ki").nanos() > 0
    assert parse("1Gi").nanos() == parse("1073741824").nanos() and parse("-1").nanos() < 0


def job(kube, name: str, resources: dict, init: dict | None = None) -> dict:
    body = kube.manifest(name)
    spec = body["spec"]["template"]["spec"]
    spec["containers"][0]["resources"] = resources
    if init is not None:
        spec["initContainers"] = [{"name": "init", "image": "busybox", "resources": init}]
    return body


async def test_a_jobs_resources_come_back_canonical_sorted_and_reach_its_pods(client, kube):
    resources = {"requests": {"memory": "0.5Gi", "cpu": 0.25, "kubernetes.io/a": "1.2345", "kubernetes.io/b": "100u"},
                 "limits": {"memory": "1024Mi", "cpu": "1000m", "ephemeral-storage": None, "kubernetes.io/a": "2",
                            "kubernetes.io/b": "0.9n"}}
    response = await client.post(kube.url("default"), json=job(kube, "sized", resources))
    assert response.status == 201, await response.text()
    written = (await response.json())["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert written == {  # rounded up to a thousandth first, as SetDefaults_ResourceList does
        "limits": {"cpu": "1", "ephemeral-storage": "0", "kubernetes.io/a": "2", "kubernetes.io/b": "1m",
                   "memory": "1Gi"},
        "requests": {"cpu": "250m", "kubernetes.io/a": "1235m", "kubernetes.io/b": "1m", "memory": "512Mi"}}
    assert list(written["limits"]) == ["cpu", "ephemeral-storage", "kubernetes.io/a", "kubernetes.io/b", "memory"]
    stored = await client.get(kube.url("default", "sized"))
    assert (await stored.json())["spec"]["template"]["spec"]["containers"][0]["resources"] == written


@pytest.mark.parametrize("value,reason", [("500mb", FORMAT_WRONG), ("1e", SUFFIX), (True, FORMAT_WRONG),
                                          ({"a": 1}, FORMAT_WRONG)])
async def test_a_quantity_that_does_not_parse_is_400_as_the_decoder_words_it(client, kube, value, reason):
    response = await client.post(kube.url("default"), json=job(kube, "bad", {"limits": {"cpu": value}}))
    await kube.expect(response, 400, "BadRequest", f'Job in version "v1" cannot be handled as a Job: {reason}')
    response = await client.post(kube.url("default"), json=job(kube, "bad", {"limits": "1"}))
    await kube.expect(response, 400, "BadRequest", 'Job in version "v1" cannot be handled as a Job: json: cannot '
                      "unmarshal string into Go struct field ResourceRequirements.spec.template.spec.containers."
                      "resources.limits of type v1.ResourceList")
    listed = await client.get(kube.url("default"))
    assert "bad" not in [item["metadata"]["name"] for item in (await listed.json())["items"]]


async def test_resource_requirements_are_validated_in_validate_resource_requirements_order(client, kube):
    prefix = "spec.template.spec"
    cases = [
        ({"limits": {"cpu": "1"}, "requests": {"cpu": "1500m"}},
         f'{prefix}.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu '
         f"limit of 1"),
        ({"limits": {"memory": "-1Gi"}, "requests": {"cpuu": "1"}},
         f'[{prefix}.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal '
         f'to 0, {prefix}.containers[0].resources.requests[cpuu]: Invalid value: "cpuu": must be a standard '
         f'resource type or fully qualified, {prefix}.containers[0].resources.requests[cpuu]: Invalid value: '
         f'"cpuu": must be a standard resource for containers]'),
        ({"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "2", "example.com/dongle": "1"}},
         f'[{prefix}.containers[0].resources.limits: Required value: Limit must be set for non overcommitable '
         f'resources, {prefix}.containers[0].resources.requests: Invalid value: "2": must be equal to '
         f"nvidia.com/gpu limit of 1]"),
    ]
    for resources, message in cases:
        response = await client.post(kube.url("default"), json=job(kube, "checked", resources))
        await kube.expect(response, 422, "Invalid", f'Job.batch "checked" is invalid: {message}')
    response = await client.post(kube.url("default"), json=job(kube, "checked", {}, init={"requests": {"pods": "1"}}))
    await kube.expect(response, 422, "Invalid", f'Job.batch "checked" is invalid: {prefix}.initContainers[0].'
                      'resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers')


async def test_the_qos_class_compares_values_and_counts_init_containers(client):
    async def qos(containers: list[dict], init: list[dict] | None = None) -> str:
        pod = {"metadata": {"generateName": "q-"}, "spec": {"containers": containers, **(
            {"initContainers": init} if init else {})}}
        response = await client.post("/api/v1/namespaces/default/pods", json=pod)
        assert response.status == 201, await response.text()
        return (await response.json())["status"]["qosClass"]

    def container(name: str, limits: dict, requests: dict | None = None) -> dict:
        return {"name": name, "image": "busybox", "resources": {"limits": limits, **(
            {"requests": requests} if requests is not None else {})}}

    same = {"cpu": "1", "memory": "1Gi"}
    assert await qos([container("a", same, {"cpu": "1000m", "memory": "1024Mi"})]) == "Guaranteed"
    assert await qos([container("a", same, {"cpu": "0.5"})]) == "Burstable"
    assert await qos([container("a", same)], init=[container("i", {"cpu": "1"})]) == "Burstable"
    assert await qos([container("a", {"cpu": "0", "memory": "0"})]) == "BestEffort"  # only positive amounts count
    response = await client.get("/api/v1/namespaces/default/pods")
    first = next(p for p in (await response.json())["items"] if p["status"]["qosClass"] == "Guaranteed")
    assert first["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
