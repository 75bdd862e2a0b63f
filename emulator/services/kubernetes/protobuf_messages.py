"""The Kubernetes protobuf messages the emulator reads and writes, declared here and built with the protobuf runtime.

Field numbers and types are those of kubernetes' `generated.proto` files (the spec's §2.5 tables).
Each line declares one proto2 message, `Name: field N[:type], ...`, with types `i32`, `i64`, `b`
(bool), `bytes`, a message name, `[]T` (repeated), `{str}` / `{Quantity}` (maps with string keys);
no type is a string. Marks after a field's name say how its JSON differs from the message:
`!` the JSON tag has no omitempty (a zero value is kept), `?` a Go pointer (a zero value was set
on purpose, so it is kept), `*` an embedded Go struct whose fields sit inline in the JSON (EphemeralContainerCommon has Container's
very fields and numbers, so it is declared as Container).
ObjectMeta's `enable` is Huawei CCE's own field (its seeds show it on every Job); its number there is not
published, so it travels here as 1000, which Go decoders skip as unknown. `clusterName` keeps its old 15.
Pods, Events and other kinds are served in protobuf by declaring their messages here and naming
them in `protobuf.KINDS`.
"""
from __future__ import annotations

import re

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "cloudjobemulator.k8s"

DECLARED = """
TypeMeta: apiVersion 1, kind 2
Unknown: typeMeta 1:TypeMeta, raw 2:bytes, contentEncoding 3, contentType 4
RawExtension: raw 1:bytes
Time: seconds 1:i64, nanos 2:i32
MicroTime: seconds 1:i64, nanos 2:i32
Quantity: string 1
IntOrString: type 1:i64, intVal 2:i32, strVal 3
FieldsV1: Raw 1:bytes
ObjectMeta: name 1, generateName 2, namespace 3, selfLink 4, uid 5, resourceVersion 6, generation 7:i64, \
creationTimestamp 8:Time, deletionTimestamp 9:Time, deletionGracePeriodSeconds? 10:i64, labels 11:{str}, \
annotations 12:{str}, ownerReferences 13:[]OwnerReference, finalizers 14:[]str, managedFields 17:[]ManagedFieldsEntry, \
clusterName 15, enable? 1000:b
ListMeta: selfLink 1, resourceVersion 2, continue 3, remainingItemCount? 4:i64
OwnerReference: apiVersion! 5, kind! 1, name! 3, uid! 4, controller? 6:b, blockOwnerDeletion? 7:b
ManagedFieldsEntry: manager 1, operation 2, apiVersion 3, time 4:Time, fieldsType 6, fieldsV1 7:FieldsV1, \
subresource 8
Status: metadata 1:ListMeta, status 2, message 3, reason 4, details 5:StatusDetails, code 6:i32
StatusDetails: name 1, group 2, kind 3, uid 6, causes 4:[]StatusCause, retryAfterSeconds 5:i32
StatusCause: reason 1, message 2, field 3
LabelSelector: matchLabels 1:{str}, matchExpressions 2:[]LabelSelectorRequirement
LabelSelectorRequirement: key! 1, operator! 2, values 3:[]str
WatchEvent: type 1, object 2:RawExtension
DeleteOptions: gracePeriodSeconds? 1:i64, preconditions 2:Preconditions, orphanDependents? 3:b, \
propagationPolicy 4, dryRun 5:[]str
Preconditions: uid 1, resourceVersion 2

Job: metadata 1:ObjectMeta, spec 2:JobSpec, status 3:JobStatus
JobList: metadata 1:ListMeta, items! 2:[]Job
JobSpec: parallelism? 1:i32, completions? 2:i32, activeDeadlineSeconds? 3:i64, podFailurePolicy 11:PodFailurePolicy, \
successPolicy 16:SuccessPolicy, backoffLimit? 7:i32, backoffLimitPerIndex? 12:i32, maxFailedIndexes? 13:i32, \
selector 4:LabelSelector, manualSelector? 5:b, template! 6:PodTemplateSpec, ttlSecondsAfterFinished? 8:i32, \
completionMode 9, suspend? 10:b, podReplacementPolicy 14, managedBy 15
JobStatus: conditions 1:[]JobCondition, startTime 2:Time, completionTime 3:Time, active 4:i32, succeeded 5:i32, \
failed 6:i32, terminating? 11:i32, completedIndexes 7, failedIndexes 10, \
uncountedTerminatedPods 8:UncountedTerminatedPods, ready? 9:i32
JobCondition: type! 1, status! 2, lastProbeTime 3:Time, lastTransitionTime 4:Time, reason 5, message 6
PodFailurePolicy: rules! 1:[]PodFailurePolicyRule
PodFailurePolicyRule: action! 1, onExitCodes 2:PodFailurePolicyOnExitCodesRequirement, \
onPodConditions 3:[]PodFailurePolicyOnPodConditionsPattern
PodFailurePolicyOnExitCodesRequirement: containerName 1, operator! 2, values! 3:[]i32
PodFailurePolicyOnPodConditionsPattern: type! 1, status 2
SuccessPolicy: rules! 1:[]SuccessPolicyRule
SuccessPolicyRule: succeededIndexes 1, succeededCount? 2:i32
UncountedTerminatedPods: succeeded 1:[]str, failed 2:[]str

PodTemplateSpec: metadata 1:ObjectMeta, spec 2:PodSpec
PodSpec: volumes 1:[]Volume, initContainers 20:[]Container, containers! 2:[]Container, \
ephemeralContainers 34:[]EphemeralContainer, restartPolicy 3, \
terminationGracePeriodSeconds? 4:i64, activeDeadlineSeconds? 5:i64, dnsPolicy 6, nodeSelector 7:{str}, \
serviceAccountName 8, serviceAccount 9, automountServiceAccountToken? 21:b, nodeName 10, hostNetwork 11:b, \
hostPID 12:b, hostIPC 13:b, shareProcessNamespace? 27:b, securityContext 14:PodSecurityContext, \
imagePullSecrets 15:[]LocalObjectReference, hostname 16, subdomain 17, affinity 18:Affinity, schedulerName 19, \
tolerations 22:[]Toleration, hostAliases 23:[]HostAlias, priorityClassName 24, priority? 25:i32, \
dnsConfig 26:PodDNSConfig, readinessGates 28:[]PodReadinessGate, runtimeClassName 29, enableServiceLinks? 30:b, \
preemptionPolicy 31, overhead 32:{Quantity}, topologySpreadConstraints 33:[]TopologySpreadConstraint, \
setHostnameAsFQDN? 35:b, os 36:PodOS, hostUsers? 37:b, schedulingGates 38:[]PodSchedulingGate, \
resourceClaims 39:[]PodResourceClaim, resources 40:ResourceRequirements
Container: name! 1, image 2, command 3:[]str, args 4:[]str, workingDir 5, ports 6:[]ContainerPort, \
envFrom 19:[]EnvFromSource, env 7:[]EnvVar, resources 8:ResourceRequirements, \
resizePolicy 23:[]ContainerResizePolicy, restartPolicy 24, volumeMounts 9:[]VolumeMount, \
volumeDevices 21:[]VolumeDevice, livenessProbe 10:Probe, readinessProbe 11:Probe, startupProbe 22:Probe, \
lifecycle 12:Lifecycle, terminationMessagePath 13, terminationMessagePolicy 20, imagePullPolicy 14, \
securityContext 15:SecurityContext, stdin 16:b, stdinOnce 17:b, tty 18:b
EphemeralContainer: ephemeralContainerCommon* 1:Container, targetContainerName 2
ContainerPort: name 1, hostPort 2:i32, containerPort! 3:i32, protocol 4, hostIP 5
EnvVar: name! 1, value 2, valueFrom 3:EnvVarSource
EnvVarSource: fieldRef 1:ObjectFieldSelector, resourceFieldRef 2:ResourceFieldSelector, \
configMapKeyRef 3:ConfigMapKeySelector, secretKeyRef 4:SecretKeySelector
ObjectFieldSelector: apiVersion 1, fieldPath! 2
ResourceFieldSelector: containerName 1, resource! 2, divisor 3:Quantity
ConfigMapKeySelector: localObjectReference* 1:LocalObjectReference, key! 2, optional? 3:b
SecretKeySelector: localObjectReference* 1:LocalObjectReference, key! 2, optional? 3:b
EnvFromSource: prefix 1, configMapRef 2:ConfigMapEnvSource, secretRef 3:SecretEnvSource
ConfigMapEnvSource: localObjectReference* 1:LocalObjectReference, optional? 2:b
SecretEnvSource: localObjectReference* 1:LocalObjectReference, optional? 2:b
LocalObjectReference: name 1
ResourceRequirements: limits 1:{Quantity}, requests 2:{Quantity}, claims 3:[]ResourceClaim
ResourceClaim: name! 1, request 2
ContainerResizePolicy: resourceName! 1, restartPolicy! 2
VolumeMount: name! 1, readOnly 2:b, recursiveReadOnly 7, mountPath! 3, subPath 4, mountPropagation 5, subPathExpr 6
VolumeDevice: name! 1, devicePath! 2
Probe: handler* 1:ProbeHandler, initialDelaySeconds 2:i32, timeoutSeconds 3:i32, periodSeconds 4:i32, \
successThreshold 5:i32, failureThreshold 6:i32, terminationGracePeriodSeconds? 7:i64
ProbeHandler: exec 1:ExecAction, httpGet 2:HTTPGetAction, tcpSocket 3:TCPSocketAction, grpc 4:GRPCAction
ExecAction: command 1:[]str
HTTPGetAction: path 1, port! 2:IntOrString, host 3, scheme 4, httpHeaders 5:[]HTTPHeader
HTTPHeader: name! 1, value! 2
TCPSocketAction: port! 1:IntOrString, host 2
GRPCAction: port! 1:i32, service? 2
Lifecycle: postStart 1:LifecycleHandler, preStop 2:LifecycleHandler, stopSignal 3
LifecycleHandler: exec 1:ExecAction, httpGet 2:HTTPGetAction, tcpSocket 3:TCPSocketAction, sleep 4:SleepAction
SleepAction: seconds! 1:i64
SecurityContext: capabilities 1:Capabilities, privileged? 2:b, seLinuxOptions 3:SELinuxOptions, \
windowsOptions 10:WindowsSecurityContextOptions, runAsUser? 4:i64, runAsGroup? 8:i64, runAsNonRoot? 5:b, \
readOnlyRootFilesystem? 6:b, allowPrivilegeEscalation? 7:b, procMount 9, seccompProfile 11:SeccompProfile, \
appArmorProfile 12:AppArmorProfile
Capabilities: add 1:[]str, drop 2:[]str
SELinuxOptions: user 1, role 2, type 3, level 4
WindowsSecurityContextOptions: gmsaCredentialSpecName 1, gmsaCredentialSpec 2, runAsUserName 3, hostProcess? 4:b
SeccompProfile: type! 1, localhostProfile 2
AppArmorProfile: type! 1, localhostProfile 2
PodSecurityContext: seLinuxOptions 1:SELinuxOptions, windowsOptions 8:WindowsSecurityContextOptions, \
runAsUser? 2:i64, runAsGroup? 6:i64, runAsNonRoot? 3:b, supplementalGroups 4:[]i64, supplementalGroupsPolicy 12, \
fsGroup? 5:i64, sysctls 7:[]Sysctl, fsGroupChangePolicy 9, seccompProfile 10:SeccompProfile, \
appArmorProfile 11:AppArmorProfile, seLinuxChangePolicy 13
Sysctl: name! 1, value! 2
Toleration: key 1, operator 2, value 3, effect 4, tolerationSeconds? 5:i64
HostAlias: ip! 1, hostnames 2:[]str
PodDNSConfig: nameservers 1:[]str, searches 2:[]str, options 3:[]PodDNSConfigOption
PodDNSConfigOption: name 1, value 2
PodReadinessGate: conditionType! 1
PodOS: name! 1
PodSchedulingGate: name! 1
PodResourceClaim: name! 1, resourceClaimName 3, resourceClaimTemplateName 4
TopologySpreadConstraint: maxSkew! 1:i32, topologyKey! 2, whenUnsatisfiable! 3, labelSelector 4:LabelSelector, \
minDomains? 5:i32, nodeAffinityPolicy 6, nodeTaintsPolicy 7, matchLabelKeys 8:[]str
Affinity: nodeAffinity 1:NodeAffinity, podAffinity 2:PodAffinity, podAntiAffinity 3:PodAntiAffinity
NodeAffinity: requiredDuringSchedulingIgnoredDuringExecution 1:NodeSelector, \
preferredDuringSchedulingIgnoredDuringExecution 2:[]PreferredSchedulingTerm
PodAffinity: requiredDuringSchedulingIgnoredDuringExecution 1:[]PodAffinityTerm, \
preferredDuringSchedulingIgnoredDuringExecution 2:[]WeightedPodAffinityTerm
PodAntiAffinity: requiredDuringSchedulingIgnoredDuringExecution 1:[]PodAffinityTerm, \
preferredDuringSchedulingIgnoredDuringExecution 2:[]WeightedPodAffinityTerm
NodeSelector: nodeSelectorTerms! 1:[]NodeSelectorTerm
NodeSelectorTerm: matchExpressions 1:[]NodeSelectorRequirement, matchFields 2:[]NodeSelectorRequirement
NodeSelectorRequirement: key! 1, operator! 2, values 3:[]str
PreferredSchedulingTerm: weight! 1:i32, preference! 2:NodeSelectorTerm
PodAffinityTerm: labelSelector 1:LabelSelector, namespaces 2:[]str, topologyKey! 3, \
namespaceSelector 4:LabelSelector, matchLabelKeys 5:[]str, mismatchLabelKeys 6:[]str
WeightedPodAffinityTerm: weight! 1:i32, podAffinityTerm! 2:PodAffinityTerm
Volume: name! 1, volumeSource* 2:VolumeSource
VolumeSource: hostPath 1:HostPathVolumeSource, emptyDir 2:EmptyDirVolumeSource, secret 6:SecretVolumeSource, \
persistentVolumeClaim 10:PersistentVolumeClaimVolumeSource, downwardAPI 16:DownwardAPIVolumeSource, \
configMap 19:ConfigMapVolumeSource, projected 26:ProjectedVolumeSource
EmptyDirVolumeSource: medium 1, sizeLimit 2:Quantity
ConfigMapVolumeSource: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, defaultMode? 3:i32, \
optional? 4:b
SecretVolumeSource: secretName 1, items 2:[]KeyToPath, defaultMode? 3:i32, optional? 4:b
KeyToPath: key! 1, path! 2, mode? 3:i32
HostPathVolumeSource: path! 1, type 2
PersistentVolumeClaimVolumeSource: claimName! 1, readOnly 2:b
ProjectedVolumeSource: sources 1:[]VolumeProjection, defaultMode? 2:i32
VolumeProjection: secret 1:SecretProjection, downwardAPI 2:DownwardAPIProjection, configMap 3:ConfigMapProjection, \
serviceAccountToken 4:ServiceAccountTokenProjection
SecretProjection: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, optional? 4:b
ConfigMapProjection: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, optional? 4:b
DownwardAPIProjection: items 1:[]DownwardAPIVolumeFile
ServiceAccountTokenProjection: audience 1, expirationSeconds? 2:i64, path! 3
DownwardAPIVolumeSource: items 1:[]DownwardAPIVolumeFile, defaultMode? 2:i32
DownwardAPIVolumeFile: path! 1, fieldRef 2:ObjectFieldSelector, resourceFieldRef 3:ResourceFieldSelector, mode? 4:i32

Namespace: metadata 1:ObjectMeta, spec 2:NamespaceSpec, status 3:NamespaceStatus
NamespaceList: metadata 1:ListMeta, items! 2:[]Namespace
NamespaceSpec: finalizers 1:[]str
NamespaceStatus: phase 1, conditions 2:[]NamespaceCondition
NamespaceCondition: type! 1, status! 2, lastTransitionTime 4:Time, reason 5, message 6
"""

_FIELD = re.compile(r"(\w+)([!?*]?) (\d+)(?::([^\s,]+))?")
_SCALARS = {
    "str": descriptor_pb2.FieldDescriptorProto.TYPE_STRING, "i32": descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
    "i64": descriptor_pb2.FieldDescriptorProto.TYPE_INT64, "b": descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
    "bytes": descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
}
OPTIONAL = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE


def _declarations() -> dict[str, list[tuple[str, str, int, str]]]:
    """Each message's fields as (JSON name, mark, number, type)."""
    messages: dict[str, list[tuple[str, str, int, str]]] = {}
    for line in DECLARED.replace("\\\n", "").strip().splitlines():
        if not line.strip():
            continue
        name, _, fields = line.partition(":")
        messages[name.strip()] = [(m.group(1), m.group(2), int(m.group(3)), m.group(4) or "str")
                                  for m in _FIELD.finditer(fields)]
    return messages


FIELDS = _declarations()


def _file() -> descriptor_pb2.FileDescriptorProto:
    """One proto2 file holding every declared message (map fields as the nested entry messages protoc makes)."""
    file = descriptor_pb2.FileDescriptorProto(name="cloudjobemulator/k8s.proto", package=PACKAGE, syntax="proto2")
    for name, fields in FIELDS.items():
        message = file.message_type.add(name=name)
        for json_name, _, number, kind in fields:
            field = message.field.add(name=json_name, number=number, json_name=json_name)
            if kind.startswith("{"):
                entry = message.nested_type.add(name=json_name[0].upper() + json_name[1:] + "Entry")
                entry.options.map_entry = True
                entry.field.add(name="key", number=1, label=OPTIONAL, type=_SCALARS["str"])
                value = kind[1:-1]
                if value == "str":
                    entry.field.add(name="value", number=2, label=OPTIONAL, type=_SCALARS["str"])
                else:
                    entry.field.add(name="value", number=2, label=OPTIONAL, type=MESSAGE, type_name=f".{PACKAGE}.{value}")
                field.label, field.type, field.type_name = REPEATED, MESSAGE, f".{PACKAGE}.{name}.{entry.name}"
                continue
            repeated = kind.startswith("[]")
            base = kind[2:] if repeated else kind
            field.label = REPEATED if repeated else OPTIONAL
            if base in _SCALARS:
                field.type = _SCALARS[base]
            else:
                field.type, field.type_name = MESSAGE, f".{PACKAGE}.{base}"
    return file


def build() -> dict[str, type]:
    """Every declared message's class, by message name, in a pool of its own."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file())
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))
            for name in FIELDS}
