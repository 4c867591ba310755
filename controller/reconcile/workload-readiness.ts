// Reading a Deployment's or StatefulSet's status into the resource's: how many pods it has and
// whether the function is up. Ready means at least one available pod, or zero pods on purpose
// (replicas 0, by the user or by the autoscaler): a scaled-to-zero function is healthy and
// wakes up when work arrives.
import type { KubeObject } from '../runtime/index.js';
import type { ConditionInput } from './conditions.js';
import { CONDITION } from './conditions.js';

export interface WorkloadObject extends KubeObject {
  kind?: string;
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface WorkloadReadiness {
  /** Pods the workload has now (the scale subresource's status.replicas). */
  replicas: number;
  ready: ConditionInput;
}

/** `a=b,c=d`: the scale subresource's status.selector. */
export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function workloadReadiness(workload: WorkloadObject | undefined, what: string): WorkloadReadiness {
  if (!workload) {
    return { replicas: 0, ready: notReady('WorkloadPending', `${what} has not been created yet`) };
  }
  const name = `${workload.kind ?? 'workload'} ${workload.metadata.name ?? ''}`;
  const desired = workload.spec?.replicas ?? 1;
  const status = workload.status ?? {};
  const replicas = status.replicas ?? 0;
  const available = workload.kind === 'StatefulSet' ? (status.availableReplicas ?? status.readyReplicas ?? 0) : (status.availableReplicas ?? 0);
  if (available >= 1) {
    return {
      replicas,
      ready: { type: CONDITION.Ready, status: 'True', reason: 'Available', message: `${name}: ${available} of ${desired} pods available` },
    };
  }
  if (desired === 0) {
    const message = replicas > 0 ? `${name} is scaling to zero (${replicas} pods left)` : `${name} is scaled to zero; it scales up when work arrives or replicas is raised`;
    return { replicas, ready: { type: CONDITION.Ready, status: 'True', reason: 'ScaledToZero', message } };
  }
  const failure = status.conditions?.find((c) => (c.type === 'ReplicaFailure' && c.status === 'True') || (c.type === 'Progressing' && c.status === 'False'));
  if (failure) return { replicas, ready: notReady(failure.reason ?? 'WorkloadFailed', `${name}: ${failure.message ?? failure.type}`) };
  return { replicas, ready: notReady('WorkloadNotAvailable', `${name}: 0 of ${desired} pods available yet`) };
}

function notReady(reason: string, message: string): ConditionInput {
  return { type: CONDITION.Ready, status: 'False', reason, message };
}
