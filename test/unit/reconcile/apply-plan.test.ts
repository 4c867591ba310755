import { describe, expect, it } from '@jest/globals';
import {
  APPLIED_HASH,
  APPLIES_REPLICAS,
  appliedReplicas,
  canonicalJson,
  changedByApply,
  contains,
  desiredChild,
  foreignOwnerMessage,
  isUpToDate,
  pruneCandidates,
  withReplicasMarker,
} from '../../../controller/reconcile/apply-plan.js';
import type { KubeObject } from '../../../controller/runtime/index.js';

const owner: KubeObject = { apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name: 'fn', namespace: 'ns', uid: 'u1' } };
const deployment = (spec: Record<string, unknown>, meta: Partial<KubeObject['metadata']> = {}): KubeObject & { spec: Record<string, unknown> } => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'fn-function', namespace: 'ns', labels: { a: '1' }, ...meta },
  spec,
});

describe('desiredChild', () => {
  it('adds a controller owner reference and a content hash that changes with the content', () => {
    const a = desiredChild(deployment({ replicas: 1 }), owner);
    expect(a.metadata.ownerReferences).toEqual([{ apiVersion: owner.apiVersion, kind: 'Function', name: 'fn', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    const b = desiredChild(deployment({ replicas: 2 }), owner);
    expect(a.metadata.annotations?.[APPLIED_HASH]).toMatch(/^[0-9a-f]{16}$/);
    expect(b.metadata.annotations?.[APPLIED_HASH]).not.toBe(a.metadata.annotations?.[APPLIED_HASH]);
    expect(desiredChild(deployment({ replicas: 1 }), owner).metadata.annotations?.[APPLIED_HASH]).toBe(a.metadata.annotations?.[APPLIED_HASH]);
  });
});

describe('isUpToDate', () => {
  const desired = desiredChild(deployment({ replicas: 1, template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '0.2', memory: '1.1G' } } }] } } }), owner);
  // What the apiserver returns: defaults added, quantities normalized, no apiVersion/kind in lists.
  const live = (patch: (d: Record<string, unknown>) => void = () => undefined): KubeObject => {
    const obj = JSON.parse(JSON.stringify(desired)) as KubeObject & { spec: { template: { spec: { containers: { resources: { limits: Record<string, string> } }[] } } } };
    delete obj.apiVersion;
    delete obj.kind;
    obj.spec.template.spec.containers[0]!.resources.limits = { cpu: '200m', memory: '1100M' };
    Object.assign(obj.spec, { progressDeadlineSeconds: 600 });
    patch(obj as unknown as Record<string, unknown>);
    return obj;
  };

  it('holds for the object as the apiserver returns it', () => {
    expect(isUpToDate(live(), desired)).toBe(true);
  });
  it('fails when absent, when the hash differs, or when someone changed a stated value', () => {
    expect(isUpToDate(undefined, desired)).toBe(false);
    expect(isUpToDate(live((o) => ((o.metadata as KubeObject['metadata']).annotations = {})), desired)).toBe(false);
    expect(isUpToDate(live((o) => ((o.spec as { replicas: number }).replicas = 5)), desired)).toBe(false);
    expect(isUpToDate(live((o) => ((o.metadata as KubeObject['metadata']).labels = {})), desired)).toBe(false);
  });
});

describe('contains', () => {
  it('compares lists element by element and quantities by amount', () => {
    expect(contains({ a: [1, 2], b: 'x' }, { a: [1, 2] })).toBe(true);
    expect(contains({ a: [1, 2, 3] }, { a: [1, 2] })).toBe(false);
    expect(contains({ q: '100m' }, { q: '0.1' })).toBe(true);
    expect(contains({ q: '1Gi' }, { q: '1G' })).toBe(false);
    expect(contains({ s: 'abc' }, { s: 'abd' })).toBe(false);
  });
});

describe('changedByApply', () => {
  it('ignores status and resourceVersion, sees spec and label changes', () => {
    const before = { ...deployment({ replicas: 1 }), status: { replicas: 0 } };
    const after = { ...deployment({ replicas: 1 }, { resourceVersion: '9' }), status: { replicas: 1 } };
    expect(changedByApply(before, after)).toBe(false);
    expect(changedByApply(before, deployment({ replicas: 2 }))).toBe(true);
    expect(changedByApply(before, deployment({ replicas: 1 }, { labels: { a: '2' } }))).toBe(true);
  });
});

describe('ownership', () => {
  it('refuses to take over an object controlled by someone else, or by no one', () => {
    expect(foreignOwnerMessage(undefined, owner)).toBeUndefined();
    expect(foreignOwnerMessage(desiredChild(deployment({}), owner), owner)).toBeUndefined();
    expect(foreignOwnerMessage(deployment({}), owner)).toBe('Deployment fn-function already exists and is owned by no controller, not Function fn: delete or rename it');
    const other = deployment({}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u2', controller: true }] });
    expect(foreignOwnerMessage(other, owner)).toContain('owned by ReplicaSet x');
  });

  it('prunes only its own children that are no longer desired', () => {
    const mine = (name: string, extra: Partial<KubeObject['metadata']> = {}) => desiredChild(deployment({}, { name, ...extra }), owner);
    const foreign = deployment({}, { name: 'theirs', ownerReferences: [{ apiVersion: 'v1', kind: 'Function', name: 'x', uid: 'u9', controller: true }] });
    const stale = pruneCandidates([mine('keep'), mine('old'), mine('going', { deletionTimestamp: '2026-01-01T00:00:00Z' }), foreign], new Set(['Deployment/keep']), owner);
    expect(stale.map((o) => o.metadata.name)).toEqual(['old']);
  });
});

describe('replicas marker', () => {
  it('records whether the applied workload states replicas', () => {
    expect(withReplicasMarker(deployment({ replicas: 2 })).metadata.annotations?.[APPLIES_REPLICAS]).toBe('true');
    const autoscaled = withReplicasMarker(deployment({}));
    expect(autoscaled.metadata.annotations?.[APPLIES_REPLICAS]).toBe('false');
    expect(appliedReplicas(withReplicasMarker(deployment({ replicas: 0 })))).toBe(true);
    expect(appliedReplicas(autoscaled)).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('is independent of key order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2}]},"b":1}');
  });
});
