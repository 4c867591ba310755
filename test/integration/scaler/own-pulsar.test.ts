// The scaler against a Pulsar broker of this suite's own, with token authentication enabled
// (HS256 secret key): the token reaches Pulsar from the scaler's own configuration, never shows
// in an error or a log line; then the broker is stopped (UNAVAILABLE, no crash, no made-up 0)
// and started again on the same data (the scaler recovers, push activation over the default binary
// transport included). Push with the token runs over both transports.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import type { ActivationTransport, Scaler } from '../../../scaler/app.js';
import { waitFor } from '../../support/wait.js';
import { adminFor, expectWake, idleWatched, KedaLikeClient, OwnPulsar, produce, PUSH_ONLY_CHECK_MS, ref, startTestScaler, uniqueName, WAKE_TIMEOUT_MS } from './support.js';

const TRANSPORTS: ActivationTransport[] = ['binary', 'websocket'];

describe('scaler against its own Pulsar with token authentication', () => {
  let pulsar: OwnPulsar;
  let token: string;
  let dir: string;
  let scaler: Scaler;
  let anonymous: Scaler;
  // Push alone, one per transport: their periodic check never runs within a test.
  const pushOnly: Partial<Record<ActivationTransport, Scaler>> = {};
  let keda: KedaLikeClient;
  let kedaAnonymous: KedaLikeClient;
  const kedaPush: Partial<Record<ActivationTransport, KedaLikeClient>> = {};
  const logLines: string[] = [];

  beforeAll(async () => {
    pulsar = await OwnPulsar.start({ auth: true });
    token = pulsar.token!;
    dir = mkdtempSync(path.join(tmpdir(), 'scaler-token-'));
    writeFileSync(path.join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    const sink = new Writable({ write: (chunk, _enc, done) => void (logLines.push(String(chunk)), done()) });
    const log = pino({ level: 'debug' }, sink);
    scaler = await startTestScaler({ log, credentials: { tokenFile: path.join(dir, 'token') }, checkMs: 500 });
    anonymous = await startTestScaler({ log });
    for (const transport of TRANSPORTS) {
      pushOnly[transport] = await startTestScaler({ log, credentials: { tokenFile: path.join(dir, 'token') }, checkMs: PUSH_ONLY_CHECK_MS, activationTransport: transport });
      kedaPush[transport] = new KedaLikeClient(pushOnly[transport].server.port);
    }
    keda = new KedaLikeClient(scaler.server.port);
    kedaAnonymous = new KedaLikeClient(anonymous.server.port);
  }, 240_000);

  afterAll(async () => {
    keda?.close();
    kedaAnonymous?.close();
    for (const k of Object.values(kedaPush)) k.close();
    await scaler?.close();
    await anonymous?.close();
    for (const p of Object.values(pushOnly)) await p.close();
    await pulsar?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('reads the backlog with the configured token; without it Pulsar refuses, and the token never leaks', async () => {
    const admin = adminFor(pulsar.webUrl, token);
    const topic = parseTopicName(`public/default/${uniqueName('auth')}`);
    await expect(adminFor(pulsar.webUrl).createSubscription(topic, 'fn')).rejects.toMatchObject({ status: 401 });
    await admin.createSubscription(topic, 'fn');
    await produce(pulsar.webUrl, topicPath(topic), 3, token);

    const so = ref('auth', { adminURL: pulsar.webUrl, topics: `persistent://public/default/${topic.local}`, subscription: 'fn' });
    expect(await keda.poll(so)).toEqual({ target: 10, value: 3, active: true });

    const refused = await kedaAnonymous.getMetrics(so, 's0-x').catch((e: grpc.ServiceError) => e);
    expect(refused).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringContaining('HTTP 401') });
    expect(JSON.stringify(logLines)).not.toContain(token);
  });

  it.each(TRANSPORTS)('wakes an idle function through an authenticated reader over %s', async (transport) => {
    const topic = parseTopicName(`public/default/${uniqueName('auth-push')}`);
    await adminFor(pulsar.webUrl, token).createSubscription(topic, 'fn');
    const push = pushOnly[transport]!;
    const stream = kedaPush[transport]!.stream(ref('auth-push', { adminURL: pulsar.webUrl, topics: `persistent://public/default/${topic.local}`, subscription: 'fn' }));
    await idleWatched(push, () => push.watcher.connectedTopics > 0);
    expect(stream.trues).toHaveLength(0);
    await expectWake(stream, () => produce(pulsar.webUrl, topicPath(topic), 1, token));
    stream.call.cancel();
    expect(JSON.stringify(logLines)).not.toContain(token);
  });

  it('answers UNAVAILABLE while Pulsar is down and recovers when it is back', async () => {
    const topic = parseTopicName(`public/default/${uniqueName('restart')}`);
    await adminFor(pulsar.webUrl, token).createSubscription(topic, 'fn');
    await produce(pulsar.webUrl, topicPath(topic), 2, token);
    const so = ref('restart', { adminURL: pulsar.webUrl, topics: `persistent://public/default/${topic.local}`, subscription: 'fn' });
    // /metrics shares a scrape that is being generated with concurrent askers: fresh within one generation.
    await waitFor('the backlog', async () => (await keda.poll(so)).value === 2, { timeoutMs: 30_000, intervalMs: 100 });
    const stream = keda.stream(so);

    await pulsar.stop();
    for (const call of [() => keda.getMetrics(so, 's0-x'), () => keda.isActive(so)]) {
      const err = (await call().catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      expect(err.details).toMatch(/Pulsar admin .* at http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
      expect(err.details).not.toContain(token);
    }
    expect((await keda.getMetricSpec(so)).metricSpecs[0]!.targetSize).toBe(10); // needs no Pulsar

    await pulsar.restart();
    await waitFor('backlog readable again', async () => (await keda.poll(so)).value === 2, { timeoutMs: 60_000, intervalMs: 500 });
    expect(stream.ended).toBe(false);

    // Drain the backlog, then a new message after the restart wakes the (idle again) function.
    await fetch(`${pulsar.webUrl}/admin/v2/${topicPath(topic)}/subscription/fn/skip_all`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await waitFor('the idle topic to be watched again', async () => scaler.watcher.connectedTopics > 0 && (await keda.poll(so)).value === 0, { timeoutMs: 20_000, intervalMs: 250 });
    const trues = stream.trues.length;
    await produce(pulsar.webUrl, topicPath(topic), 1, token);
    await waitFor('stream true after the restart', async () => stream.trues.length > trues, { timeoutMs: WAKE_TIMEOUT_MS, intervalMs: 20 });
    stream.call.cancel();
    expect(JSON.stringify(logLines)).not.toContain(token);
  }, 180_000);
});
