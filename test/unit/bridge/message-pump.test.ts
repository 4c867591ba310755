// The pump's delivery rules with in-memory stand-ins for the consumer, producers and target:
// when it acknowledges, what it dead-letters, how it treats redeliveries and shutdown.
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '../../../process/logger.js';
import { parseBridgeConfig } from '../../../adapters/bridge/config.js';
import { createBridgeMetrics } from '../../../adapters/bridge/metrics.js';
import { MessagePump } from '../../../adapters/bridge/message-pump.js';
import type { DeliveryResult } from '../../../adapters/bridge/target-client.js';
import type { CloudEvent } from '../../../adapters/cloudevents/cloud-event.js';
import type { ConsumedMessage, OutgoingMessage } from '../../../adapters/pulsar/ws-messages.js';

type Answer = DeliveryResult | ((signal?: AbortSignal) => Promise<DeliveryResult>);

function setup(env: Record<string, string> = {}, answers: (event: CloudEvent, attempt: number) => Answer = () => ({ verdict: 'delivered', status: 204 })) {
  const config = parseBridgeConfig({
    BRIDGE_MODE: 'function', BRIDGE_BROKER_URL: 'pulsar://p:6650', BRIDGE_INPUTS: 'in', BRIDGE_SUBSCRIPTION: 's', BRIDGE_OUTPUT: 'out',
    BRIDGE_RETRY_BACKOFF_MS: '1', BRIDGE_RETRY_BACKOFF_MAX_MS: '2', ...env,
  });
  const log: string[] = [];
  const attempts = new Map<string, number>();
  const sender = (name: string) => ({
    sent: [] as OutgoingMessage[],
    async send(m: OutgoingMessage) {
      log.push(`${name}:${m.payload.toString()}`);
      this.sent.push(m);
      return 'id';
    },
  });
  const output = sender('output');
  const deadLetter = sender('dlq');
  const pump = new MessagePump({
    config,
    consumer: {
      ack: (id, session) => (log.push(`ack:${id}@${session}`), true),
      nack: (id, session) => (log.push(`nack:${id}@${session}`), true),
    },
    output,
    deadLetter,
    target: {
      async deliver(event, signal) {
        const id = event.data!.toString();
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        log.push(`deliver:${id}#${attempt}`);
        const a = answers(event, attempt);
        return typeof a === 'function' ? a(signal) : a;
      },
    },
    context: { source: 'persistent://public/default/in', type: 't' },
    metrics: createBridgeMetrics(new Registry()),
    log: createLogger('test', 'silent'),
  });
  return { pump, log, output, deadLetter, attempts };
}

const msg = (id: string, key?: string): ConsumedMessage => ({
  messageId: id, payload: Buffer.from(id), properties: {}, publishTime: '2026-01-01T00:00:00Z', redeliveryCount: 0, ...(key && { key }),
});
const idle = async (pump: MessagePump) => {
  for (let i = 0; i < 200 && pump.inFlight; i++) await new Promise((r) => setTimeout(r, 5));
};
const reply = (text: string): DeliveryResult => ({ verdict: 'delivered', status: 200, reply: { attributes: { specversion: '1.0', id: '1', source: '/f', type: 'r' }, data: Buffer.from(text) } });

describe('MessagePump', () => {
  it('acknowledges only after the reply is persisted, and keeps the input key', async () => {
    const { pump, log, output } = setup({}, (e) => reply(`${e.data}!`));
    pump.onMessage(msg('a', 'k1'), 1);
    await idle(pump);
    expect(log).toEqual(['deliver:a#1', 'output:a!', 'ack:a@1']);
    expect(output.sent[0]!.key).toBe('k1');
  });

  it('retries retryable failures, then dead-letters with the reason, then acknowledges', async () => {
    const { pump, log, deadLetter } = setup({ BRIDGE_MAX_MESSAGE_RETRY: '2' }, () => ({ verdict: 'retry', status: 503, reason: 'HTTP 503' }));
    pump.onMessage(msg('a'), 1);
    await idle(pump);
    expect(log).toEqual(['deliver:a#1', 'deliver:a#2', 'deliver:a#3', 'dlq:a', 'ack:a@1']);
    expect(deadLetter.sent[0]!.properties).toMatchObject({ DEAD_LETTER_REASON: 'gave up after 3 attempts: HTTP 503', ce_knativeerrorcode: '503' });
  });

  it('dead-letters a rejected message without retrying', async () => {
    const { pump, log } = setup({}, () => ({ verdict: 'reject', status: 400, reason: 'HTTP 400' }));
    pump.onMessage(msg('a'), 1);
    await idle(pump);
    expect(log).toEqual(['deliver:a#1', 'dlq:a', 'ack:a@1']);
  });

  it('at most once: acknowledges on receipt and never retries', async () => {
    const { pump, log } = setup({ BRIDGE_PROCESSING_GUARANTEE: 'atmost_once' }, () => ({ verdict: 'retry', status: 500, reason: 'HTTP 500' }));
    pump.onMessage(msg('a'), 1);
    await idle(pump);
    expect(log).toEqual(['ack:a@1', 'deliver:a#1', 'dlq:a']);
  });

  it('processes a copy redelivered after a reconnect once, acknowledging on the new session', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { pump, log } = setup({}, () => async () => (await gate, { verdict: 'delivered', status: 204 }));
    pump.onMessage(msg('a'), 1);
    pump.onMessage(msg('a'), 2); // the connection dropped; Pulsar redelivered
    release();
    await idle(pump);
    pump.onMessage(msg('a'), 3); // the ack was lost too: acknowledged at once, not delivered again
    expect(log).toEqual(['deliver:a#1', 'ack:a@2', 'ack:a@3']);
  });

  it('shutdown: hands back what has not started and what waits for a retry, finishes the rest', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { pump, log } = setup({ BRIDGE_RETAIN_ORDERING: 'true' }, (e) =>
      e.data!.toString() === 'a' ? async () => (await gate, reply('a!')) : { verdict: 'retry', reason: 'HTTP 503' });
    pump.onMessage(msg('a'), 1);
    pump.onMessage(msg('b'), 1);
    pump.onMessage(msg('c'), 1);
    const stopped = pump.stop(5_000);
    pump.onMessage(msg('d'), 1); // arrives while draining
    release();
    await stopped;
    expect(log).toEqual(['deliver:a#1', 'nack:b@1', 'nack:c@1', 'nack:d@1', 'output:a!', 'ack:a@1']);
  });

  it('shutdown deadline: cuts what still runs and hands it back', async () => {
    // A function that never answers: only the abort (as the real HTTP client does) ends the call.
    const hang = (signal?: AbortSignal) => new Promise<DeliveryResult>((resolve) =>
      signal?.addEventListener('abort', () => resolve({ verdict: 'retry', reason: 'aborted' })));
    const { pump, log } = setup({}, () => hang);
    pump.onMessage(msg('a'), 1);
    await pump.stop(20);
    expect(log).toEqual(['deliver:a#1', 'nack:a@1']);
  });
});
