import { describe, expect, it } from '@jest/globals';
import { BrokerError, type Consumer, type Message } from '../../../adapters/pulsar/binary/index.js';
import { broker, suiteClient, receiveN, topicStats, uniqueTopic, waitFor } from './support.js';

const { webUrl } = broker();
const client = suiteClient();

/** Takes whatever arrives on each consumer until `total` messages came in, acking them. */
async function drain(consumers: Consumer[], total: number): Promise<Message[][]> {
  const got: Message[][] = consumers.map(() => []);
  let count = 0;
  await Promise.all(consumers.map(async (c, i) => {
    while (count < total) {
      const m = await c.receive(300).catch(() => undefined);
      if (!m) continue;
      c.ack(m);
      got[i]!.push(m);
      count++;
    }
  }));
  return got;
}

describe('subscription types', () => {
  it('Exclusive refuses a second consumer', async () => {
    const topic = uniqueTopic('exclusive');
    const first = await client().subscribe({ topic, subscription: 'x', subscriptionType: 'Exclusive' });
    await expect(client().subscribe({ topic, subscription: 'x', subscriptionType: 'Exclusive' })).rejects.toThrow(BrokerError);
    await expect(client().subscribe({ topic, subscription: 'x' })).rejects.toThrow(/ConsumerBusy/);
    await first.close();
  });

  it('Shared spreads messages over the consumers', async () => {
    const topic = uniqueTopic('shared');
    const opts = { topic, subscription: 'sh', subscriptionType: 'Shared' as const, receiverQueueSize: 10 };
    const [a, b] = [await client().subscribe(opts), await client().subscribe(opts)];
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ payload: String(i) })));
    const [fromA, fromB] = await drain([a!, b!], 100);
    expect(fromA!.length).toBeGreaterThan(0);
    expect(fromB!.length).toBeGreaterThan(0);
    expect(new Set([...fromA!, ...fromB!].map((m) => m.payload.toString())).size).toBe(100);
    await Promise.all([a!.close(), b!.close(), producer.close()]);
  });

  it('Failover delivers to one active consumer and fails over when it leaves', async () => {
    const topic = uniqueTopic('failover');
    const opts = { topic, subscription: 'fo', subscriptionType: 'Failover' as const };
    const a = await client().subscribe({ ...opts, consumerName: 'a' });
    const b = await client().subscribe({ ...opts, consumerName: 'b' });
    const producer = await client().createProducer({ topic });
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ payload: String(i) })));
    const [fromA, fromB] = await drain([a, b], 20);
    expect([fromA!.length, fromB!.length].sort()).toEqual([0, 20]);
    const active = fromA!.length === 20 ? a : b;
    const standby = active === a ? b : a;
    await active.close();
    await producer.send({ payload: 'after' });
    expect((await standby.receive(10_000)).payload.toString()).toBe('after');
    await Promise.all([standby.close(), producer.close()]);
  });

  it.each([
    ['unbatched', { batchingEnabled: false }],
    ['batched per key', { batchingType: 'key-based' as const, batchingMaxPublishDelayMs: 20 }],
  ])('Key_Shared keeps each key on one consumer (%s)', async (_, producerOpts) => {
    const topic = uniqueTopic('keyshared');
    const opts = { topic, subscription: 'ks', subscriptionType: 'Key_Shared' as const };
    const a = await client().subscribe(opts);
    const b = await client().subscribe(opts);
    const producer = await client().createProducer({ topic, ...producerOpts });
    await Promise.all(Array.from({ length: 200 }, (_, i) => producer.send({ payload: String(i), key: `key-${i % 10}` })));
    const [fromA, fromB] = await drain([a, b], 200);
    const keysA = new Set(fromA!.map((m) => m.key));
    const keysB = new Set(fromB!.map((m) => m.key));
    expect([...keysA].filter((k) => keysB.has(k))).toEqual([]);
    expect(keysA.size + keysB.size).toBe(10);
    // Both consumers got keys (all ten on one side: 2 in 1024 by chance; a batch without a key
    // goes wholly to whoever owns the empty key's hash).
    expect(keysA.size * keysB.size).toBeGreaterThan(0);
    // Per key, the order is the send order.
    for (const list of [fromA!, fromB!]) {
      for (const key of new Set(list.map((m) => m.key))) {
        const seq = list.filter((m) => m.key === key).map((m) => Number(m.payload.toString()));
        expect(seq).toEqual([...seq].sort((x, y) => x - y));
      }
    }
    await Promise.all([a.close(), b.close(), producer.close()]);
  });
});

describe('acknowledgements', () => {
  it('cumulative ack acknowledges everything before it; Shared refuses it', async () => {
    const topic = uniqueTopic('cumulative');
    const consumer = await client().subscribe({ topic, subscription: 'c', ackGroupingTimeMs: 0 });
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ payload: String(i) })));
    const got = await receiveN(consumer, 10, false);
    consumer.ackCumulative(got[9]!);
    await waitFor('backlog 0', async () => (await topicStats(webUrl, topic)).subscriptions.c!.msgBacklog === 0);
    const shared = await client().subscribe({ topic, subscription: 'sh', subscriptionType: 'Shared' });
    expect(() => shared.ackCumulative(got[0]!)).toThrow(/not allowed on a Shared subscription/);
    await Promise.all([consumer.close(), shared.close(), producer.close()]);
  });

  it('a batch is acknowledged once each of its messages is; a partial ack leaves it for redelivery', async () => {
    const topic = uniqueTopic('batchack');
    const consumer = await client().subscribe({ topic, subscription: 'b', ackGroupingTimeMs: 0, subscriptionType: 'Shared' });
    const producer = await client().createProducer({ topic, batchingMaxMessages: 4, batchingMaxPublishDelayMs: 60_000 });
    const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => producer.send({ payload: String(i) })));
    expect(new Set(ids.map((id) => id.entryId)).size).toBe(1);
    const got = await receiveN(consumer, 4, false);
    consumer.ack(got[0]!);
    consumer.ack(got[1]!);
    await new Promise((r) => setTimeout(r, 300));
    expect((await topicStats(webUrl, topic)).subscriptions.b!.msgBacklog).toBe(1); // one entry left
    // Without batch-index acks on the broker the entry comes back whole after a reconnect.
    await consumer.close();
    const again = await client().subscribe({ topic, subscription: 'b', ackGroupingTimeMs: 0, subscriptionType: 'Shared' });
    const redelivered = await receiveN(again, 4, true);
    expect(redelivered.map((m) => m.payload.toString())).toEqual(['0', '1', '2', '3']);
    await waitFor('backlog 0', async () => (await topicStats(webUrl, topic)).subscriptions.b!.msgBacklog === 0);
    await Promise.all([again.close(), producer.close()]);
  });

  it('a negative ack brings the message back after the redelivery delay, counted', async () => {
    const topic = uniqueTopic('nack');
    for (const subscriptionType of ['Shared', 'Exclusive'] as const) {
      const consumer = await client().subscribe({ topic, subscription: `n-${subscriptionType}`, subscriptionType, negativeAckRedeliveryDelayMs: 300, subscriptionInitialPosition: 'Earliest' });
      const producer = await client().createProducer({ topic });
      if (subscriptionType === 'Shared') await producer.send({ payload: 'retry me' });
      const first = await consumer.receive(5000);
      const nackedAt = Date.now();
      consumer.nack(first);
      const second = await consumer.receive(5000);
      expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(250);
      expect(second.payload.toString()).toBe('retry me');
      expect(second.id.equals(first.id)).toBe(true);
      // The broker counts redeliveries on Shared and Key_Shared subscriptions only.
      expect([subscriptionType, second.redeliveryCount]).toEqual([subscriptionType, subscriptionType === 'Shared' ? 1 : 0]);
      consumer.ack(second);
      await Promise.all([consumer.close(), producer.close()]);
    }
  });
});
