import { describe, expect, it } from '@jest/globals';
import { Store } from '../../../controller/runtime/store.js';
import { dropManagedFields } from '../../../controller/runtime/informer.js';
import { ownerIndex, ownerIndexName, ownerKeys } from '../../../controller/runtime/owners.js';
import { objectKey, resourcePath, splitKey, type KubeObject, type OwnerReference, type ResourceRef } from '../../../controller/runtime/resource.js';

const FUNCTIONS: ResourceRef = { group: 'compute.functionmesh.io', version: 'v1alpha1', kind: 'Function', plural: 'functions' };
const NODES: ResourceRef = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false };
const fnRef = (name: string): OwnerReference => ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', name, uid: `uid-${name}`, controller: true });
const obj = (name: string, rv: string, owners: OwnerReference[] = []): KubeObject =>
  ({ metadata: { namespace: 'ns', name, resourceVersion: rv, ownerReferences: owners } });

describe('Store', () => {
  it('replace() reports adds, real updates (new resourceVersion) and deletes', () => {
    const store = new Store();
    store.replace([obj('a', '1'), obj('b', '1')]);
    const result = store.replace([obj('a', '1'), obj('b', '2'), obj('c', '1')]);
    expect(result.added.map(objectKey)).toEqual(['ns/c']);
    expect(result.updated.map((u) => [u.old.metadata.resourceVersion, u.obj.metadata.resourceVersion])).toEqual([['1', '2']]);
    expect(store.replace([obj('c', '1')]).deleted.map(objectKey).sort()).toEqual(['ns/a', 'ns/b']);
    expect(store.keys()).toEqual(['ns/c']);
  });

  it('keeps the owner index in step with upserts and removals', () => {
    const store = new Store();
    store.addIndex(ownerIndexName(FUNCTIONS), ownerIndex(FUNCTIONS));
    store.upsert(obj('web-deploy', '1', [fnRef('web')]));
    store.upsert(obj('web-svc', '1', [fnRef('web')]));
    store.upsert(obj('other', '1', [fnRef('api')]));
    const children = (key: string) => store.byIndex(ownerIndexName(FUNCTIONS), key).map((o) => o.metadata.name).sort();
    expect(children('ns/web')).toEqual(['web-deploy', 'web-svc']);
    store.upsert(obj('web-svc', '2', [fnRef('api')])); // owner changed
    expect(children('ns/web')).toEqual(['web-deploy']);
    expect(children('ns/api')).toEqual(['other', 'web-svc']);
    store.remove('ns/web-deploy');
    expect(children('ns/web')).toEqual([]);
    expect(store.hasIndex(ownerIndexName(FUNCTIONS))).toBe(true);
    expect(() => store.byIndex('nope', 'x')).toThrow('store has no index "nope"');
  });

  it('indexes what it already holds when an index is added later', () => {
    const store = new Store();
    store.upsert(obj('d', '1', [fnRef('web')]));
    store.addIndex('owners', ownerIndex(FUNCTIONS));
    expect(store.byIndex('owners', 'ns/web').map(objectKey)).toEqual(['ns/d']);
  });
});

describe('ownerKeys', () => {
  it('maps a child to the keys of owners of the given group and kind only', () => {
    const child = obj('d', '1', [
      fnRef('web'),
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u' },
      { apiVersion: 'other.example/v1', kind: 'Function', name: 'not-ours', uid: 'u2' },
    ]);
    expect(ownerKeys(child, FUNCTIONS)).toEqual(['ns/web']);
    expect(ownerKeys({ metadata: { namespace: 'ns', name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u' }] } }, NODES)).toEqual(['n1']);
    expect(ownerKeys({ metadata: { name: 'bare' } }, FUNCTIONS)).toEqual([]);
  });
});

describe('resource paths and keys', () => {
  it('builds core, group, cluster-scoped and subresource paths', () => {
    expect(resourcePath({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' }, 'ns', 'a')).toBe('/api/v1/namespaces/ns/configmaps/a');
    expect(resourcePath(FUNCTIONS, 'ns', 'f', 'status')).toBe('/apis/compute.functionmesh.io/v1alpha1/namespaces/ns/functions/f/status');
    expect(resourcePath(FUNCTIONS)).toBe('/apis/compute.functionmesh.io/v1alpha1/functions');
    expect(resourcePath(NODES, 'ignored', 'n1')).toBe('/api/v1/nodes/n1');
  });

  it('splits keys back into namespace and name', () => {
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('cluster-wide')).toEqual({ namespace: undefined, name: 'cluster-wide' });
    expect(objectKey({ metadata: { name: 'n' } })).toBe('n');
  });
});

describe('dropManagedFields', () => {
  it('removes managedFields and nothing else, leaving the input untouched', () => {
    const input: KubeObject = { kind: 'ConfigMap', metadata: { name: 'a', uid: 'u', managedFields: [{ manager: 'm' }] } };
    expect(dropManagedFields(input)).toEqual({ kind: 'ConfigMap', metadata: { name: 'a', uid: 'u' } });
    expect(input.metadata.managedFields).toHaveLength(1);
    const bare: KubeObject = { metadata: { name: 'b' } };
    expect(dropManagedFields(bare)).toBe(bare);
  });
});
