// BackendConfig: the defaults a cluster (global object) and a namespace (namespaced object) give
// every Function, Source and Sink, merged into what the resource itself says. Pure: the reconciler
// reads the two objects and passes them in the RenderContext.
//
// Upstream merges them into the rendered StatefulSet, where the affinity and the security context
// are never unset (its default anti-affinity and runner security context fill them first), so a
// BackendConfig's affinity and securityContext never took effect. Here they merge into the
// resource's own `spec.pod` before rendering: "unset" means the resource did not set it.
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { BackendConfigSpec, WorkloadResource } from '../api/index.js';
import type { Problems } from './problems.js';

type PodPolicy = NonNullable<BackendConfigSpec['pod']>;

/** One BackendConfig as the reconciler found it. */
export interface BackendConfigLayer {
  /** `namespace/name`, for messages. */
  key: string;
  /** metadata.resourceVersion: what the workload's status records as applied. */
  revision: string;
  spec: BackendConfigSpec;
}

/** The BackendConfigs covering one resource; either may be absent. */
export interface BackendConfigs {
  global?: BackendConfigLayer | undefined;
  namespaced?: BackendConfigLayer | undefined;
}

/** The pod-policy fields a BackendConfig supplies; upstream ignores the others, and so does this. */
export const BACKEND_POD_FIELDS = [
  'labels',
  'annotations',
  'nodeSelector',
  'affinity',
  'securityContext',
  'terminationGracePeriodSeconds',
  'serviceAccountName',
  'liveness',
  'startupProbe',
  'tolerations',
  'imagePullSecrets',
] as const satisfies readonly (keyof PodPolicy)[];

type BackendPod = Pick<PodPolicy, (typeof BACKEND_POD_FIELDS)[number]>;

const MAP_FIELDS = ['labels', 'annotations', 'nodeSelector'] as const;
const SCALAR_FIELDS = ['affinity', 'securityContext', 'terminationGracePeriodSeconds', 'serviceAccountName', 'liveness', 'startupProbe'] as const;
const LIST_FIELDS = ['tolerations', 'imagePullSecrets'] as const;

export interface MergedBackendConfig {
  env: Record<string, string>;
  pod: BackendPod;
}

/**
 * The global and the namespaced object as one: env and the maps merge with the namespaced value
 * winning, the namespaced object's affinity, probes and the like replace the global ones, and
 * tolerations and pull secrets add up (global first). Fields upstream does not apply are reported
 * as warnings, naming the object.
 */
export function mergeBackendConfigs(configs: BackendConfigs | undefined, problems?: Problems): MergedBackendConfig {
  const merged: MergedBackendConfig = { env: {}, pod: {} };
  for (const layer of [configs?.global, configs?.namespaced]) {
    if (!layer) continue;
    Object.assign(merged.env, layer.spec.env);
    const pod = layer.spec.pod ?? {};
    for (const field of MAP_FIELDS) if (pod[field]) merged.pod[field] = { ...merged.pod[field], ...pod[field] };
    for (const field of SCALAR_FIELDS) if (pod[field] !== undefined) (merged.pod as Record<string, unknown>)[field] = pod[field];
    for (const field of LIST_FIELDS) if (pod[field]?.length) (merged.pod as Record<string, unknown[]>)[field] = appendNew(merged.pod[field], pod[field]);
    const ignored = Object.keys(pod).filter((f) => !(BACKEND_POD_FIELDS as readonly string[]).includes(f));
    if (ignored.length) {
      problems?.warn(
        `BackendConfig ${layer.key} spec.pod`,
        `${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not applied from a BackendConfig (as upstream): set ${ignored.length > 1 ? 'them' : 'it'} on the resource's spec.pod`,
      );
    }
  }
  return merged;
}

/**
 * The resource with the BackendConfig's pod policy under its own: its labels, annotations and
 * nodeSelector win key by key, its affinity, securityContext, terminationGracePeriodSeconds,
 * serviceAccountName, liveness and startupProbe win whole, and the BackendConfig's tolerations and
 * pull secrets come before its own.
 */
export function withBackendPodPolicy<R extends WorkloadResource>(resource: R, backend: BackendPod): R {
  if (!Object.keys(backend).length) return resource;
  const own = resource.spec.pod ?? {};
  const pod: PodPolicy = { ...own };
  for (const field of MAP_FIELDS) if (backend[field]) pod[field] = { ...backend[field], ...own[field] };
  for (const field of SCALAR_FIELDS) if (own[field] === undefined && backend[field] !== undefined) (pod as Record<string, unknown>)[field] = backend[field];
  for (const field of LIST_FIELDS) if (backend[field]?.length) (pod as Record<string, unknown[]>)[field] = appendNew(backend[field], own[field]);
  return { ...resource, spec: { ...resource.spec, pod } };
}

/**
 * The BackendConfig's env before each container's own (init containers excepted, as upstream).
 * A name the container already sets is left out rather than listed twice: server-side apply
 * refuses duplicate env names, and the container's own value is the one that counts.
 */
export function withBackendEnv(template: V1PodTemplateSpec, env: Record<string, string>): V1PodTemplateSpec {
  const names = Object.keys(env).sort();
  if (!names.length || !template.spec) return template;
  const containers = template.spec.containers.map((c) => {
    const own = new Set((c.env ?? []).map((e) => e.name));
    const added = names.filter((n) => !own.has(n)).map((name) => ({ name, value: env[name] }));
    return added.length ? { ...c, env: [...added, ...(c.env ?? [])] } : c;
  });
  return { ...template, spec: { ...template.spec, containers } };
}

/** The workload status fields that record which revision of each BackendConfig was applied. */
export function backendConfigRevisions(configs: BackendConfigs | undefined): { globalBackendConfigRevision: string | undefined; namespacedBackendConfigRevision: string | undefined } {
  return { globalBackendConfigRevision: configs?.global?.revision, namespacedBackendConfigRevision: configs?.namespaced?.revision };
}

/** `first` then the entries of `then` not already in it (the same toleration or secret twice is noise). */
function appendNew<T extends object>(first: readonly T[] | undefined, then: readonly T[] | undefined): T[] {
  const out = [...(first ?? [])];
  const seen = new Set(out.map(flatKey));
  for (const item of then ?? []) {
    const key = flatKey(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/** Tolerations and secret references are flat: their sorted entries identify them. */
function flatKey(item: object): string {
  return JSON.stringify(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)));
}
