// Standard metav1.Conditions: the reconcilers decide type/status/reason/message; this module
// stamps observedGeneration and keeps lastTransitionTime when the status did not change, so a
// re-applied status is byte-identical and costs the apiserver nothing.
import type { Condition } from '../api/index.js';

export type ConditionStatus = Condition['status'];

/** A condition as a reconciler states it. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export const CONDITION = {
  Ready: 'Ready',
  PulsarConfigResolved: 'PulsarConfigResolved',
  ChildrenApplied: 'ChildrenApplied',
  Autoscaling: 'Autoscaling',
  /** Only while a deleted resource waits for its subscription cleanup and cannot read its Secrets. */
  SubscriptionCleanup: 'SubscriptionCleanup',
} as const;

/** Conditions with observedGeneration and lastTransitionTime filled in from the previous ones. */
export function stampConditions(
  next: readonly ConditionInput[],
  previous: readonly Condition[] | undefined,
  generation: number | undefined,
  now: Date,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const message = c.message.length > 32_000 ? `${c.message.slice(0, 32_000)}…` : c.message;
    return { ...c, message, lastTransitionTime, ...(generation === undefined ? {} : { observedGeneration: generation }) };
  });
}

export function conditionOf(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function notApplied(reason: string, message: string): ConditionInput {
  return { type: CONDITION.ChildrenApplied, status: 'False', reason, message };
}

export function notReady(reason: string, message: string): ConditionInput {
  return { type: CONDITION.Ready, status: 'False', reason, message };
}
