// The Autoscaling condition: whether the KEDA ScaledObject or HPA that scales the workload is
// working, in the autoscaler's own words. Absent when replicas are fixed.
import type { KubeObject } from '../runtime/index.js';
import { CONDITION, type ConditionInput } from './conditions.js';

interface StatusCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface AutoscalerObject extends KubeObject {
  kind?: string;
  spec?: { minReplicaCount?: number; maxReplicaCount?: number; minReplicas?: number; maxReplicas?: number };
  status?: { conditions?: StatusCondition[] };
}

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/**
 * `fallback`: why an HPA scales in KEDA's place (the cluster does not serve KEDA); it is said in
 * every case, and names the reason while the HPA works.
 */
export function autoscalingCondition(autoscaler: AutoscalerObject | undefined, fallback?: string): ConditionInput | undefined {
  if (!autoscaler) return undefined;
  const condition = ownCondition(autoscaler);
  if (!fallback) return condition;
  return { ...condition, reason: condition.status === 'True' ? 'KedaNotServed' : condition.reason, message: `${condition.message} (${fallback})` };
}

function ownCondition(autoscaler: AutoscalerObject): ConditionInput {
  const name = `${autoscaler.kind} ${autoscaler.metadata.name ?? ''}`;
  const conditions = autoscaler.status?.conditions ?? [];
  const range =
    autoscaler.kind === 'ScaledObject'
      ? `${autoscaler.spec?.minReplicaCount ?? 0}..${autoscaler.spec?.maxReplicaCount ?? '?'} pods on Pulsar backlog`
      : `${autoscaler.spec?.minReplicas ?? 1}..${autoscaler.spec?.maxReplicas ?? '?'} pods`;
  // KEDA reports Ready; an HPA reports AbleToScale and ScalingActive.
  const key = autoscaler.kind === 'ScaledObject' ? ['Ready'] : ['AbleToScale', 'ScalingActive'];
  const relevant = conditions.filter((c) => key.includes(c.type));
  if (relevant.length === 0) {
    return { type: CONDITION.Autoscaling, status: 'Unknown', reason: 'AutoscalerPending', message: `${name} (${range}) has not reported its status yet` };
  }
  const failing = relevant.find((c) => c.status !== 'True');
  if (failing) {
    const reason = failing.reason && REASON.test(failing.reason) ? failing.reason : 'AutoscalerNotReady';
    return { type: CONDITION.Autoscaling, status: 'False', reason, message: `${name}: ${failing.message || `${failing.type} is ${failing.status}`}` };
  }
  return { type: CONDITION.Autoscaling, status: 'True', reason: 'AutoscalerActive', message: `${name} scales ${range}` };
}
