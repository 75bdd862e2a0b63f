"""HTTP handlers of MRS's own APIs (v2 job-executions, v1.1 submit-job and job-exes, cluster_infos)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.core.ids import Ids
from emulator.services.mrs import clusters, executions, job_exes, validation
from emulator.services.mrs.clusters import ClusterRegistry
from emulator.services.mrs.edp import EdpRegistry
from emulator.services.mrs.executions import ExecutionRegistry
from emulator.services.mrs.wire import answer, native_body, native_project_of


class MrsNativeApi:
    """The native operations, named after huaweicloudsdkmrs's calls (v1 and v2 clients)."""

    def __init__(self, executions: ExecutionRegistry, clusters: ClusterRegistry, edp: EdpRegistry,
                 request_ids: Ids) -> None:
        self.executions = executions
        self.clusters = clusters
        self.edp = edp
        self.request_ids = request_ids

    def _answer(self, status: int, payload: dict[str, Any] | None = None) -> web.Response:
        """An answer of MRS's own APIs, with the X-Request-Id (32 hex) Huawei's gateway gives each, as on errors."""
        response = web.Response(status=status) if payload is None else answer(status, payload)
        response.headers["X-Request-Id"] = self.request_ids.uuid4().replace("-", "")
        return response

    async def create_and_execute_job(self, request: web.Request) -> web.Response:
        project = native_project_of(request)
        record = self.edp.submit_job(project, job_exes.check_submission(await native_body(request)))
        shown = job_exes.submitted(record)
        # Huawei documents the wrapper (golangsdk reads it); the Python SDK's model reads the same keys flat
        return self._answer(200, {"job_execution": shown, **shown})

    async def list_execute_job(self, request: web.Request) -> web.Response:
        total, page = self.edp.job_exes(native_project_of(request), job_exes.check_query(request.query))
        return self._answer(200, {"totalRecord": total, "job_executions": page})

    async def show_job_exes(self, request: web.Request) -> web.Response:
        item = self.edp.job_exe(native_project_of(request), request.match_info["job_exe_id"])
        return self._answer(200, {"job_execution": item})

    async def show_cluster_details(self, request: web.Request) -> web.Response:
        cluster = self.clusters.get(native_project_of(request), request.match_info["cluster_id"])
        return self._answer(200, {"cluster": clusters.render(cluster)})

    async def create_execute_job(self, request: web.Request) -> web.Response:
        project, cluster_id = native_project_of(request), request.match_info["cluster_id"]
        body = await native_body(request)  # one over the size limit is refused first, as by the gateway
        self.clusters.check_state(project, cluster_id)  # MRS looks at the cluster before the body's fields
        values = validation.check_v2_submission(body)
        job = self.executions.submit(project, cluster_id, values)
        return self._answer(200, {"job_submit_result": {"job_id": job["job_id"], "state": "COMPLETE"}})

    async def show_job_exe_list_new(self, request: web.Request) -> web.Response:
        project, cluster_id = native_project_of(request), request.match_info["cluster_id"]
        total, page = self.executions.list(project, cluster_id, validation.check_v2_query(request.query))
        # 202, not 200: MRS keeps it "due to compatibility problems in earlier versions"
        return self._answer(202, {"total_record": total, "job_list": [executions.render(job) for job in page]})

    async def show_single_job_exe(self, request: web.Request) -> web.Response:
        job = self.executions.get(native_project_of(request), request.match_info["cluster_id"],
                                  request.match_info["job_execution_id"])
        return self._answer(202, {"job_detail": executions.render(job)})

    async def stop_job(self, request: web.Request) -> web.Response:
        await request.read()  # no body is read, but one over the size limit is refused, as by the gateway
        self.executions.kill(native_project_of(request), request.match_info["cluster_id"],
                             request.match_info["job_execution_id"])
        return self._answer(202)

    async def batch_delete_jobs(self, request: web.Request) -> web.Response:
        project, cluster_id = native_project_of(request), request.match_info["cluster_id"]
        body = await native_body(request)
        self.clusters.get(project, cluster_id)  # before the body's fields, as for every v2 call
        self.executions.delete_many(project, cluster_id, validation.check_job_id_list(body))
        return self._answer(200)

    async def show_sql_result_with_job(self, request: web.Request) -> web.Response:
        results = self.executions.sql_result(native_project_of(request), request.match_info["cluster_id"],
                                             request.match_info["job_execution_id"])
        return self._answer(200, {"sql_results": results})
