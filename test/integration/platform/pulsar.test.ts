// The local platform's Pulsar is a real broker: messages produced through the WebSocket API are a
// real subscription backlog in the admin API, and acknowledging them drains it; a message at the
// broker's size limit is stored and read back, and the broker goes on storing after it.
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { PulsarClient } from '../../../adapters/pulsar/binary/index.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { PulsarConsumer } from '../../../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../../../adapters/pulsar/ws-producer.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';

const env = readPlatformEnv();
const admin = new PulsarAdmin({ url: env.PULSAR_WEB_URL, timeoutMs: 10_000 });
const closers: (() => Promise<void>)[] = [];
afterAll(async () => { await Promise.all(closers.map((close) => close())); });

describe('local Pulsar', () => {
  it('shows 1,000 produced messages as a backlog of 1,000, and 0 once consumed and acked', async () => {
    const topic = `persistent://public/default/platform-${randomBytes(4).toString('hex')}`;
    const subscription = 'platform-test';
    // The subscription exists before the first message, so it counts every one of them.
    expect(await admin.createSubscription(parseTopicName(topic), subscription, 'earliest')).toBe(true);

    const producer = new PulsarProducer({ url: env.PULSAR_WS_URL, topic });
    closers.push(() => producer.close());
    await Promise.all(Array.from({ length: 1000 }, (_, i) => producer.send({ payload: Buffer.from(`message ${i}`) })));

    const backlog = async (): Promise<number | undefined> =>
      (await admin.topicStats(parseTopicName(topic)))?.subscriptions[subscription]?.msgBacklog;
    expect(await backlog()).toBe(1000);

    const acked = new Set<string>();
    const consumer = new PulsarConsumer({
      url: env.PULSAR_WS_URL, topics: [topic], subscription, subscriptionType: 'Shared', receiverQueueSize: 1000,
      onMessage: (message, session) => { if (consumer.ack(message.messageId, session)) acked.add(message.messageId); },
    });
    closers.push(() => consumer.close());
    await waitFor('1,000 acks', async () => acked.size >= 1000, { timeoutMs: 60_000 });
    expect(await waitFor('backlog 0', async () => ((await backlog()) === 0 ? 0 : undefined), { timeoutMs: 30_000 })).toBe(0);
  });

  it('stores the largest message our client sends (5 MiB less 1 KiB of headroom and its metadata) and goes on storing after it', async () => {
    // The bookie must take an entry this large. (A Java client may send up to 5 MiB + 10 KiB: the
    // bookie's frame limit in hack/pulsar/standalone.conf is set for that; not exercised here.)
    const client = new PulsarClient({ serviceUrl: env.PULSAR_BROKER_URL });
    closers.push(() => client.close());
    const topic = `persistent://public/default/platform-max-${randomBytes(4).toString('hex')}`;
    const consumer = await client.subscribe({ topic, subscription: 'platform-test' });
    const producer = await client.createProducer({ topic, batchingEnabled: false, sendTimeoutMs: 30_000 });
    const largest = Buffer.alloc(5 * 1024 * 1024 - 1024 - 200, 7);
    await producer.send({ payload: largest });
    await producer.send({ payload: Buffer.from('after') });
    const first = await consumer.receive(30_000);
    expect(first.payload.equals(largest)).toBe(true);
    expect((await consumer.receive(30_000)).payload.toString()).toBe('after');
  }, 90_000);
});
