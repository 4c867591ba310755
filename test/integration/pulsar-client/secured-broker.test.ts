// Against a broker of the suite's own (test/support OwnPulsar): token authentication, the broker's
// auth challenge for an expired token, TLS with a private CA, mutual TLS, batch-index acks (a
// broker setting), and a broker restart mid-stream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerError, PulsarClient, type MessageId } from '../../../adapters/pulsar/binary/index.js';
import { OwnPulsar, signToken } from '../../support/processes.js';
import { topicStats, uniqueTopic, waitFor } from './support.js';

let pulsar: OwnPulsar;

// The broker looks for expired credentials on every connection each second (Pulsar's default is
// 60 s) and challenges them; TLS client certificates are a second way in.
const REFRESH_CHECK_S = 1;

beforeAll(async () => {
  pulsar = await OwnPulsar.start({
    auth: true,
    tls: true,
    conf: [
      'acknowledgmentAtBatchIndexLevelEnabled=true',
      `authenticationRefreshCheckSeconds=${REFRESH_CHECK_S}`,
      'authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken,org.apache.pulsar.broker.authentication.AuthenticationProviderTls',
    ],
  });
}, 240_000);
afterAll(() => pulsar?.destroy(), 60_000);

const clientWith = (extra: Partial<ConstructorParameters<typeof PulsarClient>[0]> = {}) =>
  new PulsarClient({ serviceUrl: pulsar.brokerUrl, authentication: { token: pulsar.token! }, operationTimeoutMs: 10_000, ...extra });

/** Sends one message through a new topic and receives it, then closes the client. */
async function roundTrip(client: PulsarClient, payload: string): Promise<void> {
  const topic = uniqueTopic('roundtrip');
  const consumer = await client.subscribe({ topic, subscription: 's' });
  const producer = await client.createProducer({ topic });
  await producer.send({ payload });
  expect((await consumer.receive(5000)).payload.toString()).toBe(payload);
  await client.close();
}

describe('token authentication', () => {
  it('is refused without a token and works with one, also from a file holding token:<jwt>', async () => {
    const anonymous = new PulsarClient({ serviceUrl: pulsar.brokerUrl, operationTimeoutMs: 5000 });
    await expect(anonymous.createProducer({ topic: uniqueTopic('auth') })).rejects.toThrow(BrokerError);
    await anonymous.close();
    const file = path.join(pulsar.dir, 'client-token');
    writeFileSync(file, `token:${pulsar.token}\n`);
    await roundTrip(new PulsarClient({ serviceUrl: pulsar.brokerUrl, authentication: { tokenFile: file } }), 'secret');
  });
});

describe('the auth challenge (token refresh)', () => {
  it('answers the challenge for an expired token with a fresh one, on the same connection', async () => {
    // The broker only challenges a token with an `exp` that has passed; without an answer (or with
    // a bad one) it closes the connection, which a reconnect would hide: so the test checks that
    // the producer and consumer stay on the connection they started on.
    // The topics are made (and loaded on the broker) first, so the expiring clients connect quickly.
    const topics = { file: uniqueTopic('refresh-file'), function: uniqueTopic('refresh-function') };
    const setup = clientWith();
    for (const topic of Object.values(topics)) await (await setup.subscribe({ topic, subscription: 's' })).close();
    await setup.close();
    const expiresAt = Date.now() + 10_000;
    const file = path.join(pulsar.dir, 'refreshed-token');
    writeFileSync(file, signToken('admin', pulsar.tokenSecret!, expiresAt));
    let current = signToken('admin', pulsar.tokenSecret!, expiresAt);
    const fromFile = clientWith({ authentication: { tokenFile: file } });
    const fromFunction = clientWith({ authentication: { token: () => current } });
    const run = async (client: PulsarClient, topic: string) => {
      const consumer = await client.subscribe({ topic, subscription: 's' });
      const producer = await client.createProducer({ topic });
      await producer.send({ payload: 'before' });
      expect((await consumer.receive(5000)).payload.toString()).toBe('before');
      const before = await connections(topic);
      return { topic, consumer, producer, before };
    };
    const [a, b] = await Promise.all([run(fromFile, topics.file), run(fromFunction, topics.function)]);
    expect(Date.now()).toBeLessThan(expiresAt - 1000); // connected before the tokens expired
    writeFileSync(file, signToken('admin', pulsar.tokenSecret!, Date.now() + 3_600_000));
    current = signToken('admin', pulsar.tokenSecret!, Date.now() + 3_600_000);
    // Past the first tokens' expiry, and several checks later: challenged, answered, still there.
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 4000 * REFRESH_CHECK_S));
    for (const x of [a, b]) {
      await x.producer.send({ payload: 'after' });
      expect((await x.consumer.receive(5000)).payload.toString()).toBe('after');
      expect(await connections(x.topic)).toEqual(x.before);
    }
    await fromFile.close();
    await fromFunction.close();
  }, 60_000);
});

/** Where the topic's producer and consumer are connected from, and since when (a reconnect changes both). */
async function connections(topic: string): Promise<unknown> {
  const stats = await waitFor('a producer and a consumer in the stats', async () => {
    const s = await topicStats(pulsar.webUrl, topic, { authorization: `Bearer ${pulsar.token}` });
    const consumers = s.subscriptions.s?.consumers ?? [];
    return s.publishers.length === 1 && consumers.length === 1 ? s : undefined;
  });
  const pick = (x: unknown) => {
    const { address, connectedSince } = x as { address: string; connectedSince: string };
    return { address, connectedSince };
  };
  return { producer: pick(stats.publishers[0]), consumer: pick(stats.subscriptions.s!.consumers[0]) };
}

describe('TLS', () => {
  it('talks pulsar+ssl:// to a broker whose certificate the CA file vouches for', async () => {
    await roundTrip(clientWith({ serviceUrl: pulsar.tlsBrokerUrl, tls: { caFile: pulsar.tls!.caFile } }), 'over tls');
  });

  it('refuses a broker certificate no trusted CA signed', async () => {
    const client = clientWith({ serviceUrl: pulsar.tlsBrokerUrl, operationTimeoutMs: 3000 });
    await expect(client.createProducer({ topic: uniqueTopic('tls') })).rejects.toThrow(/certificate/i);
    await client.close();
  });
});

describe('mutual TLS (AuthenticationProviderTls)', () => {
  /** A key and a certificate for `cn`, signed by the broker's CA or by a CA of its own. */
  const clientCertificate = (cn: string, trusted: boolean) => {
    const at = (f: string) => path.join(pulsar.dir, `${cn}-${trusted ? 'trusted' : 'untrusted'}-${f}`);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('client.key'));
    if (trusted) {
      openssl('req', '-new', '-key', at('client.key'), '-out', at('client.csr'), '-subj', `/CN=${cn}`);
      openssl('x509', '-req', '-in', at('client.csr'), '-CA', path.join(pulsar.dir, 'ca.crt'), '-CAkey', path.join(pulsar.dir, 'ca.key'),
        '-CAcreateserial', '-out', at('client.crt'), '-days', '2');
    } else {
      openssl('req', '-x509', '-new', '-key', at('client.key'), '-out', at('client.crt'), '-days', '2', '-subj', `/CN=${cn}`);
    }
    return { certFile: at('client.crt'), keyFile: at('client.key') };
  };

  it('authenticates with a client certificate the broker trusts: the role is its CN', async () => {
    await roundTrip(new PulsarClient({ serviceUrl: pulsar.tlsBrokerUrl, tls: { caFile: pulsar.tls!.caFile }, authentication: clientCertificate('admin', true) }), 'mutual');
  });

  it('is refused with a certificate no trusted CA signed', async () => {
    const client = new PulsarClient({
      serviceUrl: pulsar.tlsBrokerUrl, tls: { caFile: pulsar.tls!.caFile }, authentication: clientCertificate('admin', false), operationTimeoutMs: 3000,
    });
    await expect(client.createProducer({ topic: uniqueTopic('mtls') })).rejects.toThrow(/alert/);
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
