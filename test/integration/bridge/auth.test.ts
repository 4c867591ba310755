// The bridge against a Pulsar broker of this suite's own with token authentication: with the
// token from a mounted-Secret-style file (in Pulsar's `token:<jwt>` form) every message goes
// through; without it the bridge stays unready and says why, and the token never shows in a log.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { PulsarConsumer } from '../../../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../../../adapters/pulsar/ws-producer.js';
import type { ConsumedMessage } from '../../../adapters/pulsar/ws-messages.js';
import { OwnPulsar } from '../../support/processes.js';
import { startBridge, startFunction, uniqueName, waitFor, type BridgeProcess, type TestFunction } from './support.js';

describe('bridge against a Pulsar with token authentication', () => {
  let pulsar: OwnPulsar;
  let token: string;
  let dir: string;
  let fn: TestFunction;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    pulsar = await OwnPulsar.start({ auth: true });
    token = pulsar.token!;
    dir = mkdtempSync(path.join(tmpdir(), 'bridge-token-'));
    writeFileSync(path.join(dir, 'token'), `token:${token}\n`, { mode: 0o600 });
    fn = await startFunction((req, res) => void res.status(200).type('text/plain').send(`${(req.body as Buffer).toString()}!`));
  }, 240_000);

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await fn?.close();
    await pulsar?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function bridge(extra: Record<string, string>, input: string, output: string): Promise<BridgeProcess> {
    const b = await startBridge({
      BRIDGE_MODE: 'function', BRIDGE_PULSAR_URL: pulsar.webUrl, BRIDGE_INPUTS: input, BRIDGE_SUBSCRIPTION: 'fn',
      BRIDGE_OUTPUT: output, BRIDGE_TARGET_URL: fn.url, LOG_LEVEL: 'info', ...extra,
    });
    stops.push(async () => {
      b.child.kill('SIGTERM');
      await b.exited;
    });
    return b;
  }

  it('with the token file, runs every message through the function and acknowledges it', async () => {
    const input = `persistent://public/default/${uniqueName('auth-in')}`;
    const output = `persistent://public/default/${uniqueName('auth-out')}`;
    const admin = new PulsarAdmin({ url: pulsar.webUrl, token, timeoutMs: 10_000 });
    await admin.createSubscription(parseTopicName(input), 'fn', 'earliest');

    const replies: ConsumedMessage[] = [];
    const collector = new PulsarConsumer({
      url: pulsar.wsUrl, topics: [output], subscription: 'collector', subscriptionType: 'Exclusive', authToken: token,
      onMessage: (m, session) => {
        replies.push(m);
        collector.ack(m.messageId, session);
      },
    });
    stops.push(() => collector.close());
    await collector.waitConnected(30_000);

    const b = await bridge({ BRIDGE_AUTH_TOKEN_FILE: path.join(dir, 'token') }, input, output);
    await b.waitReady(60_000);
    const producer = new PulsarProducer({ url: pulsar.wsUrl, topic: input, authToken: token });
    await producer.waitConnected(30_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ payload: Buffer.from(`m${i}`) })));
    await producer.close();

    await waitFor('50 replies', () => replies.length >= 50, 60_000);
    expect(new Set(replies.map((m) => m.payload.toString()))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `m${i}!`)));
    let backlog = -1;
    for (let i = 0; i < 50 && backlog !== 0; i++) {
      backlog = (await admin.topicStats(parseTopicName(input)))?.subscriptions.fn?.msgBacklog ?? -1;
      if (backlog) await new Promise((r) => setTimeout(r, 200));
    }
    expect(backlog).toBe(0);
    expect(b.logs.join('')).not.toContain(token);
  }, 120_000);

  it('without a token, stays unready and logs that Pulsar refused it', async () => {
    const b = await bridge({}, `persistent://public/default/${uniqueName('noauth-in')}`, `persistent://public/default/${uniqueName('noauth-out')}`);
    await waitFor('a refusal in the log', () => /"reason":"HTTP 401/.test(b.logs.join('')), 30_000);
    expect(b.child.exitCode).toBeNull(); // it keeps retrying: a fixed Secret needs no restart
    const ready = await fetch(`${b.opsUrl}/readyz`).then((r) => r.status);
    expect(ready).toBe(503);
  }, 60_000);
});
