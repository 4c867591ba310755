// The pod template: the runtime's containers plus everything `spec.pod` (PodPolicy) asks for.
// The template depends only on the spec, never on the replica count, so scaling restarts nothing.
import type { V1Affinity, V1Container, V1PodSpec, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import { defined } from './container-parts.js';
import { objectLabels, selectorLabels } from './names.js';
import type { RuntimeParts } from './runtime-parts.js';

export function renderPodTemplate(resource: WorkloadResource, parts: RuntimeParts, settings: RenderSettings): V1PodTemplateSpec {
  const pod = resource.spec.pod ?? {};
  const main = parts.containers[0]!;
  const spec: V1PodSpec = defined({
    initContainers: [...((pod.initContainers ?? []) as unknown as V1Container[]), ...parts.initContainers],
    // Main container first (and named as `kubectl logs`' default), then the runtime's and the user's sidecars.
    containers: [...parts.containers, ...((pod.sidecars ?? []) as unknown as V1Container[])],
    volumes: uniqueByName([...((pod.volumes ?? []) as unknown as V1Volume[]), ...parts.volumes]),
    nodeSelector: pod.nodeSelector,
    affinity: affinityOf(resource, settings),
    tolerations: pod.tolerations as V1PodSpec['tolerations'],
    securityContext: (pod.securityContext as V1PodSpec['securityContext']) ?? parts.podSecurityContext,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
    imagePullSecrets: pullSecrets(pod.imagePullSecrets, settings.runnerImagePullSecrets),
    serviceAccountName: pod.serviceAccountName,
  });
  return {
    metadata: {
      // The system labels win: the selector must keep matching whatever pod.labels says.
      // The operator config's labels and annotations go under the resource's own (upstream's order).
      labels: { ...settings.resourceLabels, ...pod.labels, ...objectLabels(resource, settings) },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(parts.metricsPort),
        'kubectl.kubernetes.io/default-container': main.name,
        ...settings.resourceAnnotations,
        ...pod.annotations,
      },
    },
    spec,
  };
}

/**
 * The user's affinity plus, as upstream does by default, a preferred anti-affinity that spreads a
 * resource's replicas over nodes: one node going down then takes fewer of them along. Preferred,
 * not required, so replicas beyond the node count still schedule.
 */
function affinityOf(resource: WorkloadResource, settings: RenderSettings): V1Affinity | undefined {
  const pod = resource.spec.pod ?? {};
  const user = pod.affinity as V1Affinity | undefined;
  if (!settings.defaultAffinity || pod.disableDefaultAffinity) return user;
  const spread = { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selectorLabels(resource) }, topologyKey: 'kubernetes.io/hostname' } };
  const anti = user?.podAntiAffinity;
  return { ...user, podAntiAffinity: { ...anti, preferredDuringSchedulingIgnoredDuringExecution: [...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []), spread] } };
}

/** The resource's pull secrets, then the operator config's (each name once); none: undefined. */
function pullSecrets(own: { name?: string }[] | undefined, operator: readonly { name: string }[]): { name?: string }[] | undefined {
  const all = [...(own ?? []), ...operator.filter((s) => !own?.some((o) => o.name === s.name))];
  return all.length ? all : undefined;
}

/** The first volume of each name wins: the user's, then the runtime's (shared Secret files once). */
function uniqueByName(volumes: V1Volume[]): V1Volume[] {
  const seen = new Set<string>();
  return volumes.filter((v) => !seen.has(v.name) && Boolean(seen.add(v.name)));
}
