// KubeClient against the real apiserver: CRUD, server-side apply (idempotent, force-taking
// fields, the status subresource), merge patch of finalizers, watch streams, and errors that
// carry the apiserver's own message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeApiError, isConflict, isGone, isNotFound } from '../../../controller/runtime/kube-error.js';
import type { KubeObject, ObjectMeta } from '../../../controller/runtime/resource.js';
import type { WatchEvent } from '../../../controller/runtime/kube-client.js';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { CONFIG_MAPS, SERVICES, testClient } from './test-client.js';
import { compactEtcd } from '../../support/etcd.js';

interface ConfigMap extends KubeObject { data?: Record<string, string> }
interface Service extends KubeObject {
  spec?: { type?: string; ports?: { port: number }[]; selector?: Record<string, string> };
  status?: { loadBalancer?: { ingress?: { ip: string }[] } };
}
type ManagedField = { manager: string; operation: string; fieldsV1?: { 'f:data'?: Record<string, unknown> } };

const client = testClient('runtime-test');
let ns: string;
beforeAll(async () => { ns = await createTestNamespace('rt-client'); });
afterAll(async () => {
  await deleteNamespace(ns);
  client.close();
});

const configMap = (name: string, data: Record<string, string>, meta: ObjectMeta = {}): ConfigMap =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...meta }, data });

describe('KubeClient', () => {
  it('creates, gets, lists and deletes; a missing object is a 404 KubeApiError with the apiserver message', async () => {
    const created = await client.create(CONFIG_MAPS, configMap('crud', { a: '1' }, { labels: { suite: 'crud' } }));
    expect(created.metadata.uid).toBeTruthy();
    const got = await client.get<ConfigMap>(CONFIG_MAPS, ns, 'crud');
    expect(got.data).toEqual({ a: '1' });
    const list = await client.list<ConfigMap>(CONFIG_MAPS, { namespace: ns, labelSelector: 'suite=crud' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['crud']);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
    await client.delete(CONFIG_MAPS, ns, 'crud');

    const err = await client.get(CONFIG_MAPS, ns, 'crud').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(isNotFound(err)).toBe(true);
    const apiErr = err as KubeApiError;
    expect(apiErr.status).toBe(404);
    expect(apiErr.reason).toBe('NotFound');
    expect(apiErr.apiMessage).toBe('configmaps "crud" not found');
    expect(apiErr.message).toContain(`configmaps "crud" not found (GET namespace "${ns}"`);
  });

  it('reports validation failures with the field the apiserver names', async () => {
    const err = (await client.create(CONFIG_MAPS, configMap('Bad_Name', {})).catch((e: unknown) => e)) as KubeApiError;
    expect(err.status).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.apiMessage).toContain('metadata.name');
  });

  it('server-side apply: applying the same object twice changes nothing', async () => {
    const first = await client.apply(CONFIG_MAPS, configMap('ssa', { k: 'v' }));
    const second = await client.apply(CONFIG_MAPS, configMap('ssa', { k: 'v' }));
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = await client.apply(CONFIG_MAPS, configMap('ssa', { k: 'v2' }));
    expect(changed.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
  });

  it('server-side apply: a conflicting field fails without force and is taken over with force', async () => {
    const ours = testClient('runtime-test-ours');
    const theirs = testClient('runtime-test-theirs');
    try {
      await theirs.apply(CONFIG_MAPS, configMap('owned', { shared: 'theirs', mine: 'theirs' }));
      const conflict = await ours.apply(CONFIG_MAPS, configMap('owned', { shared: 'ours' }), { force: false }).catch((e: unknown) => e);
      expect(isConflict(conflict)).toBe(true);
      expect((conflict as KubeApiError).apiMessage).toContain('runtime-test-theirs');

      const taken = await ours.apply(CONFIG_MAPS, configMap('owned', { shared: 'ours' }));
      expect((taken as ConfigMap).data).toEqual({ shared: 'ours', mine: 'theirs' });
      const fields = (taken.metadata.managedFields ?? []) as ManagedField[];
      const dataOf = (manager: string) => Object.keys(fields.find((f) => f.manager === manager)?.fieldsV1?.['f:data'] ?? {}).sort();
      expect(dataOf('runtime-test-ours')).toEqual(['f:shared']);
      expect(dataOf('runtime-test-theirs')).toEqual(['f:mine']);
    } finally {
      ours.close();
      theirs.close();
    }
  });

  it('server-side apply of the status subresource leaves the spec alone', async () => {
    const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'web' } } };
    await client.apply(SERVICES, svc);
    const updated = await client.applyStatus<Service>(SERVICES, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    });
    expect(updated.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(['192.0.2.10']);
    expect(updated.spec?.selector).toEqual({ app: 'web' });
  });

  it('merge-patches finalizers: deletion waits for them, and removing them completes it', async () => {
    await client.apply(CONFIG_MAPS, configMap('guarded', { k: 'v' }));
    const current = await client.get(CONFIG_MAPS, ns, 'guarded');
    await client.mergePatch(CONFIG_MAPS, ns, 'guarded', {
      metadata: { finalizers: ['functionmesh.io/test'], resourceVersion: current.metadata.resourceVersion },
    });
    const stale = await client
      .mergePatch(CONFIG_MAPS, ns, 'guarded', { metadata: { finalizers: [], resourceVersion: current.metadata.resourceVersion } })
      .catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true); // the resourceVersion guard works

    await client.delete(CONFIG_MAPS, ns, 'guarded');
    const terminating = await client.get(CONFIG_MAPS, ns, 'guarded');
    expect(terminating.metadata.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata.finalizers).toEqual(['functionmesh.io/test']);

    await client.mergePatch(CONFIG_MAPS, ns, 'guarded', { metadata: { finalizers: null } });
    await waitFor('finalized ConfigMap to disappear', async () => {
      try {
        await client.get(CONFIG_MAPS, ns, 'guarded');
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    }, { timeoutMs: 10_000 });
  });

  it('watches from a resourceVersion and ends cleanly at timeoutSeconds', async () => {
    const list = await client.list(CONFIG_MAPS, { namespace: ns });
    const seen: WatchEvent[] = [];
    const started = Date.now();
    const watching = (async () => {
      for await (const event of client.watch(CONFIG_MAPS, { namespace: ns, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 2, allowWatchBookmarks: true })) {
        seen.push(event);
      }
    })();
    await client.create(CONFIG_MAPS, configMap('watched', { k: '1' }));
    await client.delete(CONFIG_MAPS, ns, 'watched');
    await watching;
    const elapsed = Date.now() - started;
    const changes = seen.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(changes).toEqual(['ADDED watched', 'DELETED watched']);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    // Ended by the server at 2 s, not left open: the bound only has to stay below a hang.
    expect(elapsed).toBeLessThan(30_000);
  });

  it('fails a watch from a version the apiserver no longer keeps with 410 Gone', async () => {
    await compactEtcd();
    const err = await (async () => {
      for await (const _event of client.watch(CONFIG_MAPS, { namespace: ns, resourceVersion: '1', timeoutSeconds: 5 })) {
        // no event may come before the error
      }
    })().catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
    expect((err as KubeApiError).reason).toBe('Expired');
    expect((err as KubeApiError).apiMessage).toMatch(/too old/); // the watch cache's wording or etcd's
  });

  it('stops a watch when its signal aborts', async () => {
    const abort = new AbortController();
    const watching = (async () => {
      let n = 0;
      for await (const _event of client.watch(CONFIG_MAPS, { namespace: ns, timeoutSeconds: 60, signal: abort.signal })) n++;
      return n;
    })();
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    await expect(watching).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(30_000); // the watch's own timeout is 60 s
  });
});
