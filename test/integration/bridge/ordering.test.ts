// retainOrdering and retainKeyOrdering against the real Pulsar: a function that answers after a
// random delay and fails at random (so retries happen) must still see, and reply, in order.
import { afterEach, describe, expect, it } from '@jest/globals';
import { readPlatformEnv } from '../../support/platform.js';
import { bridgePulsar, collect, createSubscription, produceAll, startBridge, startFunction, uniqueName, waitFor, type TestFunction } from './support.js';

const env = readPlatformEnv();
const ns = 'persistent://public/default';

async function run(opts: { count: number; keys: number; bridge: Record<string, string>; transport?: 'binary' | 'websocket' }) {
  const input = `${ns}/${uniqueName('order-in')}`;
  const output = `${ns}/${uniqueName('order-out')}`;
  let running = 0;
  let maxRunning = 0;
  const fn: TestFunction = await startFunction((req, res) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    setTimeout(() => {
      running--;
      if (Math.random() < 0.1) return void res.status(500).end();
      res.status(200).type('text/plain').send(req.body as Buffer);
    }, Math.random() * 4);
  });
  await createSubscription(env.PULSAR_WEB_URL, input, 'ordered');
  const out = await collect(env.PULSAR_BROKER_URL, output);
  await produceAll(env.PULSAR_BROKER_URL, input, Array.from({ length: opts.count }, (_, i) => ({ payload: Buffer.from(String(i)), key: `k${i % opts.keys}` })));
  const bridge = await startBridge({
    BRIDGE_MODE: 'function', ...bridgePulsar({ broker: env.PULSAR_BROKER_URL, web: env.PULSAR_WEB_URL }, opts.transport), BRIDGE_INPUTS: input, BRIDGE_SUBSCRIPTION: 'ordered',
    BRIDGE_OUTPUT: output, BRIDGE_TARGET_URL: fn.url, BRIDGE_RETRY_BACKOFF_MS: '5', BRIDGE_RETRY_BACKOFF_MAX_MS: '20', ...opts.bridge,
  });
  cleanups.push(async () => {
    bridge.child.kill('SIGTERM');
    await bridge.exited;
    await Promise.all([out.close(), fn.close()]);
  });
  await bridge.waitReady();
  await waitFor(`${opts.count} replies`, () => out.messages.length >= opts.count, 90_000);
  const replies = out.messages.map((m) => ({ n: Number(m.payload.toString()), key: m.key! }));
  return { replies, maxRunning, retried: await bridge.metric('bridge_messages_retried_total') };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('ordering', () => {
  // The WebSocket fallback keeps strict order too (a smaller run).
  it.each([['binary', 300], ['websocket', 100]] as const)('retainOrdering (%s): replies in exactly the input order, one at a time, despite retries', async (transport, count) => {
    const { replies, maxRunning, retried } = await run({ count, keys: 7, transport, bridge: { BRIDGE_RETAIN_ORDERING: 'true', BRIDGE_MAX_PENDING_ASYNC_REQUESTS: '16' } });
    expect(replies.map((r) => r.n)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(maxRunning).toBe(1);
    expect(retried).toBeGreaterThan(0);
  }, 120_000);

  it('retainKeyOrdering: in order per key, several keys at once, and the key kept on the reply', async () => {
    const { replies, maxRunning, retried } = await run({ count: 600, keys: 6, bridge: { BRIDGE_RETAIN_KEY_ORDERING: 'true', BRIDGE_MAX_PENDING_ASYNC_REQUESTS: '8' } });
    expect(replies).toHaveLength(600);
    for (let k = 0; k < 6; k++) {
      const perKey = replies.filter((r) => r.key === `k${k}`).map((r) => r.n);
      expect(perKey).toEqual(Array.from({ length: 100 }, (_, i) => i * 6 + k));
    }
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(6);
    expect(retried).toBeGreaterThan(0);
  }, 120_000);
});
