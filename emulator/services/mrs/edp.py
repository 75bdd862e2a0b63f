"""Sahara EDP job executions (v1.1) per project, on the store and the emulator's clock: execute, read, cancel, delete.

An execution is PENDING when created, RUNNING a second later (start_time, an Oozie-style engine id,
data_source_urls), and ends after its duration (`cloud-job-emulator.duration-seconds` in
job_configs.configs, else `--mrs-job-duration`) as `cloud-job-emulator.outcome` says (SUCCEEDED,
FAILED or KILLED). A cancel moves an unfinished one to TOBEKILLED at once and KILLED a second later.
Times are Sahara's `YYYY-MM-DDTHH:MM:SS` (UTC).
"""
from __future__ import annotations

import random
import string
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from emulator.core.errors import ApiError
from emulator.services.protocol import Core
from emulator.services.mrs import acl, datasources, errors, job_exes, listing, validation
from emulator.services.mrs.clusters import ClusterRegistry
from emulator.services.mrs.datasources import DataSourceRegistry
from emulator.services.mrs.timeline import Timeline
from emulator.services.mrs.jobs import JobRegistry
from emulator.services.mrs.schema import Validator
from emulator.services.mrs.shapes import timestamp

KIND = "mrs_edp_executions"
FIELDS = ("id", "tenant_id", "job_id", "cluster_id", "input_id", "output_id", "start_time", "end_time", "info",
          "engine_job_id", "oozie_job_id", "return_code", "job_configs", "data_source_urls", "is_public",
          "is_protected", "created_at", "updated_at")
TERMINAL = ("SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR")
START_DELAY_MS = 1000
KILL_DELAY_MS = 1000
MAX_EXECUTIONS_PER_PROJECT = 10000  # one more is refused with 400 INVALID_DATA
# Configs that carry credentials (Swift's user and password, S3's keys): Sahara shows them as "". Nothing runs
# here, so their values are not kept either, and the state never holds them.
CREDENTIAL_CONFIGS = ("fs.swift.service.sahara.username", "fs.swift.service.sahara.password", "fs.s3a.access.key",
                      "fs.s3a.secret.key")
# Job-object types and the cluster component they run on.
ENGINE_OF = {"Spark": "Spark", "SparkScript": "Spark", "SparkSql": "Spark", "Hive": "Hive", "hql": "Hive"}
LISTING = listing.Listing(sort_fields=("id", "job_template", "cluster", "status"),
                          regex_filters=("job.name", "cluster.name"),  # joined: the job's and the cluster's name
                          equal_filters=("id", "status", "cluster_id", "job_id", "input_id", "output_id"),
                          boolean_filters=("is_public", "is_protected"))

_FLAG = {"type": ["boolean", "null"]}
_UUID = {"type": "string", "format": "uuid"}
_FORMATS = {"uuid": lambda text: _is_uuid(text)}
EXECUTE = Validator({
    "type": "object",
    "properties": {
        "cluster_id": _UUID, "input_id": _UUID, "output_id": _UUID,
        "job_configs": {"type": "object", "additionalProperties": False, "properties": {
            "configs": {"type": "object"}, "params": {"type": "object"},
            "args": {"type": "array", "items": {"type": "string"}}, "job_execution_info": {"type": "object"}}},
        "interface": {"type": "object"},
        "is_public": _FLAG, "is_protected": _FLAG,
    },
    "additionalProperties": False,
    "required": ["cluster_id"],
}, _FORMATS)
PATCH = Validator({
    "type": "object",
    "properties": {"is_public": _FLAG, "is_protected": _FLAG,
                   "info": {"type": "object", "additionalProperties": False,
                            "properties": {"status": {"enum": ["suspend", "cancel"]}}}},
    "additionalProperties": False,
}, _FORMATS)
Execution = dict[str, Any]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
        return True
    except ValueError:
        return False


def render(execution: Execution) -> dict[str, Any]:
    return {field: execution[field] for field in FIELDS}


def _sahara_time(ms: int) -> str:
    return timestamp(datetime.fromtimestamp(ms / 1000, timezone.utc))


class EdpRegistry(Timeline):
    """Sahara job executions, stored as (project, id) -> record (wire fields plus `status`, `next_at`, the run)."""

    kind = KIND

    def __init__(self, core: Core, jobs: JobRegistry, sources: DataSourceRegistry, clusters: ClusterRegistry,
                 default_duration: float) -> None:
        super().__init__(core)
        self.jobs = jobs
        self.sources = sources
        self.clusters = clusters
        self.default_duration = default_duration

    @staticmethod
    def identity(record: Execution) -> tuple[str, str]:
        return record["id"], record["status"]

    def _enter(self, record: Execution, status: str, now_ms: int) -> Execution:
        """The record moved to `status` at `now_ms`: Sahara's row update sets `updated_at` (oslo.db's onupdate), and
        job-exes' update_at is that time."""
        moved = {**record, "status": status, "next_at": None, "updated_at": _sahara_time(now_ms), "updated_ms": now_ms}
        sahara = record["info"] is not None  # a submit-job record shows no engine id, urls or info (Huawei's view)
        if sahara:
            moved["info"] = {**record["info"], "status": status}
        if status == "RUNNING":
            moved.update(start_time=_sahara_time(now_ms), start_ms=now_ms, next_at=now_ms + record["duration_ms"])
            if sahara:
                moved.update(self._engine_run(record, now_ms))
        elif status == "TOBEKILLED":
            moved["next_at"] = now_ms + KILL_DELAY_MS
        elif status in TERMINAL:
            moved.update(end_time=_sahara_time(now_ms), end_ms=now_ms)
            if moved["start_time"] is None:
                moved.update(start_time=moved["end_time"], start_ms=now_ms)
        return moved

    def _engine_run(self, record: Execution, now_ms: int) -> dict[str, Any]:
        """What a Sahara execution shows once its engine runs it: an Oozie-style id, the urls it runs with."""
        number = self.clusters.next_application(record["tenant_id"], record["cluster_id"])
        engine_id = f"{number:07d}-{_sahara_time(now_ms).replace('-', '').replace(':', '').replace('T', '')}" \
                    f"-oozie-omm-W"
        used = (self.sources.find(record["tenant_id"], source_id or "")
                for source_id in (record["input_id"], record["output_id"]))
        urls = {source["id"]: datasources.resolved_url(source["url"], record["id"], self._random_letters)
                for source in used if source is not None}
        return {"engine_job_id": engine_id, "oozie_job_id": engine_id, "data_source_urls": urls}

    def _random_letters(self, length: int) -> str:
        """`length` random lower-case letters (a url's %RANDSTR%), drawn from the emulator's seedable ids."""
        chooser = random.Random(self._core.ids.uuid4())
        return "".join(chooser.choice(string.ascii_lowercase) for _ in range(length))

    def step(self, record: Execution) -> Execution:
        status = record["status"]
        target = "RUNNING" if status == "PENDING" else "KILLED" if status == "TOBEKILLED" else record["outcome"]
        return self._enter(record, target, self.now_ms())

    def execute(self, project: str, job_id: str, body: Any) -> Execution:
        """POST /jobs/{job_id}/execute, checked in Sahara's order; the new execution is PENDING."""
        job = self.jobs.get(project, job_id)
        validation.check(EXECUTE, body)
        job_configs = dict(body.get("job_configs") or {})
        configs = job_configs.get("configs") or {}
        for key in ("configs", "params"):
            section = job_configs.get(key) or {}
            if any(not isinstance(value, (str, int, float, bool)) for value in section.values()):
                raise errors.validation_error([f"job_configs[{key}]: {section!r} is not of type 'simple_config'"])
        cluster_id = body["cluster_id"]
        cluster = self.clusters.collection.get(project, cluster_id)
        if cluster is None:
            raise errors.sahara("INVALID_REFERENCE", f"Cluster with id '{cluster_id}' doesn't exist")
        if cluster["clusterState"] != "running":
            raise errors.invalid_data(f"Jobs cannot be submitted to a cluster in the {cluster['clusterState']} state.")
        if not self.clusters.has_engine(cluster, ENGINE_OF.get(job["type"])):
            raise errors.sahara("INVALID_REFERENCE",
                                f"Cluster with id '{cluster_id}' doesn't support job type '{job['type']}'")
        input_id, output_id = body.get("input_id"), body.get("output_id")
        if not input_id or not output_id:
            raise errors.invalid_data(f"{job['type']} job requires 'input_id' and 'output_id'")
        sources = []
        for source_id in (input_id, output_id):
            source = self.sources.find(project, source_id)
            if source is None:
                raise errors.sahara("INVALID_REFERENCE", f"DataSource with id '{source_id}' doesn't exist")
            sources.append(source)
        if (sources[0]["type"], sources[0]["url"]) == (sources[1]["type"], sources[1]["url"]):
            raise errors.invalid_data("Provided input and output DataSources reference the same location: "
                                      f"{sources[0]['url']}")
        duration, outcome = self._scripted(configs)
        if any(key in configs for key in CREDENTIAL_CONFIGS):
            job_configs["configs"] = {key: "" if key in CREDENTIAL_CONFIGS else value for key, value in configs.items()}
        job_configs["job_execution_info"] = {}
        return self._create(project, {
            "job_id": job_id, "cluster_id": cluster_id, "input_id": input_id, "output_id": output_id,
            "info": {"status": "PENDING"}, "job_configs": job_configs,
            "is_public": body.get("is_public") or False, "is_protected": body.get("is_protected") or False,
        }, duration, outcome)

    def _scripted(self, configs: Mapping[str, Any]) -> tuple[float, str]:
        try:
            duration, outcome = validation.scripted_run(dict(configs))
        except Exception:
            raise errors.invalid_data(f"{validation.DURATION_KEY} must be 0 to {validation.MAX_DURATION_SECONDS} "
                                      f"seconds and {validation.OUTCOME_KEY} one of "
                                      f"{', '.join(validation.OUTCOMES)}") from None
        return (self.default_duration if duration is None else duration), outcome

    def submit_job(self, project: str, values: dict[str, Any]) -> Execution:
        """MRS v1.1 submit-job: a record in the same store, RUNNING at once (job_state 2), shown by Sahara's
        routes with `job_id` "" and `info` null, as Huawei shows such records."""
        cluster = self.clusters.collection.get(project, values["cluster_id"])
        if cluster is None:
            raise errors.native(errors.CLUSTER_MISSING)
        if cluster["clusterState"] != "running":
            raise errors.native(("12000062", f"Jobs cannot be submitted to a cluster in the "
                                             f"{cluster['clusterState']} state."))
        if cluster["safeMode"] == 1:
            raise errors.native(("12000064", "Jobs cannot be submitted or inquired to a security cluster by API."))
        engine = ENGINE_OF.get(job_exes.JOB_TYPES[values["job_type"]])
        if not self.clusters.has_engine(cluster, engine):
            raise errors.native(("12000063", f"{engine} jobs cannot be submitted."))
        if self.collection.count(project) >= MAX_EXECUTIONS_PER_PROJECT:
            raise errors.native(("12000060", f"The number of jobs per project cannot exceed "
                                             f"{MAX_EXECUTIONS_PER_PROJECT} in the emulator."))
        record = self._create(project, {"cluster_id": values["cluster_id"], "native": values, "is_public": None},
                              self.default_duration, "SUCCEEDED")
        running = self._enter(record, "RUNNING", record["created_ms"])
        self._write(project, running)
        return running

    def job_exes(self, project: str, query: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        """(total matching, one page) of job-exes items, newest first."""
        items = [self.job_exe_item(record) for _, record in self.collection.scan(project)]
        matched = [item for item in items
                   if all(item[name] == query[name] for name in ("job_name", "id", "cluster_id") if name in query)
                   and ("state" not in query or item["job_state"] == query["state"])]
        matched.sort(key=lambda item: (item["create_at"], item["id"]), reverse=True)
        start = (query["current_page"] - 1) * query["page_size"]
        return len(matched), matched[start:start + query["page_size"]]

    def job_exe(self, project: str, execution_id: str) -> dict[str, Any]:
        record = self.collection.get(project, execution_id)
        if record is None:
            raise errors.native(errors.JOB_MISSING, status=404)
        return self.job_exe_item(record)

    def job_exe_item(self, record: Execution) -> dict[str, Any]:
        job = self.jobs.find(record["tenant_id"], record["job_id"]) if record["job_id"] else None
        return job_exes.item(record, job["name"] if job else "", job["type"] if job else "")

    def _create(self, project: str, fields: dict[str, Any], duration: float, outcome: str) -> Execution:
        if self.collection.count(project) >= MAX_EXECUTIONS_PER_PROJECT:
            raise errors.invalid_data(f"A project keeps at most {MAX_EXECUTIONS_PER_PROJECT} job executions in the "
                                      "emulator; delete some first")
        now = self.now_ms()
        record: Execution = {
            "id": self._core.ids.uuid4(), "tenant_id": project, "job_id": "", "cluster_id": "",
            "input_id": None, "output_id": None, "start_time": None, "end_time": None, "info": None,
            "engine_job_id": None, "oozie_job_id": None, "return_code": None, "job_configs": None,
            "data_source_urls": None, "is_public": False, "is_protected": False,
            "created_at": _sahara_time(now), "updated_at": None,
            **fields,
            "status": "PENDING", "outcome": outcome, "duration_ms": round(duration * 1000),
            "next_at": now + START_DELAY_MS, "created_ms": now, "start_ms": None, "end_ms": None,
        }
        self._write(project, record)
        return record

    def get(self, project: str, execution_id: str) -> Execution:
        found = self.collection.get(project, execution_id)
        if found is None:
            raise errors.not_found(execution_id)
        return found

    def list(self, project: str, args: Mapping[str, str]) -> tuple[list[Execution], listing.Markers | None]:
        """Sahara's list: `sort_by` id, job_template (the job's name), cluster, status; `status` any case;
        `job.name` and `cluster.name` match the names of the execution's job and cluster (none: no match)."""
        def row(record: Execution) -> dict[str, Any]:
            job = self.jobs.find(project, record["job_id"]) if record["job_id"] else None
            cluster = self.clusters.collection.get(project, record["cluster_id"])
            return {**record, "job_template": job["name"] if job else "", "cluster": record["cluster_id"],
                    "job.name": job and job["name"], "cluster.name": cluster and cluster["clusterName"]}

        if "status" in args:
            args = {**args, "status": args["status"].upper()}
        query = listing.parse_query(args, LISTING, lambda marker: (
            row(self.collection.get(project, marker)) if self.collection.get(project, marker) else None))
        return listing.page([row(record) for _, record in self.collection.scan(project)], query)

    def cancel(self, project: str, execution_id: str) -> Execution:
        """GET .../cancel: the record as it was; an unfinished one is TOBEKILLED now and KILLED a second later."""
        record = self.get(project, execution_id)
        if record["is_protected"]:
            raise errors.sahara("CANCELING_FAILED", f"Job Execution with id '{execution_id}' cannot be canceled "
                                                    "because it's marked as protected")
        if record["status"] not in TERMINAL and record["status"] != "TOBEKILLED":
            self._write(project, self._enter(record, "TOBEKILLED", self.now_ms()))
        return record

    def update(self, project: str, execution_id: str, body: Any) -> Execution:
        """PATCH: is_public / is_protected (a protected execution takes only an unprotecting or an is_public-only
        change); `info.status` cancel is accepted and ignored, suspend is refused."""
        record = self.get(project, execution_id)
        validation.check(PATCH, body)
        if "info" in body:
            if len(body) > 1:
                raise errors.sahara("INVALID_JOB_STATUS", "Invalid status parameter")
            cluster = self.clusters.collection.get(project, record["cluster_id"])
            if cluster is None or cluster["clusterState"] != "running":
                raise errors.invalid_data("Suspending operation can not be performed on an inactive or "
                                          "non-existent cluster")
            if body["info"].get("status") == "suspend":
                raise errors.sahara("INVALID_REFERENCE", "Engine doesn't support suspending job feature")
            return record
        acl.check_update("JobExecution", record, body)
        changes = {key: bool(body[key]) for key in ("is_public", "is_protected") if key in body}
        updated = {**record, **changes, "updated_at": timestamp(self.clock.now()), "updated_ms": self.now_ms()}
        self._write(project, updated)
        return updated

    def delete(self, project: str, execution_id: str) -> None:
        acl.check_delete("JobExecution", self.get(project, execution_id))
        self._remove(project, execution_id)

    def uses_source(self, project: str, source_id: str, pending_only: bool) -> bool:
        return any(source_id in (record["input_id"], record["output_id"])
                   and (not pending_only or record["status"] == "PENDING")
                   for _, record in self.collection.scan(project))

    def pending_uses_binary(self, project: str, binary_id: str) -> bool:
        """Whether the job of a PENDING execution names the binary in its mains or libs."""
        for _, record in self.collection.scan(project):
            job = self.jobs.find(project, record["job_id"]) if record["status"] == "PENDING" else None
            if job is not None and binary_id in job["mains"] + job["libs"]:
                return True
        return False

    def uses_job(self, project: str, job_id: str) -> bool:
        return any(record["job_id"] == job_id for _, record in self.collection.scan(project))

    def transition(self, project: str, execution_id: str, target: str) -> Execution:
        """Admin: RUNNING from PENDING, or any end (SUCCEEDED, FAILED, KILLED, DONEWITHERROR) from an unfinished one."""
        record = self.get(project, execution_id)
        status = record["status"]
        if status in TERMINAL or target == status or (target == "RUNNING" and status != "PENDING") \
                or target not in TERMINAL + ("RUNNING",):
            raise ApiError(409, "Conflict", f"job execution {execution_id} is {status}: the state machine never "
                                            f"takes it to {target}")
        now = self.now_ms()
        if status == "PENDING" and target != "KILLED":
            record = self._enter(record, "RUNNING", now)
        if target != "RUNNING":
            record = self._enter(record, target, now)
        self._write(project, record)
        return record
