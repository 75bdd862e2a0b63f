"""COS buckets, objects and job runs in the state file: a restart keeps them, a run restored mid-way finishes with its
real tasks, and a saved bucket, object or run that its create path would refuse stops start-up with one line."""
from __future__ import annotations

import base64
import csv
import io
import json
from datetime import datetime, timezone

import pytest
from cos_live import REGION, served
from cos_support import APPID, request_body, request_tree, xml

from emulator.runtime import state_file
from emulator.runtime.emulator import EMULATOR, Emulator
from emulator.services.cos_batch import validation
from emulator.settings import Settings

SRC, DST, REP = "src-1250000000", "dst-1250000000", "rep-1250000000"
STEP = 2  # seconds between status steps (the default)
COPY = {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}}


def job_tree(etag: str, confirm: bool = False) -> dict:
    return request_tree(
        ClientRequestToken="state-file-token", ConfirmationRequired="true" if confirm else "false",
        Manifest={"Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/manifests/m.csv"},
                  "Spec": {"Fields": {"member": ["Bucket", "Key"]}, "Format": "COSBatchOperations_CSV_V1"}},
        Operation=COPY,
        Report={"Bucket": f"qcs::cos:{REGION}::{REP}", "Enabled": "true", "Format": "Report_CSV_V1",
                "Prefix": "r", "ReportScope": "AllTasks"})


def progress(served_emulator, job_id: str) -> tuple[str, int, int, int]:
    answer = served_emulator.batch("GET", f"/jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    job = xml(answer.content)["DescribeJobResult"]["Job"]
    summary = job["ProgressSummary"]
    return (job["Status"], int(summary["TotalNumberOfTasks"]), int(summary["NumberOfTasksSucceeded"]),
            int(summary["NumberOfTasksFailed"]))


def body_of(cos, bucket: str, key: str) -> bytes:
    return cos.get_object(Bucket=bucket, Key=key)["Body"].get_raw_stream().read()


def test_a_restart_keeps_buckets_objects_and_a_run_that_then_finishes_with_its_real_tasks(tmp_path):
    path = tmp_path / "state.json"
    keys = [f"in/{n:03d}.txt" for n in range(250)]
    missing = {key for number, key in enumerate(keys) if number % 5 == 4}  # 50 sources absent
    with served(state_file=path) as first:
        cos = first.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        for key in keys:
            if key not in missing:
                cos.put_object(Bucket=SRC, Key=key, Body=key.encode() + bytes(range(256)),
                               Metadata={"x-cos-meta-origin": key})
        cos.put_object(Bucket=SRC, Key="cold.bin", Body=b"\x00cold\xff", StorageClass="ARCHIVE")
        cos.restore_object(Bucket=SRC, Key="cold.bin", RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Bulk"}})
        etag = cos.put_object(Bucket=SRC, Key="manifests/m.csv",
                              Body="\n".join(f"{SRC},{key}" for key in keys).encode())["ETag"]
        created = first.batch("POST", "/jobs", request_body(job_tree(etag)))
        assert created.status_code == 200, created.text
        job_id = xml(created.content)["CreateJobResult"]["JobId"]
        for _ in range(4):  # New -> Preparing -> Ready -> Active, then the first 100 tasks
            first.advance(STEP)
        assert progress(first, job_id) == ("Active", 250, 80, 20)
        head_before = cos.head_object(Bucket=SRC, Key="in/007.txt")
    # stopping saved the state file; the second emulator starts from it
    with served(state_file=path) as second:
        cos = second.client()
        assert progress(second, job_id) == ("Active", 250, 80, 20)
        head = cos.head_object(Bucket=SRC, Key="in/007.txt")
        assert {name: head[name] for name in ("ETag", "x-cos-hash-crc64ecma", "Last-Modified", "x-cos-meta-origin")} \
            == {name: head_before[name] for name in ("ETag", "x-cos-hash-crc64ecma", "Last-Modified",
                                                     "x-cos-meta-origin")}
        assert body_of(cos, SRC, "in/007.txt") == b"in/007.txt" + bytes(range(256))
        assert cos.head_object(Bucket=SRC, Key="cold.bin")["x-cos-restore"] == 'ongoing-request="true"'
        seen = []
        for seconds in (1, 1, STEP):
            second.advance(seconds)
            seen.append(progress(second, job_id))
        assert seen == [("Active", 250, 160, 40), ("Completing", 250, 200, 50), ("Complete", 250, 200, 50)]
        manifest = json.loads(body_of(cos, REP, f"r/job-{job_id}/manifest.json"))
        rows = {result["TaskExecutionStatus"]: list(csv.reader(io.StringIO(
            body_of(cos, result["Bucket"], result["Key"]).decode()))) for result in manifest["Results"]}
        assert sorted(row[1] for row in rows["failed"]) == sorted(missing)  # the tasks before and after the restart
        assert {tuple(row[3:6]) for row in rows["failed"]} == {("failed", "404", "NoSuchCopySource")}
        assert sorted(row[1] for row in rows["succeeded"]) == sorted(set(keys) - missing)
        copied = cos.list_objects(Bucket=DST, Prefix="in/", MaxKeys=1000)["Contents"]
        assert len(copied) == 200 and body_of(cos, DST, "in/248.txt") == b"in/248.txt" + bytes(range(256))
        second.advance(5 * 3600)  # Bulk restore of ARCHIVE: 5 hours from the request, made before the restart
        assert body_of(cos, SRC, "cold.bin") == b"\x00cold\xff"


# --- in process: what the file holds and what start-up refuses ----------------------------------------------

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def settings(path, **changes) -> Settings:
    return Settings(**{"clock_start": START, "clock_frozen": True, "load_fixtures": False, "state_file": path,
                       **changes})


def emulator_with_a_run(path) -> Emulator:
    """An emulator holding three buckets, two objects, a manifest and a copy job whose run is under way."""
    emulator = Emulator(settings(path))
    service = emulator.services["cos_batch"]
    store = service.objects
    for bucket in (SRC, DST, REP):
        store.create_bucket(bucket, REGION)
    store.put(SRC, "a.txt", b"hello world", meta={"colour": "blue"})
    store.put(SRC, "b.txt", b"\xff\x00")
    manifest = store.put(SRC, "manifests/m.csv", f"{SRC},a.txt\n{SRC},gone.txt\n{SRC},b.txt\n".encode())
    request = validation.create_job_request("CreateJobRequest", job_tree(manifest.etag))
    job = service.jobs.create(APPID, request)
    emulator.core.clock.advance(3 * STEP)  # New -> Preparing -> Ready -> Active: the run exists
    assert service.jobs.get(APPID, job["JobId"])["Status"] == "Active"
    service.jobs.runner.tasks_per_second = 2
    return emulator


def saved_rows(path) -> dict:
    return {kind: {(scope, name): obj for scope, name, obj in rows}
            for kind, rows in json.loads(path.read_bytes())["store"]["collections"].items()}


def test_a_view_taken_before_a_step_saves_the_run_as_it_was(tmp_path):
    path = tmp_path / "state.json"
    emulator = emulator_with_a_run(path)
    view = state_file.capture(emulator.core, copy=False)  # what a save takes on the event loop
    emulator.core.clock.advance(STEP)  # two tasks run while the file is being written
    state_file.write(path, view)
    (key, run), = saved_rows(path)["cos_runs"].items()
    assert (run["done"], run["failed"], run["failures"]) == (0, 0, [])
    assert run["tasks"] == [[SRC, "a.txt", ""], [SRC, "gone.txt", ""], [SRC, "b.txt", ""]]
    emulator.save()
    assert saved_rows(path)["cos_runs"][key]["failures"] == [
        [1, 404, "NoSuchCopySource", "The specified copy source does not exist."]]
    saved = saved_rows(path)["cos_objects"][(SRC, "b.txt")]
    assert base64.b64decode(saved["content"]) == b"\xff\x00" and saved["size"] == 2


def test_the_restored_run_goes_on_from_its_position(tmp_path):
    path = tmp_path / "state.json"
    emulator = emulator_with_a_run(path)
    emulator.core.clock.advance(STEP)  # the first two tasks
    emulator.save()
    after = Emulator(settings(path, cos_tasks_per_second=2))
    service = after.services["cos_batch"]
    (appid, job_id), = [key for key, _ in service.jobs.jobs.scan()]
    after.core.clock.advance(1)  # the third, a second later as without the restart
    job = service.jobs.get(appid, job_id)
    assert (job["Status"], job["ProgressSummary"]) == ("Completing", {
        "NumberOfTasksFailed": 1, "NumberOfTasksSucceeded": 2, "TotalNumberOfTasks": 3})
    assert service.objects.get(DST, "b.txt").body == b"\xff\x00"
    assert service.objects.get(SRC, "a.txt").meta == {"colour": "blue"}
    assert service.objects.used == sum(found.size for _, found in after.core.store.collection("cos_objects").scan())


def test_grants_are_kept_and_a_file_from_before_grants_were_kept_still_loads(tmp_path):
    path = tmp_path / "state.json"
    emulator = emulator_with_a_run(path)
    emulator.services["cos_batch"].objects.put(DST, "g", b"g", acl="private", grants={"READ": ["100000000002"]})
    emulator.save()
    after = Emulator(settings(path)).services["cos_batch"].objects
    assert (after.get(DST, "g").acl, after.get(DST, "g").grants) == ("private", {"READ": ["100000000002"]})
    document = json.loads(path.read_bytes())
    _change_object(document["store"]["collections"], lambda obj: obj.pop("grants"))
    path.write_text(json.dumps(document))
    assert Emulator(settings(path)).services["cos_batch"].objects.get(SRC, "a.txt").grants == {}


def _change_object(rows, change):
    for scope, name, obj in rows["cos_objects"]:
        if (scope, name) == (SRC, "a.txt"):
            change(obj)


@pytest.mark.parametrize("tamper, words", [
    (lambda rows: _change_object(rows, lambda obj: obj.update(etag="0" * 32)),
     f"cos_objects '{SRC}/a.txt' \"etag\" and \"crc64\" must be the body's MD5 and CRC64"),
    (lambda rows: _change_object(rows, lambda obj: obj.update(content="not base64!")),
     f"cos_objects '{SRC}/a.txt' \"content\" must be the body in base64"),
    (lambda rows: _change_object(rows, lambda obj: obj.update(storage_class="GLACIER")),
     f"cos_objects '{SRC}/a.txt' must have a \"modified\" time and a COS \"storage_class\""),
    (lambda rows: _change_object(rows, lambda obj: obj.update(restore={"tier": "fast"})),
     f"cos_objects '{SRC}/a.txt' \"restore\" must be null"),
    (lambda rows: _change_object(rows, lambda obj: obj.update(grants={"READ": "100000000002"})),
     f"cos_objects '{SRC}/a.txt' \"grants\" must map each permission to a list of grantee ids"),
    (lambda rows: rows["cos_buckets"].append(["", "NoAppid", {}]), "cos_buckets 'NoAppid' is not a COS bucket name"),
    (lambda rows: rows.update(cos_buckets=[row for row in rows["cos_buckets"] if row[1] != SRC]),
     f"cos_objects {SRC}/'a.txt': its bucket is not in the state file"),
    (lambda rows: rows["cos_runs"][0][2].update(done=4), "cos_runs"),
    (lambda rows: rows["cos_runs"][0][2].update(failed=2), '"failed" must count the "failures"'),
    (lambda rows: rows["cos_runs"].append([APPID, "no-such-job", {"tasks": [], "done": 0, "failed": 0,
                                                                  "failures": []}]),
     f"cos_runs {APPID}/no-such-job: no job of that APPID is under way"),
])
def test_a_saved_cos_object_its_create_path_would_refuse_stops_start_up_with_one_line(tmp_path, tamper, words):
    path = tmp_path / "state.json"
    emulator_with_a_run(path).save()
    document = json.loads(path.read_bytes())
    tamper(document["store"]["collections"])
    path.write_text(json.dumps(document))
    before = path.read_bytes()
    with pytest.raises(state_file.StateFileError) as refused:
        Emulator(settings(path))
    message = str(refused.value)
    assert words in message and "\n" not in message, message
    assert path.read_bytes() == before  # left as it is


def test_objects_past_the_bounds_of_the_new_start_are_refused(tmp_path):
    path = tmp_path / "state.json"
    emulator_with_a_run(path).save()
    with pytest.raises(state_file.StateFileError, match="larger than --cos-max-object-bytes"):
        Emulator(settings(path, cos_max_object_bytes=10))
    with pytest.raises(state_file.StateFileError, match="more than --cos-max-store-bytes"):
        Emulator(settings(path, cos_max_store_bytes=20))


async def test_buckets_and_objects_are_browsed_and_filtered_as_any_collection(cos):
    objects = cos.client.app[EMULATOR].services["cos_batch"].objects
    objects.create_bucket(SRC, REGION)
    objects.put(SRC, "warm.txt", b"w")
    objects.put(SRC, "cold.txt", b"c", storage_class="ARCHIVE")
    response = await cos.client.get("/_emulator/collections/cos_objects",
                                    params={"where": "/storage_class=ARCHIVE", "fields": "/size,/etag"})
    assert response.status == 200
    assert (await response.json())["items"] == [
        {"scope": SRC, "name": "cold.txt", "object": {"/size": 1, "/etag": "4a8a08f09d37b73795649038408b5f33"}}]
    state = await (await cos.client.get("/_emulator/state")).json()
    assert state["collections"]["cos_buckets"] == [["", SRC, {"name": SRC, "appid": APPID, "region": REGION,
                                                              "created": "2026-01-01T00:00:00+00:00"}]]
