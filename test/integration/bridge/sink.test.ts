// Sink mode against the real Pulsar, over several topics (binary, and the WebSocket fallback's v3
// multi-topic endpoint) and a topic pattern: every message reaches the sink, failures are retried, acknowledgement follows
// the 2xx, and the sink's answers produce nothing.
import { afterEach, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { readPlatformEnv } from '../../support/platform.js';
import { bridgePulsar, createSubscription, produceAll, startBridge, startFunction, uniqueName, waitFor, type BridgeProcess, type TestFunction } from './support.js';

const env = readPlatformEnv();
const ns = 'persistent://public/default';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function sinkRun(inputs: string[], inputEnv: Record<string, string>, transport: 'binary' | 'websocket' = 'binary') {
  const received = new Map<string, { type: string; source: string; partitionkey?: string }>();
  const sink: TestFunction = await startFunction((req, res) => {
    if (Math.random() < 0.2) return void res.status(503).end();
    received.set((req.body as Buffer).toString(), {
      type: String(req.headers['ce-type']), source: String(req.headers['ce-source']), partitionkey: req.headers['ce-partitionkey'] as string,
    });
    res.status(200).type('text/plain').send('a reply that a sink must not produce');
  });
  for (const topic of inputs) await createSubscription(env.PULSAR_WEB_URL, topic, 'sink');
  const bridge: BridgeProcess = await startBridge({
    BRIDGE_MODE: 'sink', ...bridgePulsar({ broker: env.PULSAR_BROKER_URL, web: env.PULSAR_WEB_URL }, transport), BRIDGE_SUBSCRIPTION: 'sink', BRIDGE_TARGET_URL: sink.url,
    BRIDGE_DEAD_LETTER_TOPIC: `${ns}/${uniqueName('sink-dlq')}`, BRIDGE_RETRY_BACKOFF_MS: '10', ...inputEnv,
  });
  cleanups.push(async () => {
    bridge.child.kill('SIGTERM');
    await bridge.exited;
    await sink.close();
  });
  await bridge.waitReady();
  for (const [i, topic] of inputs.entries()) {
    await produceAll(env.PULSAR_BROKER_URL, topic, Array.from({ length: 100 }, (_, n) => ({ payload: Buffer.from(`${i}-${n}`), key: `k${n}` })));
  }
  await waitFor('every message at the sink', () => received.size >= inputs.length * 100, 60_000);
  // Acknowledged after the 2xx: nothing left in the subscriptions.
  const admin = new PulsarAdmin({ url: env.PULSAR_WEB_URL });
  for (const topic of inputs) {
    let backlog = -1;
    for (let i = 0; i < 50 && backlog !== 0; i++) {
      const stats = await admin.topicStats(parseTopicName(topic));
      backlog = stats?.subscriptions.sink?.msgBacklog ?? -1;
      if (backlog) await new Promise((r) => setTimeout(r, 200));
    }
    expect(backlog).toBe(0);
  }
  return { received, retried: await bridge.metric('bridge_messages_retried_total'), replies: await bridge.metric('bridge_replies_produced_total') };
}

describe('sink mode', () => {
  // The WebSocket fallback reads several topics through its v3 multi-topic endpoint.
  it.each(['binary', 'websocket'] as const)('consumes several topics (%s)', async (transport) => {
    const inputs = [`${ns}/${uniqueName('sink-a')}`, `${ns}/${uniqueName('sink-b')}`];
    const { received, retried, replies } = await sinkRun(inputs, { BRIDGE_INPUTS: inputs.join(',') }, transport);
    expect(received.size).toBe(200);
    expect(received.get('1-7')).toEqual({ type: 'io.functionmesh.pulsar.message', source: inputs.join(','), partitionkey: 'k7' });
    expect(retried).toBeGreaterThan(0);
    expect(replies).toBe(0);
  }, 90_000);

  it('consumes the topics matching a pattern', async () => {
    const prefix = uniqueName('sinkpat');
    const inputs = [`${ns}/${prefix}-x`, `${ns}/${prefix}-y`];
    const { received } = await sinkRun(inputs, { BRIDGE_INPUT_PATTERN: `${ns}/${prefix}-.*`, BRIDGE_CE_SOURCE: '/pattern' });
    expect(received.size).toBe(200);
    expect(received.get('0-1')?.source).toBe('/pattern');
  }, 90_000);
});
