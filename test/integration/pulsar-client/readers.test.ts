import { beforeAll, describe, expect, it } from '@jest/globals';
import { MessageId, type Producer } from '../../../adapters/pulsar/binary/index.js';
import { broker, suiteClient, receiveN, topicStats, uniqueTopic, waitFor } from './support.js';

const { webUrl } = broker();
const client = suiteClient();

async function fill(producer: Producer, n: number, batched: boolean): Promise<MessageId[]> {
  const ids = await Promise.all(Array.from({ length: n }, (_, i) => producer.send({ payload: String(i) })));
  if (batched) expect(ids.some((id) => id.batchIndex > 0)).toBe(true);
  return ids;
}

const texts = (ms: { payload: Buffer }[]) => ms.map((m) => m.payload.toString());

describe.each([['plain entries', false], ['batches', true]])('readers over %s', (_, batched) => {
  let topic: string;
  let ids: MessageId[];

  beforeAll(async () => {
    topic = uniqueTopic('reader');
    const producer = await client().createProducer({ topic, batchingEnabled: batched, batchingMaxMessages: 4 });
    ids = await fill(producer, 10, batched);
    await producer.close();
  });

  it('reads from earliest, and hasMessageAvailable turns false at the end', async () => {
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest });
    expect(await reader.hasMessageAvailable()).toBe(true);
    const got = [];
    while (await reader.hasMessageAvailable()) got.push(await reader.readNext(5000));
    expect(texts(got)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    await reader.close();
  });

  it('starts after a message id, or at it when inclusive', async () => {
    const after = await client().createReader({ topic, startMessageId: ids[5]! });
    expect(texts([await after.readNext(5000)])).toEqual(['6']);
    const at = await client().createReader({ topic, startMessageId: ids[5]!, startMessageIdInclusive: true });
    expect(texts([await at.readNext(5000)])).toEqual(['5']);
    await Promise.all([after.close(), at.close()]);
  });

  it('from latest sees only new messages and leaves no subscription behind', async () => {
    const reader = await client().createReader({ topic, startMessageId: MessageId.latest, subscriptionRolePrefix: 'latest-reader' });
    expect(await reader.hasMessageAvailable()).toBe(false);
    const producer = await client().createProducer({ topic });
    await producer.send({ payload: 'new' });
    expect(texts([await reader.readNext(5000)])).toEqual(['new']);
    const readerSubscription = async () => Object.keys((await topicStats(webUrl, topic)).subscriptions).some((s) => s.startsWith('latest-reader'));
    expect(await readerSubscription()).toBe(true);
    await reader.close();
    // The broker drops a non-durable subscription after it has answered the close (beside other
    // suites, a stats read right after the close still listed it): it must go, not at once.
    await waitFor('the reader\'s subscription removed', async () => !(await readerSubscription()) || undefined);
    await producer.close();
  });

  it('getLastMessageId names the last message', async () => {
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest });
    const last = await reader.getLastMessageId();
    const producer = await client().createProducer({ topic });
    const sent = await producer.send({ payload: 'last' });
    const after = await reader.getLastMessageId();
    expect(after.entryId).toBe(sent.entryId);
    expect(after.compareTo(last)).toBeGreaterThan(0);
    await Promise.all([reader.close(), producer.close()]);
  });

  it('seeks a reader to a message id', async () => {
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest });
    await receiveN({ receive: (t) => reader.readNext(t), ack: () => undefined }, 3, false);
    await reader.seek(ids[7]!);
    expect(texts([await reader.readNext(5000)])).toEqual(['7']);
    await reader.close();
  });
});

describe('seek on a durable subscription', () => {
  it('rewinds to a message id and to a publish time', async () => {
    const topic = uniqueTopic('seek');
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    const consumer = await client().subscribe({ topic, subscription: 'sk', subscriptionInitialPosition: 'Earliest', ackGroupingTimeMs: 0 });
    const early = await fill(producer, 5, false);
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(['5', '6'].map((p) => producer.send({ payload: p })));
    expect(texts(await receiveN(consumer, 7))).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    await consumer.seek(early[2]!);
    expect(texts(await receiveN(consumer, 5))).toEqual(['2', '3', '4', '5', '6']);
    await consumer.seek(t);
    expect(texts(await receiveN(consumer, 2))).toEqual(['5', '6']);
    await Promise.all([consumer.close(), producer.close()]);
  });

  it('moves a reader to a publish time', async () => {
    const topic = uniqueTopic('reader-time');
    const producer = await client().createProducer({ topic, batchingEnabled: false });
    await fill(producer, 5, false);
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(['5', '6'].map((p) => producer.send({ payload: p })));
    const reader = await client().createReader({ topic, startMessageId: MessageId.earliest });
    expect(texts([await reader.readNext(5000)])).toEqual(['0']);
    await reader.seek(t);
    expect(texts([await reader.readNext(5000), await reader.readNext(5000)])).toEqual(['5', '6']);
    await Promise.all([reader.close(), producer.close()]);
  });
});
