// The Controller without an apiserver: its informers are never started; the test plays the
// reflector's part by feeding them objects directly (Informer is the reflector's sink).
import { describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createLogger } from '../../../process/logger.js';
import { Controller, type ReconcileContext, type ReconcileResult } from '../../../controller/runtime/controller.js';
import { InformerSet } from '../../../controller/runtime/informer-set.js';
import { KubeClient } from '../../../controller/runtime/kube-client.js';
import { RuntimeMetrics } from '../../../controller/runtime/metrics.js';
import { ItemExponentialRateLimiter } from '../../../controller/runtime/rate-limiter.js';
import { KubeApiError } from '../../../controller/runtime/kube-error.js';
import { TerminalError, ignoreNotFound } from '../../../controller/runtime/outcomes.js';
import type { KubeObject, OwnerReference, ResourceRef } from '../../../controller/runtime/resource.js';
import { sleep } from '../../../controller/runtime/backoff.js';
import { metricValue } from './metric-value.js';

const log = createLogger('controller-test', 'silent');
const FUNCTIONS: ResourceRef = { group: 'compute.functionmesh.io', version: 'v1alpha1', kind: 'Function', plural: 'functions' };
const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' };
const owner = (name: string): OwnerReference => ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', name, uid: `uid-${name}` });
const obj = (name: string, rv = '1', owners: OwnerReference[] = []): KubeObject =>
  ({ metadata: { namespace: 'ns', name, resourceVersion: rv, ownerReferences: owners } });

function offlineClient(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:9' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new KubeClient(kc, { fieldManager: 'test' });
}

function setup(reconcile: (ctx: ReconcileContext) => Promise<ReconcileResult | void>) {
  const registry = new Registry();
  const metrics = RuntimeMetrics.for(registry);
  const informers = new InformerSet({ client: offlineClient(), log });
  const controller = new Controller(
    { name: 'fn', primary: FUNCTIONS, owns: [DEPLOYMENTS], reconcile, rateLimiter: () => new ItemExponentialRateLimiter(1, 50) },
    informers, metrics, log,
  );
  const value = (name: string, labels: Record<string, string>) => metricValue(registry, name, labels);
  return { controller, primary: informers.informer(FUNCTIONS), children: informers.informer(DEPLOYMENTS), value };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe('Controller', () => {
  it('queues nothing between terms, then every cached object when a term starts', async () => {
    const seen: string[] = [];
    const { controller, primary } = setup(async ({ key }) => void seen.push(key));
    primary.replace([obj('a'), obj('b')]);
    await sleep(10);
    expect(seen).toEqual([]);
    controller.startWorkers();
    await until(() => seen.length === 2);
    expect(seen.sort()).toEqual(['ns/a', 'ns/b']);
    await controller.stopWorkers();
  });

  it('maps primary events to their key and child events to their owners, old and new', async () => {
    const seen: ReconcileContext[] = [];
    const { controller, primary, children } = setup(async (ctx) => void seen.push(ctx));
    controller.startWorkers();
    primary.apply('ADDED', obj('web'));
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ key: 'ns/web', namespace: 'ns', name: 'web' });

    children.apply('ADDED', obj('web-deploy', '1', [owner('web')]));
    await until(() => seen.length === 2);
    expect(seen[1]!.key).toBe('ns/web');
    children.apply('MODIFIED', obj('web-deploy', '2', [owner('api')])); // re-parented: both must look
    await until(() => seen.length === 4);
    expect(seen.slice(2).map((c) => c.key).sort()).toEqual(['ns/api', 'ns/web']);
    expect(controller.ownedBy(DEPLOYMENTS, 'ns/api').map((d) => d.metadata.name)).toEqual(['web-deploy']);
    expect(() => controller.ownedBy(FUNCTIONS, 'ns/api')).toThrow('controller fn does not own Function: add it to owns');
    await controller.stopWorkers();
  });

  it('retries failures with backoff and counts results; requeueAfterMs comes back without events', async () => {
    let failures = 2;
    let polls = 0;
    const { controller, primary, value } = setup(async ({ name }) => {
      if (name === 'flaky' && failures-- > 0) throw new Error('transient');
      if (name === 'poll' && ++polls < 3) return { requeueAfterMs: 5 };
    });
    controller.startWorkers();
    primary.replace([obj('flaky'), obj('poll')]);
    await until(() => polls === 3 && failures < 0);
    await controller.stopWorkers();
    expect(await value('fm_controller_reconcile_total', { controller: 'fn', result: 'error' })).toBe(2);
    expect(await value('fm_controller_workqueue_retries_total', { controller: 'fn' })).toBe(2);
    expect(await value('fm_controller_reconcile_total', { controller: 'fn', result: 'requeue_after' })).toBe(2);
    expect(await value('fm_controller_reconcile_total', { controller: 'fn', result: 'success' })).toBe(2);
    expect(await value('fm_controller_reconcile_duration_seconds', { controller: 'fn' })).toBeGreaterThan(0);
  });

  it('does not retry a TerminalError with backoff; looks again after its recheck when it names one', async () => {
    const calls = { terminal: 0, recheck: 0 };
    const { controller, primary, value } = setup(async ({ name }) => {
      if (name === 'terminal') {
        calls.terminal++;
        throw new TerminalError('ChildConflict', 'Deployment x is controlled by someone else');
      }
      if (name === 'recheck' && ++calls.recheck < 3) throw new TerminalError('ChildConflict', 'still there', 5);
    });
    controller.startWorkers();
    primary.replace([obj('terminal'), obj('recheck')]);
    await until(() => calls.recheck === 3);
    await sleep(100); // ample for the backoff (1 ms doubling) to have retried 'terminal' several times
    await controller.stopWorkers();
    expect(calls.terminal).toBe(1);
    expect(await value('fm_controller_workqueue_retries_total', { controller: 'fn' })).toBe(0);
    expect(await value('fm_controller_reconcile_total', { controller: 'fn', result: 'error' })).toBe(3);
  });

  it('on shutdown lets an in-flight reconcile finish within the grace period; on lost leadership aborts it', async () => {
    const outcomes: string[] = [];
    const slow = (ms: number) => async ({ signal }: ReconcileContext) => {
      await sleep(ms, signal);
      outcomes.push(signal.aborted ? 'aborted' : 'finished');
    };
    const graceful = setup(slow(100));
    graceful.controller.startWorkers();
    graceful.primary.apply('ADDED', obj('a'));
    await sleep(20);
    await graceful.controller.stopWorkers({ graceMs: 1000 });
    expect(outcomes).toEqual(['finished']);

    const deposed = setup(slow(5000));
    deposed.controller.startWorkers();
    deposed.primary.apply('ADDED', obj('a'));
    await sleep(20);
    const started = Date.now();
    await deposed.controller.stopWorkers();
    expect(outcomes).toEqual(['finished', 'aborted']);
    expect(Date.now() - started).toBeLessThan(2000); // not the reconcile's 5 s
    expect(deposed.controller.running).toBe(false);
  });
});

describe('ignoreNotFound', () => {
  const apiError = (status: number, reason: string) => new KubeApiError(status, { reason, message: reason }, { method: 'GET' });
  it('turns NotFound into undefined and passes results and every other error on', async () => {
    expect(await ignoreNotFound(Promise.reject(apiError(404, 'NotFound')))).toBeUndefined();
    expect(await ignoreNotFound(Promise.resolve(7))).toBe(7);
    await expect(ignoreNotFound(Promise.reject(apiError(403, 'Forbidden')))).rejects.toThrow('Forbidden');
    await expect(ignoreNotFound(Promise.reject(new Error('aborted')))).rejects.toThrow('aborted');
  });
});
