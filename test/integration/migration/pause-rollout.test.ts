// `compute.functionmesh.io/pause-rollout: "true"` and the --pause-rollout flag on the real
// platform, as Function Mesh honours them: a controller whose settings changed (here the operator
// config's resourceLabels, as after an upgrade) rolls out nothing to a paused resource until its
// spec changes; new resources are still created.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultRenderSettings } from '../../../controller/render/index.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { startController, waitForReady, type RunningController } from '../controller/harness.js';
import { javaFunction, list, pulsarConfigMap } from '../controller/manifests.js';

let ns: string;
let controller: RunningController | undefined;
const paused = { 'compute.functionmesh.io/pause-rollout': 'true' };

/** The controller as after an upgrade: `rev` is a label its settings put on every pod. */
async function startWith(rev: string, pauseRollout = false): Promise<void> {
  await controller?.stop();
  controller = await startController(ns, { settings: { ...defaultRenderSettings('functionmesh-system'), resourceLabels: { 'example.com/rev': rev } }, pauseRollout });
}

async function podRev(name: string): Promise<string | undefined> {
  const d = await kubectlJson<{ spec: { template: { metadata: { labels: Record<string, string> } } } }>(['-n', ns, 'get', 'deployment', `${name}-function`]);
  return d.spec.template.metadata.labels['example.com/rev'];
}

const waitForRev = (name: string, rev: string) => waitFor(`${name} rolled out with rev ${rev}`, async () => (await podRev(name)) === rev || undefined, { timeoutMs: 30_000 });

/** A reconcile of each (a metadata change wakes it), then time for it to act. */
async function nudge(...names: string[]): Promise<void> {
  for (const name of names) await kubectlOk(['-n', ns, 'annotate', '--overwrite', 'function', name, `nudge=${Date.now()}`]);
  await new Promise((r) => setTimeout(r, 3000));
}

describe('pause-rollout', () => {
  beforeAll(async () => {
    ns = await createTestNamespace('pause');
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar'), { ...javaFunction('held'), metadata: { name: 'held', annotations: paused } }, javaFunction('free')),
    });
    await startWith('1');
    for (const name of ['held', 'free']) await waitForReady('function', ns, name);
  });
  afterAll(async () => {
    await controller?.stop();
    await deleteNamespace(ns);
  });

  it('the annotation: a settings change rolls out to the others, not to the paused one, until its spec changes', async () => {
    await startWith('2');
    await waitForRev('free', '2');
    await nudge('held');
    expect(await podRev('held')).toBe('1');
    await kubectlOk(['-n', ns, 'patch', 'function', 'held', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    await waitForRev('held', '2');
  });

  it('the flag: nothing existing is rolled out without a new spec, and new resources are still created', async () => {
    await startWith('3', true);
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(javaFunction('fresh')) });
    await waitForRev('fresh', '3');
    await nudge('free', 'held');
    expect(await podRev('free')).toBe('2');
    expect(await podRev('held')).toBe('2');
    await kubectlOk(['-n', ns, 'patch', 'function', 'free', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    await waitForRev('free', '3');
  });
});
