import { describe, expect, it } from '@jest/globals';
import { MessageId, PulsarClient, TimeoutError } from '../../../adapters/pulsar/binary/index.js';
import { broker, suiteClient, receiveN, topicStats, uniqueTopic, waitFor } from './support.js';

const { webUrl } = broker();
const client = suiteClient({ operationTimeoutMs: 20_000 });

describe('producing and consuming over the binary protocol', () => {
  it('round-trips key, properties, event time and payload, with receipts and sequence ids', async () => {
    const topic = uniqueTopic('roundtrip');
    const consumer = await client().subscribe({ topic, subscription: 's', subscriptionInitialPosition: 'Earliest' });
    const producer = await client().createProducer({ topic, producerName: `p-${Date.now()}` });
    const before = Date.now();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({
      payload: `message ${i}`, key: `k${i % 3}`, properties: { n: String(i) }, eventTime: 1_700_000_000_000 + i,
    })));
    expect(new Set(ids.map(String)).size).toBe(20);
    const got = await receiveN(consumer, 20);
    expect(got.map((m) => m.payload.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
    expect(got.map((m) => m.key)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i % 3}`));
    expect(got[5]!.properties).toEqual({ n: '5' });
    expect(got[5]!.eventTime).toBe(1_700_000_000_005);
    expect(got[5]!.publishTime).toBeGreaterThanOrEqual(before - 1000);
    expect(got[0]!.producerName).toBe(producer.producerName);
    expect(got.map((m) => m.sequenceId)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(got.map((m) => m.id.toString())).toEqual(ids.map((id) => id.toString()));
    expect(got[0]!.redeliveryCount).toBe(0);
    await producer.close();
    await consumer.close();
  });

  it('batches by count, by bytes and by delay, and sends unbatched when asked', async () => {
    const topic = uniqueTopic('batching');
    const consumer = await client().subscribe({ topic, subscription: 's' });
    const byCount = await client().createProducer({ topic, batchingMaxMessages: 10, batchingMaxPublishDelayMs: 60_000 });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => byCount.send({ payload: String(i) })));
    expect(new Set(ids.map((id) => id.entryId)).size).toBe(3);
    expect(ids.every((id) => id.batchSize === 10)).toBe(true);
    const byDelay = await client().createProducer({ topic, batchingMaxPublishDelayMs: 5 });
    const single = await byDelay.send({ payload: 'alone' });
    expect(single.batchSize).toBe(1);
    const bySize = await client().createProducer({ topic, batchingMaxBytes: 2048, batchingMaxPublishDelayMs: 60_000 });
    const bigSends = Array.from({ length: 4 }, () => bySize.send({ payload: Buffer.alloc(1500, 1) }));
    await bySize.flush(); // the last batch is not full: flush() sends it before the 60 s delay
    const big = await Promise.all(bigSends);
    expect(new Set(big.map((id) => id.entryId)).size).toBe(4);
    const unbatched = await client().createProducer({ topic, batchingEnabled: false });
    const u = await unbatched.send({ payload: 'plain' });
    expect(u.batchIndex).toBe(-1);
    const got = await receiveN(consumer, 36);
    expect(got.map((m) => m.payload.toString()).slice(30, 31)).toEqual(['alone']);
    expect(got[35]!.payload.toString()).toBe('plain');
    await Promise.all([byCount.close(), byDelay.close(), bySize.close(), unbatched.close(), consumer.close()]);
  });

  it('makes send() wait while maxPendingMessages are without a receipt', async () => {
    const topic = uniqueTopic('backpressure');
    const producer = await client().createProducer({ topic, maxPendingMessages: 5, batchingMaxPublishDelayMs: 200, batchingMaxMessages: 100 });
    const started: number[] = [];
    const sends = Array.from({ length: 12 }, (_, i) => producer.send({ payload: String(i) }).then((id) => {
      started.push(i);
      return id;
    }));
    // Nothing is acknowledged within the 200 ms batching delay, so only 5 messages are in flight:
    // the 6th send() has not even reached the batch yet.
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual([]);
    const ids = await Promise.all(sends);
    expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // At most 5 per entry: the batch could never hold more than the pending limit.
    const perEntry = new Map<number, number>();
    for (const id of ids) perEntry.set(id.entryId, (perEntry.get(id.entryId) ?? 0) + 1);
    expect(Math.max(...perEntry.values())).toBeLessThanOrEqual(5);
    await producer.close();
  });

  it('makes send() wait while the client\'s memory limit is held, keeping the order of sends', async () => {
    // 10,000 bytes for the whole client: three 3,000-byte messages fit, the 4th waits for the
    // receipt of the batch holding them, so every batch has three messages (the last one less).
    const small = new PulsarClient({ serviceUrl: broker().brokerUrl, memoryLimitBytes: 10_000 });
    const topic = uniqueTopic('memory');
    const producer = await small.createProducer({ topic, batchingMaxPublishDelayMs: 100, batchingMaxMessages: 1000 });
    const ids = await Promise.all(Array.from({ length: 7 }, () => producer.send({ payload: Buffer.alloc(3000, 1) })));
    expect(ids.map((id) => id.batchSize)).toEqual([3, 3, 3, 3, 3, 3, 1]);
    expect(ids.map((id) => id.batchIndex)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(new Set(ids.map((id) => id.entryId)).size).toBe(3);
    expect([...ids].sort((a, b) => a.entryId - b.entryId || a.batchIndex - b.batchIndex)).toEqual(ids);
    // A message larger than the whole limit goes when nothing else is held, instead of waiting forever.
    const big = await producer.send({ payload: Buffer.alloc(20_000, 2) });
    expect(big.batchSize).toBe(1);
    await small.close();
  });

  it('sends a message larger than chunkMaxMessageSize in chunks that our consumer joins, and one ack covers them all', async () => {
    const topic = uniqueTopic('chunked');
    const consumer = await client().subscribe({ topic, subscription: 'c', ackGroupingTimeMs: 0 });
    const producer = await client().createProducer({ topic, batchingEnabled: false, chunkingEnabled: true, chunkMaxMessageSize: 1000 });
    const payload = Buffer.from(Array.from({ length: 4500 }, (_, i) => i & 0xff));
    const id = await producer.send({ payload, key: 'k' });
    expect(id.chunks?.map((c) => c.entryId)).toEqual([0, 1, 2, 3, 4].map((k) => id.chunks![0]!.entryId + k));
    const m = await consumer.receive(5000);
    expect({ whole: m.payload.equals(payload), key: m.key, entryId: m.id.entryId }).toEqual({ whole: true, key: 'k', entryId: id.entryId });
    consumer.ack(m);
    await waitFor('backlog 0', async () => (await topicStats(webUrl, topic)).subscriptions.c!.msgBacklog === 0);
    await expect(client().createProducer({ topic, chunkingEnabled: true })).rejects.toThrow('set batchingEnabled: false');
    await producer.close();
    await consumer.close();
  });

  it('receive() times out on an empty topic, and the ack removes the backlog', async () => {
    const topic = uniqueTopic('ack');
    const consumer = await client().subscribe({ topic, subscription: 'sub', ackGroupingTimeMs: 10 });
    await expect(consumer.receive(300)).rejects.toThrow(TimeoutError);
    const producer = await client().createProducer({ topic });
    await Promise.all([producer.send({ payload: 'a' }), producer.send({ payload: 'b' })]);
    await receiveN(consumer, 2);
    await waitFor('backlog 0', async () => (await topicStats(webUrl, topic)).subscriptions.sub!.msgBacklog === 0);
    await producer.close();
    await consumer.close();
  });

  it('serializes message ids as the Java client does and parses them back', async () => {
    const topic = uniqueTopic('ids');
    const producer = await client().createProducer({ topic });
    const id = await producer.send({ payload: 'x' });
    const back = MessageId.deserialize(id.serialize());
    expect(back.equals(id)).toBe(true);
    expect(MessageId.parse(id.toString()).equals(id)).toBe(true);
    await producer.close();
  });
});
