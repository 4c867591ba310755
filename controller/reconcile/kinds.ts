// The REST coordinates of every kind the reconcilers read or write.
import { GROUP, PLURALS, VERSION, type Kind, type WorkloadKind } from '../api/index.js';
import type { KubeObject, ResourceRef } from '../runtime/index.js';

const custom = (kind: Kind): ResourceRef => ({ group: GROUP, version: VERSION, kind, plural: PLURALS[kind] });

export const FUNCTIONS = custom('Function');
export const SOURCES = custom('Source');
export const SINKS = custom('Sink');
export const FUNCTION_MESHES = custom('FunctionMesh');
export const BACKEND_CONFIGS: ResourceRef = { group: GROUP, version: VERSION, kind: 'BackendConfig', plural: 'backendconfigs' };

/** The custom resources that run one workload each, by kind. */
export const WORKLOAD_RESOURCES: Record<WorkloadKind, ResourceRef> = { Function: FUNCTIONS, Source: SOURCES, Sink: SINKS };

export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' };
export const STATEFUL_SETS: ResourceRef = { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', kind: 'Service', plural: 'services' };
export const HPAS: ResourceRef = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' };
export const SCALED_OBJECTS: ResourceRef = { group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject', plural: 'scaledobjects' };
export const VPAS: ResourceRef = { group: 'autoscaling.k8s.io', version: 'v1', kind: 'VerticalPodAutoscaler', plural: 'verticalpodautoscalers' };
export const CONFIG_MAPS: ResourceRef = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', kind: 'Event', plural: 'events' };
/** Only Function Mesh's leftover cleanup Jobs, read and deleted one by one (upstream-cleanup-job.ts). */
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs' };

/** Kinds that exist only when an add-on installed their CRDs. */
export const OPTIONAL_CHILD_KINDS: readonly ResourceRef[] = [SCALED_OBJECTS, VPAS];

/** Every kind a Function/Source/Sink may own: the built-in ones and the served optional ones. */
export function childKinds(served: readonly ResourceRef[]): ResourceRef[] {
  return [DEPLOYMENTS, STATEFUL_SETS, SERVICES, HPAS, ...OPTIONAL_CHILD_KINDS.filter((k) => served.includes(k))];
}

/** Finds the ResourceRef of a rendered object by its apiVersion and kind. */
export function refOf(obj: { apiVersion?: string; kind?: string }, known: readonly ResourceRef[]): ResourceRef | undefined {
  return known.find((ref) => (ref.group ? `${ref.group}/${ref.version}` : ref.version) === obj.apiVersion && ref.kind === obj.kind);
}

/**
 * The resource as the runtime sees it. controller/api types metadata with client-node's
 * V1ObjectMeta (timestamps as Date); on the wire and in the cache they are strings, as
 * KubeObject says.
 */
export function asObject(resource: { metadata?: unknown }): KubeObject {
  return resource as unknown as KubeObject;
}
