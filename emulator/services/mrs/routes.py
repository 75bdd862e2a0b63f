"""The MRS route table: Sahara-style v1.1 routes named after python-saharaclient's calls, native ones after the SDK's."""
from __future__ import annotations

from aiohttp import web

from emulator.services.mrs.handlers import MrsApi
from emulator.services.mrs.handlers_edp import EdpApi
from emulator.services.mrs.handlers_native import MrsNativeApi

JOBS = "/v1.1/{project_id}/jobs"
JOB = "/v1.1/{project_id}/jobs/{job_id}"
BINARIES = "/v1.1/{project_id}/job-binaries"
BINARY = "/v1.1/{project_id}/job-binaries/{job_binary_id}"
SOURCES = "/v1.1/{project_id}/data-sources"
SOURCE = "/v1.1/{project_id}/data-sources/{data_source_id}"
EXECUTIONS = "/v1.1/{project_id}/job-executions"
EXECUTION = "/v1.1/{project_id}/job-executions/{job_execution_id}"
CLUSTER_INFO = "/v1.1/{project_id}/cluster_infos/{cluster_id}"
V2_JOBS = "/v2/{project_id}/clusters/{cluster_id}/job-executions"
V2_JOB = V2_JOBS + "/{job_execution_id}"


def add_routes(router: web.UrlDispatcher, api: MrsApi, edp: EdpApi, native: MrsNativeApi) -> frozenset[str]:
    """Routes named `mrs.<operation>`, the names the request journal and fault rules use; the names of MRS's own
    (native) operations, which answer in MRS's envelope rather than Sahara's."""
    routes = [
        ("POST", JOBS, api.create_job), ("GET", JOBS, api.list_jobs), ("GET", JOB, api.get_job),
        ("PATCH", JOB, api.update_job), ("DELETE", JOB, api.delete_job),
        ("POST", BINARIES, api.create_job_binary), ("GET", BINARIES, api.list_job_binaries),
        ("GET", BINARY, api.get_job_binary), ("PUT", BINARY, api.update_job_binary),
        ("DELETE", BINARY, api.delete_job_binary),
        ("POST", SOURCES, edp.create_data_source), ("GET", SOURCES, edp.list_data_sources),
        ("GET", SOURCE, edp.get_data_source), ("PUT", SOURCE, edp.update_data_source),
        ("DELETE", SOURCE, edp.delete_data_source),
        ("POST", JOB + "/execute", edp.execute_job),
        ("POST", JOBS + "/submit-job", native.create_and_execute_job),
        ("GET", "/v1.1/{project_id}/job-exes", native.list_execute_job),
        ("GET", "/v1.1/{project_id}/job-exes/{job_exe_id}", native.show_job_exes),
        ("GET", EXECUTIONS, edp.list_job_executions), ("GET", EXECUTION, edp.get_job_execution),
        ("PATCH", EXECUTION, edp.update_job_execution), ("DELETE", EXECUTION, edp.delete_job_execution),
        ("GET", EXECUTION + "/cancel", edp.cancel_job_execution),
        ("GET", EXECUTION + "/refresh-status", edp.refresh_job_execution_status),
        ("GET", CLUSTER_INFO, native.show_cluster_details),
        # batch-delete before {job_execution_id}: the literal segment wins
        ("POST", V2_JOBS + "/batch-delete", native.batch_delete_jobs),
        ("POST", V2_JOBS, native.create_execute_job), ("GET", V2_JOBS, native.show_job_exe_list_new),
        ("GET", V2_JOB, native.show_single_job_exe), ("POST", V2_JOB + "/kill", native.stop_job),
        ("GET", V2_JOB + "/sql-result", native.show_sql_result_with_job),
    ]
    for method, path, handler in routes:
        router.add_route(method, path, handler, name=f"mrs.{handler.__name__}")
    return frozenset(f"mrs.{handler.__name__}" for _, _, handler in routes if handler.__self__ is native)
