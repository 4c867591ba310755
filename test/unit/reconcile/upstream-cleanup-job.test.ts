// Which Job is Function Mesh's cleanup Job of a resource: only one labelled as its operator labels
// it (the resource's uid under `owner`, its name and component) and controlled by nothing.
import { describe, expect, it } from '@jest/globals';
import { isUpstreamCleanupJob, upstreamCleanupJobName } from '../../../controller/reconcile/upstream-cleanup-job.js';
import type { KubeObject } from '../../../controller/runtime/index.js';

const sink = { kind: 'Sink' as const, metadata: { name: 'es', namespace: 'team-a', uid: 'uid-9' } };
const labels = { 'compute.functionmesh.io/component': 'sink', 'compute.functionmesh.io/name': 'es', owner: 'uid-9' };
const job = (meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'es-sink-cleanup', namespace: 'team-a', labels, ...meta } });

describe("Function Mesh's cleanup Job", () => {
  it('is named `<name>-<component>-cleanup`', () => {
    expect(upstreamCleanupJobName(sink)).toBe('es-sink-cleanup');
    expect(upstreamCleanupJobName({ ...sink, kind: 'Source' })).toBe('es-source-cleanup');
  });

  it.each([
    ['labelled as upstream labels it, no owner', job(), true],
    ["another resource's uid", job({ labels: { ...labels, owner: 'uid-other' } }), false],
    ['no owner label (a user\'s Job)', job({ labels: { 'compute.functionmesh.io/name': 'es', 'compute.functionmesh.io/component': 'sink' } }), false],
    ['another component', job({ labels: { ...labels, 'compute.functionmesh.io/component': 'function' } }), false],
    ['another name', job({ labels: { ...labels, 'compute.functionmesh.io/name': 'es2' } }), false],
    ['controlled by something (a CronJob)', job({ ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'x', uid: 'c1', controller: true }] }), false],
  ])('%s', (_what, candidate, expected) => {
    expect(isUpstreamCleanupJob(candidate, sink)).toBe(expected);
  });

  it('a resource without a uid matches nothing', () => {
    expect(isUpstreamCleanupJob(job({ labels: { ...labels, owner: '' } }), { ...sink, metadata: { ...sink.metadata, uid: '' } })).toBe(false);
  });
});
