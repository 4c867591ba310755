// The Function/Source/Sink reconciler's branches as a table: what it finds → what it writes,
// the one status update, the events, and the requeue or error. The same reconciler runs against
// the real platform in test/integration/controller.
import { describe, it } from '@jest/globals';
import { AUTOSCALER_ANNOTATION, AUTOSCALER_FALLBACK_ANNOTATION, type WorkloadResource } from '../../../controller/api/index.js';
import { renderChildren } from '../../../controller/render/index.js';
import { CONFIG_MAPS, FUNCTIONS, SCALED_OBJECTS, SOURCES, childKinds } from '../../../controller/reconcile/kinds.js';
import type { RenderSettings } from '../../../controller/render/index.js';
import type { ConfigMapObject } from '../../../controller/reconcile/inputs.js';
import { SUBSCRIPTION_FINALIZER, SubscriptionCleaner } from '../../../controller/reconcile/subscription-cleanup.js';
import { UPSTREAM_SUBSCRIPTION_FINALIZER } from '../../../controller/reconcile/upstream-finalizer.js';
import { WorkloadReconciler } from '../../../controller/reconcile/workload-reconciler.js';
import type { KubeObject } from '../../../controller/runtime/index.js';
import { fn, settings, source } from '../render/fixtures.js';
import { apiError } from './fake-client.js';
import { runRow, type Row, type TableSetup } from './reconciler-table.js';

const RECHECK_MS = 1234;
const namespace = 'team-a';
const pulsarCm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pulsar-cm', namespace }, data: { webServiceURL: 'http://127.0.0.1:9', brokerServiceURL: 'pulsar://127.0.0.1:9' } } as KubeObject;
const secret = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: {} }) as KubeObject;
const ownedBy = (uid: string, name: string) => [{ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', name, uid, controller: true }];
const withMeta = (resource: WorkloadResource, meta: Record<string, unknown>): WorkloadResource => ({ ...resource, metadata: { ...resource.metadata, generation: 1, ...meta } }) as WorkloadResource;
const forbidden = apiError(403, 'Forbidden', 'secrets "auth" is forbidden: User "system:serviceaccount:fm:controller" cannot get resource "secrets" in API group "" in the namespace "team-a"', { method: 'GET', resource: 'secrets', namespace });

const scaledObject = (meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'fn-function', namespace, uid: 'so-1', ownerReferences: ownedBy('uid-1', 'fn'), ...meta } });

/** Upstream's cleanup Job of fn as its operator writes it: the resource's labels plus its uid as `owner`, no owner reference. */
const cleanupJob = (labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'fn-function-cleanup', namespace, uid: 'job-1', labels: { 'compute.functionmesh.io/component': 'function', 'compute.functionmesh.io/name': 'fn', owner: 'uid-1', ...labels } },
});

const said = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' }) as const;

/** Why the HPA stands in for KEDA, as the renderer says it. */
function hpaFallback(): string {
  const hpa = renderChildren(fn({ minReplicas: 0, maxReplicas: 3 }), { settings: { ...settings, kedaServed: false }, pulsarConfig: (pulsarCm as ConfigMapObject).data }).objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  return hpa!.metadata.annotations![AUTOSCALER_FALLBACK_ANNOTATION]!;
}

const bothSlidingIntervals = { windowLengthCount: 10, slidingIntervalCount: 5, slidingIntervalDurationMs: 1000 };
/** The render's warning for bothSlidingIntervals, as the SettingIgnored event and ChildrenApplied say it. */
const IGNORED_SLIDING = "spec.windowConfig.slidingIntervalDurationMs: unused: with slidingIntervalCount set, Pulsar's window executor slides by count; remove one of them";

const rows: (Row<WorkloadResource> & { attempts?: number; settings?: RenderSettings; kedaServed?: boolean })[] = [
  {
    name: 'a kind the cluster does not serve (the VPA) is left out: the rest is applied, and ChildrenApplied names it',
    resource: withMeta(fn({ pod: { vpa: { updatePolicy: { updateMode: 'Auto' } } } }), {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=False/KindNotServed', 'Ready=False/WorkloadNotAvailable'],
      messages: { ChildrenApplied: ['Deployment/fn-function, Service/fn-function up to date', 'VerticalPodAutoscaler fn-function (autoscaling.k8s.io/v1: install the VPA)'] },
      events: ['Normal Created', 'Warning KindNotServed'],
    },
  },
  {
    name: 'no KEDA: minReplicas 0 gets the CPU HPA at 1, and the Autoscaling condition and an Event say so',
    settings: { ...settings, kedaServed: false },
    resource: withMeta(fn({ minReplicas: 0, maxReplicas: 3 }), {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply HorizontalPodAutoscaler fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerPending', 'Ready=False/WorkloadNotAvailable'],
      messages: { Autoscaling: ['HorizontalPodAutoscaler fn-function (1..3 pods)', "does not serve KEDA's ScaledObject", 'minReplicas 0 becomes 1'] },
      events: ['Normal Created', 'Warning KedaNotServed'],
    },
  },
  {
    name: 'a kind still not served is not reported again: the status already says so',
    resource: withMeta({ ...fn({ pod: { vpa: { updatePolicy: { updateMode: 'Auto' } } } }), status: { conditions: [said('ChildrenApplied', 'False', 'KindNotServed', 'Deployment/fn-function, Service/fn-function up to date; not served by this cluster, so not applied: VerticalPodAutoscaler fn-function (autoscaling.k8s.io/v1: install the VPA); applied once the cluster serves it')] } } as WorkloadResource, {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=False/KindNotServed', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'the HPA still standing in for KEDA is not reported again: the Autoscaling condition already says so',
    settings: { ...settings, kedaServed: false },
    resource: withMeta({ ...fn({ minReplicas: 0, maxReplicas: 3 }), status: { conditions: [said('Autoscaling', 'Unknown', 'AutoscalerPending', `HorizontalPodAutoscaler fn-function (1..3 pods) has not reported its status yet (${hpaFallback()})`)] } } as WorkloadResource, {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply HorizontalPodAutoscaler fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerPending', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'a setting the render ignores is reported by a SettingIgnored event, and named in ChildrenApplied',
    resource: withMeta(fn({ windowConfig: bothSlidingIntervals }), {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      messages: { ChildrenApplied: [`ignored: ${IGNORED_SLIDING}`] },
      events: ['Normal Created', 'Warning SettingIgnored'],
    },
  },
  {
    name: 'a setting still ignored is not reported again: ChildrenApplied already names it',
    resource: withMeta({ ...fn({ windowConfig: bothSlidingIntervals }), status: { conditions: [said('ChildrenApplied', 'True', 'Applied', `Deployment/fn-function, Service/fn-function up to date; ignored: ${IGNORED_SLIDING}`)] } } as WorkloadResource, {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'switching KEDA → HPA: deletes the ScaledObject first and holds the HPA back until it is gone',
    kedaServed: true,
    resource: withMeta({ ...fn({ maxReplicas: 3 }), metadata: { ...fn().metadata, annotations: { [AUTOSCALER_ANNOTATION]: 'hpa' } } }, {}),
    cached: [pulsarCm, scaledObject()],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function', 'delete ScaledObject fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerSwitching', 'Ready=False/WorkloadNotAvailable'],
      messages: { Autoscaling: ['HorizontalPodAutoscaler/fn-function is created once ScaledObject/fn-function is deleted'] },
      events: ['Normal Created', 'Normal Deleted'],
    },
  },
  {
    name: 'switching KEDA → HPA: while the ScaledObject is being deleted, still no HPA',
    kedaServed: true,
    resource: withMeta({ ...fn({ maxReplicas: 3 }), metadata: { ...fn().metadata, annotations: { [AUTOSCALER_ANNOTATION]: 'hpa' } } }, {}),
    cached: [pulsarCm, scaledObject({ deletionTimestamp: new Date().toISOString(), finalizers: ['foregroundDeletion'] })],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Autoscaling=Unknown/AutoscalerSwitching', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'creates the children of a new Function and says it is not available yet',
    resource: withMeta(fn(), {}),
    cached: [pulsarCm],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'SecretNotFound: applies nothing, says which Secret, and looks again after the recheck',
    resource: withMeta(fn({ pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth' } }), {}),
    cached: [pulsarCm],
    want: {
      conditions: ['PulsarConfigResolved=False/SecretNotFound', 'ChildrenApplied=False/PulsarConfigUnresolved', 'Ready=False/SecretNotFound'],
      messages: { PulsarConfigResolved: ['Secret auth (spec.pulsar.authSecret) not found in namespace team-a: create it'] },
      events: ['Warning SecretNotFound'],
      result: { requeueAfterMs: RECHECK_MS },
    },
  },
  {
    name: 'ChildConflict: a foreign Deployment in the way stops every write; terminal, looked at again after the recheck',
    resource: withMeta(fn(), {}),
    cached: [pulsarCm, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fn-function', namespace, ownerReferences: ownedBy('someone-else', 'other') } }],
    want: {
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=False/ChildConflict', 'Ready=False/ChildConflict'],
      messages: { Ready: ['Deployment fn-function already exists and is owned by Function other, not Function fn: delete or rename it'] },
      events: ['Warning ChildConflict'],
      error: { reason: 'ChildConflict', recheckAfterMs: RECHECK_MS },
    },
  },
  {
    name: 'prunes a child it owns that the render no longer has, and leaves one it does not own',
    resource: withMeta(fn(), {}),
    cached: [
      pulsarCm,
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fn-old', namespace, uid: 's1', ownerReferences: ownedBy('uid-1', 'fn') } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fn-theirs', namespace, uid: 's2', ownerReferences: ownedBy('someone-else', 'other') } },
    ],
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function', 'delete Service fn-old'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Normal Deleted'],
    },
  },
  {
    name: 'ApplyFailed: an apiserver error is reported, then retried with backoff (not terminal)',
    resource: withMeta(fn(), {}),
    cached: [pulsarCm],
    failures: { 'apply Deployment fn-function': apiError(500, 'InternalError', 'etcdserver: request timed out', { method: 'PATCH', resource: 'deployments', namespace }) },
    want: {
      writes: ['apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=False/ApplyFailed', 'Ready=False/ApplyFailed'],
      messages: { Ready: ['etcdserver: request timed out'] },
      events: ['Warning ApplyFailed'],
      error: { message: 'etcdserver: request timed out' },
    },
  },
  {
    name: 'adds the cleanup finalizer when cleanupSubscription is set',
    resource: withMeta(fn({ cleanupSubscription: true }), {}),
    cached: [pulsarCm],
    want: {
      writes: [`patch Function fn finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: "Function Mesh's finalizer: its cleanup Job (labelled with the resource's uid, no owner) is deleted once, with an event, and the finalizer becomes ours",
    resource: withMeta(fn({ cleanupSubscription: true }), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    secrets: [cleanupJob()],
    want: {
      writes: ['delete Job fn-function-cleanup', `patch Function fn finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal CleanupJobDeleted', 'Normal Created'],
    },
  },
  {
    name: "a Job of that name labelled with another uid is not Function Mesh's for this resource: left alone",
    resource: withMeta(fn({ cleanupSubscription: true }), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    secrets: [cleanupJob({ owner: 'someone-else' })],
    want: {
      writes: [`patch Function fn finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'without Function Mesh\'s finalizer no Job is looked for',
    resource: withMeta(fn({ cleanupSubscription: true }), { finalizers: [SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    secrets: [cleanupJob()],
    failures: { 'get Job fn-function-cleanup': apiError(500, 'InternalError', 'must not be called', { method: 'GET', resource: 'jobs', namespace }) },
    want: {
      writes: ['apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: 'jobs forbidden by RBAC: a warning says the Job is left and how to fix it; the finalizer is still migrated',
    resource: withMeta(fn({ cleanupSubscription: true }), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    failures: { 'get Job fn-function-cleanup': apiError(403, 'Forbidden', 'jobs.batch "fn-function-cleanup" is forbidden', { method: 'GET', resource: 'jobs', namespace }) },
    want: {
      writes: [`patch Function fn finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment fn-function', 'apply Service fn-function'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created', 'Warning CleanupJobLeft'],
    },
  },
  {
    name: 'another error reading the Job keeps Function Mesh\'s finalizer: looked at again on retry',
    resource: withMeta(fn({ cleanupSubscription: true }), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    failures: { 'get Job fn-function-cleanup': apiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', { method: 'GET', resource: 'jobs', namespace }) },
    want: {
      conditions: ['ChildrenApplied=False/ApplyFailed', 'Ready=False/ApplyFailed'],
      events: ['Warning ApplyFailed'],
      error: { message: 'unable to handle the request' },
    },
  },
  {
    name: "deleted with Function Mesh's finalizer: its cleanup Job is deleted too, then the finalizer released",
    attempts: 1,
    resource: withMeta(fn({ cleanupSubscription: true }), { deletionTimestamp: new Date().toISOString(), finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    secrets: [cleanupJob()],
    want: { writes: ['delete Job fn-function-cleanup', 'patch Function fn finalizers='], events: ['Normal CleanupJobDeleted', 'Warning SubscriptionCleanupFailed'] },
  },
  {
    name: 'finalizer: a failed cleanup keeps the finalizer and retries after the policy delay, writing nothing',
    resource: withMeta(fn({ cleanupSubscription: true }), { deletionTimestamp: new Date().toISOString(), finalizers: [SUBSCRIPTION_FINALIZER] }),
    want: { result: { requeueAfterMs: 5 } },
  },
  {
    name: 'finalizer: after the last attempt it says what is left behind and releases the finalizer',
    attempts: 1,
    resource: withMeta(fn({ cleanupSubscription: true }), { deletionTimestamp: new Date().toISOString(), finalizers: [SUBSCRIPTION_FINALIZER] }),
    want: { writes: ['patch Function fn finalizers='], events: ['Warning SubscriptionCleanupFailed'] },
  },
  {
    name: 'finalizer: a forbidden Secret is reported as such (not taken for "no token"), and the attempt fails with it',
    resource: withMeta(fn({ cleanupSubscription: true, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth' } }), {
      deletionTimestamp: new Date().toISOString(),
      finalizers: [SUBSCRIPTION_FINALIZER],
    }),
    cached: [pulsarCm],
    secrets: [secret('auth')],
    failures: { 'get Secret auth': forbidden },
    want: {
      conditions: ['SubscriptionCleanup=False/SecretUnreadable'],
      messages: { SubscriptionCleanup: ['Secret auth (spec.pulsar.authSecret) in namespace team-a could not be read', 'is forbidden', 'RBAC'] },
      result: { requeueAfterMs: 5 },
    },
  },
  {
    name: 'finalizer: a Secret read failing on the apiserver is reported too, with its error',
    resource: withMeta(fn({ cleanupSubscription: true, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth' } }), {
      deletionTimestamp: new Date().toISOString(),
      finalizers: [SUBSCRIPTION_FINALIZER],
    }),
    cached: [pulsarCm],
    failures: { 'get Secret auth': apiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', { method: 'GET', resource: 'secrets', namespace }) },
    want: {
      conditions: ['SubscriptionCleanup=False/SecretUnreadable'],
      messages: { SubscriptionCleanup: ['Secret auth (spec.pulsar.authSecret)', 'unable to handle the request', 'the next attempt reads it again'] },
      result: { requeueAfterMs: 5 },
    },
  },
];

const batchSourceConfig = { discoveryTriggererClassName: 'org.example.Trigger' };
/** Upstream's cleanup Job of a Source `src` (MakeSourceCleanUpJob). */
const sourceCleanupJob = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'src-source-cleanup', namespace, uid: 'job-2', labels: { 'compute.functionmesh.io/component': 'source', 'compute.functionmesh.io/name': 'src', owner: 'uid-1' } },
});
const sourcePulsar = { pulsar: { pulsarConfig: 'pulsar-cm' } };

const sourceRows: (Row<WorkloadResource> & { attempts?: number })[] = [
  {
    name: 'a batch Source gets the cleanup finalizer (its intermediate topic is cleaned up on delete)',
    resource: withMeta(source({ ...sourcePulsar, batchSourceConfig }), {}),
    cached: [pulsarCm],
    want: {
      writes: [`patch Source src finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment src-source', 'apply Service src-source'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal Created'],
    },
  },
  {
    name: "a batch Source with Function Mesh's finalizer: its cleanup Job is deleted and the finalizer becomes ours",
    resource: withMeta(source({ ...sourcePulsar, batchSourceConfig }), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    secrets: [sourceCleanupJob()],
    want: {
      writes: ['delete Job src-source-cleanup', `patch Source src finalizers=${SUBSCRIPTION_FINALIZER}`, 'apply Deployment src-source', 'apply Service src-source'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal CleanupJobDeleted', 'Normal Created'],
    },
  },
  {
    name: "a plain Source with Function Mesh's finalizer (no longer a batch Source): the Job is deleted and the finalizer dropped",
    resource: withMeta(source(sourcePulsar), { finalizers: [UPSTREAM_SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    secrets: [sourceCleanupJob()],
    want: {
      writes: ['delete Job src-source-cleanup', 'patch Source src finalizers=', 'apply Deployment src-source', 'apply Service src-source'],
      conditions: ['PulsarConfigResolved=True/Resolved', 'ChildrenApplied=True/Applied', 'Ready=False/WorkloadNotAvailable'],
      events: ['Normal CleanupJobDeleted', 'Normal Created'],
    },
  },
  {
    name: 'a deleted batch Source, Pulsar unreachable: after the last attempt a Warning, and the finalizer is released',
    attempts: 1,
    resource: withMeta(source({ ...sourcePulsar, batchSourceConfig }), { deletionTimestamp: new Date().toISOString(), finalizers: [SUBSCRIPTION_FINALIZER] }),
    cached: [pulsarCm],
    want: { writes: ['patch Source src finalizers='], events: ['Warning SubscriptionCleanupFailed'] },
  },
];

/** The reconciler of `kind` on the row's fake client and caches. */
function reconcilerFor(kind: 'Function' | 'Source', ref: typeof FUNCTIONS, row: { attempts?: number; settings?: RenderSettings; kedaServed?: boolean }) {
  return ({ client, informers, caches, events }: TableSetup) =>
    new WorkloadReconciler(kind, ref, informers.informer(ref).store, caches(ref, childKinds(row.kedaServed ? [SCALED_OBJECTS] : [])), {
      client,
      render: renderChildren,
      settings: row.settings ?? settings,
      events,
      cleaner: new SubscriptionCleaner({ attempts: row.attempts ?? 3, initialDelayMs: 5, requestTimeoutMs: 500 }),
      configMaps: informers.informer<ConfigMapObject>(CONFIG_MAPS).store,
      recheckMs: RECHECK_MS,
    }).reconcile;
}

/**
 * A row's resource deleted now, not when the module loaded: the cleaner gives up once the time
 * since deletion passes its budget (1.5 s here), which a slow run of the rows before would reach.
 */
function deletedNow<R extends Row<WorkloadResource>>(row: R): R {
  return row.resource.metadata.deletionTimestamp ? { ...row, resource: withMeta(row.resource, { deletionTimestamp: new Date().toISOString() }) } : row;
}

describe('WorkloadReconciler', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    await runRow(deletedNow(row), FUNCTIONS, reconcilerFor('Function', FUNCTIONS, row));
  });
  it.each(sourceRows.map((r) => [r.name, r] as const))('Source: %s', async (_name, row) => {
    await runRow(deletedNow(row), SOURCES, reconcilerFor('Source', SOURCES, row));
  });
});
