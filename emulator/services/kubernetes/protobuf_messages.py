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
Pods (all of PodSpec, every VolumeSource) and Events of both APIs are declared too (events.k8s.io/v1's
messages prefixed EventsV1); a kind is served in protobuf once named in `protobuf.KINDS`.
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
EphemeralContainer: ephemeralContainerCommon* 1:Container, targetContainerName 2
ContainerPort: name 1, hostPort 2:i32, containerPort! 3:i32, protocol 4, hostIP 5
EnvVar: name! 1, value 2, valueFrom 3:EnvVarSource
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
VolumeDevice: name! 1, devicePath! 2
Probe: handler* 1:ProbeHandler, initialDelaySeconds 2:i32, timeoutSeconds 3:i32, periodSeconds 4:i32, \
successThreshold 5:i32, failureThreshold 6:i32, terminationGracePeriodSeconds? 7:i64
ProbeHandler: exec 1:ExecAction, httpGet 2:HTTPGetAction, tcpSocket 3:TCPSocketAction, grpc 4:GRPCAction
ExecAction: command 1:[]str
HTTPHeader: name! 1, value! 2
TCPSocketAction: port! 1:IntOrString, host 2
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
HostPathVolumeSource: path! 1, type 2
PersistentVolumeClaimVolumeSource: claimName! 1, readOnly 2:b
SecretProjection: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, optional? 4:b
ConfigMapProjection: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, optional? 4:b
DownwardAPIProjection: items 1:[]DownwardAPIVolumeFile

Namespace: metadata 1:ObjectMeta, spec 2:NamespaceSpec, status 3:NamespaceStatus
NamespaceList: metadata 1:ListMeta, items! 2:[]Namespace
NamespaceSpec: finalizers 1:[]str
NamespaceStatus: phase 1, conditions 2:[]NamespaceCondition
NamespaceCondition: type! 1, status! 2, lastTransitionTime 4:Time, reason 5, message 6

PodSpec: volumes 1:[]Volume, initContainers 20:[]Container, containers! 2:[]Container, \
ephemeralContainers 34:[]EphemeralContainer, restartPolicy 3, terminationGracePeriodSeconds? 4:i64, \
activeDeadlineSeconds? 5:i64, dnsPolicy 6, nodeSelector 7:{str}, serviceAccountName 8, serviceAccount 9, \
automountServiceAccountToken? 21:b, nodeName 10, hostNetwork 11:b, hostPID 12:b, hostIPC 13:b, \
shareProcessNamespace? 27:b, securityContext 14:PodSecurityContext, imagePullSecrets 15:[]LocalObjectReference, \
hostname 16, subdomain 17, affinity 18:Affinity, schedulerName 19, tolerations 22:[]Toleration, \
hostAliases 23:[]HostAlias, priorityClassName 24, priority? 25:i32, dnsConfig 26:PodDNSConfig, \
readinessGates 28:[]PodReadinessGate, runtimeClassName? 29, enableServiceLinks? 30:b, preemptionPolicy? 31, \
overhead 32:{Quantity}, topologySpreadConstraints 33:[]TopologySpreadConstraint, setHostnameAsFQDN? 35:b, \
os 36:PodOS, hostUsers? 37:b, schedulingGates 38:[]PodSchedulingGate, resourceClaims 39:[]PodResourceClaim, \
resources 40:ResourceRequirements, hostnameOverride? 41, schedulingGroup 43:PodSchedulingGroup, \
evictionResponders 44:[]EvictionResponder
Container: name! 1, image 2, command 3:[]str, args 4:[]str, workingDir 5, ports 6:[]ContainerPort, \
envFrom 19:[]EnvFromSource, env 7:[]EnvVar, resources 8:ResourceRequirements, \
resizePolicy 23:[]ContainerResizePolicy, restartPolicy? 24, restartPolicyRules 25:[]ContainerRestartRule, \
volumeMounts 9:[]VolumeMount, volumeDevices 21:[]VolumeDevice, livenessProbe 10:Probe, readinessProbe 11:Probe, \
startupProbe 22:Probe, lifecycle 12:Lifecycle, terminationMessagePath 13, terminationMessagePolicy 20, \
imagePullPolicy 14, securityContext 15:SecurityContext, stdin 16:b, stdinOnce 17:b, tty 18:b
ContainerRestartRule: action 1, exitCodes 2:ContainerRestartRuleOnExitCodes
ContainerRestartRuleOnExitCodes: operator 1, values 2:[]i32
VolumeMount: name! 1, readOnly 2:b, recursiveReadOnly? 7, mountPath! 3, subPath 4, mountPropagation? 5, \
subPathExpr 6, bindMountOptions 8:[]str
PodSchedulingGroup: podGroupName? 1
EvictionResponder: name! 1, priority? 2:i32
EnvVarSource: fieldRef 1:ObjectFieldSelector, resourceFieldRef 2:ResourceFieldSelector, \
configMapKeyRef 3:ConfigMapKeySelector, secretKeyRef 4:SecretKeySelector, fileKeyRef 5:FileKeySelector
FileKeySelector: volumeName! 1, path! 2, key! 3, optional? 4:b
HTTPGetAction: path 1, port 2:IntOrString, host 3, scheme 4, httpHeaders 5:[]HTTPHeader, protocol? 6
GRPCAction: port! 1:i32, service? 2, mode? 3
VolumeSource: hostPath 1:HostPathVolumeSource, emptyDir 2:EmptyDirVolumeSource, \
gcePersistentDisk 3:GCEPersistentDiskVolumeSource, awsElasticBlockStore 4:AWSElasticBlockStoreVolumeSource, \
gitRepo 5:GitRepoVolumeSource, secret 6:SecretVolumeSource, nfs 7:NFSVolumeSource, iscsi 8:ISCSIVolumeSource, \
glusterfs 9:GlusterfsVolumeSource, persistentVolumeClaim 10:PersistentVolumeClaimVolumeSource, \
rbd 11:RBDVolumeSource, flexVolume 12:FlexVolumeSource, cinder 13:CinderVolumeSource, cephfs 14:CephFSVolumeSource, \
flocker 15:FlockerVolumeSource, downwardAPI 16:DownwardAPIVolumeSource, fc 17:FCVolumeSource, \
azureFile 18:AzureFileVolumeSource, configMap 19:ConfigMapVolumeSource, \
vsphereVolume 20:VsphereVirtualDiskVolumeSource, quobyte 21:QuobyteVolumeSource, azureDisk 22:AzureDiskVolumeSource, \
photonPersistentDisk 23:PhotonPersistentDiskVolumeSource, projected 26:ProjectedVolumeSource, \
portworxVolume 24:PortworxVolumeSource, scaleIO 25:ScaleIOVolumeSource, storageos 27:StorageOSVolumeSource, \
csi 28:CSIVolumeSource, ephemeral 29:EphemeralVolumeSource, image 30:ImageVolumeSource
EmptyDirVolumeSource: medium 1, sizeLimit 2:Quantity, mode? 3:i32
GCEPersistentDiskVolumeSource: pdName! 1, fsType 2, partition 3:i32, readOnly 4:b
AWSElasticBlockStoreVolumeSource: volumeID! 1, fsType 2, partition 3:i32, readOnly 4:b
GitRepoVolumeSource: repository! 1, revision 2, directory 3
SecretVolumeSource: secretName 1, items 2:[]KeyToPath, defaultMode? 3:i32, optional? 4:b, defaultUser? 5:i64
KeyToPath: key! 1, path! 2, mode? 3:i32, user? 4:i64
NFSVolumeSource: server! 1, path! 2, readOnly 3:b
ISCSIVolumeSource: targetPortal! 1, iqn! 2, lun! 3:i32, iscsiInterface 4, fsType 5, readOnly 6:b, portals 7:[]str, \
chapAuthDiscovery 8:b, chapAuthSession 11:b, secretRef 10:LocalObjectReference, initiatorName? 12
GlusterfsVolumeSource: endpoints! 1, path! 2, readOnly 3:b
RBDVolumeSource: monitors 1:[]str, image! 2, fsType 3, pool 4, user 5, keyring 6, secretRef 7:LocalObjectReference, \
readOnly 8:b
FlexVolumeSource: driver! 1, fsType 2, secretRef 3:LocalObjectReference, readOnly 4:b, options 5:{str}
CinderVolumeSource: volumeID! 1, fsType 2, readOnly 3:b, secretRef 4:LocalObjectReference
CephFSVolumeSource: monitors 1:[]str, path 2, user 3, secretFile 4, secretRef 5:LocalObjectReference, readOnly 6:b
FlockerVolumeSource: datasetName 1, datasetUUID 2
DownwardAPIVolumeSource: items 1:[]DownwardAPIVolumeFile, defaultMode? 2:i32, defaultUser? 3:i64
DownwardAPIVolumeFile: path! 1, fieldRef 2:ObjectFieldSelector, resourceFieldRef 3:ResourceFieldSelector, \
mode? 4:i32, user? 5:i64
FCVolumeSource: targetWWNs 1:[]str, lun? 2:i32, fsType 3, readOnly 4:b, wwids 5:[]str
AzureFileVolumeSource: secretName! 1, shareName! 2, readOnly 3:b
ConfigMapVolumeSource: localObjectReference* 1:LocalObjectReference, items 2:[]KeyToPath, defaultMode? 3:i32, \
optional? 4:b, defaultUser? 5:i64
VsphereVirtualDiskVolumeSource: volumePath! 1, fsType 2, storagePolicyName 3, storagePolicyID 4
QuobyteVolumeSource: registry! 1, volume! 2, readOnly 3:b, user 4, group 5, tenant 6
AzureDiskVolumeSource: diskName! 1, diskURI! 2, cachingMode? 3, fsType? 4, readOnly? 5:b, kind? 6
PhotonPersistentDiskVolumeSource: pdID! 1, fsType 2
ProjectedVolumeSource: sources 1:[]VolumeProjection, defaultMode? 2:i32, defaultUser? 3:i64
VolumeProjection: secret 1:SecretProjection, downwardAPI 2:DownwardAPIProjection, configMap 3:ConfigMapProjection, \
serviceAccountToken 4:ServiceAccountTokenProjection, clusterTrustBundle 5:ClusterTrustBundleProjection, \
podCertificate 6:PodCertificateProjection
ServiceAccountTokenProjection: audience 1, expirationSeconds? 2:i64, path! 3, user? 4:i64
ClusterTrustBundleProjection: name? 1, signerName? 2, labelSelector 3:LabelSelector, optional? 5:b, path! 4, \
user? 6:i64
PodCertificateProjection: signerName 1, keyType 2, maxExpirationSeconds? 3:i32, credentialBundlePath 4, keyPath 5, \
certificateChainPath 6, userAnnotations 7:{str}, user? 8:i64
PortworxVolumeSource: volumeID! 1, fsType 2, readOnly 3:b
ScaleIOVolumeSource: gateway! 1, system! 2, secretRef 3:LocalObjectReference, sslEnabled 4:b, protectionDomain 5, \
storagePool 6, storageMode 7, volumeName 8, fsType 9, readOnly 10:b
StorageOSVolumeSource: volumeName 1, volumeNamespace 2, fsType 3, readOnly 4:b, secretRef 5:LocalObjectReference
CSIVolumeSource: driver! 1, readOnly? 2:b, fsType? 3, volumeAttributes 4:{str}, \
nodePublishSecretRef 5:LocalObjectReference
EphemeralVolumeSource: volumeClaimTemplate 1:PersistentVolumeClaimTemplate
PersistentVolumeClaimTemplate: metadata 1:ObjectMeta, spec 2:PersistentVolumeClaimSpec
PersistentVolumeClaimSpec: accessModes 1:[]str, selector 4:LabelSelector, resources 2:VolumeResourceRequirements, \
volumeName 3, storageClassName? 5, volumeMode? 6, dataSource 7:TypedLocalObjectReference, \
dataSourceRef 8:TypedObjectReference, volumeAttributesClassName? 9
VolumeResourceRequirements: limits 1:{Quantity}, requests 2:{Quantity}
TypedLocalObjectReference: apiGroup? 1, kind! 2, name! 3
TypedObjectReference: apiGroup? 1, kind! 2, name! 3, namespace? 4
ImageVolumeSource: reference 1, pullPolicy 2
Pod: metadata 1:ObjectMeta, spec 2:PodSpec, status 3:PodStatus
PodStatus: observedGeneration 17:i64, phase 1, conditions 2:[]PodCondition, message 3, reason 4, \
nominatedNodeName 11, hostIP 5, hostIPs 16:[]HostIP, podIP 6, podIPs 12:[]PodIP, startTime 7:Time, \
initContainerStatuses 10:[]ContainerStatus, containerStatuses 8:[]ContainerStatus, qosClass 9, \
ephemeralContainerStatuses 13:[]ContainerStatus, resize 14, resourceClaimStatuses 15:[]PodResourceClaimStatus, \
extendedResourceClaimStatus 18:PodExtendedResourceClaimStatus, allocatedResources 19:{Quantity}, \
resources 20:ResourceRequirements, nodeAllocatableResourceClaimStatuses 21:[]NodeAllocatableResourceClaimStatus, \
volumeHealth 22:[]PodVolumeHealth
PodCondition: type! 1, observedGeneration 7:i64, status! 2, lastProbeTime 3:Time, lastTransitionTime 4:Time, \
reason 5, message 6
HostIP: ip! 1
PodIP: ip! 1
ContainerStatus: name! 1, state 2:ContainerState, lastState 3:ContainerState, ready! 4:b, restartCount! 5:i32, \
image! 6, imageID! 7, containerID 8, started? 9:b, allocatedResources 10:{Quantity}, \
resources 11:ResourceRequirements, volumeMounts 12:[]VolumeMountStatus, user 13:ContainerUser, \
allocatedResourcesStatus 14:[]ResourceStatus, stopSignal? 15
ContainerState: waiting 1:ContainerStateWaiting, running 2:ContainerStateRunning, \
terminated 3:ContainerStateTerminated
ContainerStateWaiting: reason 1, message 2
ContainerStateRunning: startedAt 1:Time
ContainerStateTerminated: exitCode! 1:i32, signal 2:i32, reason 3, message 4, startedAt 5:Time, finishedAt 6:Time, \
containerID 7
VolumeMountStatus: name! 1, mountPath! 2, readOnly 3:b, recursiveReadOnly? 4, volumeStatus 5:VolumeStatus
VolumeStatus: image 1:ImageVolumeStatus
ImageVolumeStatus: imageRef 1
ContainerUser: linux 1:LinuxContainerUser
LinuxContainerUser: uid! 1:i64, gid! 2:i64, supplementalGroups 3:[]i64
ResourceStatus: name! 1, resources 2:[]ResourceHealth
ResourceHealth: resourceID! 1, health 2, message? 6
PodResourceClaimStatus: name! 1, resourceClaimName? 2
PodExtendedResourceClaimStatus: requestMappings 1:[]ContainerExtendedResourceRequest, resourceClaimName! 2
ContainerExtendedResourceRequest: containerName! 1, resourceName! 2, requestName! 3
NodeAllocatableResourceClaimStatus: resourceClaimName! 1, containers 2:[]str, \
mapping 4:[]NodeAllocatableMappedResources, overhead 5:[]NodeAllocatableOverheadResources
NodeAllocatableMappedResources: name! 1, quantity 2:Quantity
NodeAllocatableOverheadResources: name! 1, perPod 2:Quantity, perContainer 3:Quantity
PodVolumeHealth: name! 1, healthConditions 2:[]VolumeHealthCondition, lastTransitionTime 3:Time
VolumeHealthCondition: status! 1, reason! 2, message 3
PodList: metadata 1:ListMeta, items 2:[]Pod
Event: metadata 1:ObjectMeta, involvedObject 2:ObjectReference, reason 3, message 4, source 5:EventSource, \
firstTimestamp 6:Time, lastTimestamp 7:Time, count 8:i32, type 9, eventTime 10:MicroTime, series 11:EventSeries, \
action 12, related 13:ObjectReference, reportingComponent! 14, reportingInstance! 15
ObjectReference: kind 1, namespace 2, name 3, uid 4, apiVersion 5, resourceVersion 6, fieldPath 7
EventSource: component 1, host 2
EventSeries: count 1:i32, lastObservedTime 2:MicroTime
EventList: metadata 1:ListMeta, items 2:[]Event
EventsV1Event: metadata 1:ObjectMeta, eventTime 2:MicroTime, series 3:EventsV1EventSeries, reportingController 4, \
reportingInstance 5, action 6, reason 7, regarding 8:ObjectReference, related 9:ObjectReference, note 10, type 11, \
deprecatedSource 12:EventSource, deprecatedFirstTimestamp 13:Time, deprecatedLastTimestamp 14:Time, \
deprecatedCount 15:i32
EventsV1EventSeries: count! 1:i32, lastObservedTime 2:MicroTime
EventsV1EventList: metadata 1:ListMeta, items 2:[]EventsV1Event
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
