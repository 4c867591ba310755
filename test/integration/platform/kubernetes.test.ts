// The local platform is a real Kubernetes: the scheduler places pods on kwok nodes, kwok runs
// them, the controller-manager reconciles Deployments and evaluates HPAs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';

interface Pod { spec: { nodeName?: string }; status: { phase?: string } }
interface Hpa { status?: { conditions?: { type: string; status: string; reason: string }[] } }

let ns: string;
beforeAll(async () => { ns = await createTestNamespace('platform'); });
afterAll(async () => { await deleteNamespace(ns); });

describe('local Kubernetes', () => {
  it('schedules a Deployment onto kwok nodes and runs its pods', async () => {
    await kubectlOk(['-n', ns, 'create', 'deployment', 'web', '--image=example.invalid/web:1', '--replicas=2']);
    const pods = await waitFor('2 Running pods', async () => {
      const list = await kubectlJson<{ items: Pod[] }>(['-n', ns, 'get', 'pods', '-l', 'app=web']);
      const running = list.items.filter((p) => p.status.phase === 'Running');
      return running.length === 2 ? running : undefined;
    });
    for (const pod of pods) expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
  });

  it('has the controller-manager evaluate an HPA', async () => {
    await kubectlOk(['-n', ns, 'create', 'deployment', 'scaled', '--image=example.invalid/web:1']);
    await kubectlOk(['-n', ns, 'autoscale', 'deployment', 'scaled', '--min=1', '--max=3', '--cpu=50%']);
    // No metrics server runs: the controller shows it evaluated the HPA by reporting exactly that.
    const conditions = await waitFor('HPA conditions', async () => {
      const hpa = await kubectlJson<Hpa>(['-n', ns, 'get', 'hpa', 'scaled']);
      return hpa.status?.conditions?.length ? hpa.status.conditions : undefined;
    });
    expect(conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' }),
    ]));
  });

  it('serves KEDA: ScaledObject CRD and the external metrics API', async () => {
    const crd = await kubectlJson<{ status: { conditions: { type: string; status: string }[] } }>(
      ['get', 'crd', 'scaledobjects.keda.sh']);
    expect(crd.status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' })]));
    const apis = JSON.parse(await kubectlOk(['get', '--raw', '/apis/external.metrics.k8s.io/v1beta1'])) as { groupVersion: string };
    expect(apis.groupVersion).toBe('external.metrics.k8s.io/v1beta1');
  });
});
