"""Kubernetes batch/v1 Jobs as Huawei Cloud CCE and CCI serve them (a 1.31-era kube-apiserver).

Emulated: Jobs (create, read, replace, patch with JSON/merge/strategic merge/apply, delete with
propagation policies and finalizers, list with label/field selectors and paging, watch), the
/status subresource (read, replace, patch), Namespaces (create, read, list, delete), discovery
and the OpenAPI v3 pieces kubectl reads, every error as a metav1.Status. Huawei's flavour:
`metadata.enable` and `selfLink` in responses, `X-Auth-Token` accepted; under strict authentication
a listed token is required (`authn`).
A simulated job controller runs API-created jobs on the emulator's clock (see `controller`).
Not emulated: Pods (nothing runs), server-side apply's field ownership, protobuf and CBOR,
RBAC, Table output.
"""
