"""The COS route tables: the job API's paths, and the object API's (path style, and by Host), named after the COS actions."""
from __future__ import annotations

from aiohttp import hdrs, web

from emulator.services.cos_batch.handlers import CosBatchApi
from emulator.services.cos_batch.object_handlers import HOST_MARK, CosObjectApi
from emulator.services.cos_batch.objects import BUCKET

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


BUCKET_PATH = "/{bucket:%s}{slash:/?}" % BUCKET.pattern  # path style: /<bucket> and /<bucket>/
OBJECT_PATH = "/{bucket:%s}/{key:.+}" % BUCKET.pattern  # path style: /<bucket>/<key>
Routes = dict[str, web.AbstractRoute]


def add_object_routes(router: web.UrlDispatcher, api: CosObjectApi) -> tuple[Routes, Routes]:
    """The object API's routes, path style; the same routes serve virtual-host requests (`route_by_host`).

    Returns the bucket routes and the object routes by method ("*": any other method, 405).
    """
    tables = (
        (BUCKET_PATH, [("PUT", api.put_bucket, "PutBucket"), ("GET", api.get_bucket, "GetBucket"),
                       ("HEAD", api.head_bucket, "HeadBucket"), ("DELETE", api.delete_bucket, "DeleteBucket")]),
        (OBJECT_PATH, [("PUT", api.put_object, "PutObject"), ("GET", api.get_object, "GetObject"),
                       ("HEAD", api.head_object, "HeadObject"), ("DELETE", api.delete_object, "DeleteObject"),
                       ("POST", api.post_object, "PostObjectRestore")]),
    )
    found: list[Routes] = []
    for (path, table), scope in zip(tables, ("Bucket", "Object")):
        routes = {method: router.add_route(method, path, handler, name=f"cos_batch.{action}")
                  for method, handler, action in table}
        routes["*"] = router.add_route("*", path, api.not_allowed, name=f"cos_batch.{scope}MethodNotAllowed")
        found.append(routes)
    return found[0], found[1]


def host_router(bucket_routes: Routes, object_routes: Routes):
    """The object route a request's Host picks: `<bucket>.<more labels>` (virtual host), or None.

    A COS-style Host (`<label>.cos.<region>...`) whose label is no bucket name gets the bucket
    route marked invalid (400 InvalidRequest). Costs one header lookup on every other request.
    """

    def route_by_host(request: web.Request) -> tuple[dict[str, str], web.AbstractRoute] | None:
        host = request.headers.get(hdrs.HOST, "")
        dot = host.find(".")
        if dot <= 0:
            return None
        label = host[:dot].lower()
        if "-" not in label or not BUCKET.fullmatch(label):  # 127.0.0.1, <uin>.cos-control...: the common case
            if host.startswith((".cos.", ".cos-internal."), dot):
                return {"bucket": label, HOST_MARK: "invalid"}, bucket_routes["GET"]
            return None
        routes = bucket_routes if request.path == "/" else object_routes
        return {"bucket": label, HOST_MARK: "1"}, routes.get(request.method) or routes["*"]

    return route_by_host
