"""The Kubernetes route table: every path and method, named after the OpenAPI operationId it serves."""
from __future__ import annotations

from aiohttp import web

from emulator.services.kubernetes import discovery
from emulator.services.kubernetes.handlers import (EventHandlers, JobHandlers, NamespaceHandlers, PodHandlers,
                                                   get_core_api_versions, serve_document, serve_openapi, watch_path)
from emulator.services.kubernetes.openapi_schemas import Documents

JOBS = "/apis/batch/v1/namespaces/{namespace}/jobs"
PODS = "/api/v1/namespaces/{namespace}/pods"
EVENTS = "/api/v1/namespaces/{namespace}/events"
EVENTS_V1 = "/apis/events.k8s.io/v1/namespaces/{namespace}/events"


def add_routes(router: web.UrlDispatcher, jobs: JobHandlers, namespaces: NamespaceHandlers, pods: PodHandlers,
               events: EventHandlers, version: dict, documents: Documents, now) -> None:
    """Routes named `kubernetes.<operationId>`, the names the request journal and fault rules use; each also
    with a trailing slash, which kube-apiserver's router ignores (kr8s's first call is `GET /version/`)."""
    routes = [
        ("GET", JOBS + "/{name}/status", jobs.read_namespaced_job_status, "readBatchV1NamespacedJobStatus"),
        ("PUT", JOBS + "/{name}/status", jobs.replace_namespaced_job_status, "replaceBatchV1NamespacedJobStatus"),
        ("PATCH", JOBS + "/{name}/status", jobs.patch_namespaced_job_status, "patchBatchV1NamespacedJobStatus"),
        ("GET", JOBS + "/{name}", jobs.read_namespaced_job, "readBatchV1NamespacedJob"),
        ("PUT", JOBS + "/{name}", jobs.replace_namespaced_job, "replaceBatchV1NamespacedJob"),
        ("PATCH", JOBS + "/{name}", jobs.patch_namespaced_job, "patchBatchV1NamespacedJob"),
        ("DELETE", JOBS + "/{name}", jobs.delete_namespaced_job, "deleteBatchV1NamespacedJob"),
        ("GET", JOBS, jobs.list_namespaced_job, "listBatchV1NamespacedJob"),
        ("DELETE", JOBS, jobs.delete_collection_namespaced_job, "deleteBatchV1CollectionNamespacedJob"),
        ("POST", JOBS, jobs.create_namespaced_job, "createBatchV1NamespacedJob"),
        ("GET", "/apis/batch/v1/jobs", jobs.list_job_for_all_namespaces, "listBatchV1JobForAllNamespaces"),
        ("GET", PODS + "/{name}/log", pods.read_namespaced_pod_log, "readCoreV1NamespacedPodLog"),
        ("GET", PODS + "/{name}/status", pods.read_namespaced_pod_status, "readCoreV1NamespacedPodStatus"),
        ("PUT", PODS + "/{name}/status", pods.replace_namespaced_pod_status, "replaceCoreV1NamespacedPodStatus"),
        ("PATCH", PODS + "/{name}/status", pods.patch_namespaced_pod_status, "patchCoreV1NamespacedPodStatus"),
        ("GET", PODS + "/{name}", pods.read_namespaced_pod, "readCoreV1NamespacedPod"),
        ("PUT", PODS + "/{name}", pods.replace_namespaced_pod, "replaceCoreV1NamespacedPod"),
        ("PATCH", PODS + "/{name}", pods.patch_namespaced_pod, "patchCoreV1NamespacedPod"),
        ("POST", PODS, pods.create_namespaced_pod, "createCoreV1NamespacedPod"),
        ("POST", PODS + "/{name}/eviction", pods.create_namespaced_pod_eviction, "createCoreV1NamespacedPodEviction"),
        ("DELETE", PODS + "/{name}", pods.delete_namespaced_pod, "deleteCoreV1NamespacedPod"),
        ("GET", PODS, pods.list_namespaced_pod, "listCoreV1NamespacedPod"),
        ("DELETE", PODS, pods.delete_collection_namespaced_pod, "deleteCoreV1CollectionNamespacedPod"),
        ("GET", "/api/v1/pods", pods.list_pod_for_all_namespaces, "listCoreV1PodForAllNamespaces"),
        ("GET", EVENTS + "/{name}", events.read_namespaced_event, "readCoreV1NamespacedEvent"),
        ("GET", EVENTS, events.list_namespaced_event, "listCoreV1NamespacedEvent"),
        ("DELETE", EVENTS, events.delete_collection_namespaced_event, "deleteCoreV1CollectionNamespacedEvent"),
        ("GET", "/api/v1/events", events.list_event_for_all_namespaces, "listCoreV1EventForAllNamespaces"),
        ("GET", EVENTS_V1 + "/{name}", events.read_events_v1_namespaced_event, "readEventsV1NamespacedEvent"),
        ("GET", EVENTS_V1, events.list_events_v1_namespaced_event, "listEventsV1NamespacedEvent"),
        ("DELETE", EVENTS_V1, events.delete_collection_events_v1_namespaced_event,
         "deleteEventsV1CollectionNamespacedEvent"),
        ("GET", "/apis/events.k8s.io/v1/events", events.list_events_v1_event_for_all_namespaces,
         "listEventsV1EventForAllNamespaces"),
        ("GET", "/apis/events.k8s.io", serve_document(discovery.EVENTS_API_GROUP), "getEventsAPIGroup"),
        ("GET", "/apis/events.k8s.io/v1", serve_document(discovery.EVENTS_V1_RESOURCES), "getEventsV1APIResources"),
        ("GET", "/api/v1/namespaces", namespaces.list_namespace, "listCoreV1Namespace"),
        ("POST", "/api/v1/namespaces", namespaces.create_namespace, "createCoreV1Namespace"),
        ("GET", "/api/v1/namespaces/{name}", namespaces.read_namespace, "readCoreV1Namespace"),
        ("PUT", "/api/v1/namespaces/{name}", namespaces.replace_namespace, "replaceCoreV1Namespace"),
        ("PATCH", "/api/v1/namespaces/{name}", namespaces.patch_namespace, "patchCoreV1Namespace"),
        ("DELETE", "/api/v1/namespaces/{name}", namespaces.delete_namespace, "deleteCoreV1Namespace"),
        ("GET", "/version", serve_document(version), "getCodeVersion"),
        ("GET", "/api", get_core_api_versions, "getCoreAPIVersions"),
        ("GET", "/api/v1", serve_document(discovery.CORE_V1_RESOURCES), "getCoreV1APIResources"),
        ("GET", "/apis", serve_document(discovery.API_GROUP_LIST), "getAPIVersions"),
        ("GET", "/apis/batch", serve_document(discovery.API_GROUP), "getBatchAPIGroup"),
        ("GET", "/apis/batch/v1", serve_document(discovery.BATCH_V1_RESOURCES), "getBatchV1APIResources"),
        ("GET", "/openapi/v3", serve_openapi(documents.index, now), "getOpenAPIV3"),
        *(("GET", f"/openapi/v3/{key}", serve_openapi(published, now), f"getOpenAPIV3{prefix}")
          for key, (prefix, published) in documents.v3_named.items()),
        ("GET", "/openapi/v2", serve_openapi(documents.v2, now), "getOpenAPIV2"),
    ]
    watched = [  # namespaced list path and handler, all-namespaces list path and handler, operationId prefix, kind
        (JOBS, jobs.list_namespaced_job, "/apis/batch/v1/jobs", jobs.list_job_for_all_namespaces, "BatchV1", "Job"),
        (PODS, pods.list_namespaced_pod, "/api/v1/pods", pods.list_pod_for_all_namespaces, "CoreV1", "Pod"),
        (EVENTS, events.list_namespaced_event, "/api/v1/events", events.list_event_for_all_namespaces, "CoreV1",
         "Event"),
        (EVENTS_V1, events.list_events_v1_namespaced_event, "/apis/events.k8s.io/v1/events",
         events.list_events_v1_event_for_all_namespaces, "EventsV1", "Event")]
    for listed, handler, every, every_handler, prefix, kind in watched:  # GET <group-version>/watch/...
        group_version, _, rest = listed.partition("/namespaces/")
        watch = f"{group_version}/watch/namespaces/{rest}"
        routes += [("GET", watch, watch_path(handler), f"watch{prefix}Namespaced{kind}List"),
                   ("GET", watch + "/{name}", watch_path(handler, one=True), f"watch{prefix}Namespaced{kind}"),
                   ("GET", every.replace(group_version, group_version + "/watch"), watch_path(every_handler),
                    f"watch{prefix}{kind}ListForAllNamespaces")]
    routes += [("GET", "/api/v1/watch/namespaces", watch_path(namespaces.list_namespace), "watchCoreV1NamespaceList"),
               ("GET", "/api/v1/watch/namespaces/{name}", watch_path(namespaces.list_namespace, one=True),
                "watchCoreV1Namespace")]
    for method, path, handler, operation in routes:
        router.add_route(method, path, handler, name=f"kubernetes.{operation}")
        router.add_route(method, path + "/", handler, name=f"kubernetes.{operation}:slash")
