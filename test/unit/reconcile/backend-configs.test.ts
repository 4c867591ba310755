// Which BackendConfigs cover a namespace, and which changes wake which resources.
import { describe, expect, it } from '@jest/globals';
import { BackendConfigLookup, keysIn, type BackendConfigObject } from '../../../controller/reconcile/backend-configs.js';
import { Store } from '../../../controller/runtime/store.js';

const config = (namespace: string, name: string, resourceVersion = '7', autoUpdate = true): BackendConfigObject => ({
  apiVersion: 'compute.functionmesh.io/v1alpha1',
  kind: 'BackendConfig',
  metadata: { namespace, name, resourceVersion },
  spec: { autoUpdate, env: { FROM: `${namespace}/${name}` } },
});

function lookup(objs: BackendConfigObject[], names = { global: { namespace: 'ops', name: 'global-backend-config' }, namespacedName: 'backend-config' }) {
  const store = new Store<BackendConfigObject>();
  objs.forEach((o) => store.upsert(o));
  return new BackendConfigLookup(store, names);
}

describe('BackendConfigLookup', () => {
  const objs = [config('ops', 'global-backend-config', '5'), config('team-a', 'backend-config', '9'), config('team-a', 'other'), config('team-b', 'global-backend-config')];

  it('finds the global object by its flags and the namespace’s by name, with their resourceVersions', () => {
    expect(lookup(objs).forNamespace('team-a')).toEqual({
      global: { key: 'ops/global-backend-config', revision: '5', spec: objs[0]!.spec },
      namespaced: { key: 'team-a/backend-config', revision: '9', spec: objs[1]!.spec },
    });
    expect(lookup(objs).forNamespace('team-b')).toEqual({ global: expect.objectContaining({ key: 'ops/global-backend-config' }), namespaced: undefined });
  });

  it('reads neither when the flags turn them off', () => {
    expect(lookup(objs, { global: undefined, namespacedName: undefined } as never).forNamespace('team-a')).toEqual({ global: undefined, namespaced: undefined });
  });

  it('says whose resources a changed object covers', () => {
    const l = lookup([]);
    expect(l.covers(objs[0]!)).toEqual({ namespace: undefined });
    expect(l.covers(objs[1]!)).toEqual({ namespace: 'team-a' });
    expect(l.covers(objs[2]!)).toBeUndefined();
    // The global name in another namespace is nothing.
    expect(l.covers(objs[3]!)).toBeUndefined();
  });

  it('keysIn picks one namespace or all', () => {
    const store = { keys: () => ['team-a/x', 'team-ab/y', 'team-b/z'] };
    expect(keysIn(store, 'team-a')).toEqual(['team-a/x']);
    expect(keysIn(store, undefined)).toHaveLength(3);
  });
});
