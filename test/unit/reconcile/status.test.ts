import { describe, expect, it } from '@jest/globals';
import { autoscalingCondition } from '../../../controller/reconcile/autoscaler-status.js';
import { stampConditions } from '../../../controller/reconcile/conditions.js';
import { selectorString, workloadReadiness } from '../../../controller/reconcile/workload-readiness.js';

const deployment = (replicas: number, status: Record<string, unknown>) => ({ kind: 'Deployment', metadata: { name: 'fn-function' }, spec: { replicas }, status });

describe('workloadReadiness', () => {
  it.each([
    ['no workload yet', undefined, 'False', 'WorkloadPending', 0],
    ['one available pod', deployment(2, { replicas: 2, availableReplicas: 1 }), 'True', 'Available', 2],
    ['scaled to zero on purpose', deployment(0, {}), 'True', 'ScaledToZero', 0],
    ['pods not available yet', deployment(1, { replicas: 1, availableReplicas: 0 }), 'False', 'WorkloadNotAvailable', 1],
    [
      'the Deployment failing',
      deployment(1, { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota' }] }),
      'False',
      'FailedCreate',
      0,
    ],
  ] as const)('%s', (_name, workload, status, reason, replicas) => {
    const r = workloadReadiness(workload, 'Deployment fn-function');
    expect(r.ready).toEqual(expect.objectContaining({ type: 'Ready', status, reason }));
    expect(r.replicas).toBe(replicas);
  });

  it('explains a failure in the workload’s own words', () => {
    const r = workloadReadiness(deployment(1, { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] }), 'x');
    expect(r.ready.message).toBe('Deployment fn-function: exceeded quota');
  });

  it('renders the scale selector in a stable order', () => {
    expect(selectorString({ b: '2', a: '1' })).toBe('a=1,b=2');
  });
});

describe('autoscalingCondition', () => {
  const so = (conditions?: { type: string; status: string; reason?: string; message?: string }[]) => ({ kind: 'ScaledObject', metadata: { name: 'fn-function' }, spec: { minReplicaCount: 0, maxReplicaCount: 5 }, status: conditions ? { conditions } : undefined });
  it('is absent without an autoscaler, Unknown before KEDA reports', () => {
    expect(autoscalingCondition(undefined)).toBeUndefined();
    expect(autoscalingCondition(so())).toEqual(expect.objectContaining({ status: 'Unknown', reason: 'AutoscalerPending' }));
  });
  it('passes on KEDA’s failure reason and message', () => {
    const c = autoscalingCondition(so([{ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: 'scaler unreachable' }]));
    expect(c).toEqual({ type: 'Autoscaling', status: 'False', reason: 'ScaledObjectCheckFailed', message: 'ScaledObject fn-function: scaler unreachable' });
  });
  it('says the range when active', () => {
    expect(autoscalingCondition(so([{ type: 'Ready', status: 'True' }]))?.message).toBe('ScaledObject fn-function scales 0..5 pods on Pulsar backlog');
  });
});

describe('stampConditions', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  it('keeps lastTransitionTime while the status holds, moves it on a change', () => {
    const previous = [{ type: 'Ready', status: 'True' as const, reason: 'Available', message: 'old', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    const same = stampConditions([{ type: 'Ready', status: 'True', reason: 'Available', message: 'new' }], previous, 3, now);
    expect(same[0]).toEqual({ type: 'Ready', status: 'True', reason: 'Available', message: 'new', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 });
    const changed = stampConditions([{ type: 'Ready', status: 'False', reason: 'X', message: 'm' }], previous, 3, now);
    expect(changed[0]?.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
  });
});
