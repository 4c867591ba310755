// What the binary client's suites share: the shared platform's broker, unique topic names, and
// the few admin REST calls the tests make (partitioned topics, unload, schemas, stats).
import { afterAll, beforeAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { PulsarClient, type ClientOptions } from '../../../adapters/pulsar/binary/index.js';
import { readPlatformEnv } from '../../support/platform.js';

export function broker(): { brokerUrl: string; webUrl: string } {
  const env = readPlatformEnv();
  return { brokerUrl: env.PULSAR_BROKER_URL, webUrl: env.PULSAR_WEB_URL };
}

/** One client for a suite, on the shared broker, closed after it; call at the top of the file. */
export function suiteClient(opts: Partial<ClientOptions> = {}): () => PulsarClient {
  let client: PulsarClient | undefined;
  beforeAll(() => {
    client = new PulsarClient({ serviceUrl: broker().brokerUrl, ...opts });
  });
  afterAll(() => client?.close());
  return () => client!;
}

/** A fresh topic name in public/default. */
export function uniqueTopic(prefix: string): string {
  return `persistent://public/default/${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function admin(webUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(`${webUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

const restPath = (topic: string) => topic.replace('persistent://', 'persistent/');

export async function createPartitionedTopic(webUrl: string, topic: string, partitions: number): Promise<void> {
  await admin(webUrl, 'PUT', `/admin/v2/${restPath(topic)}/partitions`, partitions);
}

/** Unloads the topic: the broker closes its producers and consumers, who must come back. */
export async function unloadTopic(webUrl: string, topic: string): Promise<void> {
  await admin(webUrl, 'PUT', `/admin/v2/${restPath(topic)}/unload`);
}

export async function topicStats(webUrl: string, topic: string, headers: Record<string, string> = {}): Promise<{
  publishers: unknown[];
  subscriptions: Record<string, { msgBacklog: number; consumers: unknown[]; unackedMessages?: number }>;
}> {
  return (await admin(webUrl, 'GET', `/admin/v2/${restPath(topic)}/stats`, undefined, headers)).json() as never;
}

export async function uploadSchema(webUrl: string, topic: string, type: string, schema = ''): Promise<void> {
  await admin(webUrl, 'POST', `/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`, { type, schema, properties: {} });
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Receives `n` messages (or fails after the timeout), acking each when asked. */
export async function receiveN(consumer: { receive(ms?: number): Promise<import('../../../adapters/pulsar/binary/index.js').Message>; ack(m: never): void }, n: number, ack = true, timeoutMs = 10_000) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const m = await consumer.receive(timeoutMs);
    if (ack) consumer.ack(m as never);
    out.push(m);
  }
  return out;
}
