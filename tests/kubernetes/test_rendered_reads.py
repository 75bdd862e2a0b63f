"""Reads answered from bodies made once per stored version: a write, a clock move or another form is never stale."""
from __future__ import annotations

import json

from emulator.services.kubernetes.protobuf import codec

PROTOBUF = {"Accept": "application/vnd.kubernetes.protobuf"}
POD = "/api/v1/namespaces/default/pods/reader"
LINES = [f"line {n}" for n in range(4)]


async def test_protobuf_and_json_reads_of_a_job_follow_each_write(client, kube):
    url = kube.url(kube.CCI_NS, kube.CCI_JOB)
    for value in (1, 2, 3):
        first = await client.get(url, headers=PROTOBUF)
        again = await client.get(url, headers=PROTOBUF)
        assert first.content_type == "application/vnd.kubernetes.protobuf"
        decoded = codec().decode(await first.read(), "batch/v1", "Job")
        assert await again.read() == codec().encode(decoded)
        plain = await (await client.get(url)).json()
        assert decoded["metadata"]["resourceVersion"] == plain["metadata"]["resourceVersion"]
        pretty = await client.get(url + "?pretty=true")
        assert json.loads(await pretty.read()) == plain and b"\n  " in await pretty.read()
        patched = await client.patch(url, data=json.dumps({"metadata": {"labels": {"round": str(value)}}}),
                                     headers={"Content-Type": "application/merge-patch+json"})
        assert patched.status == 200
        after = codec().decode(await (await client.get(url, headers=PROTOBUF)).read(), "batch/v1", "Job")
        assert after["metadata"]["labels"]["round"] == str(value)
        assert after["metadata"]["resourceVersion"] != decoded["metadata"]["resourceVersion"]


async def test_a_pods_reads_and_log_follow_the_clock_and_each_write(client):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "reader", "annotations": {"cloud-job-emulator/logs": "\n".join(LINES),
                                          "cloud-job-emulator/duration-seconds": "8"}},
           "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36"}]}}
    assert (await client.post(POD.rsplit("/", 1)[0], json=pod)).status == 201
    seen = []
    for _ in range(6):  # running from 1 s for 8 s: a line every 2 s, then terminated
        text = await (await client.get(POD + "/log")).text()
        again = await (await client.get(POD + "/log")).text()
        assert text == again
        seen.append(text)
        phase = (await (await client.get(POD)).json())["status"]["phase"]
        proto = codec().decode(await (await client.get(POD, headers=PROTOBUF)).read(), "v1", "Pod")
        assert proto["status"]["phase"] == phase
        assert (await client.post("/_emulator/clock", json={"advance_seconds": 2})).status == 200
    assert seen[0] == "" and seen[-1] == "".join(line + "\n" for line in LINES)
    assert len(set(seen)) >= 4  # the log grew as the clock moved
    stamped = await (await client.get(POD + "/log?timestamps=true&tailLines=2")).text()
    assert [line.split(" ", 1)[1] for line in stamped.splitlines()] == LINES[-2:]


async def test_table_rows_follow_the_clock_and_each_write(client, kube):
    table = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}
    url = kube.url(kube.CCI_NS)

    async def row() -> list:
        answer = await (await client.get(url, headers=table)).json()
        return next(r["cells"] for r in answer["rows"] if r["cells"][0] == kube.CCI_JOB)

    first = await row()
    assert await row() == first
    assert (await client.post("/_emulator/clock", json={"advance_seconds": 3 * 86400})).status == 200
    later = await row()
    assert later != first and later[0] == first[0]  # the age (and duration) moved with the clock
    before = await row()
    patched = await client.patch(kube.url(kube.CCI_NS, kube.CCI_JOB, "/status"), headers={
        "Content-Type": "application/merge-patch+json"}, data=json.dumps({"status": {"succeeded": 1, "active": 0}}))
    assert patched.status == 200, await patched.text()
    assert "1/1" in await row() and "1/1" not in before  # the completions cell


def test_a_log_request_without_a_query_has_the_options_an_empty_query_parses_to():
    from datetime import datetime, timezone

    from emulator.services.kubernetes import logs

    assert logs.parse_options({}, "pod", datetime.now(timezone.utc)) == logs.NONE_GIVEN


async def test_each_accept_header_negotiates_the_same_every_time(client, kube):
    url = kube.url(kube.CCI_NS, kube.CCI_JOB)
    for _ in range(3):
        assert (await client.get(url, headers={"Accept": "text/html"})).status == 406
        assert (await client.get(url, headers=PROTOBUF)).content_type == PROTOBUF["Accept"]
        yaml_answer = await client.get(url, headers={"Accept": "application/yaml;q=0.9, text/html"})
        assert yaml_answer.content_type == "application/yaml"
