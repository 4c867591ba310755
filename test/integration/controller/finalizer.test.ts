// cleanupSubscription: deleting the Function deletes its subscription through Pulsar's admin
// API; when Pulsar cannot be reached the finalizer is released after the bounded attempts, with
// a Warning event saying what was left behind.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { SUBSCRIPTION_FINALIZER } from '../../../controller/reconcile/subscription-cleanup.js';
import { OwnPulsar } from '../../support/processes.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';
import { freePort, getObject, startController, waitForReady, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap, topic } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeEach(async () => {
  ns = await createTestNamespace('ctl-final');
  controller = await startController(ns, { cleanupPolicy: { attempts: 3, initialDelayMs: 300, requestTimeoutMs: 1000 } });
});
afterEach(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const events = (name: string) => kubectlJson<{ items: { reason: string; type: string; message: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`]);

describe('subscription cleanup finalizer', () => {
  it('deletes the subscription from every input topic when the Function is deleted', async () => {
    const web = readPlatformEnv().PULSAR_WEB_URL;
    const admin = new PulsarAdmin({ url: web });
    const inputs = [topic('cleanup-a'), topic('cleanup-b')];
    const subscription = `sub-${ns}`;
    for (const t of inputs) await admin.createSubscription(parseTopicName(t), subscription);

    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar', web), javaFunction('clean', { cleanupSubscription: true, subscriptionName: subscription, input: { topics: inputs } })),
    });
    const fn = await waitForReady('function', ns, 'clean');
    expect(fn.metadata.finalizers).toContain(SUBSCRIPTION_FINALIZER);

    await kubectlOk(['-n', ns, 'delete', 'function', 'clean', '--wait=false']);
    await waitFor('Function gone', async () => (await getObject('function', ns, 'clean')) === undefined || undefined, { timeoutMs: 30_000 });
    for (const t of inputs) expect(await admin.listSubscriptions(parseTopicName(t))).not.toContain(subscription);
    expect((await events('clean')).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
  });

  it('reaches a broker served over https:// by a private CA: through tlsConfig\'s CA, or with allowInsecure', async () => {
    const pulsar = await OwnPulsar.start({ tls: true });
    try {
      // Setup only: a broker just started creates its first ledgers slowly on a loaded machine.
      const admin = new PulsarAdmin({ url: pulsar.webUrl, timeoutMs: 60_000 });
      const subscription = `sub-${ns}`;
      const inputs = { trusting: topic('cleanup-tls'), insecure: topic('cleanup-insecure') };
      for (const t of Object.values(inputs)) await admin.createSubscription(parseTopicName(t), subscription);
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'pulsar-ca', `--from-file=ca.crt=${pulsar.tls!.caFile}`]);
      const tlsConfigs = {
        trusting: { enabled: true, certSecretName: 'pulsar-ca', certSecretKey: 'ca.crt' },
        insecure: { enabled: true, allowInsecure: true },
      };
      await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
        input: list(
          pulsarConfigMap('pulsar', pulsar.tlsWebUrl),
          ...(['trusting', 'insecure'] as const).map((name) =>
            javaFunction(name, { cleanupSubscription: true, subscriptionName: subscription, input: { topics: [inputs[name]] }, pulsar: { pulsarConfig: 'pulsar', tlsConfig: tlsConfigs[name] } })),
        ),
      });
      for (const name of ['trusting', 'insecure']) await waitForReady('function', ns, name);
      await kubectlOk(['-n', ns, 'delete', 'function', 'trusting', 'insecure', '--wait=false']);
      for (const name of ['trusting', 'insecure'] as const) {
        await waitFor(`${name} gone`, async () => (await getObject('function', ns, name)) === undefined || undefined, { timeoutMs: 30_000 });
        expect(await admin.listSubscriptions(parseTopicName(inputs[name]))).not.toContain(subscription);
        expect((await events(name)).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
      }
    } finally {
      await pulsar.destroy();
    }
  }, 120_000);

  it('releases the finalizer with a Warning after bounded attempts when Pulsar is unreachable', async () => {
    const closedPort = await freePort();
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar', `http://127.0.0.1:${closedPort}`), javaFunction('orphan', { cleanupSubscription: true })),
    });
    await waitForReady('function', ns, 'orphan');
    const started = Date.now();
    await kubectlOk(['-n', ns, 'delete', 'function', 'orphan', '--wait=false']);
    await waitFor('Function gone', async () => (await getObject('function', ns, 'orphan')) === undefined || undefined, { timeoutMs: 30_000 });
    // 3 attempts, 300 ms then 600 ms apart: well under the 30 s bound, and not at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const warning = (await events('orphan')).items.find((e) => e.reason === 'SubscriptionCleanupFailed');
    expect(warning).toEqual(expect.objectContaining({ type: 'Warning', message: expect.stringContaining('gave up deleting the subscription after 3 attempts') }));
    expect(warning?.message).toContain(`127.0.0.1:${closedPort}`);
  });
});
