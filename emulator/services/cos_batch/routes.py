"""The COS batch route table: the job API's paths, named after the COS actions."""
from __future__ import annotations

from aiohttp import web

from emulator.services.cos_batch.handlers import CosBatchApi

JOB = "/jobs/{job_id:[^/]*}"  # an empty JobId reaches the handler, which answers "No job ID is provided"


def add_routes(router: web.UrlDispatcher, api: CosBatchApi) -> None:
    """Routes named `cos_batch.<COS action>`, the names the request journal and fault rules use."""
    routes = [
        ("POST", "/jobs", api.create_job, "CreateJob"),
        ("GET", "/jobs", api.list_jobs, "ListJobs"),
        ("GET", JOB, api.describe_job, "DescribeJob"),
        ("DELETE", JOB, api.delete_job, "DeleteJob"),
        ("POST", JOB + "/priority", api.update_job_priority, "UpdateJobPriority"),
        ("POST", JOB + "/status", api.update_job_status, "UpdateJobStatus"),
    ]
    for method, path, handler, action in routes:
        router.add_route(method, path, handler, name=f"cos_batch.{action}")
