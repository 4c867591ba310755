// A batch Source (`batchSourceConfig`): Pulsar's BatchSourceExecutor queues discovered tasks on
// `<name>-intermediate`, read with the subscription `BatchSourceExecutor-<tenant>/<namespace>/<name>`.
// As Function Mesh does, deleting the Source unsubscribes and deletes that topic. No pod has to run:
// the test creates the topic and subscription through the admin API as the executor would.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { SUBSCRIPTION_FINALIZER } from '../../../controller/reconcile/subscription-cleanup.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';
import { condition, freePort, getObject, startController, type RunningController } from './harness.js';
import { list, pulsarConfigMap, type Json } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeEach(async () => {
  ns = await createTestNamespace('ctl-batch');
  controller = await startController(ns, { cleanupPolicy: { attempts: 3, initialDelayMs: 300, requestTimeoutMs: 1000 } });
});
afterEach(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const events = (name: string) => kubectlJson<{ items: { reason: string; type: string; message: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`]);

/** A Source; `pulsarName` is its name in Pulsar (unique, so runs never share an intermediate topic). */
function source(name: string, pulsarName: string, spec: Json = {}): Json {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Source',
    metadata: { name },
    spec: {
      name: pulsarName,
      className: 'org.apache.pulsar.io.datagenerator.DataGeneratorSource',
      output: { topic: `persistent://public/default/${pulsarName}-out` },
      replicas: 1,
      pulsar: { pulsarConfig: 'pulsar' },
      java: { jar: 'connectors/pulsar-io-data-generator.nar' },
      ...spec,
    },
  };
}
const batchSourceConfig = { discoveryTriggererClassName: 'org.apache.pulsar.io.batchdiscovery.ImmediateTriggerer' };

/** Until the children are applied: the finalizer, if any, is added before them. */
const applied = (name: string) =>
  waitFor(`Source ${name} ChildrenApplied`, async () => {
    const obj = await getObject('source', ns, name);
    return condition(obj, 'ChildrenApplied')?.status === 'True' ? obj : undefined;
  }, { timeoutMs: 60_000 });

const gone = (name: string) => waitFor(`Source ${name} gone`, async () => (await getObject('source', ns, name)) === undefined || undefined, { timeoutMs: 30_000 });

describe('batch Source cleanup', () => {
  // A namespace may create topics partitioned (allowAutoTopicCreationType); the topic goes either way.
  it.each([0, 2])("deletes the executor's subscription and the intermediate topic (%i partitions) when the Source is deleted", async (partitions) => {
    const web = readPlatformEnv().PULSAR_WEB_URL;
    const admin = new PulsarAdmin({ url: web });
    const pulsarName = `files-${randomBytes(4).toString('hex')}`;
    const intermediate = parseTopicName(`persistent://public/default/${pulsarName}-intermediate`);
    const subscription = `BatchSourceExecutor-public/default/${pulsarName}`;
    if (partitions) {
      const res = await fetch(`${web}/admin/v2/persistent/public/default/${pulsarName}-intermediate/partitions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: String(partitions) });
      expect(res.status).toBe(204);
    }
    await admin.createSubscription(intermediate, subscription);
    expect(await admin.partitionedMetadata(intermediate)).toBe(partitions);
    expect(await admin.listSubscriptions(intermediate)).toContain(subscription);

    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap('pulsar', web), source('batch', pulsarName, { batchSourceConfig })) });
    expect((await applied('batch')).metadata.finalizers).toEqual([SUBSCRIPTION_FINALIZER]);

    await kubectlOk(['-n', ns, 'delete', 'source', 'batch', '--wait=false']);
    await gone('batch');
    expect(await admin.listSubscriptions(intermediate)).toBeUndefined(); // the topic is gone with it
    expect(await admin.partitionedMetadata(intermediate)).toBe(0);
    expect((await admin.listTopics('public', 'default')).map((t) => t.local)).not.toContain(`${pulsarName}-intermediate`);
    const deleted = (await events('batch')).items.find((e) => e.reason === 'SubscriptionDeleted');
    expect(deleted?.message).toContain(`subscription ${subscription} deleted from persistent://public/default/${pulsarName}-intermediate`);
    expect(deleted?.message).toContain(`topic persistent://public/default/${pulsarName}-intermediate deleted`);
  });

  it('a Source that is not a batch Source gets no finalizer', async () => {
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap('pulsar', readPlatformEnv().PULSAR_WEB_URL), source('plain', `plain-${randomBytes(4).toString('hex')}`)) });
    expect((await applied('plain')).metadata.finalizers ?? []).not.toContain(SUBSCRIPTION_FINALIZER);
  });

  it('releases the finalizer with a Warning after bounded attempts when Pulsar is unreachable', async () => {
    const closedPort = await freePort();
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap('pulsar', `http://127.0.0.1:${closedPort}`), source('orphan', `orphan-${randomBytes(4).toString('hex')}`, { batchSourceConfig })) });
    expect((await applied('orphan')).metadata.finalizers).toEqual([SUBSCRIPTION_FINALIZER]);
    const started = Date.now();
    await kubectlOk(['-n', ns, 'delete', 'source', 'orphan', '--wait=false']);
    await gone('orphan');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // 3 attempts, 300 ms then 600 ms apart
    const warning = (await events('orphan')).items.find((e) => e.reason === 'SubscriptionCleanupFailed');
    expect(warning).toEqual(expect.objectContaining({ type: 'Warning', message: expect.stringContaining('gave up deleting the subscription after 3 attempts') }));
    expect(warning?.message).toContain('-intermediate with pulsar-admin topics delete -f');
  });
});
