"""The Job strategy: v1 defaults, generated selector and labels, and what each kind of write may change.

Mirrors kube-apiserver's `pkg/registry/batch/job/strategy.go` and `pkg/apis/batch/v1/defaults.go`
(spec §4.2, §7). Functions take and return fresh dicts; stored objects are never modified in place.
"""
from __future__ import annotations

import copy
from typing import Any

from emulator.services.kubernetes import quantity

MAX_INT32 = 2**31 - 1
ZERO_OMITTED_STATUS = ("active", "succeeded", "failed")  # non-pointer int32 with omitempty
OMITTED_WHEN_EMPTY = ("volumes", "initContainers", "ephemeralContainers", "nodeSelector", "imagePullSecrets",
                      "tolerations", "hostAliases", "readinessGates", "topologySpreadConstraints", "schedulingGates",
                      "resourceClaims", "overhead")  # PodSpec's slices and maps with omitempty
EMPTY_OMITTED_META = ("labels", "annotations", "finalizers", "ownerReferences", "generateName", "managedFields")
SYSTEM_META = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds")
UID_LABELS = ("batch.kubernetes.io/controller-uid", "controller-uid")
NAME_LABELS = ("batch.kubernetes.io/job-name", "job-name")


META_ORDER = ("name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
              "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
              "finalizers", "managedFields")


def _meta_position(key: str) -> int:
    """ObjectMeta's Go field order, which the apiserver prints; other keys (Huawei's `enable`) after."""
    return META_ORDER.index(key) if key in META_ORDER else len(META_ORDER)


def _image_pull_policy(image: str) -> str:
    if "@" in image:
        return "IfNotPresent"
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def default_pod_spec(pod: dict[str, Any]) -> None:
    """SetDefaults_PodSpec and its containers' defaults; the empty lists and maps of the spec are dropped, as Go's
    omitempty leaves them out (a patch that empties schedulingGates shows none)."""
    for field in OMITTED_WHEN_EMPTY:
        if field in pod and pod[field] in (None, [], {}):
            del pod[field]
    if isinstance(pod.get("volumes"), list):
        pod["volumes"] = [_default_volume(volume) for volume in pod["volumes"]]
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        if not isinstance(container, dict):
            continue
        container["resources"] = canonical_resources(container.get("resources"))
        ports = container.get("ports")
        if isinstance(ports, list) and any(isinstance(port, dict) and not port.get("protocol") for port in ports):
            container["ports"] = [{**port, "protocol": "TCP"} if isinstance(port, dict) and not port.get("protocol")
                                  else port for port in ports]  # SetDefaults_ContainerPort
        if isinstance(container.get("env"), list):
            container["env"] = [_default_env(variable) for variable in container["env"]]
        for probe in PROBES:
            if isinstance(container.get(probe), dict):
                container[probe] = _default_probe(container[probe])
        if isinstance(container.get("lifecycle"), dict):
            container["lifecycle"] = {hook: _default_http_get(handler) for hook, handler in
                                      container["lifecycle"].items()}
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        if "imagePullPolicy" not in container and isinstance(container.get("image"), str):
            container["imagePullPolicy"] = _image_pull_policy(container["image"])
    if isinstance(pod.get("resources"), dict):
        pod["resources"] = canonical_resources(pod["resources"])
    pod.setdefault("terminationGracePeriodSeconds", 30)
    pod.setdefault("dnsPolicy", "ClusterFirst")
    pod.setdefault("securityContext", {})
    pod.setdefault("schedulerName", "default-scheduler")


PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def _default_probe(probe: dict) -> dict:
    """SetDefaults_Probe (its zero counts: timeout 1 s, period 10 s, thresholds 1 and 3) and its httpGet's."""
    probe = _default_http_get(probe)
    return {**probe, **{key: value for key, value in PROBE_DEFAULTS.items() if not probe.get(key)}}


def _default_http_get(handler: Any) -> Any:
    """SetDefaults_HTTPGetAction: path "/" and scheme HTTP when left out (probes and lifecycle hooks)."""
    action = handler.get("httpGet") if isinstance(handler, dict) else None
    if not isinstance(action, dict) or (action.get("path") and action.get("scheme")):
        return handler
    return {**handler, "httpGet": {**action, "path": action.get("path") or "/",
                                   "scheme": action.get("scheme") or "HTTP"}}


MODED_SOURCES = ("secret", "configMap", "downwardAPI", "projected")  # each with defaultMode 0644 (420) by default


def _default_volume(volume: Any) -> Any:
    """SetDefaults_Volume (a volume naming no source, only null ones, is an emptyDir) and its source's defaults:
    defaultMode 420, hostPath's type "", a downward API item's fieldRef apiVersion v1."""
    if not isinstance(volume, dict):
        return volume
    if all(value is None for key, value in volume.items() if key != "name"):
        return {**{key: value for key, value in volume.items() if value is not None}, "emptyDir": {}}
    volume = dict(volume)
    for source in MODED_SOURCES:
        if isinstance(volume.get(source), dict) and volume[source].get("defaultMode") is None:
            volume[source] = {**volume[source], "defaultMode": 420}
    if isinstance(volume.get("hostPath"), dict) and volume["hostPath"].get("type") is None:
        volume["hostPath"] = {**volume["hostPath"], "type": ""}
    if isinstance(volume.get("downwardAPI"), dict) and isinstance(volume["downwardAPI"].get("items"), list):
        volume["downwardAPI"] = {**volume["downwardAPI"], "items": [
            _default_field_ref(item) for item in volume["downwardAPI"]["items"]]}
    return volume


def _default_env(variable: Any) -> Any:
    """An env variable's valueFrom.fieldRef with its apiVersion (SetDefaults_ObjectFieldSelector)."""
    source = variable.get("valueFrom") if isinstance(variable, dict) else None
    defaulted = _default_field_ref(source)
    return variable if defaulted is source else {**variable, "valueFrom": defaulted}


def _default_field_ref(holder: Any) -> Any:
    """A dict holding a fieldRef, the fieldRef's apiVersion v1 when it names none (else `holder` itself)."""
    ref = holder.get("fieldRef") if isinstance(holder, dict) else None
    if not isinstance(ref, dict) or ref.get("apiVersion"):
        return holder
    return {**holder, "fieldRef": {"apiVersion": "v1", **ref}}


def canonical_resources(resources: Any) -> Any:
    """ResourceRequirements as the apiserver writes them back: each quantity rounded up to a thousandth
    (SetDefaults_ResourceList) and in its canonical form (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `100u` -> `1m`,
    null -> `0`), `{}` when there are none. Decoding has checked each one parses."""
    if resources is None:
        return {}
    if not isinstance(resources, dict):
        return resources
    written = dict(resources)
    for kind in ("limits", "requests"):
        values = resources.get(kind)
        if isinstance(values, dict):
            written[kind] = {name: _canonical(values[name]) for name in sorted(values)}  # Go writes a map sorted
    return written


def _canonical(value: Any) -> Any:
    try:
        return quantity.canonical(quantity.rounded_up_to_milli(quantity.from_json(value)))
    except ValueError:
        return value  # (not decoded: left as it is)


def default_job_spec(spec: dict[str, Any]) -> None:
    """SetDefaults_Job for a 1.31-era apiserver."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed")
    template = spec["template"] = spec.get("template") or {}
    if isinstance(template.get("spec"), dict):
        default_pod_spec(template["spec"])


def defaulted_spec(spec: Any) -> dict[str, Any]:
    """A copy of a job spec with the v1 defaults applied."""
    spec = copy.deepcopy(spec) if isinstance(spec, dict) else {}
    default_job_spec(spec)
    return spec


def generated_selector(uid: str) -> dict[str, Any]:
    return {"matchLabels": {UID_LABELS[0]: uid}}


def generate_selector(job: dict[str, Any]) -> dict[str, Any] | None:
    """Label the template with the job's uid and name; the user's selector if it differs from the generated one."""
    spec, meta = job["spec"], job["metadata"]
    if spec.get("manualSelector") is True:
        return None
    template_meta = spec["template"]["metadata"] = spec["template"].get("metadata") or {}
    labels = template_meta["labels"] = template_meta.get("labels") or {}
    for key in UID_LABELS:
        labels.setdefault(key, meta["uid"])
    for key in NAME_LABELS:
        labels.setdefault(key, meta.get("name", ""))  # a missing name is reported by validation
    given = spec.get("selector")
    spec["selector"] = generated_selector(meta["uid"])
    return given if given and given != spec["selector"] else None


def normalized_status(status: Any) -> dict[str, Any]:
    """A status as the versioned JSON holds it: nulls gone, zero counters omitted (omitempty)."""
    if not isinstance(status, dict):
        return {}
    result = {k: v for k, v in status.items() if v is not None}
    for counter in ZERO_OMITTED_STATUS:
        if result.get(counter) == 0:
            del result[counter]
    for key in ("conditions", "completedIndexes"):
        if key in result and not result[key]:
            del result[key]
    return result


def normalized_meta(meta: dict[str, Any]) -> dict[str, Any]:
    result = {k: v for k, v in meta.items() if v is not None and k != "selfLink"}
    for key in EMPTY_OMITTED_META:
        if key in result and not result[key]:
            del result[key]
    return result


def prepare_for_create(body: dict[str, Any], uid: str, now: str) -> tuple[dict[str, Any], dict | None]:
    """A new Job from a create body: system fields set, status cleared, defaults, selector and template labels.

    Returns the job and the user's selector when it was not the generated one (a validation error).
    """
    meta = normalized_meta(body.get("metadata") or {})
    for key in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
        meta.pop(key, None)
    meta.update(uid=uid, resourceVersion="", generation=1, creationTimestamp=now)
    meta.setdefault("enable", True)  # Huawei CCE/CCI print it on every Job
    meta = {key: meta[key] for key in sorted(meta, key=_meta_position)}
    spec = copy.deepcopy(body.get("spec")) if isinstance(body.get("spec"), dict) else {}
    default_job_spec(spec)
    job = {"metadata": meta, "spec": spec, "status": {}}
    foreign_selector = generate_selector(job)
    return job, foreign_selector


def copy_template_labels(job: dict[str, Any]) -> None:
    """A job without labels takes its template's (final) labels, as the v1 defaulter does when the stored
    job is read back: after validation, so a too-long job name is reported once, on the template labels."""
    template_labels = (job["spec"]["template"].get("metadata") or {}).get("labels")
    if not job["metadata"].get("labels") and template_labels:
        job["metadata"]["labels"] = dict(template_labels)


def prepare_fixture(document: dict[str, Any], uid: str, now: str) -> dict[str, Any]:
    """A fixture Job stored as given: only the server fields it lacks are generated.

    The job shares the document's parts (documents are loaded again on each reset, and neither they nor stored
    objects are ever changed in place), but for the dicts `generate_selector` fills in: the spec, its template,
    the template's metadata and labels."""
    meta = dict(document.get("metadata") or {})
    meta.pop("selfLink", None)
    meta.setdefault("resourceVersion", "")  # a numeric one is kept; otherwise the store gives one
    meta.setdefault("uid", uid)
    meta.setdefault("creationTimestamp", now)
    spec = dict(document.get("spec") or {})
    template = spec.get("template")
    if isinstance(template, dict):
        template = spec["template"] = dict(template)
        if isinstance(template.get("metadata"), dict):
            template_meta = template["metadata"] = dict(template["metadata"])
            if isinstance(template_meta.get("labels"), dict):
                template_meta["labels"] = dict(template_meta["labels"])
    return {"metadata": meta, "spec": spec, "status": dict(document.get("status") or {})}


def updated_meta(body_meta: dict[str, Any], old_meta: dict[str, Any]) -> dict[str, Any]:
    """An update's metadata: the body's, with the stored system fields (uid aside) and resourceVersion."""
    meta = normalized_meta(body_meta)
    for key in SYSTEM_META:
        if key == "uid" and meta.get("uid"):
            continue  # a changed uid is a precondition (PUT) or validation (PATCH) error, not silently reverted
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    meta["resourceVersion"] = old_meta["resourceVersion"]
    return meta


def prepare_for_update(body: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """PUT/PATCH on the Job: spec and metadata from the body, status kept, generation +1 on a spec change."""
    meta = updated_meta(body.get("metadata") or {}, old["metadata"])
    spec = defaulted_spec(body.get("spec"))
    if spec == defaulted_spec(old["spec"]):  # a fixture job is stored without defaults: compare both defaulted
        spec = old["spec"]  # semantically unchanged: keep the stored form, so a no-op stays a no-op
    else:
        meta["generation"] = old["metadata"].get("generation", 1) + 1
    return {"metadata": meta, "spec": spec, "status": old["status"]}


def prepare_for_status_update(body: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """PUT/PATCH on /status: status and metadata from the body, spec kept, generation kept."""
    meta = updated_meta(body.get("metadata") or {}, old["metadata"])
    return {"metadata": meta, "spec": old["spec"], "status": normalized_status(body.get("status"))}
