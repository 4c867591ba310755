// The scaler against the shared platform's real Pulsar, driven by a gRPC client that asks the way
// KEDA does (GetMetricSpec → GetMetrics → IsActive, plus StreamIsActive).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import type { Scaler } from '../../../scaler/app.js';
import { HealthClient } from '../../../scaler/protos.js';
import { waitFor } from '../../support/wait.js';
import {
  adminFor, createRunNamespace, deleteRunNamespace, expectWake, expectWakeOnTopicCreation, freePort, idleWatched, KedaLikeClient, produce, PUSH_ONLY_CHECK_MS, ref,
  sharedPulsarUrl, startTestScaler, uniqueName, WAKE_TIMEOUT_MS,
} from './support.js';

const web = sharedPulsarUrl();
const admin = adminFor(web);
// Topics live in a namespace of this run's own, with retention (createRunNamespace says why).
let tenantNs: string;
beforeAll(async () => {
  tenantNs = await createRunNamespace(web);
});

async function topicWithSubscription(prefix: string, opts: { partitions?: number; messages?: number; subscription?: string } = {}) {
  const name = `persistent://${tenantNs}/${uniqueName(prefix)}`;
  const topic = parseTopicName(name);
  if (opts.partitions) {
    const res = await fetch(`${web}/admin/v2/${topicPath(topic)}/partitions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: String(opts.partitions) });
    expect(res.status).toBe(204);
  }
  if (opts.subscription !== undefined) await admin.createSubscription(topic, opts.subscription);
  if (opts.messages) await produce(web, topicPath(topic), opts.messages);
  return { name, topic };
}

afterAll(() => deleteRunNamespace(web, tenantNs), 60_000);

describe.each(['metrics', 'stats'] as const)('scaler (%s backlog source) against the real Pulsar', (mode) => {
  let scaler: Scaler;
  let keda: KedaLikeClient;

  beforeAll(async () => {
    scaler = await startTestScaler({ backlogMode: mode, listFreshMs: 500 });
    keda = new KedaLikeClient(scaler.server.port);
  });
  afterAll(async () => {
    keda.close();
    await scaler.close();
  });

  it('counts the backlog of a subscription on a plain topic', async () => {
    const { name } = await topicWithSubscription('plain', { subscription: 'fn', messages: 3 });
    const so = ref('plain', { adminURL: web, topics: name, subscription: 'fn', targetBacklog: '2' });
    expect(await keda.poll(so)).toEqual({ target: 2, value: 3, active: true });
  });

  it('handles a function\'s default subscription name tenant/namespace/name', async () => {
    const { name, topic } = await topicWithSubscription('slash', { subscription: 'public/default/echo', messages: 2 });
    expect(await keda.poll(ref('slash', { adminURL: web, topics: name, subscription: 'public/default/echo' }))).toEqual({ target: 10, value: 2, active: true });
    expect(await admin.listSubscriptions(topic)).toEqual(['public/default/echo']);
  });

  it('detects a partitioned topic and sums its partitions', async () => {
    const { name } = await topicWithSubscription('parts', { partitions: 3, subscription: 'fn', messages: 7 });
    expect(await keda.poll(ref('parts', { adminURL: web, topics: name, subscription: 'fn' }))).toEqual({ target: 10, value: 7, active: true });
  });

  it('sums several topics', async () => {
    const a = await topicWithSubscription('multi-a', { subscription: 'fn', messages: 2 });
    const b = await topicWithSubscription('multi-b', { partitions: 2, subscription: 'fn', messages: 3 });
    const so = ref('multi', { adminURL: web, topics: `${a.name}, ${b.name}`, subscription: 'fn' });
    expect((await keda.poll(so)).value).toBe(5);
  });

  it('follows a topic pattern, new topics included', async () => {
    const prefix = uniqueName('pat');
    await produce(web, `persistent/${tenantNs}/${prefix}-x`, 1); // before the subscription: not counted at latest
    const x = parseTopicName(`${tenantNs}/${prefix}-x`);
    await admin.createSubscription(x, 'fn');
    await produce(web, topicPath(x), 2);
    await produce(web, `persistent/${tenantNs}/other-${prefix}`, 4); // does not match
    const so = ref('pattern', { adminURL: web, topicPattern: `persistent://${tenantNs}/${prefix}-.*`, subscription: 'fn', subscriptionPosition: 'earliest' });
    expect((await keda.poll(so)).value).toBe(2);
    // A second matching topic without the subscription: counted from earliest.
    await produce(web, `persistent/${tenantNs}/${prefix}-y`, 3);
    // Listed again after listFreshMs (500 ms); the wait only has to outlast a slow machine.
    await waitFor('the new topic in the pattern', async () => (await keda.poll(so)).value === 5, { timeoutMs: 30_000, intervalMs: 250 });
  });

  it('a missing subscription counts the topic from its initial position, without error', async () => {
    const { name } = await topicWithSubscription('nosub', { messages: 4 });
    expect(await keda.poll(ref('nosub-e', { adminURL: web, topics: name, subscription: 'fn', subscriptionPosition: 'earliest' }))).toEqual({ target: 10, value: 4, active: true });
    expect(await keda.poll(ref('nosub-l', { adminURL: web, topics: name, subscription: 'fn', subscriptionPosition: 'latest' }))).toEqual({ target: 10, value: 0, active: false });
    const parts = await topicWithSubscription('nosub-parts', { partitions: 2, messages: 5 });
    expect((await keda.poll(ref('nosub-p', { adminURL: web, topics: parts.name, subscription: 'fn', subscriptionPosition: 'earliest' }))).value).toBe(5);
  });

  it('a missing topic has backlog 0 and is not created', async () => {
    const name = `persistent://${tenantNs}/${uniqueName('missing')}`;
    expect(await keda.poll(ref('missing', { adminURL: web, topics: name, subscription: 'fn', subscriptionPosition: 'earliest' }))).toEqual({ target: 10, value: 0, active: false });
    expect(await admin.topicStats(parseTopicName(name))).toBeUndefined();
  });

  it('handles non-persistent topics', async () => {
    const name = `non-persistent://${tenantNs}/${uniqueName('np')}`;
    await produce(web, topicPath(parseTopicName(name)), 1);
    expect(await keda.poll(ref('np', { adminURL: web, topics: name, subscription: 'fn', subscriptionPosition: 'earliest' }))).toEqual({ target: 10, value: 0, active: false });
  });

  it('applies the activation threshold', async () => {
    const { name } = await topicWithSubscription('act', { subscription: 'fn', messages: 3 });
    expect((await keda.poll(ref('act3', { adminURL: web, topics: name, subscription: 'fn', activationBacklog: '3' }))).active).toBe(false);
    expect((await keda.poll(ref('act2', { adminURL: web, topics: name, subscription: 'fn', activationBacklog: '2' }))).active).toBe(true);
  });

  it('answers bad metadata with INVALID_ARGUMENT naming the key, on every method', async () => {
    const bad = ref('bad', { adminURL: web, topics: 'in', subscription: 'fn', subscriptionPosition: 'newest' });
    for (const call of [() => keda.getMetricSpec(bad), () => keda.getMetrics(bad, 's0-x'), () => keda.isActive(bad)]) {
      await expect(call()).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('"subscriptionPosition"') });
    }
    const stream = keda.stream(bad);
    await waitFor('the stream to fail', async () => stream.status);
    expect(stream.status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('"subscriptionPosition"') });
  });
});

// Binary protocol is the default transport; the WebSocket fallback runs the same cases so it stays honest.
describe.each(['binary', 'websocket'] as const)('push activation (StreamIsActive) over %s', (transport) => {
  let scaler: Scaler;
  let keda: KedaLikeClient;

  beforeAll(async () => {
    scaler = await startTestScaler({ checkMs: PUSH_ONLY_CHECK_MS, activationTransport: transport });
    keda = new KedaLikeClient(scaler.server.port);
  });
  afterAll(async () => {
    keda.close();
    await scaler.close();
  });

  const watched = () => scaler.watcher.connectedTopics;

  it.each<[string, { partitions: number; subscription?: string }]>([
    ['an existing subscription', { partitions: 0, subscription: 'fn' }],
    ['a partitioned topic', { partitions: 3, subscription: 'fn' }],
    ['a subscription not created yet', { partitions: 0 }],
  ])('wakes an idle function by push, with no periodic check: %s', async (_what, topicOpts) => {
    const before = watched();
    const { name, topic } = await topicWithSubscription('push', topicOpts);
    if (!topicOpts.subscription) await produce(web, topicPath(topic), 0);
    const stream = keda.stream(ref('push', { adminURL: web, topics: name, subscription: 'fn' }));
    await idleWatched(scaler, () => watched() > before);
    expect(stream.trues).toHaveLength(0);
    // Every reader of the binary transport shares one connection to the (single) broker.
    expect(scaler.binary?.connections).toBe(transport === 'binary' ? 1 : undefined);
    // No periodic check runs (PUSH_ONLY_CHECK_MS): whatever wakes it is the reader.
    await expectWake(stream, () => produce(web, topicPath(topic), 1));
    stream.call.cancel();
  });

  it('sends true at once when the function already has work', async () => {
    const { name } = await topicWithSubscription('busy', { subscription: 'fn', messages: 2 });
    const stream = keda.stream(ref('busy', { adminURL: web, topics: name, subscription: 'fn' }));
    await waitFor('stream true', async () => stream.trues.length > 0, { timeoutMs: WAKE_TIMEOUT_MS, intervalMs: 20 });
    stream.call.cancel();
  });

  it('wakes a function whose input topic did not exist yet, on the message that creates it', async () => {
    // The periodic check finds the topic created; only its reader (from the first message) can
    // wake the function: the subscription does not exist, so the backlog stays 0.
    const checking = await startTestScaler({ checkMs: 500, activationTransport: transport });
    const client = new KedaLikeClient(checking.server.port);
    try {
      await expectWakeOnTopicCreation({ scaler: checking, keda: client, webUrl: web });
    } finally {
      client.close();
      await checking.close();
    }
  });
});

describe('scaler process behaviour', () => {
  it('serves grpc.health.v1 and ends open streams cleanly on close', async () => {
    const scaler = await startTestScaler();
    const health = new HealthClient(`127.0.0.1:${scaler.server.port}`, grpc.credentials.createInsecure()) as unknown as {
      Check: (req: { service: string }, cb: (err: grpc.ServiceError | null, res: { status: string }) => void) => void;
      close: () => void;
    };
    const check = (service: string) => new Promise<unknown>((resolve) => health.Check({ service }, (err, res) => resolve(err ? err.code : res.status)));
    expect(await check('')).toBe('SERVING');
    expect(await check('externalscaler.ExternalScaler')).toBe('SERVING');
    expect(await check('nope')).toBe(grpc.status.NOT_FOUND);

    const keda0 = new KedaLikeClient(scaler.server.port);
    const specStream = (keda0.client.StreamMetricSpec as (r: unknown) => grpc.ClientReadableStream<unknown>)(ref('x', { topics: 'in', subscription: 'fn' }));
    const specStatus = await new Promise<grpc.StatusObject>((resolve) => {
      specStream.on('status', resolve);
      specStream.on('error', () => undefined);
    });
    expect(specStatus.code).toBe(grpc.status.UNIMPLEMENTED); // newest KEDA then stops asking
    keda0.close();

    const keda = new KedaLikeClient(scaler.server.port);
    const { name } = await topicWithSubscription('close', { subscription: 'fn' });
    const stream = keda.stream(ref('close', { adminURL: web, topics: name, subscription: 'fn' }));
    await waitFor('the stream to be open', async () => scaler.watcher.openStreams === 1);
    const started = Date.now();
    await scaler.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor('the stream to end', async () => stream.status);
    expect(stream.status?.code).toBe(grpc.status.OK);
    keda.close();
    health.close();
  });
});

describe('scaler transport and ops endpoints', () => {
  it('serves mutual TLS: a client certificate from the CA is required', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scaler-tls-'));
    try {
      execFileSync(path.resolve('hack/make-certs'), [dir], { stdio: 'ignore' }); // a throwaway PKI: CA, 127.0.0.1 server cert, client cert
      const file = (name: string) => path.join(dir, name);
      const scaler = await startTestScaler({ tls: { certFile: file('apiserver.crt'), keyFile: file('apiserver.key'), clientCaFile: file('ca.crt') } });
      const so = ref('tls', { adminURL: web, topics: 'in', subscription: 'fn' });
      const ca = readFileSync(file('ca.crt'));
      const withCert = new KedaLikeClient(scaler.server.port, grpc.credentials.createSsl(ca, readFileSync(file('admin.key')), readFileSync(file('admin.crt'))));
      const withoutCert = new KedaLikeClient(scaler.server.port, grpc.credentials.createSsl(ca));
      const plaintext = new KedaLikeClient(scaler.server.port);
      expect((await withCert.getMetricSpec(so)).metricSpecs[0]!.metricName).toBe('pulsar-backlog-fn');
      await expect(withoutCert.getMetricSpec(so)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(plaintext.getMetricSpec(so)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      for (const c of [withCert, withoutCert, plaintext]) c.close();
      await scaler.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves /healthz, /readyz and Prometheus /metrics with per-method call counts', async () => {
    const scaler = await startTestScaler({ opsPort: 0 });
    const keda = new KedaLikeClient(scaler.server.port);
    const { name } = await topicWithSubscription('ops', { subscription: 'fn', messages: 1 });
    await keda.poll(ref('ops', { adminURL: web, topics: name, subscription: 'fn' }));
    await keda.isActive(ref('ops', { adminURL: web, topics: name, subscription: 'x y' })).catch(() => undefined);
    const ops = `http://127.0.0.1:${scaler.ops!.port}`;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(/scaler_grpc_requests_total\{method="GetMetrics",code="OK"\} 1/);
    expect(metrics).toMatch(/scaler_grpc_requests_total\{method="IsActive",code="INVALID_ARGUMENT"\} 1/);
    expect(metrics).toMatch(/scaler_pulsar_admin_requests [1-9]/);
    keda.close();
    await scaler.close();
    expect((await fetch(`${ops}/healthz`).catch(() => undefined))?.status).toBeUndefined();
  });
});

describe('PulsarAdmin against the real broker', () => {
  it('reads metadata, stats and topic lists, and deletes subscriptions', async () => {
    const { topic } = await topicWithSubscription('admin', { partitions: 2, subscription: 'fn', messages: 3 });
    expect(await admin.partitionedMetadata(topic)).toBe(2);
    expect((await admin.partitionedStats(topic))?.subscriptions.fn?.msgBacklog).toBe(3);
    expect(await admin.topicStats(topic)).toBeUndefined(); // a partitioned topic has no stats under its base name
    expect(await admin.retainedEntries(topic, 2)).toBe(3);
    const listed = await admin.listTopics(...(tenantNs.split('/') as [string, string]));
    expect(listed.filter((t) => t.local === topic.local)).toEqual([{ ...topic }]);
    expect(await admin.listSubscriptions({ ...topic, partition: 0 })).toEqual(['fn']);
    expect(await admin.deleteSubscription(topic, 'fn')).toBe(true);
    expect(await admin.deleteSubscription(topic, 'fn')).toBe(false);
    expect(await admin.createSubscription(topic, 'public/default/echo', 'earliest')).toBe(true);
    expect(await admin.createSubscription(topic, 'public/default/echo')).toBe(false);
    expect(await admin.deleteSubscription(topic, 'public/default/echo', { force: true })).toBe(true);
    expect((await admin.partitionedStats(topic))?.subscriptions.fn).toBeUndefined();
  });

  it('reports a missing topic as undefined and an unreachable broker as PulsarUnavailableError', async () => {
    const missing = parseTopicName(`${tenantNs}/${uniqueName('gone')}`);
    expect(await admin.partitionedMetadata(missing)).toBe(0);
    expect(await admin.topicStats(missing)).toBeUndefined();
    expect(await admin.listSubscriptions(missing)).toBeUndefined();
    const dead = adminFor(`http://127.0.0.1:${await freePort()}`);
    await expect(dead.topicStats(missing)).rejects.toMatchObject({ name: 'PulsarUnavailableError', message: expect.stringContaining('ECONNREFUSED') });
  });
});
