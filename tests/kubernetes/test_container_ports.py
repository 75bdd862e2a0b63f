"""Container ports, volumes and env as the apiserver takes them: defaulted (protocol TCP, a sourceless volume
an emptyDir, modes, fieldRef apiVersions), then validated."""
from __future__ import annotations


async def test_a_port_without_a_protocol_comes_back_tcp_on_the_job_and_its_pods(client, kube):
    body = kube.manifest("served")
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"name": "http", "containerPort": 8080}, {"containerPort": 53, "protocol": "UDP"}]
    response = await client.post(kube.url("default"), json=body)
    assert response.status == 201, await response.text()
    ports = (await response.json())["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert ports == [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                     {"containerPort": 53, "protocol": "UDP"}]
    pod = {"metadata": {"name": "web"}, "spec": {"containers": [
        {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
    response = await client.post("/api/v1/namespaces/default/pods", json=pod)
    assert (await response.json())["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    pod = {"metadata": {"name": "host"}, "spec": {"hostNetwork": True, "containers": [
        {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 9081}]}]}}
    response = await client.post("/api/v1/namespaces/default/pods", json=pod)  # on the host's network: hostPort too
    assert (await response.json())["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP", "hostPort": 80},
        {"containerPort": 81, "hostPort": 9081, "protocol": "TCP"}]
    body = kube.manifest("hosted")  # a template keeps its hostPort unset (1.28+)
    body["spec"]["template"]["spec"].update(hostNetwork=True)
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    response = await client.post(kube.url("default"), json=body)
    assert (await response.json())["spec"]["template"]["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP"}]


async def test_bad_ports_are_422_in_validate_container_ports_order(client, kube):
    body = kube.manifest("ports")
    spec = body["spec"]["template"]["spec"]
    spec["containers"][0]["ports"] = [
        {"name": "HTTP--", "containerPort": 0}, {"name": "web", "containerPort": 70000, "hostPort": -1},
        {"name": "web", "containerPort": 81, "protocol": "ICMP"}, {"name": "1234567890123456", "containerPort": 82}]
    spec["initContainers"] = [{"name": "init", "image": "busybox", "ports": [{"containerPort": 1, "protocol": "tcp"}]}]
    response = await client.post(kube.url("default"), json=body)
    at, init = "spec.template.spec.containers[0].ports", "spec.template.spec.initContainers[0].ports"
    result = await kube.expect(response, 422, "Invalid", (
        f'Job.batch "ports" is invalid: ['
        f'{at}[0].name: Invalid value: "HTTP--": must contain only alpha-numeric characters (a-z, 0-9), and '
        f'hyphens (-), {at}[0].name: Invalid value: "HTTP--": must contain at least one letter (a-z), '
        f'{at}[0].name: Invalid value: "HTTP--": must not contain consecutive hyphens, '
        f'{at}[0].name: Invalid value: "HTTP--": must not begin or end with a hyphen, '
        f"{at}[0].containerPort: Required value, "
        f"{at}[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, "
        f"{at}[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive, "
        f'{at}[2].name: Duplicate value: "web", '
        f'{at}[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP", '
        f'{at}[3].name: Invalid value: "1234567890123456": must be no more than 15 characters, '
        f'{at}[3].name: Invalid value: "1234567890123456": must contain at least one letter (a-z), '
        f'{init}[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"]'))
    assert result["details"]["causes"][4] == {"reason": "FieldValueRequired", "message": "Required value",
                                              "field": f"{at}[0].containerPort"}


async def test_volumes_and_env_get_the_apiservers_defaults(client, kube):
    """SetDefaults_Volume (a volume naming no source, or only null ones, is an emptyDir, so it may be mounted), the
    sources' defaultMode 420 and hostPath type "", and a fieldRef's apiVersion v1 (env and downward API items)."""
    body = kube.manifest("scratch")
    spec = body["spec"]["template"]["spec"]
    spec["volumes"] = [
        {"name": "scratch"}, {"name": "cache", "secret": None}, {"name": "conf", "configMap": {"name": "app"}},
        {"name": "key", "secret": {"secretName": "k", "defaultMode": 256}},
        {"name": "host", "hostPath": {"path": "/x"}},
        {"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]
    container = spec["containers"][0]
    container["volumeMounts"] = [{"name": "scratch", "mountPath": "/tmp/work"}]
    container["env"] = [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "PLAIN", "value": "x"}]
    response = await client.post(kube.url("default"), json=body)
    assert response.status == 201, await response.text()
    written = (await response.json())["spec"]["template"]["spec"]
    assert written["volumes"] == [
        {"name": "scratch", "emptyDir": {}}, {"name": "cache", "emptyDir": {}},
        {"name": "conf", "configMap": {"name": "app", "defaultMode": 420}},
        {"name": "key", "secret": {"secretName": "k", "defaultMode": 256}},
        {"name": "host", "hostPath": {"path": "/x", "type": ""}},
        {"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.labels"}}], "defaultMode": 420}}]
    assert written["containers"][0]["env"] == [
        {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "PLAIN", "value": "x"}]


async def test_probes_get_their_defaults_and_validate_probe_checks(client, kube):
    """SetDefaults_Probe and SetDefaults_HTTPGetAction fill a probe in; then each probe needs one handler with its
    command or port, counts not negative, liveness and startup a successThreshold of 1, no probe on a regular init
    container."""
    body = kube.manifest("probed")
    container = body["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"] = {"httpGet": {"port": 8080}}
    container["lifecycle"] = {"preStop": {"httpGet": {"port": "http", "path": "/stop"}}}
    response = await client.post(kube.url("default"), json=body)
    assert response.status == 201, await response.text()
    written = (await response.json())["spec"]["template"]["spec"]["containers"][0]
    assert written["readinessProbe"] == {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                         "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert written["lifecycle"]["preStop"] == {"httpGet": {"port": "http", "path": "/stop", "scheme": "HTTP"}}
    container["livenessProbe"] = {"exec": {}, "tcpSocket": {"port": 70000}, "successThreshold": 2, "periodSeconds": -1}
    container["readinessProbe"] = {"periodSeconds": 5}
    container["startupProbe"] = {"tcpSocket": {"port": "HTTP"}, "httpGet": {"port": 1, "scheme": "ftp"}}
    body["spec"]["template"]["spec"]["initContainers"] = [{"name": "init", "image": "busybox",
                                                           "livenessProbe": {"exec": {"command": ["true"]}}}]
    response = await client.post(kube.url("default"), json=body)
    at = "spec.template.spec.containers[0]"
    await kube.expect(response, 422, "Invalid", (
        f'Job.batch "probed" is invalid: [{at}.livenessProbe.exec.command: Required value, '
        f"{at}.livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type, "
        f"{at}.livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0, "
        f"{at}.livenessProbe.successThreshold: Invalid value: 2: must be 1, "
        f"{at}.readinessProbe: Required value: must specify a handler type, "
        f'{at}.startupProbe.httpGet.scheme: Unsupported value: "ftp": supported values: "HTTP", "HTTPS", '
        f"{at}.startupProbe.tcpSocket: Forbidden: may not specify more than 1 handler type, "
        "spec.template.spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers "
        "without restartPolicy=Always]"))
