"""The MRS route table: job objects and job binaries under /v1.1/{project_id}, named after python-saharaclient's calls."""
from __future__ import annotations

from aiohttp import web

from emulator.services.mrs.handlers import MrsApi

JOBS = "/v1.1/{project_id}/jobs"
JOB = "/v1.1/{project_id}/jobs/{job_id}"
BINARIES = "/v1.1/{project_id}/job-binaries"
BINARY = "/v1.1/{project_id}/job-binaries/{job_binary_id}"


def add_routes(router: web.UrlDispatcher, api: MrsApi) -> None:
    """Routes named `mrs.<operation>`, the names the request journal and fault rules use."""
    routes = [
        ("POST", JOBS, api.create_job), ("GET", JOBS, api.list_jobs), ("GET", JOB, api.get_job),
        ("PATCH", JOB, api.update_job), ("DELETE", JOB, api.delete_job),
        ("POST", BINARIES, api.create_job_binary), ("GET", BINARIES, api.list_job_binaries),
        ("GET", BINARY, api.get_job_binary), ("PUT", BINARY, api.update_job_binary),
        ("DELETE", BINARY, api.delete_job_binary),
    ]
    for method, path, handler in routes:
        router.add_route(method, path, handler, name=f"mrs.{handler.__name__}")
