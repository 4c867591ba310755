// The API the controller, scaler and tests import: constants, spec/status/resource types,
// schemas, defaults and the CRD renderer.
import type { Static } from 'typebox';
import type { EnvVar, ResourceRequirements, SecretRef, VolumeMount } from './core-v1.js';
import type { InputConf, OutputConf, WindowConfig } from './io.js';
import type { PodPolicy } from './pod-policy.js';
import type { PulsarMessaging } from './pulsar-messaging.js';
import type { GenericRuntime, GoRuntime, HttpRuntime, JavaRuntime, PythonRuntime } from './runtimes.js';
import type { Scaling } from './scaling.js';
export * from './constants.js';
export type { CelRule } from './schema-kit.js';
export { FunctionSpec, MeshFunctionSpec } from './function.js';
export { SourceSpec, MeshSourceSpec } from './source.js';
export { SinkSpec, MeshSinkSpec } from './sink.js';
export { FunctionMeshSpec, MESH_CHILD_LISTS, MESH_MAX_CHILDREN } from './function-mesh.js';
export { Condition, WorkloadStatus, FunctionMeshStatus, MeshChildStatus, TopicEdge } from './status.js';
export { PROCESSING_GUARANTEES } from './common-spec.js';
export { RUNTIME_FIELDS } from './runtimes.js';
export { BUILTIN_HPA_RULES, type BuiltinHpaTarget } from './pod-policy.js';
export { RESOURCE_SCHEMAS } from './resources.js';
export type {
  FunctionResource,
  SourceResource,
  SinkResource,
  FunctionMeshResource,
  WorkloadResource,
  AnyResource,
} from './resources.js';
export { applyDefaults } from './defaults.js';
export { buildCrd, renderCrdFiles, crdFileName, CRD_DIR, KUSTOMIZATION_FILE } from './crds.js';

// Types of the spec's parts, for the renderers.
export type EnvVarSpec = Static<typeof EnvVar>;
export type ResourceRequirementsSpec = Static<typeof ResourceRequirements>;
export type SecretRefSpec = Static<typeof SecretRef>;
export type VolumeMountSpec = Static<typeof VolumeMount>;
export type InputSpec = Static<typeof InputConf>;
export type OutputSpec = Static<typeof OutputConf>;
export type WindowConfigSpec = Static<typeof WindowConfig>;
export type PodPolicySpec = Static<typeof PodPolicy>;
export type PulsarMessagingSpec = Static<typeof PulsarMessaging>;
export type JavaRuntimeSpec = Static<typeof JavaRuntime>;
export type PythonRuntimeSpec = Static<typeof PythonRuntime>;
export type GoRuntimeSpec = Static<typeof GoRuntime>;
export type GenericRuntimeSpec = Static<typeof GenericRuntime>;
export type HttpRuntimeSpec = Static<typeof HttpRuntime>;
export type ScalingSpec = Static<typeof Scaling>;
