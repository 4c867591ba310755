// Push activation against a broker of this suite's own with the WebSocket service off, as every
// non-standalone Pulsar has it by default: the scaler finds the broker through the admin URL's
// HTTP lookup and watches idle topics over the binary protocol, all readers on one connection.
// The push scaler's periodic check never runs within a test, so only a reader can deliver `true`.
import { describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import { ownPulsarWithPushScaler } from './own-pulsar-suite.js';
import { adminFor, expectWake, expectWakeOnTopicCreation, idleWatched, KedaLikeClient, produceBinary, ref, startTestScaler, uniqueName } from './support.js';

describe('push activation with the broker\'s WebSocket service off', () => {
  const suite = ownPulsarWithPushScaler({ conf: ['webSocketServiceEnabled=false'] });

  it('really has no WebSocket API', async () => {
    const { pulsar } = suite;
    const ws = new WebSocket(`${pulsar.wsUrl}/ws/v2/reader/persistent/public/default/${uniqueName('nows')}?messageId=latest`);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.once('error', (err) => resolve(err.message));
    });
    ws.terminate();
    expect(outcome).toMatch(/^HTTP 4\d\d$/);
  });

  it('wakes idle functions by push, five topics over one broker connection', async () => {
    const { pulsar, scaler, keda } = suite;
    const topics = Array.from({ length: 5 }, () => parseTopicName(`public/default/${uniqueName('nows')}`));
    const admin = adminFor(pulsar.webUrl);
    for (const t of topics) await admin.createSubscription(t, 'fn');
    const streams = topics.map((t) => keda.stream(ref('nows', { adminURL: pulsar.webUrl, topics: `persistent://public/default/${t.local}`, subscription: 'fn' })));
    await idleWatched(scaler, () => scaler.watcher.connectedTopics === topics.length);
    expect(streams.every((s) => s.trues.length === 0)).toBe(true);

    // Counted by the broker: every watching reader (a non-durable subscription of its own) is
    // served over the same client address, i.e. one TCP connection.
    const addresses = new Set<string>();
    for (const t of topics) {
      const res = await fetch(`${pulsar.webUrl}/admin/v2/${topicPath(t)}/stats`);
      const stats = (await res.json()) as { subscriptions: Record<string, { consumers: { address?: string }[] }> };
      const readers = Object.entries(stats.subscriptions).filter(([name]) => name.startsWith('fm-scaler-watch'));
      expect(readers).toHaveLength(1);
      for (const [, sub] of readers) for (const c of sub.consumers) addresses.add(c.address ?? '?');
    }
    expect(addresses.size).toBe(1);

    await expectWake(streams[2]!, () => produceBinary(pulsar.brokerUrl, `persistent://public/default/${topics[2]!.local}`, 1));
    expect(streams.filter((s) => s.trues.length > 0)).toHaveLength(1);
    for (const s of streams) s.call.cancel();
  });

  it('wakes a function whose input topic did not exist yet, on the message that creates it', async () => {
    const { pulsar } = suite;
    const checking = await startTestScaler({ checkMs: 500 });
    const client = new KedaLikeClient(checking.server.port);
    try {
      await expectWakeOnTopicCreation({ scaler: checking, keda: client, webUrl: pulsar.webUrl, publish: (t) => produceBinary(pulsar.brokerUrl, t, 1) });
    } finally {
      client.close();
      await checking.close();
    }
  });
});
