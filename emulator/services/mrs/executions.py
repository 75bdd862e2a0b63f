"""MRS v2 job executions per project, on the store, run on the emulator's clock: submit, read, list, kill, delete.

A job is queued for one second (NEW, NEW_SAVING, SUBMITTED, ACCEPTED, a quarter second each), runs
for its duration (the `cloud-job-emulator.duration-seconds` property, else `--mrs-job-duration`) and
ends as its `cloud-job-emulator.outcome` property says: SUCCEEDED -> FINISHED/SUCCEEDED, FAILED ->
FINISHED/FAILED (as YARN reports an application that fails after running), KILLED -> KILLED/KILLED.
Each record keeps its next automatic step (`next_at`, epoch ms) so a restart from the state file
takes it when it was due. Times are epoch milliseconds, 0 until set.
"""
from __future__ import annotations

from typing import Any

from emulator.core.errors import ApiError
from emulator.services.protocol import Core
from emulator.services.mrs import errors
from emulator.services.mrs.clusters import ClusterRegistry
from emulator.services.mrs.timeline import Timeline

KIND = "mrs_job_executions"
QUEUED = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED")
QUEUE_STEP_MS = 250
TERMINAL = ("FINISHED", "FAILED", "KILLED")
MAX_JOBS_PER_CLUSTER = 10000  # executions kept per cluster; one more is refused with 0177
SQL_TYPES = ("SparkSql", "SparkScript")
# The wire fields of a v2 job (list item and job_detail), in the SDK's JobQueryBean order.
FIELDS = ("job_id", "user", "job_name", "job_result", "job_state", "job_progress", "job_type", "started_time",
          "submitted_time", "finished_time", "elapsed_time", "arguments", "launcher_id", "properties", "app_id",
          "tracking_url", "queue")
ENDS = {"SUCCEEDED": ("FINISHED", "SUCCEEDED"), "FAILED": ("FINISHED", "FAILED"), "KILLED": ("KILLED", "KILLED")}
INDEXED = ("job_name", "job_state", "job_result", "job_type")  # exact list filters answered from the index
Execution = dict[str, Any]


def java_list(items: list[str]) -> str:
    """How MRS renders `arguments`: Java's List.toString, `[a, b]`."""
    return "[" + ", ".join(items) + "]"


def java_map(values: dict[str, str]) -> str:
    """How MRS renders `properties`: Java's Map.toString, `{k1=v1, k2=v2}`."""
    return "{" + ", ".join(f"{key}={value}" for key, value in values.items()) + "}"


def render(job: Execution) -> dict[str, Any]:
    return {field: job[field] for field in FIELDS}


def enter(job: Execution, state: str, now_ms: int, result: str = "UNDEFINED") -> Execution:
    """`job` moved to `state` at `now_ms` (with `result` when it ends), and when its next step falls due."""
    moved = {**job, "job_state": state, "job_result": result, "next_at": None}
    if state in QUEUED:
        moved["next_at"] = max(now_ms, job["submitted_time"] + QUEUE_STEP_MS * (QUEUED.index(state) + 1))
    elif state == "RUNNING":
        moved.update(started_time=now_ms, job_progress=10.0, next_at=now_ms + job["duration_ms"])
    else:
        started = job["started_time"]
        moved.update(finished_time=now_ms, elapsed_time=now_ms - started if started else 0)
        if state == "FINISHED":
            moved["job_progress"] = 100.0
    return moved


def next_state(job: Execution) -> tuple[str, str]:
    """(state, result) the automatic step from the job's state leads to."""
    state = job["job_state"]
    if state in QUEUED:
        following = (QUEUED + ("RUNNING",))[QUEUED.index(state) + 1]
        return following, "UNDEFINED"
    return ENDS[job["outcome"]]


def path_to(job: Execution, target: str) -> list[tuple[str, str]] | None:
    """The (state, result) steps from the job's state to `target`; None if the state machine never gets there.

    `target` is a queued state or RUNNING (reached in order), FINISHED or SUCCEEDED (FINISHED/SUCCEEDED,
    through RUNNING), FAILED (FINISHED/FAILED after running; FAILED/FAILED, a launch failure, before) or KILLED.
    """
    state = job["job_state"]
    if state in TERMINAL:
        return None
    order = QUEUED + ("RUNNING",)
    later = order[order.index(state) + 1:]
    if target in later:
        return [(name, "UNDEFINED") for name in later[:later.index(target) + 1]]
    if target == "KILLED":
        return [("KILLED", "KILLED")]
    if target == "FAILED" and state != "RUNNING":
        return [("FAILED", "FAILED")]
    end = {"FINISHED": ("FINISHED", "SUCCEEDED"), "SUCCEEDED": ("FINISHED", "SUCCEEDED"),
           "FAILED": ("FINISHED", "FAILED")}.get(target)
    if end is None:
        return None
    return ([] if state == "RUNNING" else [("RUNNING", "UNDEFINED")]) + [end]


class ExecutionRegistry(Timeline):
    """Every v2 job execution, stored as (project, job_id) -> record; each write stores a new dict."""

    kind = KIND

    def __init__(self, core: Core, clusters: ClusterRegistry, default_duration: float) -> None:
        super().__init__(core)
        self.clusters = clusters
        self.default_duration = default_duration
        self.collection.index_by(_filed_under)

    def _cluster_keys(self, project: str, cluster_id: str) -> set | frozenset:
        return self.collection.having((project, cluster_id, "", None))

    @staticmethod
    def identity(record: Execution) -> tuple[str, str]:
        return record["job_id"], record["job_state"]

    def step(self, record: Execution) -> Execution:
        state, result = next_state(record)
        return enter(record, state, self.now_ms(), result)

    def submit(self, project: str, cluster_id: str, values: dict[str, Any]) -> Execution:
        """A new execution in state NEW from checked values (see validation.check_v2_submission)."""
        cluster = self.clusters.check_state(project, cluster_id)
        self.clusters.check_engine(cluster, values["job_type"])
        if len(self._cluster_keys(project, cluster_id)) >= MAX_JOBS_PER_CLUSTER:
            raise errors.native(errors.TOO_MANY_JOBS, limit=MAX_JOBS_PER_CLUSTER)
        now = self.now_ms()
        sequence = self.clusters.next_application(project, cluster_id)
        launcher = f"application_{int(cluster['createAt']) * 1000}_{2 * sequence - 1:04d}"
        app_id = f"application_{int(cluster['createAt']) * 1000}_{2 * sequence:04d}"
        job_type = "SparkSubmit" if values["job_type"] == "SparkPython" else values["job_type"]
        duration = self.default_duration if values["duration"] is None else values["duration"]
        job: Execution = {
            "job_id": self._core.ids.uuid4(),
            "user": "admin",
            "job_name": values["job_name"],
            "job_result": "UNDEFINED",
            "job_state": "NEW",
            "job_progress": 0.0,
            "job_type": job_type,
            "started_time": 0,
            "submitted_time": now,
            "finished_time": 0,
            "elapsed_time": 0,
            "arguments": java_list(values["arguments"]),
            "launcher_id": launcher,
            "properties": java_map(values["properties"]),
            "app_id": app_id,
            "tracking_url": f"https://{cluster_id}.mrs.emulator/proxy/{app_id}/" if job_type == "SparkSubmit"
            else None,
            "queue": "default",
            # not on the wire:
            "cluster_id": cluster_id,
            "argument_list": values["arguments"],
            "outcome": values["outcome"],
            "duration_ms": round(duration * 1000),
            "next_at": None,
        }
        self._write(project, enter(job, "NEW", now))
        return self.collection.get(project, job["job_id"])

    def get(self, project: str, cluster_id: str, job_id: str) -> Execution:
        """The job of that cluster, or 0176 (after the cluster's own 12000003)."""
        self.clusters.get(project, cluster_id)
        job = self.collection.get(project, job_id)
        if job is None or job["cluster_id"] != cluster_id:
            raise errors.native(errors.JOB_MISSING)
        return job

    def list(self, project: str, cluster_id: str, query: dict[str, Any]) -> tuple[int, list[Execution]]:
        """(total matching, one page): filters are exact, `offset` is the page number, ordered by submitted_time."""
        self.clusters.get(project, cluster_id)
        matched = []
        candidates = [self.collection.having((project, cluster_id, name, query[name]))
                      for name in INDEXED if name in query]  # the smallest set filed under a filter's value
        if "job_id" in query:
            candidates.append({(project, query["job_id"])})
        get = self.collection.get
        for key in min(candidates, key=len) if candidates else self._cluster_keys(project, cluster_id):
            job = get(*key)
            if job is None or job["cluster_id"] != cluster_id:
                continue
            if any(job[name] != query[name] for name in ("job_name", "job_id", "user", "job_type", "job_state",
                                                         "job_result", "queue") if name in query):
                continue
            if job["submitted_time"] < query.get("submitted_time_begin", 0):
                continue
            if "submitted_time_end" in query and job["submitted_time"] > query["submitted_time_end"]:
                continue
            matched.append(job)
        matched.sort(key=lambda job: (job["submitted_time"], job["job_id"]), reverse=query["sort_by"] == "desc")
        start = (query["offset"] - 1) * query["limit"]
        return len(matched), matched[start:start + query["limit"]]

    def kill(self, project: str, cluster_id: str, job_id: str) -> Execution:
        """A queued or running job ends KILLED now; a finished one gets MRS's 0175."""
        job = self.get(project, cluster_id, job_id)
        if job["job_state"] in TERMINAL:
            raise errors.native(errors.KILL_FAILED)
        killed = enter(job, "KILLED", self.now_ms(), "KILLED")
        self._write(project, killed)
        return killed

    def delete_many(self, project: str, cluster_id: str, job_ids: list[str]) -> None:
        """Batch delete: the cluster's listed jobs go, running or not; unknown ids are ignored."""
        self.clusters.get(project, cluster_id)
        for job_id in job_ids:
            job = self.collection.get(project, job_id)
            if job is not None and job["cluster_id"] == cluster_id:
                self._remove(project, job_id)

    def sql_result(self, project: str, cluster_id: str, job_id: str) -> dict[str, list[dict[str, str]]]:
        """`{"<statement index>": [{"result": "succeed"}]}` for a SparkSql/SparkScript job that finished well."""
        job = self.get(project, cluster_id, job_id)
        if job["job_type"] not in SQL_TYPES:
            raise errors.native(errors.NOT_SQL_JOB)
        if job["job_state"] not in TERMINAL:
            raise errors.native(errors.SQL_RUNNING)
        if job["job_result"] != "SUCCEEDED":
            raise errors.native(errors.SQL_EMPTY)
        arguments = job["argument_list"]
        text = arguments[-1] if arguments else ""
        statements = [part for part in text.split(";") if part.strip()] if job["job_type"] == "SparkSql" else [text]
        return {str(index): [{"result": "succeed"}] for index in range(len(statements))}

    def transition(self, project: str, job_id: str, target: str) -> Execution:
        """Admin: walk one job to `target` now through its own steps; 409 if the state machine never gets there."""
        job = self.collection.get(project, job_id)
        if job is None:
            raise ApiError(404, "NotFound", f"no MRS job execution {job_id} in project {project}")
        steps = path_to(job, target)
        if steps is None:
            raise ApiError(409, "Conflict", f"job execution {job_id} is {job['job_state']}: the state machine "
                                            f"never takes it to {target}")
        now = self.now_ms()
        for state, result in steps:
            job = enter(job, state, now, result)
        self._write(project, job)
        return job


def _filed_under(project: str, job: Execution) -> tuple:
    """What the collection's index files an execution under: its cluster, and each INDEXED field's value there."""
    cluster = job["cluster_id"]
    return ((project, cluster, "", None), *((project, cluster, name, job[name]) for name in INDEXED))
