// Our binary-protocol client against Pulsar's own Java client, on the real broker: what Java
// produces (batched, each codec, chunked, keyed, with properties and event time) we consume intact
// and with the ids Java was given; what we produce Java reads intact; both keep streaming through a
// broker restart and topic unloads. The Java side is test/support/java/PulsarInterop.java, run
// from the Pulsar jars the platform was built with.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { PulsarClient, type Message, type MessageId } from '../../../adapters/pulsar/binary/index.js';
import { JavaSide, received, type JavaMessage, type JavaMessageId } from '../../support/java-interop.js';
import { readPlatformEnv } from '../../support/platform.js';
import { OwnPulsar } from '../../support/processes.js';
import { receiveN, uniqueTopic, unloadTopic } from './support.js';

const env = readPlatformEnv();
const client = new PulsarClient({ serviceUrl: env.PULSAR_BROKER_URL });
const javas: JavaSide[] = [];
afterAll(async () => {
  await Promise.all(javas.map((j) => j.kill()));
  await client.close();
});

const topicName = (what: string): string => uniqueTopic(`interop-${what}`);

/**
 * Message i of a test: binary-safe payloads of varied size (every 10th a 20 KB compressible one,
 * so batches span several KB and codecs have work), a key on most, properties, an event time.
 */
function messageFor(i: number): { payload: Buffer; key?: string; properties: Record<string, string>; eventTime: number } {
  const payload = i % 10 === 0
    ? Buffer.from(`record ${i};`.repeat(1600))
    : Buffer.concat([Buffer.from(`message ${i} `), Buffer.from(Array.from({ length: i % 64 }, (_, b) => (b * 37 + i) & 0xff))]);
  return {
    payload,
    ...(i % 4 === 3 ? {} : { key: `key-${i % 7}` }),
    properties: { index: String(i), 'unicode-ü': `värde ${i}`, ...(i % 2 ? { odd: 'yes' } : {}) },
    eventTime: 1_700_000_000_000 + i,
  };
}

function asJava(i: number): JavaMessage {
  const m = messageFor(i);
  return { payload: m.payload.toString('base64'), key: m.key, properties: m.properties, eventTime: m.eventTime };
}

const receiveAll = (consumer: Parameters<typeof receiveN>[0], n: number): Promise<Message[]> => receiveN(consumer, n, true, 60_000);

/** Produces `n` messages with the Java client and returns the ids its receipts carried. */
async function javaProduce(topic: string, n: number, opts: Record<string, string | number | boolean>): Promise<JavaMessageId[]> {
  const java = await JavaSide.start('produce', env.PULSAR_BROKER_URL, topic, opts);
  javas.push(java);
  for (let i = 0; i < n; i++) java.send(asJava(i));
  expect(await java.end()).toBe(0);
  const receipts = java.lines.filter((l) => typeof l.sent === 'number');
  expect(receipts.filter((l) => l.error)).toEqual([]);
  expect(receipts).toHaveLength(n);
  return receipts.sort((a, b) => (a.sent as number) - (b.sent as number)).map((l) => l.id as JavaMessageId);
}

function expectSameAsSent(got: Message[], ids: JavaMessageId[]): void {
  got.forEach((m, i) => {
    const want = messageFor(i);
    expect({ i, payload: m.payload.equals(want.payload), key: m.key, properties: m.properties, eventTime: m.eventTime })
      .toEqual({ i, payload: true, key: want.key, properties: want.properties, eventTime: want.eventTime });
    expect({ ledgerId: m.id.ledgerId, entryId: m.id.entryId, batchIndex: m.id.batchIndex })
      .toEqual({ ledgerId: ids[i]!.ledgerId, entryId: ids[i]!.entryId, batchIndex: ids[i]!.batchIndex });
    expect(m.publishTime).toBeGreaterThan(1_700_000_000_000);
  });
}

describe('Java producer → our consumer', () => {
  for (const compression of ['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY']) {
    it(`batched, ${compression}: every message intact, in order, with Java's message ids`, async () => {
      const topic = topicName(`j2ts-${compression.toLowerCase()}`);
      const n = 300;
      const consumer = await client.subscribe({ topic, subscription: 'interop', subscriptionInitialPosition: 'Earliest' });
      const ids = await javaProduce(topic, n, { compression, 'batch-max': 40, 'batch-delay-ms': 50 });
      // The Java side batched for real: several messages share an entry.
      expect(new Set(ids.map((id) => `${id.ledgerId}:${id.entryId}`)).size).toBeLessThan(n / 4);
      expectSameAsSent(await receiveAll(consumer, n), ids);
      await consumer.close();
    });
  }

  it('unbatched and LZ4-compressed one by one, with an empty payload and a message with nothing but a payload', async () => {
    const topic = topicName('j2ts-single');
    const consumer = await client.subscribe({ topic, subscription: 'interop', subscriptionInitialPosition: 'Earliest' });
    const ids = await javaProduce(topic, 40, { compression: 'LZ4', batching: false });
    expect(ids.every((id) => id.batchIndex === -1)).toBe(true);
    expectSameAsSent(await receiveAll(consumer, 40), ids);

    const java = await JavaSide.start('produce', env.PULSAR_BROKER_URL, topic, { batching: false });
    javas.push(java);
    java.send({ payload: '' });
    java.send({ payload: Buffer.from('bare').toString('base64') });
    expect(await java.end()).toBe(0);
    const [empty, bare] = await receiveAll(consumer, 2);
    expect(empty!.payload.length).toBe(0);
    expect({ payload: bare!.payload.toString(), key: bare!.key, properties: bare!.properties, eventTime: bare!.eventTime })
      .toEqual({ payload: 'bare', key: undefined, properties: {}, eventTime: undefined });
    await consumer.close();
  });
});

describe('Java producer, chunked (chunkMaxMessageSize 1,024) → our consumer', () => {
  for (const compression of ['NONE', 'LZ4'] as const) {
    it(`${compression}: each large message is handed out once, whole, with its key, properties and event time; small ones between stay as they are`, async () => {
      const topic = topicName(`j2ts-chunked-${compression.toLowerCase()}`);
      const consumer = await client.subscribe({ topic, subscription: 'interop', subscriptionInitialPosition: 'Earliest' });
      // Random bytes do not compress, so LZ4 leaves them large enough to need chunks too.
      const large = [randomBytes(10_000), Buffer.concat([randomBytes(3_000), Buffer.alloc(40_000, 7)]), randomBytes(5_000)];
      const java = await JavaSide.start('produce', env.PULSAR_BROKER_URL, topic, { 'chunk-bytes': 1024, compression });
      javas.push(java);
      large.forEach((payload, i) => {
        java.send({ payload: payload.toString('base64'), key: `big-${i}`, properties: { part: String(i) }, eventTime: 1_700_000_000_000 + i });
        java.send({ payload: Buffer.from(`small ${i}`).toString('base64') });
      });
      expect(await java.end()).toBe(0);
      // Java reports a chunked message's id as "first chunk;last chunk": several entries each.
      const ids = java.lines.filter((l) => typeof l.sent === 'number').map((l) => (l.id as JavaMessageId).text);
      expect(ids.filter((t) => t.includes(';'))).toHaveLength(3);

      const got = await receiveAll(consumer, 6);
      large.forEach((payload, i) => {
        const m = got[2 * i]!;
        expect({ i, whole: m.payload.equals(payload), length: m.payload.length, key: m.key, properties: m.properties, eventTime: m.eventTime })
          .toEqual({ i, whole: true, length: payload.length, key: `big-${i}`, properties: { part: String(i) }, eventTime: 1_700_000_000_000 + i });
        expect(got[2 * i + 1]!.payload.toString()).toBe(`small ${i}`);
      });
      // Nothing left over: the chunks were not also handed out one by one.
      await expect(consumer.receive(2_000)).rejects.toThrow(/no message/);
      await consumer.close();
    });
  }
});

describe('our producer → Java consumer', () => {
  for (const compression of ['NONE', 'LZ4', 'ZLIB', 'SNAPPY'] as const) {
    it(`batched, ${compression}: the Java client reads every message intact, in order, with our ids`, async () => {
      const topic = topicName(`ts2j-${compression.toLowerCase()}`);
      const n = 300;
      const java = await JavaSide.start('consume', env.PULSAR_BROKER_URL, topic, { subscription: 'interop', count: n });
      javas.push(java);
      const producer = await client.createProducer({ topic, compressionType: compression, batchingMaxMessages: 40, batchingMaxPublishDelayMs: 50 });
      const ids = await Promise.all(Array.from({ length: n }, (_, i) => producer.send(messageFor(i))));
      expect(new Set(ids.map((id) => `${id.ledgerId}:${id.entryId}`)).size).toBeLessThan(n / 4);
      await java.waitForCount((l) => typeof l.payload === 'string', n, 60_000);
      expect(await java.end()).toBe(0);
      const got = received(java);
      got.forEach((m, i) => {
        const want = messageFor(i);
        expect({ i, payload: Buffer.from(m.payload, 'base64').equals(want.payload), key: m.key, properties: m.properties, eventTime: m.eventTime, producerName: m.producerName })
          .toEqual({ i, payload: true, key: want.key, properties: want.properties, eventTime: want.eventTime, producerName: producer.producerName });
        expect({ ledgerId: m.id.ledgerId, entryId: m.id.entryId, batchIndex: m.id.batchIndex })
          .toEqual({ ledgerId: ids[i]!.ledgerId, entryId: ids[i]!.entryId, batchIndex: ids[i]!.batchIndex });
      });
      await producer.close();
    });
  }

  it('ZSTD, which this client reads but does not write, is refused when the producer is created', async () => {
    await expect(client.createProducer({ topic: topicName('ts2j-zstd'), compressionType: 'ZSTD' }))
      .rejects.toThrow('compressionType "ZSTD": expected one of NONE, LZ4, ZLIB, SNAPPY (ZSTD messages are read, not written)');
  });

  it('unbatched: single messages, an empty payload, and one without key, properties or event time', async () => {
    const topic = topicName('ts2j-single');
    const java = await JavaSide.start('consume', env.PULSAR_BROKER_URL, topic, { subscription: 'interop', count: 22 });
    javas.push(java);
    const producer = await client.createProducer({ topic, batchingEnabled: false, compressionType: 'ZLIB' });
    for (let i = 0; i < 20; i++) await producer.send(messageFor(i));
    await producer.send({ payload: Buffer.alloc(0) });
    await producer.send({ payload: 'bare' });
    await java.waitForCount((l) => typeof l.payload === 'string', 22, 60_000);
    const got = received(java);
    got.slice(0, 20).forEach((m, i) => {
      expect(m.id.batchIndex).toBe(-1);
      expect(Buffer.from(m.payload, 'base64').equals(messageFor(i).payload)).toBe(true);
      expect(m.properties).toEqual(messageFor(i).properties);
    });
    expect(got[20]!.payload).toBe('');
    // Java reports 0 for "no event time" and no key at all.
    expect({ payload: Buffer.from(got[21]!.payload, 'base64').toString(), key: got[21]!.key, properties: got[21]!.properties, eventTime: got[21]!.eventTime })
      .toEqual({ payload: 'bare', key: undefined, properties: {}, eventTime: 0 });
    await producer.close();
  });
});

describe('our producer, chunked (chunkMaxMessageSize 1,024) → Java consumer', () => {
  for (const compression of ['NONE', 'LZ4'] as const) {
    it(`${compression}: the Java client joins the chunks into each large message, small ones between stay as they are`, async () => {
      const topic = topicName(`ts2j-chunked-${compression.toLowerCase()}`);
      const java = await JavaSide.start('consume', env.PULSAR_BROKER_URL, topic, { subscription: 'interop', count: 6 });
      javas.push(java);
      const producer = await client.createProducer({ topic, batchingEnabled: false, chunkingEnabled: true, chunkMaxMessageSize: 1024, compressionType: compression });
      // Random bytes do not compress, so LZ4 leaves them large enough to need chunks too.
      const large = [randomBytes(10_000), Buffer.concat([randomBytes(3_000), Buffer.alloc(40_000, 7)]), randomBytes(5_000)];
      const ids: MessageId[] = [];
      for (const [i, payload] of large.entries()) {
        ids.push(await producer.send({ payload, key: `big-${i}`, properties: { part: String(i) }, eventTime: 1_700_000_000_000 + i }));
        ids.push(await producer.send({ payload: `small ${i}` }));
      }
      // A chunked message's id lists the entry of every chunk; the others have none.
      expect(ids.map((id) => id.chunks?.length ?? 0).map((n, k) => (k % 2 === 0 ? n > 1 : n === 0))).toEqual([true, true, true, true, true, true]);
      expect(ids[0]!.chunks).toHaveLength(10);
      await java.waitForCount((l) => typeof l.payload === 'string', 6, 60_000);
      expect(await java.end()).toBe(0);
      const got = received(java);
      large.forEach((payload, i) => {
        const m = got[2 * i]!;
        const data = Buffer.from(m.payload, 'base64');
        expect({ i, whole: data.equals(payload), length: data.length, key: m.key, properties: m.properties, eventTime: m.eventTime })
          .toEqual({ i, whole: true, length: payload.length, key: `big-${i}`, properties: { part: String(i) }, eventTime: 1_700_000_000_000 + i });
        // Java's id of a chunked message is "first chunk;last chunk"; its ledger and entry are the last chunk's, as ours.
        expect({ text: m.id.text.includes(';'), entryId: m.id.entryId }).toEqual({ text: true, entryId: ids[2 * i]!.entryId });
        expect(Buffer.from(got[2 * i + 1]!.payload, 'base64').toString()).toBe(`small ${i}`);
      });
      await producer.close();
    });
  }
});

/**
 * Streams `n` messages each way at once, ours → Java on one topic and Java → ours on another,
 * calling `disrupt` after the first third has been sent (further sends queue up meanwhile).
 * Every message must arrive; a message the broker stored but whose receipt the outage swallowed
 * may arrive twice (no deduplication is enabled), but never out of order.
 */
async function streamThrough(serviceUrl: string, n: number, disrupt: (topics: string[]) => Promise<void>): Promise<void> {
  const ours = new PulsarClient({ serviceUrl, operationTimeoutMs: 60_000 });
  const toJava = topicName('ts2j-outage');
  const toUs = topicName('j2ts-outage');
  try {
    const javaConsumer = await JavaSide.start('consume', serviceUrl, toJava, { subscription: 'interop', 'idle-ms': 180_000 });
    javas.push(javaConsumer);
    const javaProducer = await JavaSide.start('produce', serviceUrl, toUs, { 'batch-max': 20, 'batch-delay-ms': 20 });
    javas.push(javaProducer);
    const consumer = await ours.subscribe({ topic: toUs, subscription: 'interop', subscriptionInitialPosition: 'Earliest' });
    const producer = await ours.createProducer({ topic: toJava, sendTimeoutMs: 0, batchingMaxMessages: 20, batchingMaxPublishDelayMs: 20 });

    const receiving = (async () => {
      const seen: number[] = [];
      while (new Set(seen).size < n) {
        const m = await consumer.receive(180_000);
        seen.push(Number(m.properties.index));
        consumer.ack(m);
      }
      return seen;
    })();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      if (i === Math.floor(n / 3)) await disrupt([toJava, toUs]);
      sends.push(producer.send(messageFor(i)));
      javaProducer.send(asJava(i));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(sends);
    expect(await javaProducer.end(180_000)).toBe(0);
    expect(javaProducer.lines.filter((l) => l.error)).toEqual([]);

    const seenByUs = await receiving;
    await javaConsumer.waitFor(() => new Set(received(javaConsumer).map((m) => m.properties.index)).size >= n, 180_000);
    const seenByJava = received(javaConsumer).map((m) => Number(m.properties.index));
    for (const [who, seen] of [['ours', seenByUs], ['java', seenByJava]] as const) {
      // Every index, and first appearances in send order; a redelivered tail may repeat.
      const first = seen.filter((v, k) => seen.indexOf(v) === k);
      expect({ who, first }).toEqual({ who, first: Array.from({ length: n }, (_, i) => i) });
    }
    await producer.close();
    await consumer.close();
  } finally {
    await ours.close();
  }
}

describe('outages, both clients streaming both ways', () => {
  it('a topic unloaded three times mid-stream (the shared broker)', async () => {
    await streamThrough(env.PULSAR_BROKER_URL, 600, async (topics) => {
      for (let k = 0; k < 3; k++) {
        for (const t of topics) await unloadTopic(env.PULSAR_WEB_URL, t);
        await new Promise((r) => setTimeout(r, 300));
      }
    });
  });

  describe('a broker of this test\'s own', () => {
    let pulsar: OwnPulsar;
    beforeAll(async () => { pulsar = await OwnPulsar.start(); }, 300_000);
    afterAll(async () => { await pulsar?.destroy(); });

    it('restarted mid-stream', async () => {
      await streamThrough(`pulsar://127.0.0.1:${pulsar.ports.broker}`, 300, async () => {
        await pulsar.stop();
        await pulsar.restart();
      });
    }, 600_000);
  });
});
