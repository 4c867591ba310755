// The whole runtime on the real apiserver, with core kinds standing in for ours: a controller
// whose primary kind is ConfigMap and which owns Secrets (`app-x` → Secret `app-x-child`
// carrying the same data). Child events reach the owner through ownerReferences; failures
// retry with backoff; requeueAfterMs re-runs; with two replicas only the leader reconciles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '../../../process/logger.js';
import { Manager } from '../../../controller/runtime/manager.js';
import type { Controller, ReconcileContext } from '../../../controller/runtime/controller.js';
import type { KubeClient } from '../../../controller/runtime/kube-client.js';
import { ignoreNotFound } from '../../../controller/runtime/outcomes.js';
import type { KubeObject } from '../../../controller/runtime/resource.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { CONFIG_MAPS, SECRETS, metricValue, testClient } from './test-client.js';

interface DataObject extends KubeObject { data?: Record<string, string> }

const log = createLogger('manager-test', 'warn');
const client = testClient('manager-test');
let ns: string;
beforeAll(async () => { ns = await createTestNamespace('rt-manager'); });
afterAll(async () => {
  await deleteNamespace(ns);
  client.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cm = (name: string, data: Record<string, string>): DataObject => ({ metadata: { name, namespace: ns }, data });

/** The reconciler under test: render the child Secret from the cached ConfigMap and apply it. */
function secretReconciler(kube: KubeClient, controller: () => Controller, calls: string[], hooks: { fail?: Set<string>; requeue?: Set<string> } = {}) {
  return async ({ key, namespace, name, signal, log: keyLog }: ReconcileContext) => {
    if (!name.startsWith('app-')) return;
    calls.push(name);
    if (hooks.fail?.has(name)) {
      hooks.fail.delete(name);
      throw new Error(`injected failure for ${name}`);
    }
    const source = controller().primary.store.get(key) as DataObject | undefined;
    if (!source) return; // gone: the garbage collector removes the child
    const data = Object.fromEntries(Object.entries(source.data ?? {}).map(([k, v]) => [k, b64(v)]));
    await kube.apply(SECRETS, {
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: `${name}-child`, namespace, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name, uid: source.metadata.uid!, controller: true }] },
      data,
    } as DataObject, { signal });
    keyLog.debug('applied child');
    return hooks.requeue?.has(name) ? { requeueAfterMs: 150 } : undefined;
  };
}

async function childData(name: string): Promise<Record<string, string> | undefined> {
  const secret = await ignoreNotFound(client.get<DataObject>(SECRETS, ns, `${name}-child`));
  return secret && Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

describe('Manager + Controller', () => {
  it('reconciles the primary kind, re-creates a deleted child, follows updates, retries failures and requeues', async () => {
    const registry = new Registry();
    const manager = new Manager({ client, log, registry, namespace: ns });
    const calls: string[] = [];
    const hooks = { fail: new Set(['app-flaky']), requeue: new Set(['app-poll']) };
    const controller: Controller = manager.add({
      name: 'cm-to-secret',
      primary: CONFIG_MAPS,
      owns: [SECRETS],
      workers: 2,
      reconcile: secretReconciler(client, () => controller, calls, hooks),
    });
    expect(manager.notReadyReason()).toMatch(/caches not synced: configmaps\/v1, secrets\/v1/);
    await client.apply(CONFIG_MAPS, cm('app-one', { greeting: 'hello' }));
    manager.start();
    try {
      await waitFor('ready', async () => manager.notReadyReason() === undefined, { timeoutMs: 10_000 });
      // No election: the only replica writes, from the moment the manager sees its caches synced
      // (it looks every 50 ms; beside other suites a check right after "ready" came before it).
      await waitFor('writing', async () => manager.isLeader, { timeoutMs: 10_000 });

      // An object that existed before start is reconciled from the initial list.
      expect(await waitFor('app-one child', () => childData('app-one'), { timeoutMs: 10_000 })).toEqual({ greeting: 'hello' });
      await waitFor('child in cache', async () => controller.ownedBy(SECRETS, `${ns}/app-one`).length === 1, { timeoutMs: 5000 });

      // A child's deletion maps to its owner's key, which re-creates it.
      const before = calls.filter((n) => n === 'app-one').length;
      await client.delete(SECRETS, ns, 'app-one-child');
      expect(await waitFor('re-created child', () => childData('app-one'), { timeoutMs: 10_000 })).toEqual({ greeting: 'hello' });
      expect(calls.filter((n) => n === 'app-one').length).toBeGreaterThan(before);

      // An update of the primary flows into the child.
      await client.apply(CONFIG_MAPS, cm('app-one', { greeting: 'bonjour' }));
      await waitFor('updated child', async () => (await childData('app-one'))?.greeting === 'bonjour', { timeoutMs: 10_000 });

      // A failure is retried with backoff and then succeeds.
      await client.apply(CONFIG_MAPS, cm('app-flaky', { k: 'v' }));
      expect(await waitFor('flaky child', () => childData('app-flaky'), { timeoutMs: 10_000 })).toEqual({ k: 'v' });
      expect(await metricValue(registry, 'fm_controller_workqueue_retries_total', { controller: 'cm-to-secret' })).toBe(1);
      expect(await metricValue(registry, 'fm_controller_reconcile_total', { controller: 'cm-to-secret', result: 'error' })).toBe(1);

      // requeueAfterMs brings a key back without any event.
      await client.apply(CONFIG_MAPS, cm('app-poll', { k: 'v' }));
      const requeued = () => metricValue(registry, 'fm_controller_reconcile_total', { controller: 'cm-to-secret', result: 'requeue_after' });
      await waitFor('three completed polls', async () => (await requeued()) >= 3, { timeoutMs: 10_000 });
      expect(calls.filter((n) => n === 'app-poll').length).toBeGreaterThanOrEqual(3);

      expect(await metricValue(registry, 'fm_controller_reconcile_total', { controller: 'cm-to-secret', result: 'success' })).toBeGreaterThan(0);
      expect(await metricValue(registry, 'fm_controller_workqueue_adds_total', { controller: 'cm-to-secret' })).toBeGreaterThan(0);
      expect(await metricValue(registry, 'fm_controller_reconcile_duration_seconds', { controller: 'cm-to-secret' })).toBeGreaterThan(0);
      expect(await metricValue(registry, 'fm_controller_relists_total', { resource: 'secrets', reason: 'initial' })).toBe(1);
      const text = await registry.metrics();
      expect(text).toMatch(/fm_controller_workqueue_depth\{controller="cm-to-secret"\} \d+/);
    } finally {
      await manager.stop();
    }
  });

  it('with two replicas only the leader reconciles; the standby takes over when the leader stops', async () => {
    // A lease long enough that a leader slowed down by other suites keeps it (a 2 s renew deadline
    // does not survive a busy apiserver); the standby takes over on the release, well before it
    // could expire, so the takeover wait stays short of the lease.
    const lease = { namespace: ns, name: 'cm-to-secret', leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 300 };
    const replicas = ['r1', 'r2'].map((identity) => {
      const kube = testClient(`manager-test-${identity}`);
      const registry = new Registry();
      const manager = new Manager({ client: kube, log, registry, namespace: ns, leaderElection: { ...lease, identity } });
      const calls: string[] = [];
      const controller: Controller = manager.add({
        name: 'cm-to-secret', primary: CONFIG_MAPS, owns: [SECRETS],
        reconcile: secretReconciler(kube, () => controller, calls),
      });
      return { identity, kube, manager, calls, registry };
    });
    for (const r of replicas) r.manager.start();
    try {
      const leader = await waitFor('one leader', async () => {
        const leading = replicas.filter((r) => r.manager.isLeader);
        return leading.length === 1 ? leading[0] : undefined;
      }, { timeoutMs: 10_000, intervalMs: 50 });
      const standby = replicas.find((r) => r !== leader)!;
      await waitFor('both ready', async () => replicas.every((r) => r.manager.notReadyReason() === undefined), { timeoutMs: 10_000 });

      await client.apply(CONFIG_MAPS, cm('app-ha', { v: '1' }));
      await waitFor('child by the leader', () => childData('app-ha'), { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(leader.calls).toContain('app-ha');
      expect(standby.calls).toEqual([]);
      const leaderGauge = (r: typeof leader) => metricValue(r.registry, 'fm_controller_leader', { lease: `${ns}/cm-to-secret` });
      expect(await leaderGauge(leader)).toBe(1);
      expect(await leaderGauge(standby)).toBe(0);

      await leader.manager.stop();
      await waitFor('standby to lead', async () => standby.manager.isLeader, { timeoutMs: 15_000, intervalMs: 20 });
      // The new leader re-queues everything it knows and converges on changes made meanwhile.
      await client.apply(CONFIG_MAPS, cm('app-ha', { v: '2' }));
      await waitFor('child updated by the new leader', async () => (await childData('app-ha'))?.v === '2', { timeoutMs: 10_000 });
      expect(standby.calls).toContain('app-ha');
      expect(await leaderGauge(standby)).toBe(1);
      expect(await leaderGauge(leader)).toBe(0);
    } finally {
      for (const r of replicas) {
        await r.manager.stop();
        r.kube.close();
      }
    }
  });
});
