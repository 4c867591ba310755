// When Pulsar or the apiserver goes away mid-test, calls fail fast with an error that says what
// is unreachable, instead of hanging until Jest's timeout.
import { afterAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PulsarAdmin, PulsarUnavailableError } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { PulsarProducer, SendError } from '../../../adapters/pulsar/ws-producer.js';
import { KubeClient } from '../../../controller/runtime/index.js';
import { readEnvFile } from '../../../hack/platform-env.js';
import { OwnPulsar, startOwnApiserver } from '../../support/processes.js';

const cleanups: (() => Promise<void>)[] = [];

// The calls below are given 3 s timeouts; a send's default is 30 s and a hang lasts until Jest's
// timeout. The bound sits between them, far enough above 3 s for a machine busy with other suites.
const FAILS_WITHIN_MS = 15_000;
afterAll(async () => { for (const c of cleanups) await c().catch(() => undefined); });

async function timed<T>(p: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    await p;
    return { error: undefined, ms: Date.now() - t0 };
  } catch (error) {
    return { error, ms: Date.now() - t0 };
  }
}

describe('outages', () => {
  it('a stopped broker fails admin calls and sends within their timeouts, naming Pulsar', async () => {
    const pulsar = await OwnPulsar.start();
    cleanups.push(() => pulsar.destroy());
    const topic = parseTopicName('persistent://public/default/outage');
    const admin = new PulsarAdmin({ url: pulsar.webUrl, timeoutMs: 3000 });
    const producer = new PulsarProducer({ url: pulsar.wsUrl, topic: 'persistent://public/default/outage', sendTimeoutMs: 3000 });
    cleanups.push(() => producer.close());
    await producer.waitConnected(30_000); // a fresh broker loads the topic first
    await producer.send({ payload: Buffer.from('before') });
    expect((await admin.topicStats(topic))?.msgInCounter).toBe(1);

    await pulsar.stop();

    const stats = await timed(admin.topicStats(topic));
    expect(stats.error).toBeInstanceOf(PulsarUnavailableError);
    expect(String(stats.error)).toContain(pulsar.webUrl.replace('http://', ''));
    expect(stats.ms).toBeLessThan(FAILS_WITHIN_MS);
    const send = await timed(producer.send({ payload: Buffer.from('after') }));
    expect(send.error).toBeInstanceOf(SendError);
    expect(send.ms).toBeLessThan(FAILS_WITHIN_MS);
  });

  it('a killed apiserver fails Kubernetes calls within the request timeout, naming the server', async () => {
    const apiserver = await startOwnApiserver();
    cleanups.push(apiserver.stop);
    const env = readEnvFile(path.join(apiserver.dir, 'env'));
    const kc = new KubeConfig();
    kc.loadFromFile(env.KUBECONFIG!);
    const client = new KubeClient(kc, { fieldManager: 'outage-test', requestTimeoutMs: 3000 });
    const namespaces = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };
    expect((await client.list(namespaces)).items.length).toBeGreaterThan(0);

    const pid = /kube-apiserver (\d+)/.exec(readFileSync(path.join(apiserver.dir, 'pids'), 'utf8'))![1]!;
    process.kill(Number(pid), 'SIGKILL');

    const list = await timed(client.list(namespaces));
    expect(list.error).toBeDefined(); // an Error of Node's realm, not Jest's: compare the text
    expect(String(list.error)).toMatch(new RegExp(`127\\.0\\.0\\.1:${new URL(env.KUBE_APISERVER_URL!).port}|ECONNREFUSED`));
    expect(list.ms).toBeLessThan(FAILS_WITHIN_MS);
  });
});
