// Against a broker of the suite's own (test/support OwnPulsar): token authentication, TLS with a
// private CA, batch-index acks (a broker setting), and a broker restart mid-stream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerError, PulsarClient, type MessageId } from '../../../adapters/pulsar/binary/index.js';
import { OwnPulsar } from '../../support/processes.js';
import { uniqueTopic } from './support.js';

let pulsar: OwnPulsar;

beforeAll(async () => {
  pulsar = await OwnPulsar.start({ auth: true, tls: true, conf: ['acknowledgmentAtBatchIndexLevelEnabled=true'] });
}, 240_000);
afterAll(() => pulsar?.destroy(), 60_000);

const clientWith = (extra: Partial<ConstructorParameters<typeof PulsarClient>[0]> = {}) =>
  new PulsarClient({ serviceUrl: pulsar.brokerUrl, authentication: { token: pulsar.token! }, operationTimeoutMs: 10_000, ...extra });

describe('token authentication', () => {
  it('is refused without a token and works with one, also from a file holding token:<jwt>', async () => {
    const anonymous = new PulsarClient({ serviceUrl: pulsar.brokerUrl, operationTimeoutMs: 5000 });
    await expect(anonymous.createProducer({ topic: uniqueTopic('auth') })).rejects.toThrow(BrokerError);
    await anonymous.close();
    const file = path.join(pulsar.dir, 'client-token');
    writeFileSync(file, `token:${pulsar.token}\n`);
    const client = new PulsarClient({ serviceUrl: pulsar.brokerUrl, authentication: { tokenFile: file } });
    const topic = uniqueTopic('auth');
    const consumer = await client.subscribe({ topic, subscription: 's' });
    const producer = await client.createProducer({ topic });
    await producer.send({ payload: 'secret' });
    expect((await consumer.receive(5000)).payload.toString()).toBe('secret');
    await client.close();
  });
});

describe('TLS', () => {
  it('talks pulsar+ssl:// to a broker whose certificate the CA file vouches for', async () => {
    const client = clientWith({ serviceUrl: pulsar.tlsBrokerUrl, tls: { caFile: pulsar.tls!.caFile } });
    const topic = uniqueTopic('tls');
    const consumer = await client.subscribe({ topic, subscription: 's' });
    const producer = await client.createProducer({ topic });
    await producer.send({ payload: 'over tls' });
    expect((await consumer.receive(5000)).payload.toString()).toBe('over tls');
    await client.close();
  });

  it('refuses a broker certificate no trusted CA signed', async () => {
    const client = clientWith({ serviceUrl: pulsar.tlsBrokerUrl, operationTimeoutMs: 3000 });
    await expect(client.createProducer({ topic: uniqueTopic('tls') })).rejects.toThrow(/certificate/i);
    await client.close();
  });
});

describe('batch-index acknowledgements', () => {
  it('acknowledges single messages of a batch: only the others come back', async () => {
    const client = clientWith();
    const topic = uniqueTopic('batchindex');
    const opts = { topic, subscription: 'b', subscriptionType: 'Shared' as const, batchIndexAckEnabled: true, ackGroupingTimeMs: 0 };
    const consumer = await client.subscribe(opts);
    const producer = await client.createProducer({ topic, batchingMaxMessages: 6, batchingMaxPublishDelayMs: 60_000 });
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => producer.send({ payload: String(i) })));
    expect(new Set(ids.map((id) => id.entryId)).size).toBe(1);
    for (let i = 0; i < 6; i++) {
      const m = await consumer.receive(5000);
      if (i % 2 === 0) consumer.ack(m);
    }
    await new Promise((r) => setTimeout(r, 300));
    await consumer.close();
    const again = await client.subscribe(opts);
    const back = [];
    for (let i = 0; i < 3; i++) back.push((await again.receive(5000)).payload.toString());
    expect(back).toEqual(['1', '3', '5']);
    await expect(again.receive(500)).rejects.toThrow(/no message/);
    await client.close();
  });
});

describe('a broker restart mid-stream', () => {
  it('loses nothing: the producer resends what had no receipt, the consumer re-subscribes', async () => {
    const client = clientWith({ operationTimeoutMs: 30_000 });
    const topic = uniqueTopic('restart');
    const consumer = await client.subscribe({ topic, subscription: 'r', ackGroupingTimeMs: 0 });
    const producer = await client.createProducer({ topic, sendTimeoutMs: 0 });
    const sends: Promise<MessageId>[] = [];
    for (let i = 0; i < 50; i++) sends.push(producer.send({ payload: String(i) }));
    await Promise.all(sends);
    const received = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const m = await consumer.receive(5000);
      consumer.ack(m);
      received.add(m.payload.toString());
    }
    await pulsar.stop();
    // Sent while the broker is down: held and sent again once the producer is back.
    for (let i = 50; i < 100; i++) sends.push(producer.send({ payload: String(i) }));
    await pulsar.restart();
    await Promise.all(sends);
    while (received.size < 100) {
      const m = await consumer.receive(60_000);
      consumer.ack(m);
      received.add(m.payload.toString());
    }
    expect([...received].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(consumer.connected).toBe(true);
    await client.close();
  }, 300_000);
});
