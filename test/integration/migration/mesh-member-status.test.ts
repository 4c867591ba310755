// A FunctionMesh member Function Mesh's operator left still holds its map-shaped
// `status.conditions` in etcd. Under this project's CRD the apiserver cannot type that object, so
// a server-side apply of the member's spec fails ("expected list, got map") until the map is
// gone. The mesh clears it before applying: its first reconcile succeeds, with no ApplyFailed.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, startController, waitForReady, type RunningController } from '../controller/harness.js';
import { javaFunction, list, pulsarConfigMap, type Json } from '../controller/manifests.js';
import { readStored, rewriteStored } from './etcd-store.js';

let ns: string;
let controller: RunningController | undefined;
beforeEach(async () => {
  ns = await createTestNamespace('mig-mesh');
});
afterEach(async () => {
  await controller?.stop();
  await deleteNamespace(ns);
});

const mesh = (replicas: number): Json => ({
  apiVersion: 'compute.functionmesh.io/v1alpha1',
  kind: 'FunctionMesh',
  metadata: { name: 'mesh' },
  spec: { functions: [{ ...(javaFunction('m1').spec as Json), name: 'm1', replicas }] },
});
const events = async (name: string) =>
  (await kubectlJson<{ items: { reason: string; type: string; message: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`])).items;

describe('a FunctionMesh member with Function Mesh’s map-shaped conditions', () => {
  it('is applied with no failed attempt, even when its own reconciler leaves it alone: the mesh clears the map first', async () => {
    controller = await startController(ns);
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap(), mesh(1)) });
    await waitForReady('functionmesh', ns, 'mesh');
    await controller.stop();
    controller = undefined;

    // What upstream leaves: its map in etcd (served as {} where this CRD has a list).
    await rewriteStored('compute.functionmesh.io', 'functions', ns, 'mesh-m1', (stored) => ({
      ...stored,
      status: { conditions: { StatefulSet: { condition: 'StatefulSetReady', status: 'True', action: 'NoAction' } }, replicas: 1 },
    }));
    await waitFor('the apiserver serving the map', async () => {
      const conditions = (await getObject('function', ns, 'mesh-m1'))?.status?.conditions;
      return (conditions !== undefined && !Array.isArray(conditions)) || undefined;
    });
    // Its own reconciler leaves it alone, so only the mesh can remove the map (and, without the
    // fix, no race with that reconciler's first status write hides the failure).
    await kubectlOk(['-n', ns, 'annotate', 'function', 'mesh-m1', 'compute.functionmesh.io/managed=false']);
    // A new spec for the member: the mesh must apply it.
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(mesh(2)) });
    const failedBefore = (await events('mesh')).filter((e) => e.reason === 'ApplyFailed').length;

    controller = await startController(ns);
    await waitFor('the member applied with 2 replicas', async () => (await getObject('function', ns, 'mesh-m1'))?.spec?.replicas === 2 || undefined, { timeoutMs: 30_000 });
    const meshObj = await waitFor('the mesh reconciled at its new generation', async () => {
      const obj = await getObject('functionmesh', ns, 'mesh');
      return obj?.status?.observedGeneration === obj?.metadata.generation ? obj : undefined;
    });
    expect(condition(meshObj, 'ChildrenApplied')).toEqual(expect.objectContaining({ status: 'True', reason: 'Applied' }));
    expect((await events('mesh')).filter((e) => e.reason === 'ApplyFailed')).toHaveLength(failedBefore);
    // The map is gone from etcd, the rest of the member's status kept.
    const stored = (await readStored('compute.functionmesh.io', 'functions', ns, 'mesh-m1')) as { status?: { conditions?: unknown; replicas?: number } };
    expect(stored.status).toEqual({ replicas: 1 });
  });
});
