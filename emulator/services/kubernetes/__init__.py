"""Kubernetes batch/v1 Jobs as Huawei Cloud CCE and CCI serve them, and what a Job makes when it runs.

Emulated: Jobs (create, read, replace, patch with JSON/merge/strategic merge/server-side apply,
delete and deletecollection with propagation policies and finalizers, list with label/field
selectors and paging, watch), the /status subresource, Namespaces, Pods (get, list, watch, delete,
/log with follow) and Events (core/v1 and events.k8s.io/v1) made by the Job controller, kubelet,
garbage collector and TTL controller on the emulator's clock (`controller`, `kubelet`, `collector`),
discovery, OpenAPI v3 and v2, JSON, YAML, protobuf and Table bodies, every error as a
metav1.Status. Huawei's flavour: `metadata.enable` and `selfLink` in responses, `X-Auth-Token`
accepted; under strict authentication a listed token is required (`authn`).
Not emulated: RBAC, CBOR, clients creating Pods, protobuf and Table bodies for Pods and Events.
"""
