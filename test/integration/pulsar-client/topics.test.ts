import { describe, expect, it } from '@jest/globals';
import { MessageId, PulsarClient, murmur3Hash32 } from '../../../adapters/pulsar/binary/index.js';
import { broker, suiteClient, createPartitionedTopic, receiveN, topicStats, uniqueTopic, unloadTopic, waitFor } from './support.js';

const { brokerUrl, webUrl } = broker();
const client = suiteClient();

describe('partitioned and multi-topic', () => {
  it('routes keys by murmur3 and the rest round robin; a consumer reads all partitions', async () => {
    const topic = uniqueTopic('partitioned');
    await createPartitionedTopic(webUrl, topic, 4);
    expect(await client().getPartitionCount(topic)).toBe(4);
    const consumer = await client().subscribe({ topic, subscription: 's' });
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    const keyed = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((key) => producer.send({ payload: key, key })));
    for (const [i, key] of ['alpha', 'beta', 'gamma', 'delta'].entries()) {
      expect(keyed[i]!.partition).toBe(murmur3Hash32(key) % 4);
      expect(keyed[i]!.topic).toBe(`${topic}-partition-${murmur3Hash32(key) % 4}`);
    }
    const unkeyed = await Promise.all(Array.from({ length: 8 }, (_, i) => producer.send({ payload: `u${i}` })));
    expect(new Set(unkeyed.map((id) => id.partition)).size).toBe(4);
    const got = await receiveN(consumer, 12);
    expect(new Set(got.map((m) => m.payload.toString())).size).toBe(12);
    expect(new Set(got.map((m) => m.topic)).size).toBe(4);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('one consumer over several topics acks each message on its own topic', async () => {
    const [t1, t2] = [uniqueTopic('multi-a'), uniqueTopic('multi-b')];
    const consumer = await client().subscribe({ topics: [t1, t2], subscription: 'm', ackGroupingTimeMs: 0 });
    const p1 = await client().createProducer({ topic: t1 });
    const p2 = await client().createProducer({ topic: t2 });
    await Promise.all([p1.send({ payload: 'one' }), p2.send({ payload: 'two' })]);
    const got = await receiveN(consumer, 2);
    expect(got.map((m) => [m.topic, m.payload.toString()]).sort()).toEqual([[t1, 'one'], [t2, 'two']]);
    await consumer.close();
    const again = await client().subscribe({ topics: [t1, t2], subscription: 'm' });
    await expect(again.receive(500)).rejects.toThrow(/no message/);
    await Promise.all([again.close(), p1.close(), p2.close()]);
  });

  it('reads every partition of a partitioned topic with one reader', async () => {
    const topic = uniqueTopic('partitioned-reader');
    await createPartitionedTopic(webUrl, topic, 3);
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    await Promise.all(Array.from({ length: 9 }, (_, i) => producer.send({ payload: String(i), key: `k${i}` })));
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest });
    const got = [];
    while (await reader.hasMessageAvailable()) got.push((await reader.readNext(5000)).payload.toString());
    expect(got.sort()).toEqual(Array.from({ length: 9 }, (_, i) => String(i)));
    await Promise.all([reader.close(), producer.close()]);
  });

  it('unsubscribe removes the subscription; an id from elsewhere is refused by name', async () => {
    const topic = uniqueTopic('unsubscribe');
    const consumer = await client().subscribe({ topics: [topic, uniqueTopic('other')], subscription: 'gone' });
    expect(Object.keys((await topicStats(webUrl, topic)).subscriptions)).toEqual(['gone']);
    expect(() => consumer.ack(new MessageId(1, 2, -1, -1, 0, 'persistent://public/default/elsewhere')))
      .toThrow(/names no topic of this consumer/);
    await consumer.unsubscribe();
    expect(Object.keys((await topicStats(webUrl, topic)).subscriptions)).toEqual([]);
  });

  it('shares one connection per broker among producers, consumers and readers', async () => {
    const c = new PulsarClient({ serviceUrl: brokerUrl });
    const things = await Promise.all(Array.from({ length: 20 }, (_, i) => c.createReader({ topic: uniqueTopic(`share${i}`), startMessageId: MessageId.latest })));
    expect(c.connectionCount).toBe(1);
    await Promise.all(things.map((r) => r.close()));
    await c.close();
  });
});

describe('surviving a topic unload', () => {
  it('producers and consumers come back on their own and nothing is lost', async () => {
    const topic = uniqueTopic('unload');
    const consumer = await client().subscribe({ topic, subscription: 'u', ackGroupingTimeMs: 10 });
    const producer = await client().createProducer({ topic, batchingMaxPublishDelayMs: 1 });
    const received: string[] = [];
    const reading = (async () => {
      while (received.length < 300) {
        const m = await consumer.receive(20_000);
        consumer.ack(m);
        if (!received.includes(m.payload.toString())) received.push(m.payload.toString());
      }
    })();
    const sends: Promise<MessageId>[] = [];
    for (let i = 0; i < 300; i++) {
      sends.push(producer.send({ payload: String(i) }));
      if (i === 100 || i === 200) {
        await unloadTopic(webUrl, topic);
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(sends);
    await reading;
    expect(received.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await waitFor('consumer connected', () => consumer.connected || undefined);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('a reader resumes right after the last message it handed out, in order, without repeats', async () => {
    const topic = uniqueTopic('unload-reader');
    const producer = await client().createProducer({ topic, batchingMaxMessages: 7, batchingMaxPublishDelayMs: 1 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ payload: String(i) })));
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest, receiverQueueSize: 10 });
    const got: number[] = [];
    for (let i = 0; i < 45; i++) got.push(Number((await reader.readNext(5000)).payload.toString()));
    await unloadTopic(webUrl, topic);
    await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ payload: String(100 + i) })));
    while (got.length < 150) got.push(Number((await reader.readNext(20_000)).payload.toString()));
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i));
    await expect(reader.readNext(500)).rejects.toThrow(/no message/);
    await Promise.all([reader.close(), producer.close()]);
  });
});
