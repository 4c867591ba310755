// Taking over from Function Mesh's Go operator, as a table: what that operator left (its
// StatefulSet, headless Service, finalizer, map-shaped status) → what this reconciler writes.
// The same runs against the real platform in test/integration/migration.
import { describe, expect, it } from '@jest/globals';
import { MANAGED_ANNOTATION, PAUSE_ROLLOUT_ANNOTATION, hasUpstreamConditions, storedConditions, type WorkloadResource } from '../../../controller/api/index.js';
import { APPLIES_REPLICAS } from '../../../controller/reconcile/apply-plan.js';
import type { ConfigMapObject } from '../../../controller/reconcile/inputs.js';
import { CONFIG_MAPS, FUNCTIONS, SCALED_OBJECTS, childKinds } from '../../../controller/reconcile/kinds.js';
import { cleanupAllowed, isManaged, rolloutPaused } from '../../../controller/reconcile/rollout-control.js';
import { SUBSCRIPTION_FINALIZER, SubscriptionCleaner } from '../../../controller/reconcile/subscription-cleanup.js';
import { readyToReplace } from '../../../controller/reconcile/takeover.js';
import { UPSTREAM_SUBSCRIPTION_FINALIZER, wantedFinalizers, withoutCleanupFinalizers } from '../../../controller/reconcile/upstream-finalizer.js';
import { WorkloadReconciler } from '../../../controller/reconcile/workload-reconciler.js';
import { renderChildren } from '../../../controller/render/index.js';
import type { KubeObject } from '../../../controller/runtime/index.js';
import { fn } from '../render/fixtures.js';
import { settings } from '../render/fixtures.js';
import { runRow, type Row } from './reconciler-table.js';

const namespace = 'team-a';
const pulsarCm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pulsar-cm', namespace }, data: { webServiceURL: 'http://127.0.0.1:9', brokerServiceURL: 'pulsar://127.0.0.1:9' } } as KubeObject;
const ownerRefs = [{ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', name: 'fn', uid: 'uid-1', controller: true, blockOwnerDeletion: true }];
/** What Function Mesh v0.27 labels its children and pods with (and selects them by). */
const upstreamLabels = {
  'app.kubernetes.io/name': 'fn-function',
  'app.kubernetes.io/instance': 'fn-function',
  'compute.functionmesh.io/app': 'function-mesh',
  'compute.functionmesh.io/component': 'function',
  'compute.functionmesh.io/name': 'fn',
  'compute.functionmesh.io/namespace': namespace,
  app: 'function-mesh',
  component: 'function',
  name: 'fn',
  namespace,
};
const upstreamSts = (meta: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'fn-function', namespace, uid: 'sts-1', labels: upstreamLabels, ownerReferences: ownerRefs, ...meta },
    spec: { replicas: 1, serviceName: 'fn-function-headless', selector: { matchLabels: upstreamLabels }, podManagementPolicy: 'Parallel' },
    status: { replicas: 1, readyReplicas: 1 },
  }) as KubeObject;
const upstreamSvc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fn-function-headless', namespace, uid: 'svc-1', labels: upstreamLabels, ownerReferences: ownerRefs }, spec: { clusterIP: 'None', selector: upstreamLabels } } as KubeObject;
const deployment = (available: number, appliesReplicas = true): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fn-function', namespace, uid: 'dep-1', ownerReferences: ownerRefs, annotations: { [APPLIES_REPLICAS]: String(appliesReplicas) } },
    spec: { replicas: appliesReplicas ? 1 : 0 },
    status: { availableReplicas: available },
  }) as KubeObject;
const scaledObject = (ready: string): KubeObject =>
  ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'fn-function', namespace, uid: 'so-1', ownerReferences: ownerRefs },
    spec: { scaleTargetRef: { name: 'fn-function' } },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  }) as KubeObject;
/** The status as Function Mesh's operator writes it: conditions keyed by component. */
const upstreamStatus = {
  conditions: { StatefulSet: { condition: 'StatefulSetReady', status: 'True', action: 'NoAction' }, Service: { condition: 'ServiceReady', status: 'True', action: 'NoAction' } },
  replicas: 1,
  selector: 'app=function-mesh,component=function,name=fn,namespace=team-a',
  observedGeneration: 1,
};
const resource = (spec: Parameters<typeof fn>[0] = {}, meta: Record<string, unknown> = {}, status: unknown = upstreamStatus): WorkloadResource =>
  ({ ...fn(spec), metadata: { ...fn().metadata, generation: 1, ...meta }, status }) as WorkloadResource;

type TakeoverRow = Row<WorkloadResource> & { kedaServed?: boolean; pauseRollout?: boolean; statusPatch?: boolean };

const rows: TakeoverRow[] = [
  {
    name: "upstream's StatefulSet and Service are kept while the new Deployment has no available pod; its finalizer becomes ours",
    resource: resource({ cleanupSubscription: true }, { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm, upstreamSts(), upstreamSvc],
    statusPatch: true,
    want: {
      writes: ['patch Function fn status', 'apply Deployment fn-function', 'apply Service fn-function', `patch Function fn finalizers=${SUBSCRIPTION_FINALIZER}`],
      conditions: ['PulsarConfigResolved=True/Resolved', 'Takeover=False/WaitingForNewPod', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      messages: { Takeover: ["Function Mesh's StatefulSet fn-function and Service fn-function-headless keep running until Deployment fn-function has an available pod"] },
      events: ['Normal Created'],
    },
  },
  {
    name: 'once the Deployment has an available pod, the StatefulSet and its Service are deleted',
    resource: resource(),
    cached: [pulsarCm, upstreamSts(), upstreamSvc, deployment(1)],
    statusPatch: true,
    want: {
      writes: ['patch Function fn status', 'apply Deployment fn-function', 'apply Service fn-function', 'delete StatefulSet fn-function', 'delete Service fn-function-headless'],
      // Ready reads the fake apiserver's apply answer, which has no status.
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Normal Updated', 'Normal TakenOver'],
    },
  },
  {
    name: 'scale to zero: a ready ScaledObject that can wake the Deployment is enough',
    kedaServed: true,
    resource: resource({ minReplicas: 0, maxReplicas: 2 }),
    cached: [pulsarCm, upstreamSts(), upstreamSvc, deployment(0, false), scaledObject('True')],
    statusPatch: true,
    want: {
      writes: ['patch Function fn status', 'apply Deployment fn-function', 'apply Service fn-function', 'apply ScaledObject fn-function', 'delete StatefulSet fn-function', 'delete Service fn-function-headless'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerPending', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Normal Updated', 'Normal TakenOver'],
    },
  },
  {
    name: 'a ScaledObject KEDA has not accepted wakes nothing: the StatefulSet stays',
    kedaServed: true,
    resource: resource({ minReplicas: 0, maxReplicas: 2 }),
    cached: [pulsarCm, upstreamSts(), upstreamSvc, deployment(0, false), scaledObject('False')],
    statusPatch: true,
    want: {
      writes: ['patch Function fn status', 'apply Deployment fn-function', 'apply Service fn-function', 'apply ScaledObject fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'Takeover=False/WaitingForNewPod', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerPending', 'Ready=False/WorkloadNotAvailable'],
      messages: { Takeover: ['or ScaledObject fn-function is ready'] },
      events: ['Normal Created', 'Normal Updated'],
    },
  },
  {
    name: 'rendered as a StatefulSet too: upstream\'s is deleted (pods orphaned, so they keep running) before ours is created',
    resource: resource({ statefulConfig: { pulsar: { serviceUrl: 'bk://bk:4181' } } }),
    cached: [pulsarCm, upstreamSts(), upstreamSvc],
    statusPatch: true,
    want: {
      writes: ['patch Function fn status', 'apply Service fn-function-headless', 'delete StatefulSet fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'Takeover=False/ReplacingStatefulSet', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadPending'],
      events: ['Normal Updated'],
    },
  },
  {
    name: "a StatefulSet this controller applied (it carries the replicas marker) is no takeover: pruned at once as before",
    resource: resource({}, {}, {}),
    cached: [pulsarCm, upstreamSts({ annotations: { [APPLIES_REPLICAS]: 'true' } })],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function', 'delete StatefulSet fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Normal Deleted'],
    },
  },
  {
    name: 'managed: "false": left alone, children, finalizers and status',
    resource: resource({ cleanupSubscription: true }, { annotations: { [MANAGED_ANNOTATION]: 'false' }, finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm, upstreamSts(), upstreamSvc],
    want: {},
  },
  {
    name: 'managed: "false" and deleted: the finalizer is still released, so the delete is never stuck',
    resource: resource({}, { annotations: { [MANAGED_ANNOTATION]: 'false' }, finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER, 'example.com/keep'], deletionTimestamp: new Date().toISOString() }),
    cached: [pulsarCm],
    want: { writes: ['patch Function fn finalizers=example.com/keep'], events: ['Warning SubscriptionCleanupFailed'] },
  },
  {
    name: 'need-cleanup: "false": no cleanup finalizer, whatever cleanupSubscription says (upstream\'s finalizer dropped)',
    resource: resource({ cleanupSubscription: true }, { annotations: { 'compute.functionmesh.io/need-cleanup': 'false' }, finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }, {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function', 'patch Function fn finalizers='],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'a pulsar-cluster label (function-mesh-worker-service cleans up itself): deleted without touching Pulsar',
    resource: resource({ cleanupSubscription: true }, { labels: { 'compute.functionmesh.io/pulsar-cluster': 'c1' }, finalizers: [SUBSCRIPTION_FINALIZER], deletionTimestamp: new Date().toISOString() }, {}),
    cached: [pulsarCm],
    want: { writes: ['patch Function fn finalizers='] },
  },
  {
    name: 'pause-rollout, spec already observed: existing children are not updated, missing ones are created',
    resource: resource({}, { annotations: { [PAUSE_ROLLOUT_ANNOTATION]: 'true' } }, { observedGeneration: 1 }),
    cached: [pulsarCm, deployment(1)],
    want: {
      writes: ['apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=True/Available'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'the --pause-rollout flag does the same for every resource',
    pauseRollout: true,
    resource: resource({}, {}, { observedGeneration: 1 }),
    cached: [pulsarCm, deployment(1)],
    want: {
      writes: ['apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=True/Available'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'pause-rollout with a new spec (generation past observedGeneration): rolled out',
    resource: resource({}, { generation: 2, annotations: { [PAUSE_ROLLOUT_ANNOTATION]: 'true' } }, { observedGeneration: 1 }),
    cached: [pulsarCm, deployment(1)],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      // The fake apiserver's apply answer has no status: the Deployment reads as not available.
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Normal Updated'],
    },
  },
];

describe('takeover from Function Mesh (WorkloadReconciler)', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const kinds = childKinds(row.kedaServed ? [SCALED_OBJECTS] : []);
    const client = await runRow(row, FUNCTIONS, ({ client, informers, caches, events }) =>
      new WorkloadReconciler('Function', FUNCTIONS, informers.informer(FUNCTIONS).store, caches(FUNCTIONS, kinds), {
        client,
        render: renderChildren,
        settings: { ...settings, kedaServed: Boolean(row.kedaServed) },
        events,
        cleaner: new SubscriptionCleaner({ attempts: 1, initialDelayMs: 5, requestTimeoutMs: 500 }),
        configMaps: informers.informer<ConfigMapObject>(CONFIG_MAPS).store,
        pauseRollout: row.pauseRollout,
      }).reconcile,
    );
    // Function Mesh's map cannot be applied over as a list: the status is cleared first, once.
    const statusPatches = client.writes.filter((w) => w.verb === 'patch' && 'status' in (w.body ?? {}));
    expect(statusPatches.map((w) => w.body)).toEqual(row.statusPatch ? [{ status: { conditions: null } }] : []);
  });
});

describe('reading what Function Mesh stored', () => {
  it('map-shaped conditions read as none, and are recognized as upstream\'s', () => {
    expect(storedConditions(upstreamStatus)).toBeUndefined();
    expect(hasUpstreamConditions(upstreamStatus)).toBe(true);
    const ours = [{ type: 'Ready', status: 'True' as const, reason: 'Available', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    expect(storedConditions({ conditions: ours })).toBe(ours);
    expect(hasUpstreamConditions({ conditions: ours })).toBe(false);
    expect(hasUpstreamConditions(undefined)).toBe(false);
    expect(hasUpstreamConditions({ conditions: null })).toBe(false);
  });

  it.each([
    { have: [UPSTREAM_SUBSCRIPTION_FINALIZER], wants: true, next: [SUBSCRIPTION_FINALIZER] },
    { have: ['a', UPSTREAM_SUBSCRIPTION_FINALIZER, 'b'], wants: false, next: ['a', 'b'] },
    { have: [SUBSCRIPTION_FINALIZER, UPSTREAM_SUBSCRIPTION_FINALIZER], wants: true, next: [SUBSCRIPTION_FINALIZER] },
    { have: [SUBSCRIPTION_FINALIZER], wants: true, next: undefined },
    { have: [], wants: false, next: undefined },
    { have: ['a'], wants: true, next: ['a', SUBSCRIPTION_FINALIZER] },
  ])('finalizers $have, cleanup wanted $wants → $next', ({ have, wants, next }) => {
    expect(wantedFinalizers(have, wants)).toEqual(next);
  });

  it('a delete releases both cleanup finalizers and keeps the others in order', () => {
    expect(withoutCleanupFinalizers(['x', UPSTREAM_SUBSCRIPTION_FINALIZER, 'y', SUBSCRIPTION_FINALIZER])).toEqual(['x', 'y']);
  });
});

describe('annotations and the gate', () => {
  const annotated = (annotations: Record<string, string>, generation = 1, observedGeneration: number | null = 1) => ({ metadata: { annotations, generation }, status: { observedGeneration: observedGeneration ?? undefined } });

  it('only "false" unmanages, as upstream', () => {
    expect(isManaged(annotated({ [MANAGED_ANNOTATION]: 'false' }))).toBe(false);
    for (const value of ['true', 'False', '']) expect(isManaged(annotated({ [MANAGED_ANNOTATION]: value }))).toBe(true);
    expect(isManaged(annotated({}))).toBe(true);
  });

  it('cleanup is off for need-cleanup "false" and for either pulsar-cluster label, as upstream', () => {
    expect(cleanupAllowed({ metadata: {} })).toBe(true);
    expect(cleanupAllowed({ metadata: { annotations: { 'compute.functionmesh.io/need-cleanup': 'true' } } })).toBe(true);
    expect(cleanupAllowed({ metadata: { annotations: { 'compute.functionmesh.io/need-cleanup': 'false' } } })).toBe(false);
    expect(cleanupAllowed({ metadata: { labels: { 'pulsar-cluster': '' } } })).toBe(false);
    expect(cleanupAllowed({ metadata: { labels: { 'compute.functionmesh.io/pulsar-cluster': 'c1' } } })).toBe(false);
  });

  it('pause holds only an observed spec, and never a delete', () => {
    expect(rolloutPaused(annotated({ [PAUSE_ROLLOUT_ANNOTATION]: 'true' }), false)).toBe(true);
    expect(rolloutPaused(annotated({ [PAUSE_ROLLOUT_ANNOTATION]: 'yes' }), false)).toBe(false);
    expect(rolloutPaused(annotated({}), true)).toBe(true);
    expect(rolloutPaused(annotated({}, 2, 1), true)).toBe(false);
    expect(rolloutPaused(annotated({}, 1, null), true)).toBe(false);
    expect(rolloutPaused({ ...annotated({}), metadata: { generation: 1, deletionTimestamp: 'now' } }, true)).toBe(false);
  });

  it('the old StatefulSet may go once a new pod is available, or a ready ScaledObject targets the Deployment', () => {
    const dep = (available: number) => ({ metadata: { name: 'fn-function' }, status: { availableReplicas: available } });
    const so = (ready: string, target = 'fn-function') => ({ metadata: { name: 'fn-function' }, spec: { scaleTargetRef: { name: target } }, status: { conditions: [{ type: 'Ready', status: ready }] } });
    expect(readyToReplace(dep(1), undefined)).toContain('1 available pod');
    expect(readyToReplace(dep(0), undefined)).toBeUndefined();
    expect(readyToReplace(undefined, so('True'))).toBeUndefined();
    expect(readyToReplace(dep(0), so('True'))).toContain('ScaledObject fn-function is ready to wake');
    expect(readyToReplace(dep(0), so('Unknown'))).toBeUndefined();
    expect(readyToReplace(dep(0), so('True', 'other'))).toBeUndefined();
  });
});
