// The scaler against a Pulsar broker of this suite's own serving https:// with a certificate from a
// private CA: with --pulsar-ca-file the backlog is read and idle functions are woken over
// pulsar+ssl:// (the address the https:// admin URL's lookup gives) and over wss://; without it
// every call is UNAVAILABLE and says the certificate is not trusted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import type { Scaler } from '../../../scaler/app.js';
import { waitFor } from '../../support/wait.js';
import { adminFor, expectWake, idleWatched, KedaLikeClient, OwnPulsar, produce, PUSH_ONLY_CHECK_MS, ref, startTestScaler, uniqueName } from './support.js';

describe('scaler against a Pulsar served over TLS by a private CA', () => {
  let pulsar: OwnPulsar;
  let trusting: Scaler;
  let trustingWs: Scaler;
  let untrusting: Scaler;
  let keda: KedaLikeClient;
  let kedaWs: KedaLikeClient;
  let kedaUntrusting: KedaLikeClient;

  beforeAll(async () => {
    pulsar = await OwnPulsar.start({ tls: true });
    // No periodic check within a test: only a reader can wake a function.
    trusting = await startTestScaler({ pulsarCaFile: pulsar.tls!.caFile, checkMs: PUSH_ONLY_CHECK_MS });
    trustingWs = await startTestScaler({ pulsarCaFile: pulsar.tls!.caFile, checkMs: PUSH_ONLY_CHECK_MS, activationTransport: 'websocket' });
    kedaWs = new KedaLikeClient(trustingWs.server.port);
    untrusting = await startTestScaler({});
    keda = new KedaLikeClient(trusting.server.port);
    kedaUntrusting = new KedaLikeClient(untrusting.server.port);
  }, 240_000);

  afterAll(async () => {
    keda?.close();
    kedaWs?.close();
    kedaUntrusting?.close();
    await trusting?.close();
    await trustingWs?.close();
    await untrusting?.close();
    await pulsar?.destroy();
  }, 60_000);

  it('reads the backlog over https:// with the CA; without it, UNAVAILABLE naming the certificate', async () => {
    const topic = parseTopicName(`public/default/${uniqueName('tls')}`);
    await adminFor(pulsar.webUrl).createSubscription(topic, 'fn');
    await produce(pulsar.webUrl, topicPath(topic), 3);
    const so = ref('tls', { adminURL: pulsar.tlsWebUrl, topics: `persistent://public/default/${topic.local}`, subscription: 'fn' });

    await waitFor('the backlog over TLS', async () => (await keda.poll(so)).value === 3, { timeoutMs: 30_000, intervalMs: 100 });
    expect(await keda.poll(so)).toEqual({ target: 10, value: 3, active: true });

    const refused = (await kedaUntrusting.getMetrics(so, 's0-x').catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(refused.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.details).toContain(`at ${pulsar.tlsWebUrl} failed`);
    expect(refused.details).toContain("TLS certificate is not trusted");
  });

  it.each(['pulsar+ssl', 'wss'])('wakes an idle function through a %s:// reader', async (scheme) => {
    const [scaler, client] = scheme === 'wss' ? [trustingWs, kedaWs] : [trusting, keda];
    const topic = parseTopicName(`public/default/${uniqueName('tls-push')}`);
    await adminFor(pulsar.webUrl).createSubscription(topic, 'fn');
    const stream = client.stream(ref('tls-push', { adminURL: pulsar.tlsWebUrl, topics: `persistent://public/default/${topic.local}`, subscription: 'fn' }));
    await idleWatched(scaler, () => scaler.watcher.connectedTopics > 0);
    expect(stream.trues).toHaveLength(0);
    await expectWake(stream, () => produce(pulsar.webUrl, topicPath(topic), 1));
    stream.call.cancel();
    // The https:// admin URL's lookup gave the broker's TLS port: the reader never went plain text.
    if (scheme === 'pulsar+ssl') expect(trusting.binary!.serviceUrls[pulsar.tlsWebUrl]).toMatch(new RegExp(`^pulsar\\+ssl://[^/]+:${pulsar.tls!.brokerPort}$`));
  });
});
