// Test support for the scaler suites: an in-process scaler, a gRPC client that asks the way KEDA
// does, a minimal WebSocket producer, unique topic names, and a private Pulsar broker (for tests
// that stop Pulsar or need authentication) started with hack/start-pulsar.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { PulsarClient } from '../../../adapters/pulsar/binary/index.js';
import { createLogger } from '../../../process/logger.js';
import { startScaler, type Scaler, type ScalerConfig } from '../../../scaler/app.js';
import type { BacklogReport } from '../../../scaler/backlog-source.js';
import {
  ExternalScalerClient,
  type GetMetricSpecResponse,
  type GetMetricsResponse,
  type IsActiveResponse,
  type ScaledObjectRef,
} from '../../../scaler/protos.js';
import { readPlatformEnv } from '../../support/platform.js';
import { freePort } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
export { OwnPulsar, signToken } from '../../support/processes.js';
export { freePort };

export const quietLog = createLogger('scaler-test', process.env.LOG_LEVEL ?? 'silent');

export function sharedPulsarUrl(): string {
  return readPlatformEnv().PULSAR_WEB_URL;
}

/** Marks every topic this test process creates, so they can be deleted afterwards. */
export const RUN_ID = `st${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

/** A topic local name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${RUN_ID}-${randomBytes(3).toString('hex')}`;
}

/** Deletes the topics of this run in one namespace (both domains), so the shared broker stays lean. */
export async function deleteRunTopics(webUrl: string, namespace = 'public/default'): Promise<void> {
  for (const domain of ['persistent', 'non-persistent']) {
    const base = `${webUrl}/admin/v2/${domain}/${namespace}`;
    const plain = (await (await fetch(base)).json()) as string[];
    const partitioned = (await (await fetch(`${base}/partitioned`)).json()) as string[];
    const ours = [...partitioned, ...plain.filter((t) => !/-partition-\d+$/.test(t))].filter((t) => t.includes(RUN_ID));
    await Promise.all(
      ours.map((t) => {
        const path = t.replace('://', '/');
        const isPartitioned = partitioned.includes(t);
        return fetch(`${webUrl}/admin/v2/${path}${isPartitioned ? '/partitions' : ''}?force=true`, { method: 'DELETE' }).catch(() => undefined);
      }),
    );
  }
}

/**
 * A namespace of this test process's own on the shared broker, with retention. Without retention
 * Pulsar keeps a topic that has no subscription at all only in its open ledger: once the ledger
 * is closed (a topic unload, a broker restart, a failed write to the bookie) the next trim deletes
 * it, so a topic published 4 messages was then counted 1 or 3 (seen in CI). The shared broker
 * closes ledgers when it likes, so tests that count what a topic retains keep it here.
 */
export async function createRunNamespace(webUrl: string): Promise<string> {
  const namespace = `public/${RUN_ID}`;
  const ok = async (res: Promise<Response>, what: string) => {
    const r = await res;
    if (!r.ok) throw new Error(`${what} ${namespace}: HTTP ${r.status} ${await r.text()}`);
  };
  await ok(fetch(`${webUrl}/admin/v2/namespaces/${namespace}`, { method: 'PUT' }), 'creating namespace');
  await ok(fetch(`${webUrl}/admin/v2/namespaces/${namespace}/retention`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retentionTimeInMinutes: 60, retentionSizeInMB: 64 }),
  }), 'setting retention on');
  return namespace;
}

/** Deletes the namespace createRunNamespace made, topics first. */
export async function deleteRunNamespace(webUrl: string, namespace: string): Promise<void> {
  await deleteRunTopics(webUrl, namespace);
  const res = await fetch(`${webUrl}/admin/v2/namespaces/${namespace}`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`deleting namespace ${namespace}: HTTP ${res.status} ${await res.text()}`);
}

/**
 * The watcher re-reads the backlog just after a reader opens (verifyDelayMs, 100 ms), in case a
 * message slipped in before it: a message sent before that re-read is found by it, not by the
 * reader. Push tests wait this long after the reader is connected (and then for reads in flight
 * to end, see idleWatched), so only the reader can wake.
 */
export const AFTER_READER_OPENS_MS = 1_000;

/**
 * The periodic check of a scaler whose `true` may only come from a reader: ten minutes, far past
 * any test, so no check runs while one waits for a wake (a minute was within reach of a suite
 * that runs slowly beside others).
 */
export const PUSH_ONLY_CHECK_MS = 600_000;

/**
 * How long a test waits for a pushed `true`. Loose on purpose: suites run side by side on 2 cores
 * (a WebSocket wake once took 1,005 ms in CI, and a publish on a loaded machine takes seconds);
 * with PUSH_ONLY_CHECK_MS any wake within it is a reader's. The latency is measured by
 * `npm run bench -- scaler`, not here.
 */
export const WAKE_TIMEOUT_MS = 30_000;

export async function startTestScaler(config: Partial<ScalerConfig> = {}): Promise<Scaler> {
  const scaler = await startScaler({ grpcPort: 0, host: '127.0.0.1', log: quietLog, freshMs: 0, checkMs: 1_000, ...config });
  readLog(scaler);
  return scaler;
}

/** The backlog reads of a test scaler (its watcher's checks and its gRPC answers), as they end. */
export interface ReadLog {
  inflight: number;
  done: BacklogReport[];
}

const readLogs = new WeakMap<Scaler, ReadLog>();

/**
 * What the scaler read, so a test can wait for a check to have happened instead of sleeping for
 * it (on a loaded machine one check can take seconds). Wraps the scaler's backlog source, which
 * its watcher and server call through.
 */
export function readLog(scaler: Scaler): ReadLog {
  const known = readLogs.get(scaler);
  if (known) return known;
  const log: ReadLog = { inflight: 0, done: [] };
  const read = scaler.source.read.bind(scaler.source);
  scaler.source.read = async (config) => {
    log.inflight++;
    try {
      const report = await read(config);
      log.done.push(report);
      return report;
    } finally {
      log.inflight--;
    }
  };
  readLogs.set(scaler, log);
  return log;
}

/**
 * Waits until `watching()` holds (the idle topics' readers are connected), then out the re-read
 * the watcher makes once a reader opens: after it, a message can only be seen by a reader.
 */
export async function idleWatched(scaler: Scaler, watching: () => boolean, timeoutMs = WAKE_TIMEOUT_MS): Promise<void> {
  await waitFor('the idle topics to be watched', async () => watching(), { timeoutMs, intervalMs: 50 });
  await sleep(AFTER_READER_OPENS_MS);
  const reads = readLog(scaler);
  await waitFor('the re-reads after the readers opened', async () => reads.inflight === 0, { timeoutMs: WAKE_TIMEOUT_MS, intervalMs: 20 });
}

/** Publishes, then waits for the stream's next `true`. */
export async function expectWake(stream: ActiveStream, publish: () => Promise<void>): Promise<void> {
  const before = stream.trues.length;
  await publish();
  await waitFor('stream true', async () => stream.trues.length > before, { timeoutMs: WAKE_TIMEOUT_MS, intervalMs: 10 });
}

/** A gRPC client that calls the scaler as KEDA does. */
export class KedaLikeClient {
  readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

  constructor(port: number, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}) {
    this.client = new ExternalScalerClient(`127.0.0.1:${port}`, credentials, options) as never;
  }

  getMetricSpec(ref: ScaledObjectRef): Promise<GetMetricSpecResponse> {
    return this.unary('GetMetricSpec', ref);
  }

  getMetrics(ref: ScaledObjectRef, metricName: string): Promise<GetMetricsResponse> {
    return this.unary('GetMetrics', { scaledObjectRef: ref, metricName });
  }

  isActive(ref: ScaledObjectRef): Promise<IsActiveResponse> {
    return this.unary('IsActive', ref);
  }

  /** One polling round as KEDA does it: spec, then metrics (name prefixed like KEDA's s0-), then IsActive. */
  async poll(ref: ScaledObjectRef): Promise<{ target: number; value: number; active: boolean }> {
    const spec = await this.getMetricSpec(ref);
    const metricName = `s0-${spec.metricSpecs[0]!.metricName}`;
    const metrics = await this.getMetrics(ref, metricName);
    const value = metrics.metricValues[0]!;
    if (value.metricName !== metricName) throw new Error(`metric ${value.metricName} answered for ${metricName}`);
    const active = (await this.isActive(ref)).result;
    return { target: spec.metricSpecs[0]!.targetSize, value: value.metricValue, active };
  }

  /** Opens StreamIsActive; `trues` counts {result: true} messages with their arrival times. */
  stream(ref: ScaledObjectRef): ActiveStream {
    const call = (this.client.StreamIsActive as (r: ScaledObjectRef) => grpc.ClientReadableStream<IsActiveResponse>)(ref);
    const s: ActiveStream = { call, trues: [], ended: false, status: undefined };
    call.on('data', (m: IsActiveResponse) => {
      if (m.result) s.trues.push(Date.now());
    });
    call.on('status', (st: grpc.StatusObject) => {
      s.status = st;
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      s.ended = true;
    });
    return s;
  }

  close(): void {
    this.client.close();
  }

  private unary<R>(method: string, req: unknown): Promise<R> {
    return new Promise((resolve, reject) => {
      (this.client[method] as (r: unknown, cb: (e: grpc.ServiceError | null, v: R) => void) => void)(req, (err, value) =>
        err ? reject(err) : resolve(value),
      );
    });
  }
}

export interface ActiveStream {
  call: grpc.ClientReadableStream<IsActiveResponse>;
  trues: number[];
  ended: boolean;
  status: grpc.StatusObject | undefined;
}

export function ref(name: string, metadata: Record<string, string>): ScaledObjectRef {
  return { name, namespace: 'scaler-test', scalerMetadata: { scalerAddress: 'scaler:9090', ...metadata } };
}

/** Publishes `count` messages over Pulsar's binary protocol (for brokers without the WebSocket API). */
export async function produceBinary(brokerUrl: string, topic: string, count: number, token?: string): Promise<void> {
  const client = new PulsarClient({ serviceUrl: brokerUrl, authentication: token ? { token } : undefined });
  try {
    const producer = await client.createProducer({ topic });
    for (let i = 0; i < count; i++) await producer.send({ payload: `m${i}` });
  } finally {
    await client.close();
  }
}

/** Publishes `count` messages through Pulsar's WebSocket producer; resolves once all are acked. */
export async function produce(webUrl: string, topicPath: string, count: number, token?: string): Promise<void> {
  const ws = new WebSocket(`${webUrl.replace(/^http/, 'ws')}/ws/v2/producer/${topicPath}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    for (let i = 0; i < count; i++) {
      const ack = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
      ws.send(JSON.stringify({ payload: Buffer.from(`m${i}`).toString('base64'), context: String(i) }));
      const reply = JSON.parse(await ack) as { result: string; errorMsg?: string };
      if (reply.result !== 'ok') throw new Error(`produce to ${topicPath} failed: ${reply.result} ${reply.errorMsg ?? ''}`);
    }
  } finally {
    ws.close();
  }
}

/**
 * Opens a stream on a topic that does not exist, publishes its first message once the scaler
 * has checked (and found it missing), and expects `true`: the watcher reads a topic it saw
 * created from its first message. Published before that check, the message would be missed for
 * good (a topic first seen existing is read from its latest message), so the test waits for the
 * check itself, not a fixed time.
 */
export async function expectWakeOnTopicCreation(args: {
  scaler: Scaler;
  keda: KedaLikeClient;
  webUrl: string;
  /** Publishes one message to a full topic name (default: through the WebSocket API at webUrl). */
  publish?: (topic: string) => Promise<void>;
}): Promise<void> {
  const topic = `persistent://public/default/${uniqueName('created')}`;
  const publish = args.publish ?? ((t: string) => produce(args.webUrl, t.replace('://', '/'), 1));
  const reads = readLog(args.scaler);
  const stream = args.keda.stream(ref('created', { adminURL: args.webUrl, topics: topic, subscription: 'fn' }));
  await waitFor('a check to find the topic missing', async () => reads.done.some((r) => r.topics.some((t) => t.topic === topic && !t.exists)), { timeoutMs: WAKE_TIMEOUT_MS, intervalMs: 20 });
  // Missing: not watched (a reader would create it). Thrown, not expect(): the bench imports this file too.
  if (args.scaler.watcher.watchedTopics !== 0) throw new Error(`the missing topic is watched (${args.scaler.watcher.watchedTopics} watches): a reader would create it`);
  await expectWake(stream, () => publish(topic));
  stream.call.cancel();
}

export function adminFor(webUrl: string, token?: string): PulsarAdmin {
  return new PulsarAdmin({ url: webUrl, token, timeoutMs: 30_000 });
}
