// Function Mesh's own sample manifests, applied with kubectl as a user would: each yields its
// Deployment, Service and (when it autoscales) KEDA ScaledObject, owned by the resource, with
// pods Running on the kwok nodes and the resource Ready.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, runningPods, sampleManifest, startController, waitForReady, type RunningController } from './harness.js';

interface Expected {
  file: string;
  kind: string;
  name: string;
  /** Each workload resource and whether it gets a ScaledObject (min..max). */
  workloads: { resource: string; kind: 'Function' | 'Source' | 'Sink'; scaledObject?: [number, number] }[];
}

const SAMPLES: Expected[] = [
  { file: 'compute_v1alpha1_function.yaml', kind: 'function', name: 'java-function-sample', workloads: [{ resource: 'java-function-sample', kind: 'Function', scaledObject: [1, 5] }] },
  { file: 'compute_v1alpha1_go_function.yaml', kind: 'function', name: 'go-function-sample', workloads: [{ resource: 'go-function-sample', kind: 'Function' }] },
  { file: 'compute_v1alpha1_py_function.yaml', kind: 'function', name: 'py-function-sample', workloads: [{ resource: 'py-function-sample', kind: 'Function' }] },
  { file: 'compute_v1alpha1_sink.yaml', kind: 'sink', name: 'sink-sample', workloads: [{ resource: 'sink-sample', kind: 'Sink' }] },
  { file: 'compute_v1alpha1_source.yaml', kind: 'source', name: 'source-sample', workloads: [{ resource: 'source-sample', kind: 'Source' }] },
  {
    file: 'compute_v1alpha1_functionmesh.yaml',
    kind: 'functionmesh',
    name: 'functionmesh-sample',
    workloads: [
      { resource: 'functionmesh-sample-ex1', kind: 'Function' },
      { resource: 'functionmesh-sample-ex2', kind: 'Function' },
    ],
  },
];

let ns = '';
let controller: RunningController | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  if (ns) await deleteNamespace(ns);
});

describe('Function Mesh samples', () => {
  it.each(SAMPLES)('$file yields its children, running pods and Ready', async (sample) => {
    ns = await createTestNamespace('ctl-sample');
    controller = await startController(ns);
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: sampleManifest(sample.file) });

    const top = await waitForReady(sample.kind, ns, sample.name);
    expect(condition(top, 'ChildrenApplied')?.status).toBe('True');

    for (const w of sample.workloads) {
      const owner = await waitForReady(w.kind.toLowerCase(), ns, w.resource);
      const workloadName = `${w.resource}-${w.kind.toLowerCase()}`;
      const deployment = await getObject('deployment', ns, workloadName);
      expect(deployment?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: w.kind, name: w.resource, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }),
      ]);
      const service = await getObject('service', ns, workloadName);
      expect(service?.metadata.ownerReferences?.[0]?.uid).toBe(owner.metadata.uid);

      const scaledObject = await getObject('scaledobject', ns, workloadName);
      if (w.scaledObject) {
        expect(scaledObject?.spec).toEqual(expect.objectContaining({ minReplicaCount: w.scaledObject[0], maxReplicaCount: w.scaledObject[1] }));
        expect(scaledObject?.metadata.ownerReferences?.[0]?.uid).toBe(owner.metadata.uid);
        // KEDA scales this Deployment: the controller's applied configuration has no replicas.
        expect(JSON.stringify(deployment?.metadata.managedFields?.find((m) => m.manager === 'functionmesh-controller' && m.operation === 'Apply')?.fieldsV1)).not.toContain('f:replicas');
      } else {
        expect(scaledObject).toBeUndefined();
        expect(deployment?.spec?.replicas).toBe(1);
      }
      expect(owner.status?.selector).toBeTruthy();
      const pods = await waitFor(`pods of ${workloadName} Running`, async () => {
        const running = await runningPods(ns, owner.status!.selector!);
        return running.length >= 1 ? running : undefined;
      });
      expect(pods.length).toBeGreaterThanOrEqual(1);
      expect(owner.status?.replicas).toBeGreaterThanOrEqual(1);
    }
  });
});
