"""The simulated Job controller on a frozen clock: each path, each step seen by a watch."""
from __future__ import annotations

import json

import pytest

from emulator.runtime.emulator import EMULATOR

from kube_support import JOBS, advance, create



def job(name: str, annotations: dict | None = None, **spec) -> dict:
    meta = {"name": name, **({"annotations": annotations} if annotations else {})}
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
    return {"metadata": meta, "spec": {"template": template, **spec}}




async def status_of(client, name: str) -> dict:
    return (await (await client.get(f"{JOBS}/{name}/status")).json())["status"]


def condition_types(status: dict) -> list[tuple[str, str, str]]:
    return [(c["type"], c["status"], c.get("reason", "")) for c in status.get("conditions", [])]


async def watch_steps(client, since: str, name: str, count: int) -> list[tuple[str, dict]]:
    """The first `count` events for the job after `since`, as a watch delivers them."""
    response = await client.get(f"{JOBS}?watch=true&resourceVersion={since}&fieldSelector=metadata.name={name}")
    lines = [await response.content.readline() for _ in range(count)]
    response.close()
    return [(e["type"], e["object"]) for e in map(json.loads, lines)]


async def test_a_job_starts_then_completes_after_its_run_time(client):
    created = await create(client, job("ok", completions=2, parallelism=2))
    assert created["status"] == {}
    await advance(client, 0)
    running = await status_of(client, "ok")
    assert running == {"startTime": "2026-01-01T00:00:00Z", "active": 2, "ready": 0, "terminating": 0,
                       "uncountedTerminatedPods": {}}
    await advance(client, 1)  # its pods are ready a second later (spec §17.3: ready = active)
    assert await status_of(client, "ok") == {**running, "ready": 2}
    await advance(client, 9)  # its containers started at 1 s and run for 10 s
    assert (await status_of(client, "ok"))["active"] == 2
    await advance(client, 1)
    done = await status_of(client, "ok")
    assert "active" not in done and done["succeeded"] == 2 and done["ready"] == 0
    assert done["completionTime"] == "2026-01-01T00:00:11Z"
    assert condition_types(done) == [("SuccessCriteriaMet", "True", "CompletionsReached"),
                                     ("Complete", "True", "CompletionsReached")]
    events = await watch_steps(client, created["metadata"]["resourceVersion"], "ok", 4)
    assert [e for e, _ in events] == ["MODIFIED"] * 4  # started, ready, SuccessCriteriaMet, Complete
    assert [o["status"]["ready"] for _, o in events] == [0, 2, 0, 0]
    versions = [int(o["metadata"]["resourceVersion"]) for _, o in events]
    assert versions == sorted(versions) and len(set(versions)) == 4
    assert {o["metadata"]["generation"] for _, o in events} == {1}


async def assert_watch_saw(client, created: dict, name: str, statuses: list[dict]) -> None:
    """A watch from the job's creation saw one MODIFIED event per step, ending in the final status."""
    events = await watch_steps(client, created["metadata"]["resourceVersion"], name, len(statuses))
    assert [e for e, _ in events] == ["MODIFIED"] * len(statuses)
    assert [o["status"] for _, o in events][-1] == statuses[-1]


async def test_a_job_annotated_to_fail_retries_with_back_off_then_fails_past_its_backoff_limit(client):
    await create(client, job("bad", {"cloud-job-emulator/outcome": "Failed",
                                     "cloud-job-emulator/duration-seconds": "3"}, backoffLimit=2))
    # pod 1 runs 1-4 s and fails; 10 s back-off; pod 2 at 14 s runs 15-18; 20 s back-off; pod 3 at 38 s runs 39-42
    await advance(client, 4)
    assert (await status_of(client, "bad"))["failed"] == 1
    await advance(client, 9.5)
    assert "active" not in await status_of(client, "bad")  # waiting out the back-off
    await advance(client, 0.5)
    assert (await status_of(client, "bad"))["active"] == 1
    await advance(client, 23.5)
    assert (await status_of(client, "bad"))["failed"] == 2 and "active" not in await status_of(client, "bad")
    await advance(client, 0.5)
    assert (await status_of(client, "bad"))["active"] == 1
    await advance(client, 4)
    failed = await status_of(client, "bad")
    assert failed["failed"] == 3 and "completionTime" not in failed and "active" not in failed
    assert condition_types(failed) == [("FailureTarget", "True", "BackoffLimitExceeded"),
                                       ("Failed", "True", "BackoffLimitExceeded")]
    assert {c["lastTransitionTime"] for c in failed["conditions"]} == {"2026-01-01T00:00:42Z"}
    pods = (await (await client.get("/api/v1/namespaces/default/pods?labelSelector=job-name=bad")).json())["items"]
    assert [p["status"]["phase"] for p in pods] == ["Failed"] * 3


async def test_active_deadline_gives_deadline_exceeded(client):
    created = await create(client, job("slow", activeDeadlineSeconds=4))
    await advance(client, 4)
    target = await status_of(client, "slow")  # at the deadline its pod is deleted; Failed waits until it is gone
    assert condition_types(target) == [("FailureTarget", "True", "DeadlineExceeded")] and target["terminating"] == 1
    await advance(client, 1)  # the pod's container is killed a second after the DELETE
    status = await status_of(client, "slow")
    # start, ready, FailureTarget, the deleted pod counted as failed (TerminatingOrFailed) in two writes (its UID
    # in uncountedTerminatedPods, then in `failed`), Failed
    await assert_watch_saw(client, created, "slow", [{}, {}, {}, {}, {}, status])
    assert condition_types(status) == [("FailureTarget", "True", "DeadlineExceeded"),
                                       ("Failed", "True", "DeadlineExceeded")]
    assert status["conditions"][1]["message"] == "Job was active longer than specified deadline"
    assert status["failed"] == 1 and status["terminating"] == 0 and "active" not in status


async def test_suspend_deletes_the_pods_and_resume_starts_them_again(client):
    await create(client, job("paused"))
    await advance(client, 4)  # 3 of its 10 seconds run
    patch = {"Content-Type": "application/merge-patch+json"}
    await client.patch(f"{JOBS}/paused", data=json.dumps({"spec": {"suspend": True}}), headers=patch)
    await advance(client, 0)
    suspended = await status_of(client, "paused")
    assert condition_types(suspended) == [("Suspended", "True", "JobSuspended")]
    assert "active" not in suspended and suspended["ready"] == 0 and suspended["terminating"] == 1
    await advance(client, 100)
    suspended = await status_of(client, "paused")
    assert condition_types(suspended) == [("Suspended", "True", "JobSuspended")]
    assert suspended["terminating"] == 0 and "failed" not in suspended  # its deleted pod is no failure
    await client.patch(f"{JOBS}/paused", data=json.dumps({"spec": {"suspend": False}}), headers=patch)
    await advance(client, 0)
    resumed = await status_of(client, "paused")
    assert condition_types(resumed) == [("Suspended", "False", "JobResumed")]
    assert resumed["startTime"] == "2026-01-01T00:01:44Z" and resumed["active"] == 1
    await advance(client, 10)
    assert "succeeded" not in await status_of(client, "paused")
    await advance(client, 1)  # a new pod: started at 1:45, ran its 10 seconds
    done = await status_of(client, "paused")
    assert done["succeeded"] == 1 and done["completionTime"] == "2026-01-01T00:01:55Z"
    assert condition_types(done)[-1] == ("Complete", "True", "CompletionsReached")


async def test_a_job_created_suspended_waits(client):
    await create(client, job("later", suspend=True))
    await advance(client, 60)
    assert condition_types(await status_of(client, "later")) == [("Suspended", "True", "JobSuspended")]


async def test_another_controllers_job_is_left_alone(client):
    await create(client, job("elsewhere", managedBy="example.com/other-controller"))
    await advance(client, 60)
    assert await status_of(client, "elsewhere") == {}


async def test_fixture_jobs_are_left_alone(client):
    response = await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
    before = (await response.json())["status"]
    await advance(client, 3600)
    response = await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
    assert (await response.json())["status"] == before == {"startTime": "2018-09-05T01:10:59Z", "active": 1}


async def test_a_job_whose_status_a_client_wrote_is_left_alone(client):
    await create(client, job("mine"))
    await advance(client, 1)
    patch = [{"op": "replace", "path": "/status/active", "value": 5}]
    response = await client.patch(f"{JOBS}/mine/status", data=json.dumps(patch),
                                  headers={"Content-Type": "application/json-patch+json"})
    assert response.status == 200
    await advance(client, 60)
    status = await status_of(client, "mine")
    assert status["active"] == 5 and "conditions" not in status


async def test_the_controller_can_be_turned_off(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(job_controller=False))
    await create(client, job("manual"))
    await advance(client, 60)
    assert await status_of(client, "manual") == {}


async def test_the_duration_setting_and_annotation_set_the_run_time(aiohttp_client, make_app):
    client = await aiohttp_client(make_app(job_duration=2))
    await create(client, job("quick"))
    await create(client, job("annotated", {"cloud-job-emulator/duration-seconds": "30"}))
    await advance(client, 3)  # started at 1 s
    assert (await status_of(client, "quick"))["succeeded"] == 1
    assert "succeeded" not in await status_of(client, "annotated")
    await advance(client, 28)
    assert (await status_of(client, "annotated"))["succeeded"] == 1


@pytest.mark.parametrize("seconds", ["inf", "1e12", "-5", "nan", "soon", "31622401"])
async def test_a_run_time_annotation_that_is_no_sane_number_of_seconds_runs_for_the_default(client, caplog, seconds):
    """Not a reason to refuse the job (an apiserver never does), nor to stop the clock for every other job."""
    await create(client, job("odd", {"cloud-job-emulator/duration-seconds": seconds}))
    await create(client, job("plain"))
    await advance(client, 10)  # advance() asserts a 200: the clock went on
    assert "succeeded" not in await status_of(client, "odd")
    await advance(client, 1)
    assert (await status_of(client, "odd"))["succeeded"] == 1 and (await status_of(client, "plain"))["succeeded"] == 1
    assert (await (await client.get("/_emulator/clock")).json())["now"] == "2026-01-01T00:00:11Z"
    assert any("duration-seconds" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


async def test_a_job_that_runs_half_a_second_is_ready_for_it(client):
    created = await create(client, job("brief", {"cloud-job-emulator/duration-seconds": "0.5"}))
    await advance(client, 1.5)
    done = await status_of(client, "brief")
    assert condition_types(done)[-1] == ("Complete", "True", "CompletionsReached")
    await assert_watch_saw(client, created, "brief", [{}, {}, {}, done])  # start, ready, criteria met, Complete


async def test_advancing_the_clock_past_the_calendars_end_is_a_400(client):
    for seconds in (1e300, 1e12):
        response = await client.post("/_emulator/clock", json={"advance_seconds": seconds})
        assert response.status == 400 and (await response.json())["error"] == "BadRequest"
    assert (await (await client.get("/_emulator/clock")).json())["now"] == "2026-01-01T00:00:00Z"


async def test_a_deleted_job_gets_no_more_steps(client):
    await create(client, job("gone"))
    await advance(client, 1)
    response = await client.delete(f"{JOBS}/gone?propagationPolicy=Background")
    assert response.status == 200
    await advance(client, 60)
    assert (await client.get(f"{JOBS}/gone")).status == 404


@pytest.mark.parametrize("outcome", ["Complete", "Failed"])
async def test_admin_transition_finishes_a_job_now(client, outcome):
    await create(client, job("now"))
    response = await client.post("/_emulator/transitions", json={
        "service": "kubernetes", "namespace": "default", "name": "now", "status": outcome})
    assert response.status == 200
    answer = await response.json()
    assert (answer["service"], answer["id"], answer["status"]) == ("kubernetes", "default/now", outcome)
    assert condition_types(await status_of(client, "now"))[-1][:2] == (outcome, "True")
    again = await client.post("/_emulator/transitions", json={
        "service": "kubernetes", "namespace": "default", "name": "now", "status": outcome})
    assert again.status == 409


def test_a_restored_controller_finishes_what_it_started():
    from datetime import datetime, timezone

    from emulator.runtime.emulator import Emulator
    from emulator.services.kubernetes.options import WriteOptions
    from emulator.settings import Settings

    settings = Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True)
    before = Emulator(settings)
    kubernetes = before.services["kubernetes"]
    kubernetes.jobs.create("default", job("survivor"), WriteOptions())
    before.core.clock.advance(4)
    snapshot, now = before.core.store.snapshot(), before.core.clock.now()

    after = Emulator(settings)
    after.core.store.restore(snapshot)
    after.core.clock.set(now)
    after.services["kubernetes"].restored()
    after.core.clock.advance(6)
    assert "succeeded" not in after.services["kubernetes"].jobs.get("default", "survivor")["status"]
    after.core.clock.advance(1)
    status = after.services["kubernetes"].jobs.get("default", "survivor")["status"]
    assert status["succeeded"] == 1 and status["completionTime"] == "2026-01-01T00:00:11Z"


async def test_jobs_deleted_or_taken_over_leave_no_step_on_a_frozen_clock(client, kube):
    """One scheduled step per running job: none left for a deleted job or one a client took over."""
    clock = client.app[EMULATOR].core.clock
    before = clock.pending()
    for n in range(40):
        await kube.create(kube.manifest(f"run-{n}"))
    assert clock.pending() == before + 40
    for n in range(0, 40, 2):
        await kube.patch("default", f"run-{n}", {"status": {"active": 1}}, "merge", "/status")
    assert clock.pending() == before + 20
    for n in range(1, 40, 2):
        response = await client.delete(kube.url("default", f"run-{n}"), params={"propagationPolicy": "Background"})
        assert response.status == 200
    assert clock.pending() == before


async def test_on_a_live_clock_a_jobs_first_pod_is_there_when_the_create_returns(aiohttp_client, make_app):
    """Airflow lists the pods ~100 ms after creating the Job and retries without waiting: the Job controller's
    first sync is due at once, so it runs as soon as the POST is answered, not at the ticker's next beat."""
    client = await aiohttp_client(make_app(clock_frozen=False))
    for n in range(5):
        await create(client, job(f"live-{n}"))
        response = await client.get("/api/v1/namespaces/default/pods", params={"labelSelector": f"job-name=live-{n}"})
        assert len((await response.json())["items"]) == 1, n
