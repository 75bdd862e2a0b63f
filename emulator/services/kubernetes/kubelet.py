"""The virtual node: the scheduler's binding and the kubelet's status writes for each pod, on the emulator's clock.

A pod is bound at once (PodScheduled, ContainerCreating), or once its last scheduling gate is removed; its
containers run `START_SECONDS` later (Running, Ready, or not Ready while a readiness gate's condition is not True)
for the pod's planned duration, then terminate with the planned exit code (Succeeded or Failed). Init containers go
first, in order, from `START_SECONDS` after binding: a regular one runs `INIT_SECONDS` and completes (exit 0), a
sidecar (restartPolicy Always) starts and runs beside the rest until the containers end; then the containers run.
A deleted running pod is killed after at most `KILL_SECONDS` (exit 143); a pod still running when its own
`spec.activeDeadlineSeconds` since its startTime runs out is killed then (exit 137) and Failed with reason
DeadlineExceeded, as the kubelet's active-deadline handler does. From 1.34 the status names the pod generation it
saw. Log lines are released over the run, each with its own timestamp; followers of a pod's log are woken as lines
appear and when the container stops.
What each pod will do (its plan) is stored, so a restored emulator goes on where it stopped.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from datetime import datetime, timedelta
from typing import Any

from emulator.core.clock import Clock, Scheduled, parse_rfc3339
from emulator.core.rendered import Rendered
from emulator.core.store import Store
from emulator.services.kubernetes.events import Events, involved
from emulator.services.kubernetes.pods import Pods, container_status, terminal

NODE = "emulator-node"
SCHEDULER_INSTANCE = "default-scheduler-emulator-control-plane"  # kube-scheduler's, on the control plane's host
HOST_IP = "10.0.0.10"
START_SECONDS = 1.0  # bound -> running (ContainerCreating)
INIT_SECONDS = 1.0  # a regular init container runs this long, then completes with exit code 0
KILL_SECONDS = 1.0  # a deleted running pod's containers stop this long after the DELETE (or its grace, if shorter)
KILLED_EXIT_CODE = 143  # a container stopped by the kubelet (SIGTERM): a deleted pod's, one whose image changed
Plan = dict[str, Any]  # duration, exit_codes (one per run, the last repeats), runs, logs: {container: [line]}, next;
# failure (the reason of a failed run) when it is OOMKilled; init_codes {init container: exit code} when any fails
KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
RESTART_BACKOFF, RESTART_BACKOFF_CAP = 10.0, 300.0  # the kubelet's crash-loop back-off
OOM_EXIT_CODE = 137  # a container the kernel killed for its memory: reason OOMKilled
DEADLINE_EXCEEDED = ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")
STEPS = ("bind", "init", "run", "end", "kill", "restart", "replace", "deadline")  # what a pod's plan may do next
ACTIVE_STEPS = ("init", "run", "end", "restart", "replace", "deadline")  # a bound pod's: its deadline may come first

PREFIX = "cloud-job-emulator/"
DURATION_ANNOTATION = PREFIX + "duration-seconds"
OUTCOME_ANNOTATION = PREFIX + "outcome"
EXIT_CODE_ANNOTATION = PREFIX + "exit-code"
FAIL_ATTEMPTS_ANNOTATION = PREFIX + "fail-attempts"
FAILED_INDEXES_ANNOTATION = PREFIX + "failed-indexes"
LOGS_ANNOTATION = PREFIX + "logs"
MAX_DURATION = 366 * 24 * 3600.0  # a year: longer annotated run times are taken for the default
log = logging.getLogger("emulator.kubernetes")
STATUS_ORDER = ("observedGeneration", "phase", "conditions", "message", "reason", "hostIP", "hostIPs", "podIP",
                "podIPs", "startTime", "initContainerStatuses", "containerStatuses", "qosClass")  # PodStatus's order
STATUS_WRITER = ("kubelet", "status")  # how the kubelet's status writes are recorded in managedFields


def run_time(annotation: object, default: float, job: str) -> float:
    """The annotated run time if it is a number of seconds from 0 to MAX_DURATION; the default otherwise (logged)."""
    if annotation is None:
        return default
    try:
        seconds = float(annotation)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    if math.isfinite(seconds) and 0 <= seconds <= MAX_DURATION:
        return seconds
    log.warning("%s: annotation %s=%r is not a number of seconds from 0 to %d; running it for the default %s s",
                job, DURATION_ANNOTATION, annotation, MAX_DURATION, default)
    return default


def annotated_int(annotation: object, default: int) -> int:
    """An annotation's whole number, or the default."""
    try:
        return int(str(annotation).strip())
    except (TypeError, ValueError):
        return default


def default_log(container: dict, code: int) -> list[str]:
    """What a container writes when no annotation scripts its log: two lines naming it, its image and its end."""
    name = container['name']
    return [f"container {name} (image {container['image']}) started",
            f"container {name} exiting with code {code}" if code else f"container {name} completed"]


def scripted_init_codes(annotations: dict, spec: dict) -> dict[str, int]:
    """The regular init containers told to fail: `exit-code.<name>` with a non-zero code (each run of it fails)."""
    codes = {}
    for container in spec.get("initContainers") or ():
        code = annotated_int(annotations.get(f"{EXIT_CODE_ANNOTATION}.{container['name']}"), 0)
        if code and not sidecar(container):
            codes[container["name"]] = code
    return codes


def scripted_logs(annotations: dict, spec: dict, code: int) -> dict[str, list[str]]:
    """What each container writes: its own `logs.<name>` annotation, else (not for init containers) the `logs`
    annotation, else its default lines (init containers end with their `exit-code.<name>`, else complete; the
    others end with `code`)."""
    logs, init_codes = {}, scripted_init_codes(annotations, spec)
    for container in spec.get("initContainers") or ():
        text = annotations.get(f"{LOGS_ANNOTATION}.{container['name']}")
        logs[container["name"]] = default_log(container, init_codes.get(container["name"], 0)) if text is None \
            else str(text).splitlines()
    for container in spec["containers"]:
        text = annotations.get(f"{LOGS_ANNOTATION}.{container['name']}", annotations.get(LOGS_ANNOTATION))
        logs[container["name"]] = default_log(container, code) if text is None else str(text).splitlines()
    return logs


def _spread(pod: dict, plan: Plan, container: str) -> float:
    """How long the container's lines take to appear: a regular init container's run, else the pod's."""
    inits = pod["spec"].get("initContainers")
    if inits and any(c["name"] == container and not sidecar(c) for c in inits):
        return INIT_SECONDS
    return plan["duration"]


def _in_order(status: dict) -> dict:
    """The status with PodStatus's fields in their order, any others after them."""
    return {**{key: status[key] for key in STATUS_ORDER if key in status}, **status}


def _hex(text: str, length: int = 64) -> str:
    return (hashlib.sha256(text.encode()).hexdigest() * 2)[:length]


def normalized_image(image: str) -> str:
    """docker.io/library/busybox:latest from busybox, as containerd reports it."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not digest:
        name += ":latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    return name + ("@" + digest if digest else "")


def _deadline(pod: dict | None) -> datetime | None:
    """When the pod's own activeDeadlineSeconds, counted from its startTime, runs out (None: no deadline yet)."""
    if pod is None:
        return None
    seconds, started = pod["spec"].get("activeDeadlineSeconds"), pod["status"].get("startTime")
    if seconds is None or started is None:
        return None
    return parse_rfc3339(started) + timedelta(seconds=seconds)


def _ready(pod: dict) -> tuple[str, str | None, str | None]:
    """The Ready condition of a pod whose containers are ready: True unless a readiness gate's condition is missing
    or not True (the kubelet's GeneratePodReadyCondition)."""
    conditions = {c["type"]: c for c in pod["status"].get("conditions") or ()}
    held = []
    for gate in pod["spec"].get("readinessGates") or ():
        kind = gate.get("conditionType")
        found = conditions.get(kind)
        if found is None:
            held.append(f'corresponding condition of pod readiness gate "{kind}" does not exist.')
        elif found.get("status") != "True":
            held.append(f'the status of pod readiness gate "{kind}" is not "True", but {found.get("status")}')
    return ("False", "ReadinessGatesNotReady", ", ".join(held)) if held else ("True", None, None)


def _condition(kind: str, status: str, stamp: str, reason: str | None = None, message: str | None = None,
               generation: int | None = None) -> dict:
    condition: dict[str, Any]
    if generation is None:
        condition = {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": stamp}
    else:  # PodObservedGenerationTracking: the pod generation the kubelet saw
        condition = {"type": kind, "observedGeneration": generation, "status": status, "lastProbeTime": None,
                     "lastTransitionTime": stamp}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _conditions(pod: dict, values: dict[str, tuple[str, str | None, str | None]], stamp: str,
                generation: int | None = None) -> list[dict]:
    """The kubelet's condition list, in its order, after the conditions others own (its status manager keeps
    those); a condition's transition time moves only when its status does."""
    old = {c["type"]: c for c in pod["status"].get("conditions") or []}
    result = [c for kind, c in old.items() if kind not in KUBELET_CONDITIONS]  # DisruptionTarget, kept first
    for kind in KUBELET_CONDITIONS:
        status, reason, message = values[kind]
        before = old.get(kind)
        since = before["lastTransitionTime"] if before and before["status"] == status else stamp
        result.append(_condition(kind, status, since, reason, message, generation))
    return result


def sidecar(container: dict) -> bool:
    """A restartable init container (restartPolicy Always): started in turn, then running beside the others."""
    return container.get("restartPolicy") == "Always"


def _waiting(container: dict, reason: str) -> dict:
    return {"name": container["name"], "state": {"waiting": {"reason": reason}}, "lastState": {}, "ready": False,
            "restartCount": 0, "image": container["image"], "imageID": "", "started": False}


def _initialized(pod: dict, inits: list[dict], statuses: list[dict], phase: str) -> tuple[str, str | None, str | None]:
    """The Initialized condition (GeneratePodInitializedCondition): True once a regular init container is ready (it
    completed) and a sidecar started, or once any of the pod's own containers started; PodCompleted on success."""
    if phase == "Succeeded":
        return "True", "PodCompleted", None
    if any("waiting" not in s["state"] for s in statuses):
        return "True", None, None
    incomplete = [c["name"] for c, s in zip(pod["spec"].get("initContainers") or (), inits)
                  if not (s["started"] if sidecar(c) else s["ready"])]
    if incomplete:
        return "False", "ContainersNotInitialized", f"containers with incomplete status: [{' '.join(incomplete)}]"
    return "True", None, None


def _unready(pod: dict, inits: list[dict], statuses: list[dict]) -> tuple[str, str | None, str | None]:
    """ContainersReady while the pod runs: the sidecars not ready, then its containers not ready."""
    names = [c["name"] for c, s in zip(pod["spec"].get("initContainers") or (), inits) if sidecar(c) and not s["ready"]]
    names += [s["name"] for s in statuses if not s["ready"]]
    return ("False", "ContainersNotReady", f"containers with unready status: [{' '.join(names)}]") if names \
        else ("True", None, None)


def _changed_images(pod: dict) -> list[tuple[dict, dict]]:
    """(container, status) of each running container whose spec names another image than it runs."""
    return [(container, status) for container, status in zip(pod["spec"]["containers"],
                                                               pod["status"].get("containerStatuses") or ())
            if "running" in status["state"] and status.get("image") != normalized_image(container["image"])]


def _terminated(old: dict, code: int, reason: str, stamp: str) -> dict:
    """A running container's status once it ended."""
    started = old["state"]["running"]["startedAt"]
    return {**old, "state": {"terminated": {"containerID": old["containerID"], "exitCode": code, "reason": reason,
                                            "startedAt": started, "finishedAt": stamp}},
            "ready": False, "started": False}


class Kubelet:
    """Pod lifecycles on the virtual node, and the log lines each container writes."""

    def __init__(self, pods: Pods, events: Events, clock: Clock, store: Store, k8s_minor: int,
                 default_duration: float = 10.0) -> None:
        self.pods = pods
        self.default_duration = default_duration
        self.events = events
        self.clock = clock
        self.minor = k8s_minor
        self.plans = store.collection("kubernetes_pod_runs")
        self._pending: dict[tuple[str, str], Scheduled] = {}
        self._followers: dict[tuple[str, str], list[asyncio.Future]] = {}
        self._written = Rendered(1024)  # log lines by (pod, container, run start, up to when), kept with the plan
        pods.listeners.append(self.heard)

    def reset(self) -> None:
        self._pending.clear()
        for waiters in self._followers.values():
            for future in waiters:
                if not future.done():
                    future.set_result(None)
        self._followers.clear()

    def restored(self) -> None:
        for key, plan in list(self.plans.scan()):
            if plan.get("next"):
                self._schedule_at(key, parse_rfc3339(plan["next"]["at"]), plan["next"]["step"])

    # --- what it is told -------------------------------------------------------------------------

    def start(self, pod: dict, duration: float, exit_codes: list[int], logs: dict[str, list[str]],
              failure: str = "Error", init_codes: dict[str, int] | None = None) -> None:
        """Run a new pod: bound now, then running, then ending with the first exit code (with restartPolicy
        OnFailure a failed container restarts in place and its next run ends with the next code); a failed run's
        reason is `failure` (Error, or OOMKilled). An init container in `init_codes` fails each run with its code."""
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        plan = {"duration": duration, "exit_codes": exit_codes, "runs": 0, "logs": logs, "next": None}
        plan = plan if failure == "Error" else {**plan, "failure": failure}
        self.plans.put(*key, {**plan, "init_codes": init_codes} if init_codes else plan)
        if not pod["spec"].get("schedulingGates"):  # a gated pod waits, unbound, until its last gate is removed
            self._schedule_at(key, self.clock.now(), "bind")

    def heard(self, how: str, pod: dict) -> None:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        if how == "posted":
            self.start_posted(pod)
        elif how == "deleted":
            self.clock.cancel(self._pending.pop(key, None))
            self.plans.delete(*key)
            self._wake(key)
        elif how == "updated":
            self._updated(key, pod)

    def _updated(self, key: tuple[str, str], pod: dict) -> None:
        """What a write of the pod (the node's own, a controller's or a client's) changes for the node."""
        plan = self.plans.get(*key)
        if plan is None:
            return
        upcoming = plan.get("next")
        if terminal(pod):  # ended: by the node, or by a client's write of pods/status, after which nothing more runs
            if upcoming and upcoming["step"] != "kill":
                self.clock.cancel(self._pending.pop(key, None))
                self.plans.put(*key, {**plan, "next": None})
                self._wake(key)
        elif pod["metadata"].get("deletionTimestamp"):
            if (upcoming or {}).get("step") != "kill":
                grace = pod["metadata"].get("deletionGracePeriodSeconds", 0)
                for container in pod["spec"]["containers"] if pod["spec"].get("nodeName") else ():
                    self._event(pod, "Normal", "Killing", f"Stopping container {container['name']}",
                                container["name"])
                self._schedule_at(key, self.clock.later(min(grace, KILL_SECONDS)), "kill")
        elif not pod["spec"].get("nodeName"):
            if upcoming is None and not pod["spec"].get("schedulingGates"):  # its last gate removed: bind it now
                self._schedule_at(key, self.clock.now(), "bind")
        else:
            if pod["spec"].get("activeDeadlineSeconds") is not None and upcoming and upcoming["step"] in ACTIVE_STEPS:
                self._schedule_at(key, parse_rfc3339(upcoming["at"]), upcoming["step"])  # a lowered deadline
            seen = pod["status"].get("observedGeneration")
            if (pod["spec"].get("readinessGates") and pod["status"].get("phase") == "Running") or \
                    (seen is not None and seen != pod["metadata"].get("generation", 1)):
                self._resync(pod)
            changed = _changed_images(pod) if pod["metadata"].get("generation", 1) > 1 else ()  # (a spec update's)
            if changed and (upcoming or {}).get("step") != "replace":
                for container, _ in changed:
                    self._event(pod, "Normal", "Killing", f"Container {container['name']} definition changed, "
                                "will be restarted", container["name"])
                grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
                self._schedule_at(key, self.clock.later(min(grace, KILL_SECONDS)), "replace")

    def _resync(self, pod: dict) -> None:
        """The kubelet's sync after a write of the pod by others: Ready follows a readiness gate's condition while
        the containers are ready, and the status names the pod's new generation (1.34+)."""
        conditions = {c["type"]: c for c in pod["status"].get("conditions") or ()}
        values = {kind: (c["status"], c.get("reason"), c.get("message")) for kind, c in conditions.items()
                  if kind in KUBELET_CONDITIONS}
        if len(values) < len(KUBELET_CONDITIONS):
            return  # not written by the kubelet yet
        if pod["status"].get("phase") == "Running" and values["ContainersReady"][0] == "True":
            values["Ready"] = _ready(pod)
        self._write(pod, {**pod["status"], "conditions": self._conditions(pod, values, self.clock.stamp())})

    def _generation(self, pod: dict) -> int | None:
        """The generation the kubelet's status names (PodObservedGenerationTracking, on from 1.34), or None."""
        return pod["metadata"].get("generation", 1) if self.minor >= 34 else None

    def _conditions(self, pod: dict, values: dict[str, tuple[str, str | None, str | None]], stamp: str) -> list[dict]:
        return _conditions(pod, values, stamp, self._generation(pod))

    def _write(self, pod: dict, status: dict, spec: dict | None = None) -> dict:
        """A status write of the kubelet's (with the binding's spec.nodeName); from 1.34 the status names the
        generation it saw, first."""
        generation = self._generation(pod)
        if generation is not None and next(iter(status), None) == "observedGeneration":
            status["observedGeneration"] = generation  # a status of the kubelet's own making, already in order
        elif generation is not None:
            status.pop("observedGeneration", None)
            status = {"observedGeneration": generation, **status}
        return self.pods.write({**pod, "spec": spec or pod["spec"], "status": status}, pod, *STATUS_WRITER)

    def start_posted(self, pod: dict) -> None:
        """A pod a client created runs as its own annotations say (duration-seconds, exit-code, logs); it ends
        with exit code 0 unless told otherwise, whatever its restartPolicy (OnFailure restarts a failing one)."""
        meta = pod["metadata"]
        annotations = meta.get("annotations") or {}
        code = annotated_int(annotations.get(EXIT_CODE_ANNOTATION), 0)
        failure = "OOMKilled" if annotations.get(OUTCOME_ANNOTATION) == "OOMKilled" else "Error"
        if failure == "OOMKilled":
            code = OOM_EXIT_CODE
        logs = scripted_logs(annotations, pod["spec"], code)
        duration = run_time(annotations.get(DURATION_ANNOTATION), self.default_duration,
                            f"pod {meta['namespace']}/{meta['name']}")
        self.start(pod, duration, [code], logs, failure, scripted_init_codes(annotations, pod["spec"]))

    # --- scheduling --------------------------------------------------------------------------------

    def _schedule_at(self, key: tuple[str, str], when: datetime, step: str) -> None:
        plan = self.plans.get(*key)
        if plan is None:
            return
        if step in ACTIVE_STEPS:  # the pod's own deadline instead, if it comes first
            deadline = _deadline(self.pods.items.get(*key))
            if deadline is not None and deadline <= when:
                when, step = deadline, "deadline"
        self.plans.put(*key, {**plan, "next": {"step": step, "at": when.isoformat()}})
        self.clock.cancel(self._pending.get(key))
        self._pending[key] = self.clock.call_at(when, lambda: self._due(key, step))

    def _due(self, key: tuple[str, str], step: str) -> None:
        self._pending.pop(key, None)
        pod, plan = self.pods.items.get(*key), self.plans.get(*key)
        if pod is None or plan is None:
            return
        self.plans.put(*key, {**plan, "next": None})
        {"bind": self._bind, "init": self._init, "run": self._run, "end": self._end, "kill": self._kill,
         "restart": self._run, "replace": self._replace, "deadline": self._past_deadline}[step](key, pod, plan)

    # --- the steps ---------------------------------------------------------------------------------

    def _bind(self, key: tuple[str, str], pod: dict, plan: Plan) -> None:
        stamp = self.clock.stamp()
        meta, spec = pod["metadata"], pod["spec"]
        self.events.emit(involved(pod, "Pod", "v1"), "Normal", "Scheduled",
                         f"Successfully assigned {meta['namespace']}/{meta['name']} to {NODE}", "default-scheduler",
                         SCHEDULER_INSTANCE, "Binding")
        first = spec.get("initContainers") or []
        waiting = "PodInitializing" if first else "ContainerCreating"
        inits, statuses = [_waiting(c, waiting) for c in first], [_waiting(c, waiting) for c in spec["containers"]]
        unready = _unready(pod, inits, statuses)
        status = {**pod["status"], "phase": "Pending", "hostIP": HOST_IP, "hostIPs": [{"ip": HOST_IP}],
                  "startTime": stamp,
                  "conditions": self._conditions(pod, {"PodReadyToStartContainers": ("False", None, None),
                                                       "Initialized": _initialized(pod, inits, statuses, "Pending"),
                                                       "Ready": unready, "ContainersReady": unready,
                                                       "PodScheduled": ("True", None, None)}, stamp),
                  **({"initContainerStatuses": inits} if inits else {}), "containerStatuses": statuses}
        status = {field: status[field] for field in STATUS_ORDER if field in status}
        pod = self._write(pod, status, {**spec, "nodeName": NODE})
        for container in () if first else spec["containers"]:  # the first containers to start: their images
            self._pulled(pod, container)
        self._schedule_at(key, self.clock.later(START_SECONDS), "init" if first else "run")

    def _init(self, key: tuple[str, str], pod: dict, plan: Plan) -> None:
        """The init containers' turn: the regular one that ran completes, then the next ones start in order, each
        sidecar left running, up to a regular one (which runs INIT_SECONDS); with none left the containers run."""
        stamp = self.clock.stamp()
        inits = list(pod["status"]["initContainerStatuses"])
        for position, container in enumerate(pod["spec"]["initContainers"]):
            old = inits[position]
            if "running" in old["state"] and not sidecar(container):
                code = (plan.get("init_codes") or {}).get(container["name"], 0)
                if code:
                    self._init_failed(key, pod, inits, position, code, stamp)
                    return
                inits[position] = {**_terminated(old, 0, "Completed", stamp), "ready": True}
            elif "waiting" in old["state"]:
                self._pulled(pod, container, "initContainers")
                inits[position] = self._started(pod, container, old, stamp, sidecar(container), "initContainers")
                if not sidecar(container):
                    break
        else:
            self._run(key, pod, plan, inits)
            return
        statuses = pod["status"]["containerStatuses"]
        unready, true = _unready(pod, inits, statuses), ("True", None, None)
        values = {"PodReadyToStartContainers": true, "Initialized": _initialized(pod, inits, statuses, "Pending"),
                  "Ready": unready, "ContainersReady": unready, "PodScheduled": true}
        ip = self._ip(pod)
        status = {**pod["status"], "podIP": ip, "podIPs": [{"ip": ip}], "initContainerStatuses": inits}
        self._write(pod, _in_order({**status, "conditions": self._conditions(pod, values, stamp)}))
        self._schedule_at(key, self.clock.later(INIT_SECONDS), "init")
        self._wake(key)  # followers waiting for the init container to start

    def _init_failed(self, key: tuple[str, str], pod: dict, inits: list[dict], position: int, code: int,
                     stamp: str) -> None:
        """A regular init container exited non-zero: with restartPolicy Never the pod fails there (its sidecars
        stop; its containers never leave PodInitializing); otherwise the init container waits in CrashLoopBackOff
        and runs again after the kubelet's back-off, the pod still Pending."""
        old, statuses = inits[position], pod["status"]["containerStatuses"]
        if pod["spec"].get("restartPolicy") == "Never":
            inits = [_terminated(state, code, "Error", stamp) if index == position else
                     _terminated(state, 0, "Completed", stamp) if "running" in state["state"] else state
                     for index, state in enumerate(inits)]
            values = {"PodReadyToStartContainers": ("False", None, None),
                      "Initialized": _initialized(pod, inits, statuses, "Failed"),
                      "Ready": ("False", "PodFailed", None), "ContainersReady": ("False", "PodFailed", None),
                      "PodScheduled": ("True", None, None)}
            self._write(pod, {**pod["status"], "phase": "Failed", "conditions": self._conditions(pod, values, stamp),
                              "initContainerStatuses": inits})
            self._wake(key)
            return
        inits[position] = self._crash_looping(pod, old, code, "Error", stamp)
        unready, true = _unready(pod, inits, statuses), ("True", None, None)
        values = {"PodReadyToStartContainers": true, "Initialized": _initialized(pod, inits, statuses, "Pending"),
                  "Ready": unready, "ContainersReady": unready, "PodScheduled": true}
        self._write(pod, {**pod["status"], "conditions": self._conditions(pod, values, stamp),
                          "initContainerStatuses": inits})
        self._backed_off(pod, old["name"], "initContainers")
        self._wake(key)
        self._schedule_at(key, self.clock.later(self._restart_delay(inits[position]["restartCount"])), "init")

    @staticmethod
    def _ip(pod: dict) -> str:
        uid = pod["metadata"]["uid"]
        return "10.244.%d.%d" % (int(_hex(uid, 2), 16), int(_hex(uid, 4)[2:], 16))

    def _pulled(self, pod: dict, container: dict, field: str = "containers") -> None:
        self._event(pod, "Normal", "Pulled", f'Container image "{container["image"]}" already present on machine'
                    + (" and can be accessed by the pod" if self.minor >= 35 else ""), container["name"], field)

    def _started(self, pod: dict, container: dict, old: dict, stamp: str, ready: bool,
                 field: str = "containers") -> dict:
        """A container's status once it runs (each run a new containerID), after its Created and Started events."""
        image = normalized_image(container["image"])
        name = container["name"]  # the kubelet's texts changed in 1.33 and 1.35
        created = f"Created container {name}" if self.minor < 33 else f"Created container: {name}" \
            if self.minor < 35 else "Container created"
        self._event(pod, "Normal", "Created", created, name, field)
        self._event(pod, "Normal", "Started", f"Started container {name}" if self.minor < 35 else "Container started",
                    name, field)
        run = f'{pod["metadata"]["uid"]}{name}{old["restartCount"] or ""}'
        return {**old, "state": {"running": {"startedAt": stamp}}, "ready": ready, "started": True, "image": image,
                "imageID": image.split(":")[0] + "@sha256:" + _hex(image), "containerID": "containerd://" + _hex(run)}

    def _run(self, key: tuple[str, str], pod: dict, plan: Plan, inits: list[dict] | None = None) -> None:
        """The pod's containers start (after its init containers, whose statuses come with it, or again after a
        crash): Running."""
        stamp = self.clock.stamp()
        statuses = []
        for container, old in zip(pod["spec"]["containers"], pod["status"]["containerStatuses"]):
            if inits is not None:
                self._pulled(pod, container)
            statuses.append(self._started(pod, container, old, stamp, True))
        true = ("True", None, None)
        ip = self._ip(pod)
        status = {**pod["status"], "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                  "conditions": self._conditions(pod, {"PodReadyToStartContainers": true, "Initialized": true,
                                                       "Ready": _ready(pod), "ContainersReady": true,
                                                       "PodScheduled": true}, stamp),
                  "containerStatuses": statuses}
        if inits is not None:
            status["initContainerStatuses"] = inits
        self._write(pod, _in_order(status))
        self._schedule_at(key, self.clock.later(plan["duration"]), "end")
        self._wake(key)  # followers waiting for the container to start

    def _past_deadline(self, key: tuple[str, str], pod: dict, plan: Plan) -> None:
        """Past its activeDeadlineSeconds: an event on the pod, its containers killed, the pod Failed."""
        self.events.record(involved(pod, "Pod", "v1"), "Normal", *DEADLINE_EXCEEDED, "kubelet", NODE)
        self._end(key, pod, plan, 137, DEADLINE_EXCEEDED)

    def _end(self, key: tuple[str, str], pod: dict, plan: Plan, exit_code: int | None = None,
             why: tuple[str, str] | None = None) -> None:
        stamp = self.clock.stamp()
        codes = plan["exit_codes"]
        code = codes[min(plan["runs"], len(codes) - 1)] if exit_code is None else exit_code
        reason = "Completed" if code == 0 else plan.get("failure", "Error") if exit_code is None else "Error"
        if code and exit_code is None and pod["spec"].get("restartPolicy") == "OnFailure" \
                and not pod["metadata"].get("deletionTimestamp"):
            self._crash(key, pod, plan, code, stamp)
            return
        statuses = []
        for old in pod["status"].get("containerStatuses") or []:
            if "running" in old["state"]:
                statuses.append(_terminated(old, code, reason, stamp))
            else:  # never ran
                statuses.append({**old, "state": {"terminated": {
                    "exitCode": 137 if code else 0, "reason": "ContainerStatusUnknown" if code else reason,
                    "startedAt": None, "finishedAt": stamp}}, "ready": False, "started": False})
        stopped = exit_code or 0  # sidecars stop once the containers ended (or with them, when killed)
        inits = [_terminated(old, stopped, "Error" if stopped else "Completed", stamp) if "running" in old["state"]
                 else old for old in pod["status"].get("initContainerStatuses") or ()]
        phase, done = ("Succeeded", "PodCompleted") if code == 0 else ("Failed", "PodFailed")
        values = {"PodReadyToStartContainers": ("False", None, None),
                  "Initialized": _initialized(pod, inits, pod["status"].get("containerStatuses") or [], phase),
                  "Ready": ("False", done, None), "ContainersReady": ("False", done, None),
                  "PodScheduled": ("True", None, None)}
        status = {**pod["status"], "phase": phase, "conditions": self._conditions(pod, values, stamp),
                  "containerStatuses": statuses}
        if inits:
            status["initContainerStatuses"] = inits
        if why is not None:  # the pod's reason and message
            status = _in_order({**status, "message": why[1], "reason": why[0]})
        pod = self._write(pod, status)
        self._wake(key)
        if pod["metadata"].get("deletionTimestamp"):
            self.pods.finish_deletion(pod)

    def _crash(self, key: tuple[str, str], pod: dict, plan: Plan, code: int, stamp: str) -> None:
        """restartPolicy OnFailure: the container restarts in the same pod after the kubelet's back-off."""
        statuses = [self._crash_looping(pod, old, code, plan.get("failure", "Error"), stamp)
                    for old in pod["status"].get("containerStatuses") or []]
        unready, true = _unready(pod, pod["status"].get("initContainerStatuses") or [], statuses), ("True", None, None)
        values = {"PodReadyToStartContainers": true, "Initialized": true, "Ready": unready, "ContainersReady": unready,
                  "PodScheduled": true}
        pod = self._write(pod, {**pod["status"], "conditions": self._conditions(pod, values, stamp),
                                "containerStatuses": statuses})
        self.plans.put(*key, {**plan, "runs": plan["runs"] + 1})
        self._wake(key)
        for state in statuses:
            self._backed_off(pod, state["name"])
        delay = self._restart_delay(statuses[0]["restartCount"] if statuses else 1)
        self._schedule_at(key, self.clock.later(delay), "restart")

    def _crash_looping(self, pod: dict, old: dict, code: int, reason: str, stamp: str) -> dict:
        """A container that ended with `code`: waiting in CrashLoopBackOff for its next run, the run in lastState."""
        meta, restarts = pod["metadata"], old["restartCount"] + 1
        terminated = {"containerID": old.get("containerID", ""), "exitCode": code, "reason": reason,
                      "startedAt": (old["state"].get("running") or {}).get("startedAt"), "finishedAt": stamp}
        return {**old, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": (
            f"back-off {int(self._restart_delay(restarts))}s restarting failed container={old['name']} "
            f"pod={meta['name']}_{meta['namespace']}({meta['uid']})")}}, "lastState": {"terminated": terminated},
            "ready": False, "started": False, "restartCount": restarts}

    def _backed_off(self, pod: dict, name: str, field: str = "containers") -> None:
        meta = pod["metadata"]
        self._event(pod, "Warning", "BackOff", f"Back-off restarting failed container {name} in pod "
                    f"{meta['name']}_{meta['namespace']}({meta['uid']})", name, field)

    def _replace(self, key: tuple[str, str], pod: dict, plan: Plan) -> None:
        """A running container whose image was changed: stopped (exit 143, as a deleted pod's are) and started
        again at once with the new image, a restart of it; its run starts over."""
        stamp, changed = self.clock.stamp(), {container["name"] for container, _ in _changed_images(pod)}
        statuses = []
        for container, old in zip(pod["spec"]["containers"], pod["status"]["containerStatuses"]):
            if container["name"] in changed:
                stopped = _terminated(old, KILLED_EXIT_CODE, "Error", stamp)["state"]
                self._pulled(pod, container)
                old = self._started(pod, container, {**old, "lastState": stopped, "restartCount":
                                                      old["restartCount"] + 1}, stamp, True)
            statuses.append(old)
        self._write(pod, {**pod["status"], "containerStatuses": statuses})
        self._schedule_at(key, self.clock.later(plan["duration"]), "end")
        self._wake(key)

    @staticmethod
    def _restart_delay(restarts: int) -> float:
        return min(RESTART_BACKOFF * 2 ** min(restarts - 1, 30), RESTART_BACKOFF_CAP)

    def _kill(self, key: tuple[str, str], pod: dict, plan: Plan) -> None:
        if terminal(pod):
            self.pods.finish_deletion(pod)
        else:
            self._end(key, pod, plan, KILLED_EXIT_CODE)

    def _event(self, pod: dict, kind: str, reason: str, message: str, container: str,
               field: str = "containers") -> None:
        self.events.record(involved(pod, "Pod", "v1", f"spec.{field}{{{container}}}"), kind, reason, message,
                           "kubelet", NODE)

    # --- logs --------------------------------------------------------------------------------------

    def log_lines(self, pod: dict, container: str) -> tuple[list[tuple[str, str]], bool]:
        """The (timestamp, line) pairs the container has written by now, and whether it still runs."""
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        plan = self.plans.get(*key)
        state = (container_status(pod, container) or {}).get("state") or {}
        started = (state.get("running") or state.get("terminated") or {}).get("startedAt")
        if plan is None or started is None:
            return [], "running" in state
        finished = state["terminated"]["finishedAt"] if "terminated" in state else None
        return self.lines_between(pod, container, started, finished), "running" in state

    def lines_between(self, pod: dict, container: str, started: str, finished: str | None) -> list[tuple[str, str]]:
        """The (timestamp, line) pairs of one run of the container that started then (and ended then, or runs)."""
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        plan = self.plans.get(namespace, name)
        if plan is None:
            return []
        now = self.clock.now()
        spread = _spread(pod, plan, container)

        def written() -> list[tuple[str, str]]:
            end = min(parse_rfc3339(finished), now) if finished else now
            start = parse_rfc3339(started)
            lines = plan["logs"].get(container) or []
            out = []
            for index, line in enumerate(lines):
                moment = start + timedelta(seconds=spread * index / max(len(lines), 1))
                if moment > end:
                    break
                out.append((moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond * 1000:09d}Z", line))
            return out

        # Kept while the plan is the one stored: the same run up to the same moment writes the same lines (a 1 KiB
        # log GET formatted 16 timestamps each time: server CPU 115 -> 62 us per request, Xeon, 2026-12-06; keyed by the
        # texts and the moment, no parsing: 55 -> 52 us).
        return self._written.get((namespace, name, container, started, finished, now), plan, written)

    def next_line_at(self, pod: dict, container: str, released: int) -> datetime | None:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        plan = self.plans.get(*key)
        state = (container_status(pod, container) or {}).get("state") or {}
        if plan is None or "running" not in state:
            return None
        lines = plan["logs"].get(container) or []
        if released >= len(lines):
            return None
        start = parse_rfc3339(state["running"]["startedAt"])
        return start + timedelta(seconds=_spread(pod, plan, container) * released / len(lines))

    def follow(self, pod: dict, when: datetime | None) -> asyncio.Future:
        """A future done when the clock reaches `when` (the next line) or the pod's containers stop."""
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        future = asyncio.get_running_loop().create_future()
        self._followers.setdefault(key, []).append(future)
        if when is not None:
            self.clock.call_at(when, lambda: self._wake(key))
        return future

    def _wake(self, key: tuple[str, str]) -> None:
        for future in self._followers.pop(key, ()):
            if not future.done():
                future.set_result(None)
