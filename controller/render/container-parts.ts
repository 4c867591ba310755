// Pieces every main container shares, whatever runs in it: the pod-name env var the instance id
// comes from, `secretsMap` entries as Secret-backed env vars, the user's env, the probes and a
// restrictive container security context.
import type { V1EnvVar, V1Probe, V1SecurityContext, V1VolumeMount } from '@kubernetes/client-node';
import type { WorkloadResource } from '../api/index.js';

/** POD_NAME, then `secretsMap` (sorted, so the pod template is stable), then `pod.env`. */
export function mainContainerEnv(resource: WorkloadResource): V1EnvVar[] {
  const spec = resource.spec;
  const secrets = Object.entries(spec.secretsMap ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, ref]): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.path, key: ref.key } } }));
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ...secrets,
    ...((spec.pod?.env ?? []) as V1EnvVar[]),
  ];
}

/** Upstream's `pod.liveness`: timing only; the check is an HTTP GET (runner) or a TCP connect. */
export function livenessProbe(resource: WorkloadResource, check: Pick<V1Probe, 'httpGet' | 'tcpSocket'>): V1Probe | undefined {
  const liveness = resource.spec.pod?.liveness;
  if (!liveness?.periodSeconds) return undefined;
  return {
    ...check,
    initialDelaySeconds: liveness.initialDelaySeconds ?? 0,
    periodSeconds: liveness.periodSeconds,
    timeoutSeconds: liveness.periodSeconds,
    ...(liveness.successThreshold ? { successThreshold: liveness.successThreshold } : {}),
    ...(liveness.failureThreshold ? { failureThreshold: liveness.failureThreshold } : {}),
  };
}

export function startupProbe(resource: WorkloadResource): V1Probe | undefined {
  return resource.spec.pod?.startupProbe as V1Probe | undefined;
}

export const RESTRICTED_CONTAINER: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

export function userVolumeMounts(resource: WorkloadResource): V1VolumeMount[] {
  return (resource.spec.volumeMounts ?? []) as V1VolumeMount[];
}

/** Drops undefined fields and empty lists, so rendered objects carry only what says something. */
export function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
