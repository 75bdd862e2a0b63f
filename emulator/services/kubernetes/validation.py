"""Job and Namespace validation with kube-apiserver's field paths and messages (spec §10)."""
from __future__ import annotations

import re
from typing import Any

from emulator.services.kubernetes import quantity
from emulator.services.kubernetes.errors import FieldError
from emulator.services.kubernetes.strategy import PROBES

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")

LABEL_MESSAGE = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                 "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN_MESSAGE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                     "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                     "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_VALUE_MESSAGE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                       "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                       "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
QUALIFIED_NAME_MESSAGE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                          "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                          "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
NON_NEGATIVE = "must be greater than or equal to 0"
RESTART_POLICIES = ["OnFailure", "Never"]
JOB_SPEC_COUNTERS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                     "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")
STATUS_COUNTERS = ("active", "succeeded", "failed", "ready", "terminating")
IMMUTABLE_SPEC = ("selector", "template", "completions", "completionMode", "podFailurePolicy",
                  "backoffLimitPerIndex", "managedBy", "successPolicy")


def _dns_problems(value: str, limit: int, pattern: re.Pattern, message: str) -> list[str]:
    problems = []
    if len(value) > limit:
        problems.append(f"must be no more than {limit} characters")
    if not pattern.match(value):
        problems.append(message)
    return problems


def _dns_errors(field: str, value: str, limit: int, pattern: re.Pattern, message: str) -> list[FieldError]:
    return [FieldError.invalid(field, value, problem) for problem in _dns_problems(value, limit, pattern, message)]


def dns_label_errors(field: str, value: str) -> list[FieldError]:
    return _dns_errors(field, value, 63, DNS1123_LABEL, LABEL_MESSAGE)


def dns_subdomain_errors(field: str, value: str) -> list[FieldError]:
    return _dns_errors(field, value, 253, DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE)


def label_errors(field: str, labels: dict[str, str] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    for key, value in (labels or {}).items():
        errors += qualified_name_errors(field, key)
        if len(value) > 63:
            errors.append(FieldError.invalid(field, value, "must be no more than 63 characters"))
        if not LABEL_VALUE.match(value):
            errors.append(FieldError.invalid(field, value, LABEL_VALUE_MESSAGE))
    return errors


def qualified_name_errors(field: str, key: str) -> list[FieldError]:
    """IsQualifiedName: an optional DNS subdomain prefix and '/', then a name part; each problem its own error."""
    parts = key.split("/")
    if len(parts) > 2:
        return [FieldError.invalid(field, key, "a qualified name " + QUALIFIED_NAME_MESSAGE.removeprefix("name part ")
                                   + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    problems = []
    if len(parts) == 2 and not parts[0]:
        problems.append("prefix part must be non-empty")
    elif len(parts) == 2:
        problems += ["prefix part " + p for p in _dns_problems(parts[0], 253, DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE)]
    name = parts[-1]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if not QUALIFIED_NAME.match(name):
        problems.append(QUALIFIED_NAME_MESSAGE)
    return [FieldError.invalid(field, key, problem) for problem in problems]


def scheduling_gate_errors(field: str, gates: list | None) -> list[FieldError]:
    """validateSchedulingGates: each gate's name a qualified name, no name twice."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, gate in enumerate(gates or ()):
        name = gate.get("name") or ""
        errors += qualified_name_errors(f"{field}[{index}]", name)
        if name in seen:
            errors.append(FieldError.duplicate(f"{field}[{index}]", name))
        seen.add(name)
    return errors


def object_meta_errors(meta: dict, namespaced: bool, name_errors=dns_subdomain_errors) -> list[FieldError]:
    errors: list[FieldError] = []
    name = meta.get("name") or ""
    if not name:
        errors.append(FieldError.required("metadata.name", "name or generateName is required"))
    else:
        errors += name_errors("metadata.name", name)
    if namespaced:
        namespace = meta.get("namespace") or ""
        if not namespace:
            errors.append(FieldError.required("metadata.namespace"))
        else:
            errors += dns_label_errors("metadata.namespace", namespace)
    errors += label_errors("metadata.labels", meta.get("labels"))
    return errors


def _selector_matches(selector: dict | None, labels: dict | None) -> bool:
    wanted = (selector or {}).get("matchLabels") or {}
    labels = labels or {}
    return all(labels.get(k) == v for k, v in wanted.items())


def job_spec_errors(spec: dict) -> list[FieldError]:
    errors: list[FieldError] = []
    for counter in JOB_SPEC_COUNTERS:
        value = spec.get(counter)
        if value is not None and value < 0:
            errors.append(FieldError.invalid(f"spec.{counter}", value, NON_NEGATIVE))
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errors.append(FieldError.not_supported("spec.completionMode", mode, ["NonIndexed", "Indexed"]))
    if mode == "Indexed" and spec.get("completions") is None:
        errors.append(FieldError.required("spec.completions", "when completion mode is Indexed"))
    selector = spec.get("selector")
    if not selector:
        errors.append(FieldError.required("spec.selector"))
    template = spec.get("template") or {}
    template_labels = (template.get("metadata") or {}).get("labels") or {}
    errors += label_errors("spec.template.labels", template_labels)  # a 64+ character job name fails here
    if selector and not _selector_matches(selector, template_labels):
        errors.append(FieldError.invalid("spec.template.metadata.labels", template_labels,
                                         "`selector` does not match template `labels`"))
    errors += newer_spec_errors(spec)
    errors += pod_spec_errors(template.get("spec") or {})
    if spec.get("podFailurePolicy") is not None and (template.get("spec") or {}).get("restartPolicy") == "OnFailure":
        errors.append(FieldError.invalid("spec.template.spec.restartPolicy", "OnFailure",
                                         'only "Never" is supported when podFailurePolicy is specified'))
    return errors


PFP_ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"]


def _go_quoted_list(values: list[str]) -> str:
    return "[" + " ".join(f'"{v}"' for v in values) + "]"


def newer_spec_errors(spec: dict) -> list[FieldError]:
    """backoffLimitPerIndex, maxFailedIndexes, podFailurePolicy, successPolicy, podReplacementPolicy (validateJobSpec)."""
    errors: list[FieldError] = []
    indexed = spec.get("completionMode") == "Indexed"
    completions, per_index, max_failed = spec.get("completions"), spec.get("backoffLimitPerIndex"), spec.get("maxFailedIndexes")
    if max_failed is not None and per_index is None:
        errors.append(FieldError.required("spec.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    if indexed and isinstance(completions, int) and isinstance(max_failed, int) and max_failed > completions:
        errors.append(FieldError.invalid("spec.maxFailedIndexes", max_failed, "must be less than or equal to completions"))
    if not indexed:
        for field, value in (("backoffLimitPerIndex", per_index), ("maxFailedIndexes", max_failed)):
            if value is not None:
                errors.append(FieldError.invalid(f"spec.{field}", value, "requires indexed completion mode"))
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        template_spec = (spec.get("template") or {}).get("spec") or {}
        names = {c.get("name") for c in (template_spec.get("containers") or []) + (template_spec.get("initContainers") or [])
                 if isinstance(c, dict)}
        for position, rule in enumerate(policy.get("rules") or []):
            errors += _pfp_rule_errors(f"spec.podFailurePolicy.rules[{position}]", rule or {}, per_index, names)
    success = spec.get("successPolicy")
    if success is not None:
        if not indexed:
            errors.append(FieldError.invalid("spec.successPolicy", success, "requires indexed completion mode"))
        else:
            rules = (success or {}).get("rules") or []
            if not rules:
                errors.append(FieldError.required("spec.successPolicy.rules",
                                                  "at least one rules must be specified when the successPolicy is specified"))
            for position, rule in enumerate(rules):
                path = f"spec.successPolicy.rules[{position}]"
                count = (rule or {}).get("succeededCount")
                if count is None and (rule or {}).get("succeededIndexes") is None:
                    errors.append(FieldError.required(path, "at least one of succeededCount or succeededIndexes must be specified"))
                if isinstance(count, int) and isinstance(completions, int) and count > completions:
                    errors.append(FieldError.invalid(f"{path}.succeededCount", count, f"must be less than or equal to "
                                                     f"{completions} (the number of specified completions)"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        allowed = ["Failed"] if policy is not None else ["Failed", "TerminatingOrFailed"]
        if replacement not in allowed:
            errors.append(FieldError.not_supported("spec.podReplacementPolicy", replacement, allowed))
    return errors


def _pfp_rule_errors(path: str, rule: dict, per_index: object, names: set) -> list[FieldError]:
    errors: list[FieldError] = []
    action = rule.get("action") or ""
    if not action:
        errors.append(FieldError.required(f"{path}.action", f"valid values: {_go_quoted_list(PFP_ACTIONS)}"))
    elif action == "FailIndex":
        if per_index is None:
            errors.append(FieldError.invalid(f"{path}.action", action, "requires the backoffLimitPerIndex to be set"))
    elif action not in PFP_ACTIONS:
        errors.append(FieldError.not_supported(f"{path}.action", action, PFP_ACTIONS))
    codes, conditions = rule.get("onExitCodes"), rule.get("onPodConditions")
    if isinstance(codes, dict):
        operator = codes.get("operator") or ""
        if not operator:
            errors.append(FieldError.required(f"{path}.onExitCodes.operator", 'valid values: ["In" "NotIn"]'))
        elif operator not in ("In", "NotIn"):
            errors.append(FieldError.not_supported(f"{path}.onExitCodes.operator", operator, ["In", "NotIn"]))
        name = codes.get("containerName")
        if name is not None and name not in names:
            errors.append(FieldError.invalid(f"{path}.onExitCodes.containerName", name,
                                             "must be one of the container or initContainer names in the pod template"))
        values = codes.get("values") or []
        if not values:
            errors.append(FieldError.invalid(f"{path}.onExitCodes.values", [], "at least one value is required"))
        seen: set = set()
        for position, value in enumerate(values):
            if operator == "In" and value == 0:
                errors.append(FieldError.invalid(f"{path}.onExitCodes.values[{position}]", 0,
                                                 "must not be 0 for the In operator"))
            if value in seen:
                errors.append(FieldError.duplicate(f"{path}.onExitCodes.values[{position}]", value))
            seen.add(value)
        if values != sorted(values, key=lambda v: v if isinstance(v, int) else 0):
            errors.append(FieldError.invalid(f"{path}.onExitCodes.values", values, "must be ordered"))
    if codes is not None and conditions:
        errors.append(FieldError.invalid_omit_value(path, "specifying both OnExitCodes and OnPodConditions is not supported"))
    if codes is None and not conditions:
        errors.append(FieldError.invalid_omit_value(path, "specifying one of OnExitCodes and OnPodConditions is required"))
    return errors


def _objects(value: object) -> list[tuple[int, dict]]:
    """(index, item) of a list of objects, an item that is none read as {} (the schema check reports it)."""
    return [(index, item if isinstance(item, dict) else {}) for index, item in
            enumerate(value if isinstance(value, list) else ())]


def volume_errors(prefix: str, spec: dict) -> tuple[list[FieldError], set[str]]:
    """ValidateVolumes in short: each volume of some type, named once with a DNS label. The errors, and the names
    of the valid volumes, the ones the containers' mounts may use."""
    errors: list[FieldError] = []
    names: set[str] = set()
    for index, volume in _objects(spec.get("volumes")):
        field = f"{prefix}.volumes[{index}]"
        name = volume.get("name") or ""
        typed = any(key != "name" for key in volume)
        found = [] if typed else [FieldError.required(field, "must specify a volume type")]
        found += dns_label_errors(f"{field}.name", name) if name else [FieldError.required(f"{field}.name")]
        if name in names:
            found.append(FieldError.duplicate(f"{field}.name", name))
        if found:
            errors += found
        else:  # only a valid volume may be mounted
            names.add(name)
    return errors, names


PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"]
PORT_NAME = re.compile(r"[-a-z0-9]+\Z")
PORT_RANGE = "must be between 1 and 65535, inclusive"


def port_errors(field: str, container: dict) -> list[FieldError]:
    """validateContainerPorts: each port's name (IsValidPortName, unique in the container), its containerPort and
    hostPort numbers, its protocol (defaulted to TCP before this runs)."""
    errors: list[FieldError] = []
    names: set[str] = set()
    for index, port in _objects(container.get("ports")):
        at = f"{field}.ports[{index}]"
        name = port.get("name") or ""
        if name:
            problems = _port_name_problems(name)
            errors += [FieldError.invalid(f"{at}.name", name, problem) for problem in problems]
            if not problems and name in names:
                errors.append(FieldError.duplicate(f"{at}.name", name))
            names.add(name)
        number = port.get("containerPort") or 0
        if not number:
            errors.append(FieldError.required(f"{at}.containerPort"))
        elif not 1 <= number <= 65535:
            errors.append(FieldError.invalid(f"{at}.containerPort", number, PORT_RANGE))
        host = port.get("hostPort") or 0
        if host and not 1 <= host <= 65535:
            errors.append(FieldError.invalid(f"{at}.hostPort", host, PORT_RANGE))
        protocol = port.get("protocol") or ""
        if not protocol:
            errors.append(FieldError.required(f"{at}.protocol"))
        elif protocol not in PORT_PROTOCOLS:
            errors.append(FieldError.not_supported(f"{at}.protocol", protocol, PORT_PROTOCOLS))
    return errors


def _port_name_problems(name: str) -> list[str]:
    """IsValidPortName's messages, in its order."""
    problems = ["must be no more than 15 characters"] if len(name) > 15 else []
    if not PORT_NAME.match(name):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", name):
        problems.append("must contain at least one letter (a-z)")
    if "--" in name:
        problems.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        problems.append("must not begin or end with a hyphen")
    return problems


def mount_errors(field: str, container: dict, volumes: set[str]) -> list[FieldError]:
    """ValidateVolumeMounts: each of the container's mounts names one of the pod's volumes, at a path of its own."""
    errors: list[FieldError] = []
    paths: set[str] = set()
    for index, mount in _objects(container.get("volumeMounts")):
        at = f"{field}.volumeMounts[{index}]"
        name, path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            errors.append(FieldError.required(f"{at}.name"))
        if name not in volumes:
            errors.append(FieldError.not_found(f"{at}.name", name))
        if not path:
            errors.append(FieldError.required(f"{at}.mountPath"))
        if path in paths:
            errors.append(FieldError.invalid(f"{at}.mountPath", path, "must be unique"))
        paths.add(path)
    return errors


def containers_errors(prefix: str, spec: dict) -> list[FieldError]:
    """The pod spec's checks clients meet first (ValidatePodSpec's order): its volumes, then each container with a
    unique DNS-label name, an image, its ports, mounts of those volumes and its resources, then the init
    containers' ports, mounts and resources."""
    errors, volumes = volume_errors(prefix, spec)
    containers = _objects(spec.get("containers"))
    if not containers:
        errors.append(FieldError.required(f"{prefix}.containers"))
    seen: set[str] = set()
    for index, container in containers:
        field = f"{prefix}.containers[{index}]"
        name = container.get("name") or ""
        if not name:
            errors.append(FieldError.required(f"{field}.name"))
        else:
            errors += dns_label_errors(f"{field}.name", name)
            if name in seen:
                errors.append(FieldError.duplicate(f"{field}.name", name))
            seen.add(name)
        if not container.get("image"):
            errors.append(FieldError.required(f"{field}.image"))
        errors += port_errors(field, container) + mount_errors(field, container, volumes)
        errors += resource_errors(field, container) + probe_errors(field, container, init=False)
    for index, container in _objects(spec.get("initContainers")):
        field = f"{prefix}.initContainers[{index}]"
        errors += port_errors(field, container) + mount_errors(field, container, volumes)
        errors += resource_errors(field, container) + probe_errors(field, container, init=True)
    return errors


PROBE_COUNTS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HTTP_SCHEMES = ["HTTP", "HTTPS"]


def probe_errors(field: str, container: dict, init: bool) -> list[FieldError]:
    """The container's liveness, readiness and startup probes (after their defaults): none on a regular init
    container; validateProbe (one handler, its command or port; counts not negative), then liveness and startup
    succeed once and a readiness probe has no grace period of its own."""
    errors: list[FieldError] = []
    for kind in PROBES:
        probe = container.get(kind)
        if not isinstance(probe, dict):
            continue
        at = f"{field}.{kind}"
        if init and container.get("restartPolicy") != "Always":
            errors.append(FieldError.forbidden(at, "may not be set for init containers without restartPolicy=Always"))
            continue
        errors += _handler_errors(at, probe)  # validateProbe, then the kind's own rule
        for count in PROBE_COUNTS:
            if type(probe.get(count)) is int and probe[count] < 0:
                errors.append(FieldError.invalid(f"{at}.{count}", probe[count], NON_NEGATIVE))
        grace = probe.get("terminationGracePeriodSeconds")
        if type(grace) is int and grace <= 0:
            errors.append(FieldError.invalid(f"{at}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
        if kind != "readinessProbe" and probe.get("successThreshold") != 1:
            errors.append(FieldError.invalid(f"{at}.successThreshold", probe.get("successThreshold"), "must be 1"))
        if kind == "readinessProbe" and grace is not None:
            errors.append(FieldError.invalid(f"{at}.terminationGracePeriodSeconds", grace,
                                             "must not be set for readinessProbes"))
    return errors


def _handler_errors(field: str, probe: dict) -> list[FieldError]:
    """validateHandler: exactly one handler, checked (an exec command, an httpGet or tcpSocket port and scheme)."""
    errors: list[FieldError] = []
    handled = False
    for kind in HANDLERS:
        action = probe.get(kind)
        if action is None:
            continue
        if handled:
            errors.append(FieldError.forbidden(f"{field}.{kind}", "may not specify more than 1 handler type"))
            continue
        handled, at, action = True, f"{field}.{kind}", action if isinstance(action, dict) else {}
        if kind == "exec" and not action.get("command"):
            errors.append(FieldError.required(f"{at}.command"))
        if kind in ("httpGet", "tcpSocket"):
            errors += _port_number_or_name_errors(f"{at}.port", action.get("port"))
        if kind == "httpGet" and action.get("scheme") not in HTTP_SCHEMES:
            errors.append(FieldError.not_supported(f"{at}.scheme", action.get("scheme"), HTTP_SCHEMES))
        if kind == "grpc":
            errors += _port_number_or_name_errors(f"{at}.port", action.get("port") if type(action.get("port")) is int
                                                  else 0)
    if not handled:
        errors.append(FieldError.required(field, "must specify a handler type"))
    return errors


def _port_number_or_name_errors(field: str, port: Any) -> list[FieldError]:
    """ValidatePortNumOrName: a number in range, or a valid port name."""
    if isinstance(port, str):
        return [FieldError.invalid(field, port, problem) for problem in _port_name_problems(port)]
    number = port if type(port) is int else 0
    return [] if 1 <= number <= 65535 else [FieldError.invalid(field, number, PORT_RANGE)]


STANDARD_RESOURCES = frozenset((  # helper.IsStandardResourceName's set (quota names too), hugepages aside
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports",
    "services.loadbalancers", "requests.storage"))
CONTAINER_RESOURCES = frozenset(("cpu", "memory", "ephemeral-storage"))
HUGE_PAGES = "hugepages-"


def resource_errors(container_field: str, container: dict) -> list[FieldError]:
    """ValidateResourceRequirements for a container: each limit's and request's name and sign, then each request
    against its limit (a request of a resource that cannot be overcommitted must equal it). Names in sorted order
    (Go's map order is random). Hugepage sizes and extended resources' whole numbers are not checked."""
    resources, field = container.get("resources"), f"{container_field}.resources"
    if not isinstance(resources, dict):
        return []
    limits, requests = (quantity.resource_list(resources.get(kind)) for kind in ("limits", "requests"))
    errors: list[FieldError] = []
    for name, value in limits.items():
        errors += _resource_value_errors(f"{field}.limits[{name}]", name, value)
    for name, value in requests.items():
        errors += _resource_value_errors(f"{field}.requests[{name}]", name, value)
        limit = limits.get(name)
        shown = quantity.canonical(value)
        if limit is not None:
            if value.nanos() != limit.nanos() and not _overcommit_allowed(name):
                errors.append(FieldError.invalid(f"{field}.requests", shown,
                                                 f"must be equal to {name} limit of {quantity.canonical(limit)}"))
            elif value.nanos() > limit.nanos():
                errors.append(FieldError.invalid(f"{field}.requests", shown, f"must be less than or equal to "
                                                 f"{name} limit of {quantity.canonical(limit)}"))
        elif not _overcommit_allowed(name):
            errors.append(FieldError.required(f"{field}.limits", "Limit must be set for non overcommitable resources"))
    return errors


def _resource_value_errors(field: str, name: str, value: quantity.Quantity) -> list[FieldError]:
    """validateContainerResourceName, then ValidateNonnegativeQuantity."""
    errors = qualified_name_errors(field, name)
    if not errors and "/" not in name and name not in STANDARD_RESOURCES and not name.startswith(
            (HUGE_PAGES, "requests." + HUGE_PAGES)):
        errors.append(FieldError.invalid(field, name, "must be a standard resource type or fully qualified"))
    if "/" not in name:
        if name not in CONTAINER_RESOURCES and not name.startswith(HUGE_PAGES):
            errors.append(FieldError.invalid(field, name, "must be a standard resource for containers"))
    elif "kubernetes.io/" not in name and (name.startswith("requests.")
                                            or qualified_name_errors(field, "requests." + name)):
        errors.append(FieldError.invalid(field, name, "doesn't follow extended resource name standard"))
    if value.amount < 0:
        errors.append(FieldError.invalid(field, quantity.canonical(value), "must be greater than or equal to 0"))
    return errors


def _overcommit_allowed(name: str) -> bool:
    """IsOvercommitAllowed: a native resource (no domain, or a kubernetes.io one) that is not a hugepage size."""
    return ("/" not in name or "kubernetes.io/" in name) and not name.startswith(HUGE_PAGES)


def pod_spec_errors(pod: dict) -> list[FieldError]:
    errors = containers_errors("spec.template.spec", pod)
    policy = pod.get("restartPolicy") or ""
    if policy in ("", "Always"):
        errors.append(FieldError.required("spec.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif policy not in RESTART_POLICIES:
        errors.append(FieldError.not_supported("spec.template.spec.restartPolicy", policy, RESTART_POLICIES))
    return errors + scheduling_gate_errors("spec.template.spec.schedulingGates", pod.get("schedulingGates"))


def job_status_errors(status: dict) -> list[FieldError]:
    """The status rules every Kubernetes release applies (spec §10.3, 'Always')."""
    errors: list[FieldError] = []
    for counter in STATUS_COUNTERS:
        value = status.get(counter)
        if value is not None and value < 0:
            errors.append(FieldError.invalid(f"status.{counter}", value, NON_NEGATIVE))
    uncounted = status.get("uncountedTerminatedPods") or {}
    seen: set[str] = set()
    for outcome in ("succeeded", "failed"):
        for index, uid in enumerate(uncounted.get(outcome) or []):
            field = f"status.uncountedTerminatedPods.{outcome}[{index}]"
            if not uid:
                errors.append(FieldError.invalid(field, uid, "must not be empty"))
            elif uid in seen:
                errors.append(FieldError.duplicate(field, uid))
            seen.add(uid)
    true_types = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    if "SuccessCriteriaMet" in true_types:
        for other in ("Failed", "FailureTarget"):
            if other in true_types:
                errors.append(FieldError.invalid_omit_value(
                    "status.conditions", f"cannot set SuccessCriteriaMet=True and {other}=true conditions"))
    return errors


def job_status_update_errors(new: dict, old: dict) -> list[FieldError]:
    errors = job_status_errors(new)
    had = any(c.get("type") == "SuccessCriteriaMet" and c.get("status") == "True" for c in old.get("conditions") or [])
    has = any(c.get("type") == "SuccessCriteriaMet" and c.get("status") == "True" for c in new.get("conditions") or [])
    if had and not has:
        errors.append(FieldError.invalid_omit_value("status.conditions",
                                                     "cannot disable the SuccessCriteriaMet=True condition"))
    return errors


def immutable_spec_errors(new: dict, old: dict) -> list[FieldError]:
    return [FieldError.invalid(f"spec.{field}", new.get(field), "field is immutable")
            for field in IMMUTABLE_SPEC if new.get(field) != old.get(field)]


def immutable_meta_errors(new: dict, old: dict) -> list[FieldError]:
    return [FieldError.invalid(f"metadata.{field}", new.get(field), "field is immutable")
            for field in ("name", "namespace", "uid") if new.get(field) != old.get(field)]


def stored_problem(kind: str, scope: str, name: str, obj: dict) -> str | None:
    """What makes a Job or Namespace from a state file unusable (the checks its create path makes), or None."""
    if kind not in ("jobs", "namespaces"):
        return None
    jobs = kind == "jobs"
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or meta.get("name") != name or jobs and meta.get("namespace") != scope:
        return "metadata.name and metadata.namespace must name where it is stored"
    try:
        errors = object_meta_errors(meta, jobs)
        if jobs:
            if not isinstance(obj.get("spec"), dict) or not isinstance(obj.get("status", {}), dict):
                return "spec and status must be objects"
            errors += job_spec_errors(obj["spec"]) + job_status_errors(obj.get("status") or {})
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        return f"is malformed ({type(error).__name__}: {error})"
    return str(errors[0]) if errors else None
