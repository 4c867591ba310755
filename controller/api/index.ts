// The API the controller, scaler and tests import: constants, spec/status/resource types,
// schemas, defaults and the CRD renderer.
import type { Static } from 'typebox';
import type { SecretRef } from './core-v1.js';
import type { InputConf, OutputConf } from './io.js';
import type { PulsarMessaging } from './pulsar-messaging.js';
import type { GenericRuntime, GoRuntime, JavaRuntime, PythonRuntime } from './runtimes.js';
export * from './constants.js';
export { FunctionSpec } from './function.js';
export { SourceSpec } from './source.js';
export { SinkSpec } from './sink.js';
export { FunctionMeshSpec } from './function-mesh.js';
export { Condition, WorkloadStatus, FunctionMeshStatus, MeshChildStatus, TopicEdge, storedConditions, hasUpstreamConditions } from './status.js';
export { BUILTIN_HPA_RULES, type BuiltinHpaTarget } from './pod-policy.js';
export { AUTOSCALER_ANNOTATION, AUTOSCALER_CHOICES, AUTOSCALER_FALLBACK_ANNOTATION, MANAGED_ANNOTATION, PAUSE_ROLLOUT_ANNOTATION, type AutoscalerChoice } from './annotations.js';
export type {
  FunctionResource,
  SourceResource,
  SinkResource,
  FunctionMeshResource,
  WorkloadResource,
  AnyResource,
} from './resources.js';
export { applyDefaults } from './defaults.js';
export { BACKEND_CONFIG_NAMES, BackendConfigSpec, type BackendConfigResource } from './backend-config.js';
export { buildCrd, buildBackendConfigCrd, renderCrdFiles, CRD_DIR, KUSTOMIZATION_FILE } from './crds.js';

// Types of the spec's parts, for the renderers.
export type SecretRefSpec = Static<typeof SecretRef>;
export type InputSpec = Static<typeof InputConf>;
export type OutputSpec = Static<typeof OutputConf>;
export type PulsarMessagingSpec = Static<typeof PulsarMessaging>;
export type JavaRuntimeSpec = Static<typeof JavaRuntime>;
export type PythonRuntimeSpec = Static<typeof PythonRuntime>;
export type GoRuntimeSpec = Static<typeof GoRuntime>;
export type GenericRuntimeSpec = Static<typeof GenericRuntime>;
