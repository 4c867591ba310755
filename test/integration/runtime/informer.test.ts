// Informers on the real apiserver: the cache follows adds, updates and deletes; watches the
// server ends at timeoutSeconds are restarted from the newest version without re-listing and
// without missing a change; a watch from a version the apiserver no longer has (410 Gone)
// re-lists (etcd is compacted first, so the apiserver cannot serve that version from etcd either;
// every branch of the 410 handling is unit-tested with a scripted source in
// test/unit/runtime/reflector.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '../../../process/logger.js';
import { InformerSet } from '../../../controller/runtime/informer-set.js';
import { Informer } from '../../../controller/runtime/informer.js';
import { listWatch, type RelistReason } from '../../../controller/runtime/reflector.js';
import { RuntimeMetrics } from '../../../controller/runtime/metrics.js';
import type { KubeObject } from '../../../controller/runtime/resource.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { CONFIG_MAPS, metricValue, testClient } from './test-client.js';
import { compactEtcd } from '../../support/etcd.js';

interface ConfigMap extends KubeObject { data?: Record<string, string> }

const log = createLogger('informer-test', 'warn');
const client = testClient();
let ns: string;
beforeAll(async () => { ns = await createTestNamespace('rt-informer'); });
afterAll(async () => {
  await deleteNamespace(ns);
  client.close();
});

// The controller-manager puts kube-root-ca.crt in every namespace; these tests ignore it.
const ours = (o: ConfigMap) => o.metadata.name !== 'kube-root-ca.crt';
const cm = (name: string, v: string): ConfigMap => ({ metadata: { name, namespace: ns }, data: { v } });

describe('Informer', () => {
  it('lists existing objects, then follows adds, updates and deletes', async () => {
    await client.apply(CONFIG_MAPS, cm('before', '1'));
    const informers = new InformerSet({ client, log, namespace: ns });
    const informer = informers.informer<ConfigMap>(CONFIG_MAPS);
    const events: string[] = [];
    informer.addHandler({
      add: (o) => ours(o) && events.push(`add ${o.metadata.name}`),
      update: (old, o) => ours(o) && events.push(`update ${o.metadata.name} ${old.data?.v}->${o.data?.v}`),
      delete: (o) => ours(o) && events.push(`delete ${o.metadata.name}`),
    });
    informers.start();
    try {
      expect(await informers.waitForSync()).toBe(true);
      expect(informer.store.get(`${ns}/before`)?.data).toEqual({ v: '1' });
      expect(informer.store.get(`${ns}/before`)?.kind).toBe('ConfigMap');
      expect(informer.store.get(`${ns}/before`)?.metadata.managedFields).toBeUndefined();
      expect(informer.store.get(`${ns}/before`)?.metadata.uid).toBeTruthy();

      await client.apply(CONFIG_MAPS, cm('after', 'a'));
      await client.apply(CONFIG_MAPS, cm('after', 'b'));
      await client.delete(CONFIG_MAPS, ns, 'before');
      await waitFor('three changes', async () => events.length >= 4 && events, { timeoutMs: 10_000 });

      expect(events).toEqual(['add before', 'add after', 'update after a->b', 'delete before']);
      expect(informer.store.list().filter(ours).map((o) => o.metadata.name)).toEqual(['after']);
      expect(informer.store.get(`${ns}/after`)?.data).toEqual({ v: 'b' });
    } finally {
      await informers.stop();
    }
  });

  it('restarts watches the server ends at timeoutSeconds, from the newest version, missing nothing', async () => {
    const registry = new Registry();
    const metrics = RuntimeMetrics.for(registry);
    const informers = new InformerSet({ client, log, metrics, namespace: ns, watchTimeoutSeconds: () => 1 });
    const informer = informers.informer<ConfigMap>(CONFIG_MAPS);
    const seen: string[] = [];
    informer.addHandler({ update: (_old, o) => seen.push(o.data?.v ?? '') });
    informers.start();
    try {
      await informers.waitForSync();
      await client.apply(CONFIG_MAPS, cm('ticker', '0'));
      // Change the object across several watch lifetimes (~1 s each).
      for (let i = 1; i <= 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await client.apply(CONFIG_MAPS, cm('ticker', String(i)));
      }
      await waitFor('the last change', async () => informer.store.get(`${ns}/ticker`)?.data?.v === '6', { timeoutMs: 10_000 });
      expect(seen).toEqual(['1', '2', '3', '4', '5', '6']);

      const resource = 'configmaps';
      expect(await metricValue(registry, 'fm_controller_watch_restarts_total', { resource, reason: 'timeout' })).toBeGreaterThanOrEqual(2);
      expect(await metricValue(registry, 'fm_controller_watch_restarts_total', { resource, reason: 'error' })).toBe(0);
      expect(await metricValue(registry, 'fm_controller_relists_total', { resource })).toBe(1);
      expect(await metricValue(registry, 'fm_controller_relists_total', { resource, reason: 'initial' })).toBe(1);
    } finally {
      await informers.stop();
    }
  });

  it('re-lists when the apiserver answers the watch with 410 Gone, then follows changes', async () => {
    await client.apply(CONFIG_MAPS, cm('expiring', '1'));
    await compactEtcd(); // resourceVersion 1 is then history etcd no longer has
    const real = listWatch<ConfigMap>(client, CONFIG_MAPS, { namespace: ns });
    let lists = 0;
    const source = {
      // The first list claims a version long gone, as if the watch began after compaction.
      list: async (opts: Parameters<typeof real.list>[0]) => {
        const list = await real.list(opts);
        return ++lists === 1 ? { ...list, metadata: { ...list.metadata, resourceVersion: '1' } } : list;
      },
      watch: real.watch,
    };
    const relists: RelistReason[] = [];
    const informer = new Informer(source, { name: 'configmaps', log, onRelist: (r) => relists.push(r) });
    const updates: string[] = [];
    informer.addHandler({ update: (_old, o) => ours(o) && updates.push(o.data?.v ?? '') });
    informer.start();
    try {
      // onRelist fires as a list starts: wait for the re-list to land too.
      await waitFor('a re-list after 410', async () => relists.length === 2 && Number(informer.resourceVersion) > 1, { timeoutMs: 10_000 });
      expect(relists).toEqual(['initial', 'expired']);
      await client.apply(CONFIG_MAPS, cm('expiring', '2'));
      await waitFor('the change after the re-list', async () => updates.includes('2'), { timeoutMs: 10_000 });
      expect(informer.store.get(`${ns}/expiring`)?.data).toEqual({ v: '2' });
    } finally {
      await informer.stop();
    }
  });
});
