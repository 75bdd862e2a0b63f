"""The state file: saved on SIGTERM, on an interval and on demand, loaded at the next start, written atomically,
and refused with one line (left untouched) when it is corrupt."""
from __future__ import annotations

import asyncio
import copy
import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from emulator.runtime import fixture_files, state_file
from emulator.http.app import create_app
from emulator.runtime.emulator import Emulator
from emulator.settings import Settings
from test_cli import TIMEOUT, error_line, get_json, running, start, stop
from waiting import wait_until

PROJECT = "5a3314075bfa49b9ae360f4ecd333695"
BINARY_ID = "2628d0e4-6109-4a09-a338-c4ee1b0963ed"
MRS_FIXTURE_JOB = "b8ea4daa-0042-45e0-a522-e8b714e74760"
START = datetime(2030, 1, 1, tzinfo=timezone.utc)


def call(url: str, method: str = "GET", body: dict | None = None, **headers: str) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return response.status, json.loads(response.read())


def create_kubernetes_job(url: str, name: str) -> dict:
    job = {"metadata": {"name": name}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
    status, created = call(f"{url}/apis/batch/v1/namespaces/default/jobs", "POST", job)
    assert status == 201
    return created


def read_kubernetes_job(url: str, name: str) -> dict:
    return get_json(f"{url}/apis/batch/v1/namespaces/default/jobs/{name}")


def create_mrs_job(url: str, name: str) -> dict:
    status, created = call(f"{url}/v1.1/{PROJECT}/jobs", "POST", {"name": name, "type": "MapReduce",
                                                                  "libs": [BINARY_ID]}, **{"X-Auth-Token": "t"})
    assert status == 202
    return created["job"]


def mrs_job_ids(url: str) -> list[str]:
    _, listed = call(f"{url}/v1.1/{PROJECT}/jobs", **{"X-Auth-Token": "t"})
    return sorted(job["id"] for job in listed["jobs"])


def settings(path: Path, **overrides) -> Settings:
    return Settings(**{"clock_start": START, "clock_frozen": True, "state_file": path, **overrides})


# --- through real processes ----------------------------------------------------------------------

def test_state_survives_sigterm_and_a_restart(tmp_path):
    path = tmp_path / "state.json"
    with running("--port", "0", "--state-file", str(path), "--frozen-clock", "2030-01-01T00:00:00Z",
                 "--log-level", "warning") as (process, url):
        create_kubernetes_job(url, "survivor")
        mrs_job = create_mrs_job(url, "wordcount")
        call(f"{url}/_emulator/clock", "POST", {"advance_seconds": 4})
        kubernetes_job = read_kubernetes_job(url, "survivor")  # the controller has started it meanwhile
        revision = get_json(f"{url}/_emulator/state")["revision"]
        assert not path.exists()  # nothing is written before the stop
        code, _, stderr = stop(process, signal.SIGTERM)
    assert code == 0 and "Traceback" not in stderr
    assert state_file.read(path)["store"]["revision"] == revision

    with running("--port", "0", "--state-file", str(path), "--log-level", "warning") as (process, url):
        assert get_json(f"{url}/_emulator/clock") == {"now": "2030-01-01T00:00:04Z", "frozen": True}
        survivor = read_kubernetes_job(url, "survivor")
        assert survivor["metadata"]["resourceVersion"] == kubernetes_job["metadata"]["resourceVersion"]
        assert survivor["metadata"]["uid"] == kubernetes_job["metadata"]["uid"]
        assert mrs_job_ids(url) == sorted([mrs_job["id"], MRS_FIXTURE_JOB])
        assert get_json(f"{url}/_emulator/state")["revision"] == revision
        later = create_kubernetes_job(url, "later")
        assert int(later["metadata"]["resourceVersion"]) == revision + 1  # the counter goes on, not over
        call(f"{url}/_emulator/clock", "POST", {"advance_seconds": 7})  # the job controller and kubelet go on too
        assert read_kubernetes_job(url, "survivor")["status"]["completionTime"] == "2030-01-01T00:00:11Z"
        code, _, _ = stop(process, signal.SIGINT)
    assert code == 0
    assert {entry[1] for entry in state_file.read(path)["store"]["collections"]["jobs"]} >= {
        "survivor", "later"}


def stop_between_snapshots(process: subprocess.Popen, folder: Path) -> None:
    """SIGSTOP the process at a moment it is writing no snapshot (no temporary file beside the state file).

    A snapshot every 0.1 s takes ~10 ms (its fsync): a kill at a random moment would land in one about
    one time in ten, and the temporary file a killed write leaves is no defect of the emulator's.
    """
    def stopped_between() -> bool:
        process.send_signal(signal.SIGSTOP)
        wait_until(lambda: Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T",
                   "the emulator to be stopped")
        if not any(p.name.endswith(".tmp") for p in folder.iterdir()):
            return True
        process.send_signal(signal.SIGCONT)  # stopped in a write: let it finish, try again
        return False

    wait_until(stopped_between, "the emulator stopped between two interval snapshots")


def test_kill_9_between_interval_snapshots_keeps_the_last_one_whole(tmp_path):
    path = tmp_path / "state.json"
    with running("--port", "0", EMULATOR_STATE_FILE=str(path), EMULATOR_SNAPSHOT_INTERVAL="0.1",
                 EMULATOR_LOG_LEVEL="warning") as (process, url):
        create_kubernetes_job(url, "saved")
        deadline = time.monotonic() + TIMEOUT
        while b'"saved"' not in (path.read_bytes() if path.exists() else b""):
            assert time.monotonic() < deadline, "no interval snapshot with the job"
            time.sleep(0.05)
        create_kubernetes_job(url, "maybe-lost")
        stop_between_snapshots(process, tmp_path)
        process.kill()  # no chance to save: only what an interval snapshot wrote survives
        process.wait(timeout=TIMEOUT)

    assert state_file.read(path) is not None  # whole, never torn
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]  # no temporary file
    with running("--port", "0", "--state-file", str(path), "--log-level", "warning") as (process, url):
        assert read_kubernetes_job(url, "saved")["metadata"]["name"] == "saved"
        stop(process, signal.SIGTERM)


def test_a_live_clock_resumes_with_the_time_that_passed_while_stopped(tmp_path):
    path = tmp_path / "state.json"
    document = state_file.capture(Emulator(Settings(clock_start=START)).core)
    document["saved_at"] = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    path.write_bytes(json.dumps(document).encode())

    resumed = Emulator(Settings(state_file=path)).core.clock
    assert not resumed.frozen
    assert START + timedelta(hours=1) <= resumed.now() < START + timedelta(hours=1, minutes=5)


def truncated_state() -> bytes:
    whole = json.dumps(state_file.capture(Emulator(Settings(clock_start=START, clock_frozen=True)).core)).encode()
    return whole[: len(whole) // 2]


def document_with(**changes) -> bytes:
    document = state_file.capture(Emulator(Settings(clock_start=START, clock_frozen=True)).core)
    return json.dumps({**document, **changes}).encode()


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x00\xffnot json at all", "is not valid JSON"),
    (truncated_state(), "is not valid JSON"),
    (b"[]", "is not a cloud-job-emulator state file"),
    (document_with(version=99), "has format version 99; this emulator reads version 1"),
    (document_with(clock={"now": "yesterday", "frozen": True}), 'has no valid "now" time'),
    (document_with(store={"revision": -1, "collections": {}}), "revision counter"),
    (document_with(store={"revision": 3, "collections": {"jobs": [["default", "x"]]}}),
     "malformed collection 'jobs'"),
], ids=["binary", "truncated", "not-an-object", "version", "clock", "revision", "collection"])
def test_a_corrupt_state_file_stops_start_up_with_one_line_and_is_left_untouched(tmp_path, content, reason):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    os.utime(path, (1_000_000_000, 1_000_000_000))

    line = error_line(start("--port", "0", "--state-file", str(path)))

    assert line.startswith(f"cloud-job-emulator: state file {path} ") and reason in line, line
    assert path.read_bytes() == content and path.stat().st_mtime == 1_000_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_unusable_state_file_options_stop_start_up_with_one_line(tmp_path):
    cases = [
        (("--state-file", str(tmp_path / "nowhere" / "state.json")), {}, "cannot be written"),
        (("--state-file", str(tmp_path)), {}, "cannot be read"),
        (("--snapshot-interval", "5"), {}, "needs --state-file"),
        (("--state-file", "x.json", "--snapshot-interval", "-1"), {}, "invalid seconds value: '-1'"),
        ((), {"EMULATOR_STATE_FILE": "x.json", "EMULATOR_SNAPSHOT_INTERVAL": "soon"},
         "EMULATOR_SNAPSHOT_INTERVAL=soon: not a number of seconds"),
    ]
    processes = [start("--port", "0", *args, **env) for args, env, _ in cases]  # side by side
    for (args, env, reason), process in zip(cases, processes):
        assert reason in error_line(process), (args, env)


# --- in process ----------------------------------------------------------------------------------

@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_write_that_fails_midway_leaves_the_previous_file_whole(tmp_path, monkeypatch, failing):
    path = tmp_path / "state.json"
    emulator = Emulator(settings(path))
    emulator.save()
    before = path.read_bytes()
    emulator.core.clock.advance(60)

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_file.os, failing, broken)
    with pytest.raises(OSError):
        emulator.save()

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_state_its_services_cannot_resume_is_refused_with_its_reason(tmp_path):
    path = tmp_path / "state.json"
    document = state_file.capture(Emulator(Settings(clock_start=START, clock_frozen=True)).core)
    document["store"]["collections"]["mrs_job_binaries"] = []  # the fixture job's lib is gone: each row is fine alone
    path.write_text(json.dumps(document))
    with pytest.raises(state_file.StateFileError, match=f"cannot resume .*mrs_jobs '{PROJECT}/{MRS_FIXTURE_JOB}' "
                                                        f"names job binary '{BINARY_ID}'"):
        Emulator(settings(path))


async def test_post_snapshot_writes_the_state_file_now(aiohttp_client, tmp_path):
    path = tmp_path / "state.json"
    client = await aiohttp_client(create_app(settings(path)))
    created = await client.post("/apis/batch/v1/namespaces/default/jobs", json={
        "metadata": {"name": "on-demand"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}})
    assert created.status == 201

    response = await client.post("/_emulator/snapshot")

    assert response.status == 200
    answer = await response.json()
    saved = state_file.read(path)
    assert answer == {"saved": str(path), "revision": saved["store"]["revision"],
                      "clock": {"now": "2030-01-01T00:00:00Z", "frozen": True}}
    assert ["default", "on-demand"] in [entry[:2] for entry in saved["store"]["collections"]["jobs"]]


async def test_post_snapshot_without_a_state_file_is_a_409(client):
    response = await client.post("/_emulator/snapshot")  # a fine request the server cannot carry out
    assert response.status == 409
    body = await response.json()
    assert body["code"] == 409 and body["error"] == "Conflict" and "--state-file" in body["message"]


async def test_post_snapshot_that_cannot_write_says_why(aiohttp_client, tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    client = await aiohttp_client(create_app(settings(folder / "state.json")))
    (folder / "state.json.lock").unlink()  # the lock stays held on its open descriptor
    folder.rmdir()
    response = await client.post("/_emulator/snapshot")
    assert response.status == 500
    body = await response.json()
    assert body["error"] == "SnapshotFailed" and "No such file or directory" in body["message"]


async def test_reset_after_a_restart_goes_back_to_the_fixtures(aiohttp_client, tmp_path):
    path = tmp_path / "state.json"
    before = Emulator(settings(path, load_fixtures=False))
    assert before.core.store.snapshot()["collections"].get("jobs", []) == []
    before.save()

    client = await aiohttp_client(create_app(settings(path)))
    assert (await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi")).status == 404
    assert (await client.post("/_emulator/reset")).status == 200
    assert (await client.get("/apis/batch/v1/namespaces/namespace-test/jobs/pi")).status == 200


def state_with_job(change) -> dict:
    document = state_file.capture(Emulator(Settings(clock_start=START, clock_frozen=True)).core)
    jobs = document["store"]["collections"]["jobs"]
    change(jobs[0][2])
    return document


@pytest.mark.parametrize(("change", "words"), [
    (lambda job: job["metadata"].pop("namespace"), "metadata.name and metadata.namespace"),
    (lambda job: job.pop("spec"), "spec and status must be objects"),
    (lambda job: job["spec"].update(parallelism="many"), "is malformed"),
    (lambda job: job["spec"].update(parallelism=-1), "spec.parallelism"),
    (lambda job: job.update(metadata=[]), "metadata.name"),
], ids=["no-namespace", "no-spec", "string-counter", "negative-counter", "metadata-list"])
def test_a_hand_edited_object_stops_start_up_with_one_line_naming_it(tmp_path, change, words):
    path = tmp_path / "state.json"
    document = state_with_job(change)
    scope, name, _ = document["store"]["collections"]["jobs"][0]
    path.write_text(json.dumps(document))
    with pytest.raises(state_file.StateFileError) as refused:
        Emulator(settings(path))
    line = str(refused.value)
    assert "\n" not in line and f"jobs '{scope}/{name}'" in line and words in line, line


def test_a_second_emulator_on_the_same_state_file_is_refused_with_one_line(tmp_path):
    path = tmp_path / "state.json"
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with running("--port", "0", "--state-file", str(path), "--snapshot-interval", "0.2",
                 "--log-level", "warning") as (first, url):
        for other in (path, link):  # the lock is beside the target, whatever name reaches it
            line = error_line(start("--port", "0", "--state-file", str(other)))
            assert line.startswith(f"cloud-job-emulator: state file {other} is in use by another emulator"), line
        create_kubernetes_job(url, "only-mine")
        code, _, stderr = stop(first, signal.SIGTERM)
    assert code == 0 and "Traceback" not in stderr
    with running("--port", "0", "--state-file", str(path), "--log-level", "warning") as (again, url):
        assert read_kubernetes_job(url, "only-mine")["metadata"]["name"] == "only-mine"  # released on stop
        stop(again, signal.SIGTERM)


async def test_two_apps_in_one_process_cannot_hold_one_state_file(aiohttp_client, tmp_path):
    path = tmp_path / "state.json"
    await aiohttp_client(create_app(settings(path)))
    with pytest.raises(state_file.StateFileError, match="in use by another emulator"):
        await aiohttp_client(create_app(settings(path)))


def test_a_symlinked_state_file_is_written_through_to_its_target(tmp_path):
    elsewhere = tmp_path / "volume"
    elsewhere.mkdir()
    target = elsewhere / "state.json"
    link = tmp_path / "state.json"
    link.symlink_to(target)
    emulator = Emulator(settings(link))
    emulator.save()
    emulator.core.clock.advance(60)
    emulator.save()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert state_file.read(target)["clock"]["now"].startswith("2030-01-01T00:01:00")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["state.json"]  # the temporary file went beside the target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "volume"]


# --- every collection of a hand-edited state file is checked -----------------------------------------------------

@pytest.fixture(scope="module")
def running_state(tmp_path_factory) -> dict:
    """A saved state with a Job under way: its Pod, Events, the controller's and kubelet's records, its history."""
    path = tmp_path_factory.mktemp("running") / "state.json"

    async def run() -> None:
        async with TestClient(TestServer(create_app(settings(path)))) as client:
            job = {"metadata": {"name": "under-way"}, "spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
            assert (await client.post("/apis/batch/v1/namespaces/default/jobs", json=job)).status == 201
            assert (await client.post("/_emulator/clock", json={"advance_seconds": 1.5})).status == 200
            assert (await client.post("/_emulator/snapshot")).status == 200

    asyncio.run(run())
    document = state_file.read(path)
    assert all(document["store"]["collections"][kind] for kind in (
        "pods", "events", "kubernetes_job_runs", "kubernetes_pod_runs", "job_transitions", "cos_jobs",
        "cos_job_steps", "cos_batch_secrets"))
    return document


def refused_line(path: Path, document: dict) -> str:
    path.write_text(json.dumps(document))
    with pytest.raises(state_file.StateFileError) as refused:
        Emulator(settings(path))
    line = str(refused.value)
    assert "\n" not in line, line
    return line


def test_the_saved_running_state_restarts_and_the_job_completes(running_state, tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(running_state))
    emulator = Emulator(settings(path))
    emulator.core.clock.advance(60)
    job = emulator.core.store.collection("jobs").get("default", "under-way")
    assert job["status"]["succeeded"] == 1


@pytest.mark.parametrize("kind", Emulator(Settings()).core.store.kinds())
def test_a_garbage_row_in_any_collection_stops_start_up_with_one_line_naming_it(running_state, tmp_path, kind):
    document = copy.deepcopy(running_state)
    rows = document["store"]["collections"].setdefault(kind, [])
    if not rows:
        rows.append(["default", "x", {}])
    rows[0][2] = {"garbage": [[]]}
    scope, name = rows[0][:2]
    line = refused_line(tmp_path / "state.json", document)
    assert f"{kind} {(f'{scope}/{name}' if scope else name)!r}" in line, line


@pytest.mark.parametrize(("kind", "change", "words"), [
    ("pods", lambda pod: pod["metadata"].pop("namespace"), "metadata.name and metadata.namespace must name"),
    ("pods", lambda pod: pod["spec"].update(containers=[{"image": "busybox"}]), "spec.containers must be objects"),
    ("pods", lambda pod: pod["status"].update(phase="Sleeping"), "status.phase must be one of"),
    ("pods", lambda pod: pod["status"].update(containerStatuses="x"), "status.containerStatuses must be a list"),
    ("events", lambda event: event.update(lastTimestamp="yesterday"), "lastTimestamp (and firstTimestamp)"),
    ("events", lambda event: event.update(involvedObject=None), "involvedObject (and source) must be objects"),
    ("events", lambda event: event.update(count=-1), "count must be a count"),
    ("kubernetes_job_runs", lambda run: run.update(attempts={"all": -1}), '"attempts" must count attempts'),
    ("kubernetes_pod_runs", lambda plan: plan.update(next={"step": "fly", "at": "2030-01-01T00:00:00Z"}),
     '"next" must be null or a step'),
    ("kubernetes_pod_runs", lambda plan: plan.update(exit_codes=[]), '"exit_codes" must list exit codes'),
    ("job_transitions", lambda history: history.update(steps=[]), 'must be {"steps": [1 to 50'),
    ("job_transitions", lambda history: history["steps"][0].update(at="soon"), 'has a step whose "at" is no time'),
    ("cos_jobs", lambda job: job.update(Priority=-1), "is no CreateJobRequest COS accepts (InvalidArgument"),
    ("cos_jobs", lambda job: job.update(ConfirmationRequired="false"),
     "holds ConfirmationRequired as CreateJob would not store"),
    ("cos_jobs", lambda job: job.update(Status="Sleeping"), '"Status" must be one of'),
    ("cos_jobs", lambda job: job["ProgressSummary"].pop("TotalNumberOfTasks"), '"ProgressSummary" must count'),
    ("cos_jobs", lambda job: job.update(Extra=1), "must have exactly the fields"),
    ("cos_job_steps", lambda step: step.update({"from": "Sleeping"}), 'must be {"at": a time, "from"'),
    ("cos_batch_secrets", lambda secret: secret.update(Appid=1250000000), 'must be {"SecretKey", "Appid"'),
], ids=lambda value: value if isinstance(value, str) and " " not in value else None)
def test_a_saved_object_its_create_path_would_refuse_stops_start_up_naming_it(running_state, tmp_path, kind,
                                                                               change, words):
    document = copy.deepcopy(running_state)
    scope, name, obj = document["store"]["collections"][kind][0]
    change(obj)
    line = refused_line(tmp_path / "state.json", document)
    assert f"{kind} {(f'{scope}/{name}' if scope else name)!r} " in line and words in line, line


def test_what_fixtures_store_as_given_restarts(tmp_path):
    """Fixture Pods, Events and COS keys of a document without an APPID are kept as given: a state saved with them
    passes the checks of the next start."""
    path = tmp_path / "state.json"
    emulator = Emulator(settings(path))
    fixture_files.apply([("test", {"service": "cos_batch", "credentials": {"AKIDNOAPPID": "secret"}}),
                         ("test", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "given"},
                                   "spec": {"containers": [{"name": "main"}]}}),
                         ("test", {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "given.1"},
                                   "involvedObject": {"kind": "Pod", "name": "given"}})], emulator.services)
    emulator.save()
    restarted = Emulator(settings(path)).core.store
    assert restarted.collection("cos_batch_secrets").get("", "AKIDNOAPPID")["Appid"] is None
    assert restarted.collection("pods").get("default", "given") and restarted.collection("events").get(
        "default", "given.1")


def test_a_state_saved_mid_init_or_mid_image_restart_resumes_there(tmp_path):
    """Every step the kubelet may have next is one a state file may hold: saved while a pod's init container runs
    ("init", refused at start before) and while a container waits to restart with a new image ("replace")."""
    from emulator.services.kubernetes.options import WriteOptions

    emulator = Emulator(Settings(clock_start=START, clock_frozen=True, load_fixtures=False))
    kubernetes = emulator.services["kubernetes"]
    spec = {"restartPolicy": "Never", "initContainers": [{"name": "prep", "image": "busybox"}],
            "containers": [{"name": "main", "image": "busybox"}]}
    kubernetes.pods.post("default", {"metadata": {"name": "initing"}, "spec": spec}, False, True)
    kubernetes.pods.post("default", {"metadata": {"name": "swapping"}, "spec": {
        "containers": [{"name": "main", "image": "busybox"}]}}, False, True)
    emulator.core.clock.advance(1.5)  # initing's init container runs; swapping's container runs
    swapping = kubernetes.pods.items.get("default", "swapping")
    kubernetes.pods.patch("default", "swapping", "application/strategic-merge-patch+json",
                          {"spec": {"containers": [{"name": "main", "image": "busybox:1.37"}]}}, WriteOptions())
    plans = dict(((scope, name), plan["next"]["step"]) for scope, name, plan in
                 state_file.capture(emulator.core)["store"]["collections"]["kubernetes_pod_runs"])
    assert plans == {("default", "initing"): "init", ("default", "swapping"): "replace"}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state_file.capture(emulator.core)))
    resumed = Emulator(Settings(state_file=path, clock_frozen=True))
    resumed.core.clock.advance(1)
    pods = resumed.services["kubernetes"].pods.items
    assert pods.get("default", "initing")["status"]["containerStatuses"][0]["state"].get("running")
    assert pods.get("default", "swapping")["status"]["containerStatuses"][0]["restartCount"] == 1
    assert swapping["status"]["containerStatuses"][0]["restartCount"] == 0
