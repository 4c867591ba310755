// A send the broker refuses fails that message of that producer only: the connection, shared by
// every producer and consumer of the client on that broker, stays up. The refusal is the broker's
// own: a topic-level maxMessageSize policy makes it answer SendError NotAllowedError. And a message
// the broker could not store (metadata + payload over its maxMessageSize: it takes the frame but
// never answers) fails at once, while chunks are cut small enough for their metadata.
import { describe, expect, it } from '@jest/globals';
import { BrokerError, DEFAULT_MAX_MESSAGE_SIZE, MessageTooLargeError } from '../../../adapters/pulsar/binary/index.js';
import { admin, broker, suiteClient, topicStats, uniqueTopic, waitFor } from './support.js';

const { webUrl } = broker();
const client = suiteClient({ operationTimeoutMs: 20_000 });
const restPath = (topic: string) => topic.replace('persistent://', 'persistent/');

async function connectedSince(topic: string): Promise<{ publisher: string; consumer: string }> {
  const stats = (await topicStats(webUrl, topic)) as unknown as {
    publishers: { connectedSince: string }[];
    subscriptions: Record<string, { consumers: { connectedSince: string }[] }>;
  };
  return { publisher: stats.publishers[0]!.connectedSince, consumer: stats.subscriptions.s!.consumers[0]!.connectedSince };
}

describe('a send error', () => {
  it('fails the refused message only; the other producer and the consumer on the same connection keep working', async () => {
    const limited = uniqueTopic('send-error-limited');
    const healthy = uniqueTopic('send-error-healthy');
    // A short send timeout: a client that reconnected and re-sent the refused message forever would fail here, not hang.
    const refused = await client().createProducer({ topic: limited, batchingEnabled: false, sendTimeoutMs: 5_000 });
    const producer = await client().createProducer({ topic: healthy });
    const consumer = await client().subscribe({ topic: healthy, subscription: 's' });
    expect(client().connectionCount).toBe(1); // one broker: everything shares one connection

    await admin(webUrl, 'POST', `/admin/v2/${restPath(limited)}/maxMessageSize`, 1024);
    await waitFor('the maxMessageSize policy', async () => (await (await admin(webUrl, 'GET', `/admin/v2/${restPath(limited)}/maxMessageSize`)).text()) === '1024');
    const before = await connectedSince(healthy);

    // The policy reaches the topic a moment after the admin call: probe until the broker refuses.
    const error = await waitFor('the broker to refuse an oversized message', async () => {
      try {
        await refused.send({ payload: Buffer.alloc(4096, 7) });
        return undefined;
      } catch (err) {
        return err as Error;
      }
    });
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).serverError).toBe('NotAllowedError');
    expect(error.message).toMatch(/Exceed maximum message size/);

    // Interleaved: refused and accepted sends on the same connection.
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => [
      refused.send({ payload: Buffer.alloc(4096, i) }),
      producer.send({ payload: `ok ${i}` }),
      refused.send({ payload: `small ${i}` }),
    ]).flat());
    const outcome = results.map((r) => r.status);
    expect(outcome).toEqual(Array.from({ length: 10 }, () => ['rejected', 'fulfilled', 'fulfilled']).flat());
    for (let i = 0; i < 10; i++) {
      const got = await consumer.receive(5_000);
      expect(got.payload.toString()).toBe(`ok ${i}`);
      consumer.ack(got);
    }
    // Nobody reconnected: the broker still has the same publisher and consumer sessions.
    expect(await connectedSince(healthy)).toEqual(before);
    expect(client().connectionCount).toBe(1);
    await Promise.all([refused.close(), producer.close(), consumer.close()]);
  });

  it('fails at once a message that would not fit the broker\'s maxMessageSize with its metadata; chunks leave room for theirs', async () => {
    const topic = uniqueTopic('too-large');
    const consumer = await client().subscribe({ topic, subscription: 's' });
    const producer = await client().createProducer({ topic, batchingEnabled: false, sendTimeoutMs: 5_000 });
    expect(producer.maxMessageSize).toBe(DEFAULT_MAX_MESSAGE_SIZE); // the platform broker's, from CONNECTED
    const err = await producer.send({ payload: Buffer.alloc(DEFAULT_MAX_MESSAGE_SIZE, 1) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect((err as Error).message).toMatch(/^message of 5242880 bytes \(\d+ more of metadata\) does not fit the broker's maxMessageSize 5242880 \(less 1024 for the broker's own headers\); enable chunking/);
    await producer.send({ payload: 'after' });
    expect((await consumer.receive(5_000)).payload.toString()).toBe('after');

    // Chunks at the default size (the broker's limit less the chunk's metadata) are all stored.
    const chunked = await client().createProducer({ topic, batchingEnabled: false, chunkingEnabled: true, sendTimeoutMs: 10_000 });
    const big = Buffer.alloc(2 * DEFAULT_MAX_MESSAGE_SIZE, 2);
    big.writeUInt32BE(0xfeedbeef, big.length - 4);
    await chunked.send({ payload: big });
    const got = await consumer.receive(10_000);
    expect(got.payload.equals(big)).toBe(true);
    consumer.ack(got);
    await Promise.all([producer.close(), chunked.close(), consumer.close()]);
  });
});
