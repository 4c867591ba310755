// The FunctionMesh reconciler's branches as a table (see reconciler-table.ts).
import { describe, it } from '@jest/globals';
import type { FunctionMeshResource } from '../../../controller/api/index.js';
import { renderChildren } from '../../../controller/render/index.js';
import { FUNCTION_MESHES, WORKLOAD_RESOURCES } from '../../../controller/reconcile/kinds.js';
import { MeshReconciler } from '../../../controller/reconcile/mesh-reconciler.js';
import { fn, settings } from '../render/fixtures.js';
import type { KubeObject } from '../../../controller/runtime/index.js';
import { apiError } from './fake-client.js';
import { runRow, type Row } from './reconciler-table.js';

const namespace = 'team-a';
const member = (name: string) => ({ ...fn().spec, name });
const mesh = (names: string[]): FunctionMeshResource =>
  ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', metadata: { name: 'mesh', namespace, uid: 'mesh-uid', generation: 1 }, spec: { functions: names.map(member) } }) as unknown as FunctionMeshResource;
const child = (name: string, ownerUid: string) => ({
  apiVersion: 'compute.functionmesh.io/v1alpha1',
  kind: 'Function',
  metadata: { name, namespace, uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'FunctionMesh', name: 'mesh', uid: ownerUid, controller: true }] },
});

const rows: Row<FunctionMeshResource>[] = [
  {
    name: 'creates a Function per member and waits for its readiness',
    resource: mesh(['a']),
    want: { writes: ['apply Function mesh-a'], conditions: ['ChildrenApplied=True/Applied', 'Ready=False/ChildrenNotReady'], messages: { Ready: ['a (Function mesh-a): no status yet'] }, events: ['Normal Created'] },
  },
  {
    name: 'prunes the Function of a member dropped from the spec',
    resource: mesh(['a']),
    cached: [child('mesh-b', 'mesh-uid')],
    want: { writes: ['apply Function mesh-a', 'delete Function mesh-b'], conditions: ['ChildrenApplied=True/Applied', 'Ready=False/ChildrenNotReady'], events: ['Normal Created', 'Normal Deleted'] },
  },
  {
    name: 'ChildConflict: a Function of a member’s name owned by someone else stops every write; terminal, no recheck',
    resource: mesh(['a', 'b']),
    cached: [child('mesh-b', 'another-mesh')],
    want: {
      conditions: ['ChildrenApplied=False/ChildConflict', 'Ready=False/ChildConflict'],
      messages: { ChildrenApplied: ['Function mesh-b already exists and is owned by FunctionMesh mesh, not FunctionMesh mesh: delete or rename it'] },
      events: ['Warning ChildConflict'],
      error: { reason: 'ChildConflict' },
    },
  },
  {
    name: "a member Function Mesh's operator left, its conditions a map (served as {} under this CRD): cleared before the apply (no apply can type it), read as no status yet",
    resource: mesh(['a']),
    cached: [{ ...child('mesh-a', 'mesh-uid'), status: { conditions: {}, replicas: 1 } } as KubeObject],
    want: { writes: ['patch Function mesh-a status', 'apply Function mesh-a'], conditions: ['ChildrenApplied=True/Applied', 'Ready=False/ChildrenNotReady'], messages: { Ready: ['a (Function mesh-a): no status yet'] }, events: ['Normal Updated'] },
  },
  {
    name: 'the map changed since the cache saw it (409 on the resourceVersion precondition): nothing to clear, the apply goes on',
    resource: mesh(['a']),
    cached: [{ ...child('mesh-a', 'mesh-uid'), status: { conditions: {} } } as KubeObject],
    failures: { 'patch Function mesh-a': apiError(409, 'Conflict', 'the object has been modified', { method: 'PATCH', resource: 'functions', namespace }) },
    want: { writes: ['apply Function mesh-a'], conditions: ['ChildrenApplied=True/Applied', 'Ready=False/ChildrenNotReady'], events: ['Normal Updated'] },
  },
  {
    name: "a map on a Function another mesh controls is not this mesh's to clear: ChildConflict, no write",
    resource: mesh(['b']),
    cached: [{ ...child('mesh-b', 'another-mesh'), status: { conditions: {} } } as KubeObject],
    want: { conditions: ['ChildrenApplied=False/ChildConflict', 'Ready=False/ChildConflict'], events: ['Warning ChildConflict'], error: { reason: 'ChildConflict' } },
  },
  {
    name: "a member's list of conditions is left alone",
    resource: mesh(['a']),
    cached: [{ ...child('mesh-a', 'mesh-uid'), status: { conditions: [] } } as KubeObject],
    want: { writes: ['apply Function mesh-a'], conditions: ['ChildrenApplied=True/Applied', 'Ready=False/ChildrenNotReady'], events: ['Normal Updated'] },
  },
  {
    name: 'managed: "false": left alone',
    resource: { ...mesh(['a']), metadata: { ...mesh(['a']).metadata, annotations: { 'compute.functionmesh.io/managed': 'false' } } } as FunctionMeshResource,
    want: {},
  },
  {
    name: 'DuplicateChildName: applies and prunes nothing',
    resource: mesh(['a', 'a']),
    cached: [child('mesh-b', 'mesh-uid')],
    want: { conditions: ['ChildrenApplied=False/DuplicateChildName', 'Ready=False/DuplicateChildName'], messages: { Ready: ['(nothing was applied)'] }, events: ['Warning DuplicateChildName'] },
  },
];

describe('MeshReconciler', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const kinds = Object.values(WORKLOAD_RESOURCES);
    await runRow(row, FUNCTION_MESHES, ({ client, informers, caches, events }) =>
      new MeshReconciler(informers.informer(FUNCTION_MESHES).store, caches(FUNCTION_MESHES, kinds), { client, events, render: renderChildren, settings }).reconcile,
    );
  });
});
