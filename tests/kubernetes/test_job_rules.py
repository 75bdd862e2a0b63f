"""The Job controller's rules with Pods: back-off, podFailurePolicy, Indexed failures, successPolicy,
propagation policies, TTL after finished, and the Events it writes (core/v1 and events.k8s.io/v1)."""
from __future__ import annotations

import pytest

from emulator.services.kubernetes.controller import backoff_delay, backoff_record, finished_at, format_indexes

from kube_support import JOBS, advance, create

PODS = "/api/v1/namespaces/default/pods"


def job(name: str, annotations: dict | None = None, restart: str = "Never", **spec) -> dict:
    meta = {"name": name, **({"annotations": annotations} if annotations else {})}
    template = {"spec": {"restartPolicy": restart, "containers": [{"name": "main", "image": "busybox"}]}}
    return {"metadata": meta, "spec": {"template": template, **spec}}




async def status_of(client, name: str) -> dict:
    return (await (await client.get(f"{JOBS}/{name}/status")).json())["status"]


async def pods_of(client, name: str) -> list[dict]:
    return (await (await client.get(PODS, params={"labelSelector": f"job-name={name}"})).json())["items"]


async def events_of(client, name: str, path: str = "/api/v1/namespaces/default/events") -> list[dict]:
    response = await client.get(path, params={"fieldSelector": f"involvedObject.name={name}"} if "k8s.io" not in path
                                else {"fieldSelector": f"regarding.name={name}"})
    assert response.status == 200, await response.text()
    return (await response.json())["items"]


def last(status: dict) -> tuple[str, str]:
    return status["conditions"][-1]["type"], status["conditions"][-1]["reason"]


def test_back_off_doubles_from_10_s_and_caps_at_10_minutes():
    assert [backoff_delay(n) for n in range(1, 10)] == [10, 20, 40, 80, 160, 320, 600, 600, 600]


def test_the_back_off_record_keeps_only_failures_after_the_last_success():
    """newBackoffRecord: failures add up; a sync that also sees a success keeps the failures after it, if any."""
    t = "2026-01-01T00:00:{:02d}Z".format
    assert backoff_record(0, None, [], []) == (0, None)
    assert backoff_record(2, t(5), [], [t(9), t(7)]) == (4, t(9))
    assert backoff_record(3, t(5), [t(8)], []) == (0, None)
    assert backoff_record(3, t(5), [t(8)], [t(6), t(9), t(10)]) == (2, t(10))
    assert backoff_record(3, t(5), [t(8)], [t(8)]) == (0, None)  # not after the success


def test_a_pods_finish_time_is_read_as_get_finished_time_reads_it():
    terminated = {"state": {"terminated": {"finishedAt": "2026-01-01T00:00:09Z"}}}
    ready_false = {"type": "Ready", "status": "False", "lastTransitionTime": "2026-01-01T00:00:04Z"}
    meta = {"creationTimestamp": "2026-01-01T00:00:00Z", "deletionTimestamp": "2026-01-01T00:00:40Z",
            "deletionGracePeriodSeconds": 30}
    assert finished_at({"metadata": meta, "status": {"containerStatuses": [terminated], "conditions": [ready_false]}}) \
        == "2026-01-01T00:00:09Z"
    running = {"state": {"running": {}}}  # not every container terminated: Ready=False's transition
    assert finished_at({"metadata": meta, "status": {"containerStatuses": [terminated, running],
                                                     "conditions": [ready_false]}}) == "2026-01-01T00:00:04Z"
    assert finished_at({"metadata": meta, "status": {}}) == "2026-01-01T00:00:10Z"  # deleted at 40 - 30
    assert finished_at({"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {}}) == \
        "2026-01-01T00:00:00Z"


async def test_with_backoff_limit_per_index_each_index_waits_out_its_own_back_off(client):
    """Index 0 fails every time while index 1 succeeds at the same instant: index 0 still waits 10 s, then 20 s
    (its failure-count annotation + 1), not the job-wide record a success would have reset. Its failed pod keeps
    the tracking finalizer, uncounted, until the replacement runs (getPodsWithDelayedDeletionPerIndex)."""
    await create(client, job("per", {"cloud-job-emulator/failed-indexes": "0",
                                      "cloud-job-emulator/duration-seconds": "5"},
                             completionMode="Indexed", completions=2, parallelism=2, backoffLimitPerIndex=2))
    await advance(client, 15)  # both ran 1-6 s; index 0's replacement is due at 16 s
    [failed] = [p for p in await pods_of(client, "per")
                if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0"]
    status = await status_of(client, "per")
    assert status["completedIndexes"] == "1" and status.get("failed", 0) == 0  # held until it is replaced
    assert failed["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"] and "active" not in status
    await advance(client, 1)  # the replacement runs: now the failed pod is counted and let go
    status = await status_of(client, "per")
    assert status["failed"] == 1 and status["active"] == 1
    again = await (await client.get(f"{PODS}/{failed['metadata']['name']}")).json()
    assert "finalizers" not in again["metadata"]
    await advance(client, 120)
    created = sorted((p["metadata"]["creationTimestamp"], p["metadata"]["annotations"][
        "batch.kubernetes.io/job-index-failure-count"]) for p in await pods_of(client, "per")
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0")
    assert created == [("2026-01-01T00:00:00Z", "0"), ("2026-01-01T00:00:16Z", "1"), ("2026-01-01T00:00:42Z", "2")]
    status = await status_of(client, "per")
    assert status["failedIndexes"] == "0" and last(status) == ("Failed", "FailedIndexes") and status["failed"] == 3


async def test_a_failed_pod_held_for_its_index_is_counted_when_the_job_finishes_first(client):
    await create(client, job("early", {"cloud-job-emulator/failed-indexes": "0",
                                        "cloud-job-emulator/duration-seconds": "5"},
                             completionMode="Indexed", completions=2, parallelism=2, backoffLimitPerIndex=1,
                             successPolicy={"rules": [{"succeededIndexes": "1"}]}))
    await advance(client, 7)  # at 6 s index 0 failed (to be retried) as index 1 met the success policy
    status = await status_of(client, "early")
    assert last(status) == ("Complete", "SuccessPolicy") and status["failed"] == 1
    assert all("finalizers" not in p["metadata"] for p in await pods_of(client, "early"))


def test_index_lists_are_written_as_intervals():
    assert format_indexes({0, 1, 3, 4, 5, 7}) == "0,1,3-5,7" and format_indexes(set()) == ""


async def test_fail_attempts_fail_the_first_pods_then_one_succeeds(client):
    await create(client, job("flaky", {"cloud-job-emulator/fail-attempts": "2", "cloud-job-emulator/duration-seconds": "1"}))
    await advance(client, 120)
    status = await status_of(client, "flaky")
    assert status["failed"] == 2 and status["succeeded"] == 1 and last(status) == ("Complete", "CompletionsReached")
    phases = [p["status"]["phase"] for p in await pods_of(client, "flaky")]
    assert sorted(phases) == ["Failed", "Failed", "Succeeded"]


async def test_pod_failure_policy_fail_job_on_an_exit_code(client):
    policy = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}
    await create(client, job("pfp", {"cloud-job-emulator/outcome": "Failed", "cloud-job-emulator/exit-code": "42"},
                             podFailurePolicy=policy))
    await advance(client, 12)
    status = await status_of(client, "pfp")
    [pod] = await pods_of(client, "pfp")
    assert last(status) == ("Failed", "PodFailurePolicy") and status["failed"] == 1
    assert status["conditions"][-1]["message"] == (f"Container main for pod default/{pod['metadata']['name']} failed "
                                                   "with exit code 42 matching FailJob rule at index 0")


async def test_pod_failure_policy_ignore_does_not_count(client):
    policy = {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [7]}}]}
    await create(client, job("ign", {"cloud-job-emulator/fail-attempts": "1", "cloud-job-emulator/exit-code": "7",
                                     "cloud-job-emulator/duration-seconds": "1"}, podFailurePolicy=policy,
                             backoffLimit=0))
    await advance(client, 60)
    status = await status_of(client, "ign")
    assert "failed" not in status and status["succeeded"] == 1 and last(status)[0] == "Complete"


async def test_indexed_job_with_a_failed_index_and_backoff_limit_per_index(client):
    await create(client, job("idx", {"cloud-job-emulator/failed-indexes": "1", "cloud-job-emulator/duration-seconds": "1"},
                             completionMode="Indexed", completions=3, parallelism=3, backoffLimitPerIndex=1))
    await advance(client, 120)
    status = await status_of(client, "idx")
    assert status["completedIndexes"] == "0,2" and status["failedIndexes"] == "1"
    assert last(status) == ("Failed", "FailedIndexes") and status["failed"] == 2  # index 1 tried twice
    counts = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-index-failure-count"]
                    for p in await pods_of(client, "idx") if p["metadata"]["labels"][
                        "batch.kubernetes.io/job-completion-index"] == "1")
    assert counts == ["0", "1"]


async def test_success_policy_completes_an_indexed_job_early(client):
    policy = {"rules": [{"succeededIndexes": "0"}]}
    await create(client, job("leader", {"cloud-job-emulator/failed-indexes": "1,2",
                                        "cloud-job-emulator/duration-seconds": "1"},
                             completionMode="Indexed", completions=3, parallelism=3, successPolicy=policy))
    await advance(client, 3)
    status = await status_of(client, "leader")
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert last(status) == ("Complete", "SuccessPolicy") and status["conditions"][-1]["message"] == "Matched rules at index 0"


async def test_events_of_a_job_and_its_pod(client):
    await create(client, job("ev", {"cloud-job-emulator/duration-seconds": "1"}))
    await advance(client, 5)
    [pod] = await pods_of(client, "ev")
    name = pod["metadata"]["name"]
    events = await events_of(client, "ev")
    assert [(e["type"], e["reason"], e["message"]) for e in events] == [
        ("Normal", "SuccessfulCreate", f"Created pod: {name}"), ("Normal", "Completed", "Job completed")]
    assert events[0]["source"] == {"component": "job-controller"} and events[0]["count"] == 1
    assert events[0]["involvedObject"]["kind"] == "Job" and events[0]["involvedObject"]["apiVersion"] == "batch/v1"
    assert events[0]["metadata"]["name"].startswith("ev.")
    pod_events = await events_of(client, name)
    assert [e["reason"] for e in pod_events] == ["Scheduled", "Pulled", "Created", "Started"]
    assert pod_events[0]["message"] == f"Successfully assigned default/{name} to emulator-node"
    assert pod_events[3]["involvedObject"]["fieldPath"] == "spec.containers{main}"
    assert pod_events[3]["source"] == {"component": "kubelet", "host": "emulator-node"}
    v1 = await events_of(client, "ev", "/apis/events.k8s.io/v1/namespaces/default/events")
    assert [(e["reason"], e["note"], e["regarding"]["name"]) for e in v1] == [
        ("SuccessfulCreate", f"Created pod: {name}", "ev"), ("Completed", "Job completed", "ev")]
    assert v1[0]["reportingController"] == "job-controller" and v1[0]["deprecatedSource"] == {"component": "job-controller"}


async def test_events_expire_after_an_hour(client):
    await create(client, job("old", {"cloud-job-emulator/duration-seconds": "1"}))
    await advance(client, 5)
    assert len(await events_of(client, "old")) == 2
    await advance(client, 3600 - 5)
    assert len(await events_of(client, "old")) == 1  # SuccessfulCreate (at 0 s) gone, Completed (2 s) not yet
    await advance(client, 5)
    assert await events_of(client, "old") == []


async def test_suspend_and_resume_write_events(client):
    await create(client, job("sus", suspend=True))
    await advance(client, 1)
    await client.patch(f"{JOBS}/sus", json={"spec": {"suspend": False}},
                       headers={"Content-Type": "application/merge-patch+json"})
    await advance(client, 1)
    assert [e["reason"] for e in await events_of(client, "sus")] == ["Suspended", "Resumed", "SuccessfulCreate"]


@pytest.mark.parametrize("policy", ["Background", "Foreground", "Orphan"])
async def test_deleting_a_running_job_handles_its_pods_by_propagation_policy(client, policy):
    await create(client, job("gone", parallelism=2, completions=2))
    await advance(client, 2)
    names = sorted(p["metadata"]["name"] for p in await pods_of(client, "gone"))
    response = await client.delete(f"{JOBS}/gone", params={"propagationPolicy": policy})
    assert response.status == 200
    body = await response.json()
    if policy == "Foreground":
        assert body["kind"] == "Job" and "foregroundDeletion" in body["metadata"]["finalizers"]
        assert (await client.get(f"{JOBS}/gone")).status == 200  # until its pods are gone
    await advance(client, 2)
    assert (await client.get(f"{JOBS}/gone")).status == 404
    left = (await (await client.get(PODS)).json())["items"]
    left = [p for p in left if p["metadata"]["name"] in names]
    if policy == "Orphan":
        assert sorted(p["metadata"]["name"] for p in left) == names
        assert all("ownerReferences" not in p["metadata"] and "finalizers" not in p["metadata"] for p in left)
        assert {p["status"]["phase"] for p in left} == {"Running"}
    else:
        assert left == []


async def test_ttl_after_finished_deletes_the_job_and_its_pods(client):
    await create(client, job("ttl", {"cloud-job-emulator/duration-seconds": "1"}, ttlSecondsAfterFinished=30))
    await advance(client, 2)
    assert last(await status_of(client, "ttl"))[0] == "Complete"
    await advance(client, 29)
    assert (await client.get(f"{JOBS}/ttl")).status == 200
    await advance(client, 1)
    assert (await client.get(f"{JOBS}/ttl")).status == 404
    assert await pods_of(client, "ttl") == []


def spec_with(**spec) -> dict:
    return job("v", **spec)


@pytest.mark.parametrize("body, message", [
    (job("v", restart="OnFailure", podFailurePolicy={"rules": [{"action": "FailJob", "onExitCodes": {
        "operator": "In", "values": [1]}}]}),
     'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy '
     'is specified'),
    (spec_with(successPolicy={"rules": [{"succeededCount": 1}]}),
     'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode'),
    (spec_with(backoffLimitPerIndex=1), "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"),
    (spec_with(completionMode="Indexed", completions=2, maxFailedIndexes=1),
     "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"),
    (spec_with(completionMode="Indexed", completions=2, successPolicy={"rules": [{"succeededCount": 3}]}),
     "spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of "
     "specified completions)"),
    (spec_with(podFailurePolicy={"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}}]}),
     'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set'),
    (spec_with(podFailurePolicy={"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [0]}}]}),
     "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator"),
    (spec_with(podFailurePolicy={"rules": [{"action": "Ignore"}]}),
     "spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"),
    (spec_with(podFailurePolicy={"rules": []}, podReplacementPolicy="TerminatingOrFailed"),
     'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"'),
])
async def test_newer_spec_fields_are_validated_as_the_apiserver_does(client, body, message):
    response = await client.post(JOBS, json=body)
    assert response.status == 422, await response.text()
    assert (await response.json())["message"] == f'Job.batch "v" is invalid: {message}'


@pytest.mark.parametrize("policy", ["TerminatingOrFailed", "Failed"])
async def test_a_deleted_running_pod_counts_as_failed_by_the_replacement_policy(client, policy):
    await create(client, job("rep", podReplacementPolicy=policy))
    await advance(client, 2)
    [pod] = await pods_of(client, "rep")
    assert (await client.delete(f"{PODS}/{pod['metadata']['name']}")).status == 200
    await advance(client, 0)
    status = await status_of(client, "rep")
    if policy == "TerminatingOrFailed":  # counted at the DELETE
        assert status["failed"] == 1 and status["terminating"] == 1
    else:  # counted once the kubelet wrote Failed; meanwhile it is terminating
        assert "failed" not in status and status["terminating"] == 1
    await advance(client, 1)
    status = await status_of(client, "rep")
    assert status["failed"] == 1 and status["terminating"] == 0
    await advance(client, 9)  # the back-off: 10 s from the DELETE (at 2 s) or from the kill (at 3 s)
    assert len(await pods_of(client, "rep")) == (1 if policy == "TerminatingOrFailed" else 0)
    await advance(client, 1)
    assert len(await pods_of(client, "rep")) == 1


async def test_on_failure_restarts_the_container_in_place_until_the_restarts_reach_the_backoff_limit(client):
    await create(client, job("crash", {"cloud-job-emulator/outcome": "Failed", "cloud-job-emulator/duration-seconds": "1"},
                             restart="OnFailure", backoffLimit=2))
    await advance(client, 2)  # ran 1-2 s, failed: back-off 10 s
    [pod] = await pods_of(client, "crash")
    state = pod["status"]["containerStatuses"][0]
    assert pod["status"]["phase"] == "Running" and state["restartCount"] == 1
    assert state["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert state["lastState"]["terminated"]["exitCode"] == 1
    assert "BackOff" in [e["reason"] for e in await events_of(client, pod["metadata"]["name"])]
    await advance(client, 12)  # restarted at 12 s, failed at 13 s: 2 restarts = backoffLimit; the pod is gone at 14 s
    status = await status_of(client, "crash")
    assert last(status) == ("Failed", "BackoffLimitExceeded") and await pods_of(client, "crash") == []  # deleted


async def test_on_failure_with_fail_attempts_succeeds_in_the_same_pod(client):
    await create(client, job("flaky2", {"cloud-job-emulator/fail-attempts": "1", "cloud-job-emulator/duration-seconds": "1"},
                             restart="OnFailure"))
    await advance(client, 30)
    [pod] = await pods_of(client, "flaky2")
    [container] = pod["status"]["containerStatuses"]
    assert pod["status"]["phase"] == "Succeeded" and container["restartCount"] == 1
    first, second = container["lastState"]["terminated"]["containerID"], container["state"]["terminated"]["containerID"]
    assert first.startswith("containerd://") and second.startswith("containerd://") and first != second  # new run
    assert last(await status_of(client, "flaky2")) == ("Complete", "CompletionsReached")


async def test_previous_serves_the_log_of_the_crashed_run(client):
    await create(client, job("prev", {"cloud-job-emulator/fail-attempts": "1", "cloud-job-emulator/duration-seconds": "2",
                                      "cloud-job-emulator/logs": "first\nsecond"}, restart="OnFailure"))
    await advance(client, 4)  # ran 1-3 s and crashed
    [pod] = await pods_of(client, "prev")
    url = f"{PODS}/{pod['metadata']['name']}/log"
    response = await client.get(url, params={"previous": "true", "timestamps": "true"})
    assert response.status == 200, await response.text()
    assert await response.text() == "2026-01-01T00:00:01.000000000Z first\n2026-01-01T00:00:02.000000000Z second\n"
    crash_looping = await client.get(url)  # a container waiting in CrashLoopBackOff serves its last run
    assert crash_looping.status == 200 and await crash_looping.text() == "first\nsecond\n"


def test_qos_class_from_the_containers_resources():
    from emulator.services.kubernetes.pods import qos_class
    limits = {"cpu": "1", "memory": "1Gi"}
    assert qos_class({"containers": [{"resources": {}}]}) == "BestEffort"
    assert qos_class({"containers": [{"resources": {"limits": limits}}]}) == "Guaranteed"
    assert qos_class({"containers": [{"resources": {"limits": limits, "requests": {"cpu": "1"}}}]}) == "Guaranteed"
    assert qos_class({"containers": [{"resources": {"limits": limits, "requests": {"cpu": "500m"}}}]}) == "Burstable"
    assert qos_class({"containers": [{"resources": {"requests": {"cpu": "1"}}}]}) == "Burstable"


async def test_max_failed_indexes_fails_the_job_and_fail_index_skips_the_retries(client):
    policy = {"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [5]}}]}
    await create(client, job("fi", {"cloud-job-emulator/failed-indexes": "0,1", "cloud-job-emulator/exit-code": "5",
                                    "cloud-job-emulator/duration-seconds": "1"},
                             completionMode="Indexed", completions=4, parallelism=2, backoffLimitPerIndex=3,
                             maxFailedIndexes=1, podFailurePolicy=policy))
    await advance(client, 5)
    status = await status_of(client, "fi")
    assert status["failedIndexes"] == "0,1" and status["failed"] == 2  # one attempt each: FailIndex
    assert last(status) == ("Failed", "MaxFailedIndexesExceeded")
    assert status["conditions"][-1]["message"] == "Job has exceeded the specified maximal number of failed indexes"


async def test_pod_failure_policy_count_counts_and_the_first_matching_rule_wins(client):
    """Count then FailJob on the same exit code: Count matches first, so the failure counts against backoffLimit
    (BackoffLimitExceeded after 2 pods) instead of failing the Job at once (PodFailurePolicy)."""
    policy = {"rules": [{"action": "Count", "onExitCodes": {"operator": "In", "values": [42]}},
                        {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}
    await create(client, job("counted", {"cloud-job-emulator/outcome": "Failed", "cloud-job-emulator/exit-code": "42",
                                         "cloud-job-emulator/duration-seconds": "1"},
                             backoffLimit=1, podFailurePolicy=policy))
    await advance(client, 3)  # the first pod failed at 2 s: counted, and replaced after the back-off
    assert (await status_of(client, "counted"))["failed"] == 1
    assert "conditions" not in await status_of(client, "counted")
    await advance(client, 60)
    status = await status_of(client, "counted")
    assert status["failed"] == 2 and last(status) == ("Failed", "BackoffLimitExceeded")
    assert len(await pods_of(client, "counted")) == 2


async def test_suspending_a_running_job_records_successful_delete_and_the_kubelet_killing(client):
    await create(client, job("paused", {"cloud-job-emulator/duration-seconds": "100"}))
    await advance(client, 2)
    [pod] = await pods_of(client, "paused")
    assert pod["status"]["hostIP"] and pod["status"]["podIP"] and pod["status"]["phase"] == "Running"
    response = await client.patch(f"{JOBS}/paused", data='{"spec":{"suspend":true}}',
                                  headers={"Content-Type": "application/merge-patch+json"})
    assert response.status == 200
    await advance(client, 2)
    name = pod["metadata"]["name"]
    job_events = [(e["reason"], e["message"]) for e in await events_of(client, "paused")]
    assert ("SuccessfulDelete", f"Deleted pod: {name}") in job_events and ("Suspended", "Job suspended") in job_events
    killing = [e for e in await events_of(client, name) if e["reason"] == "Killing"]
    assert [(e["type"], e["message"], e["source"]["component"], e["involvedObject"]["fieldPath"])
            for e in killing] == [("Normal", "Stopping container main", "kubelet", "spec.containers{main}")]


async def test_a_delete_without_a_policy_orphans_the_pods_while_kubectl_sends_background(client):
    """The API's default for batch/v1 Jobs is Orphan: the pods stay, running, without their owner reference;
    kubectl's DELETE carries propagationPolicy=Background (see test_kubectl), which takes them."""
    await create(client, job("plain", {"cloud-job-emulator/duration-seconds": "100"}))
    await advance(client, 2)
    [pod] = await pods_of(client, "plain")
    response = await client.delete(f"{JOBS}/plain")
    assert response.status == 200
    await advance(client, 5)
    assert (await client.get(f"{JOBS}/plain")).status == 404
    [left] = await pods_of(client, "plain")
    assert left["metadata"]["name"] == pod["metadata"]["name"] and left["status"]["phase"] == "Running"
    assert "ownerReferences" not in left["metadata"] and "finalizers" not in left["metadata"]
