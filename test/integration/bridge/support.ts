// Helpers for the bridge suites: the bridge as a child process (tsx), an in-test HTTP function,
// and Pulsar producers/collectors over the project's binary client (they work against a broker
// without the WebSocket service too).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { consumed } from '../../../adapters/bridge/transport/binary.js';
import { PulsarClient, type SubscriptionType } from '../../../adapters/pulsar/binary/index.js';
import type { ConsumedMessage, OutgoingMessage } from '../../../adapters/pulsar/ws-messages.js';
import { exitedHow, freePort } from '../../support/processes.js';
import { waitFor as waitForProbe } from '../../support/wait.js';
export { freePort };

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export interface TestFunction {
  url: string;
  calls: number;
  close(): Promise<void>;
}

/** An HTTP function: `handle` gets the raw request and answers however the test needs. */
export async function startFunction(handle: express.RequestHandler): Promise<TestFunction> {
  const app = express();
  app.use(express.raw({ type: () => true, limit: '2mb' }));
  const fn: TestFunction = { url: '', calls: 0, close: async () => undefined };
  app.post('/', (req, res, next) => {
    fn.calls++;
    return handle(req, res, next);
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fn.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return fn;
}

export interface BridgeProcess {
  child: ChildProcess;
  opsUrl: string;
  logs: string[];
  /** Resolves with the exit code (or signal name). */
  exited: Promise<string>;
  waitReady(timeoutMs?: number): Promise<void>;
  metric(name: string): Promise<number>;
}

/** `nodeArgs` go to node before the script (the bench's `--cpu-prof`). */
export async function startBridge(env: Record<string, string>, nodeArgs: string[] = []): Promise<BridgeProcess> {
  const opsPort = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'adapters/bridge/main.ts'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', BRIDGE_OPS_PORT: String(opsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  return {
    child,
    opsUrl,
    logs,
    exited,
    async waitReady(timeoutMs = 30_000) {
      await waitForProbe('the bridge ready (/readyz)', () => fetch(`${opsUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok), {
        timeoutMs, intervalMs: 100, failIf: () => exitedHow(child, 'the bridge'),
      }).catch((err: Error) => {
        throw new Error(`${err.message}:\n${logs.join('')}`);
      });
    },
    async metric(name: string) {
      const text = await (await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return line ? Number(line.split(' ').pop()) : NaN;
    },
  };
}

/** Stops a bridge: SIGTERM, then its exit. */
export async function stopBridge(bridge: BridgeProcess): Promise<void> {
  bridge.child.kill('SIGTERM');
  await bridge.exited;
}

/** How a bridge reaches the platform's (or a test's own) broker: the binary transport unless asked. */
export function bridgePulsar(urls: { broker: string; web: string }, transport: 'binary' | 'websocket' = 'binary'): Record<string, string> {
  return transport === 'binary' ? { BRIDGE_BROKER_URL: urls.broker } : { BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: urls.web };
}

function client(brokerUrl: string, authToken?: string, caFile?: string): PulsarClient {
  return new PulsarClient({ serviceUrl: brokerUrl, ...(authToken && { authentication: { token: authToken } }), ...(caFile && { tls: { caFile } }) });
}

/** Collects every message of a topic from a subscription made before the test produces. */
export async function collect(brokerUrl: string, topic: string, subscriptionType: SubscriptionType = 'Exclusive', authToken?: string) {
  const messages: ConsumedMessage[] = [];
  const c = client(brokerUrl, authToken);
  const consumer = await c.subscribe({ topic, subscription: uniqueName('collector'), subscriptionType, receiverQueueSize: 1000 });
  void (async () => {
    for (;;) {
      const m = await consumer.receive().catch(() => undefined);
      if (!m) return;
      messages.push(consumed(m));
      consumer.ack(m);
    }
  })();
  return { messages, close: () => c.close() };
}

/**
 * One entry per message, unless `batching`: an entry goes back to the subscription whole, so a
 * bridge killed mid-batch would see every message of the batch again (Pulsar without batch-index
 * acks), which the suites' duplicate bounds do not count on.
 */
export async function produceAll(brokerUrl: string, topic: string, messages: OutgoingMessage[], opts: { authToken?: string; batching?: boolean } = {}): Promise<void> {
  const c = client(brokerUrl, opts.authToken);
  const producer = await c.createProducer({ topic, batchingEnabled: opts.batching ?? false });
  await Promise.all(messages.map((m) => producer.send({
    payload: m.payload, ...(m.key !== undefined && { key: m.key }), ...(m.properties && { properties: m.properties }),
  })));
  await c.close();
}

/** Waits until a condition on what the test collected holds. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  await waitForProbe(what, async () => check(), { timeoutMs, intervalMs: 100 });
}

/** Creates the subscription before anything is produced, as the controller does for a Function. */
export async function createSubscription(webUrl: string, topic: string, subscription: string): Promise<void> {
  await new PulsarAdmin({ url: webUrl, timeoutMs: 10_000 }).createSubscription(parseTopicName(topic), subscription, 'earliest');
}
