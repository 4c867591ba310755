// A setting the render ignores is reported once, by a SettingIgnored Warning event, not at every
// reconcile: ChildrenApplied names it, and that status outlives the controller. So a new
// controller process (whose event recorder has seen nothing) reconciling a new spec of the same
// resource records no second event.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { condition, getObject, startController, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap } from './manifests.js';

let ns: string;
let controller: RunningController | undefined;
beforeAll(async () => {
  ns = await createTestNamespace('ctl-ignored');
});
afterAll(async () => {
  await controller?.stop();
  await deleteNamespace(ns);
});

const ignoredEvents = async () =>
  (await kubectlJson<{ items: { reason: string; message: string; count?: number }[] }>(['-n', ns, 'get', 'events', '--field-selector', 'involvedObject.name=win,reason=SettingIgnored'])).items;

describe('SettingIgnored', () => {
  it('is recorded once, also across a controller restart and a new spec', async () => {
    controller = await startController(ns);
    const windowConfig = { windowLengthCount: 10, slidingIntervalCount: 5, slidingIntervalDurationMs: 1000 };
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap('pulsar'), javaFunction('win', { windowConfig })) });
    await waitFor('ChildrenApplied naming the ignored setting', async () => condition(await getObject('function', ns, 'win'), 'ChildrenApplied')?.message.includes('ignored: spec.windowConfig.slidingIntervalDurationMs') || undefined);
    await waitFor('the SettingIgnored event', async () => ((await ignoredEvents()).length ? true : undefined));

    await controller.stop();
    controller = await startController(ns);
    await kubectlOk(['-n', ns, 'patch', 'function', 'win', '--type=merge', '-p', JSON.stringify({ spec: { maxPendingAsyncRequests: 999 } })]);
    await waitFor('the new spec reconciled', async () => {
      const fn = await getObject('function', ns, 'win');
      return fn?.status?.observedGeneration === fn?.metadata.generation && (fn?.metadata.generation ?? 0) > 1 ? fn : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000)); // events go out with the status write
    expect(await ignoredEvents()).toEqual([expect.objectContaining({ count: 1, message: expect.stringContaining('spec.windowConfig.slidingIntervalDurationMs: unused') })]);
  }, 120_000);
});
