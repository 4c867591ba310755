// Function mode against the real Pulsar, the bridge killed (SIGTERM and SIGKILL) and restarted
// while a function fails at random: every message must end on the output topic or the
// dead-letter topic; duplicates are counted, and bounded by what each kill may leave in flight.
// BRIDGE_CHAOS_MESSAGES sets the count (default 2000; the dedicated run uses 10000).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readPlatformEnv } from '../../support/platform.js';
import { collect, createSubscription, produceAll, startBridge, startFunction, uniqueName, type BridgeProcess, type TestFunction } from './support.js';

const COUNT = Number(process.env.BRIDGE_CHAOS_MESSAGES ?? 2000);
const RECEIVER_QUEUE = 100;
const REJECTED_EVERY = 97; // these ids the function refuses with 400: dead-lettered at once, never retried

describe(`bridge under kills: ${COUNT} messages, 10% random failures`, () => {
  const env = readPlatformEnv();
  const ns = 'persistent://public/default';
  const input = `${ns}/${uniqueName('chaos-in')}`;
  const output = `${ns}/${uniqueName('chaos-out')}`;
  const dlq = `${ns}/${uniqueName('chaos-dlq')}`;
  const subscription = 'chaos-fn';
  const seen = new Map<string, number>(); // function-side deliveries per message
  let fn: TestFunction;
  let outputs: Awaited<ReturnType<typeof collect>>;
  let deadLetters: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    fn = await startFunction((req, res) => {
      const body = (req.body as Buffer).toString();
      seen.set(body, (seen.get(body) ?? 0) + 1);
      if (Number(body.slice(1)) % REJECTED_EVERY === 0) return void res.status(400).send('refused');
      if (Math.random() < 0.1) return void res.status(503).send('random failure');
      res.status(200).type('text/plain').send(`${body}!`);
    });
    await createSubscription(env.PULSAR_WEB_URL, input, subscription);
    outputs = await collect(env.PULSAR_WEB_URL, output);
    deadLetters = await collect(env.PULSAR_WEB_URL, dlq);
  });

  afterAll(async () => {
    await Promise.all([outputs?.close(), deadLetters?.close(), fn?.close()]);
  });

  it('loses nothing and duplicates only what kills left in flight', async () => {
    const bridgeEnv = {
      BRIDGE_MODE: 'function',
      BRIDGE_PULSAR_URL: env.PULSAR_WEB_URL,
      BRIDGE_INPUTS: input,
      BRIDGE_SUBSCRIPTION: subscription,
      BRIDGE_OUTPUT: output,
      BRIDGE_DEAD_LETTER_TOPIC: dlq,
      BRIDGE_TARGET_URL: fn.url,
      BRIDGE_MAX_MESSAGE_RETRY: '2',
      BRIDGE_RETRY_BACKOFF_MS: '20',
      BRIDGE_RETRY_BACKOFF_MAX_MS: '200',
      BRIDGE_MAX_PENDING_ASYNC_REQUESTS: '32',
      BRIDGE_RECEIVER_QUEUE_SIZE: String(RECEIVER_QUEUE),
      BRIDGE_SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const started = Date.now();
    const producing = produceAll(env.PULSAR_WEB_URL, input, Array.from({ length: COUNT }, (_, i) => ({ payload: Buffer.from(`m${i}`), key: `k${i % 50}` })));

    const ids = (messages: typeof outputs.messages, strip: RegExp) => messages.map((m) => m.payload.toString().replace(strip, ''));
    const accounted = () => new Set([...ids(outputs.messages, /!$/), ...ids(deadLetters.messages, /$^/)]).size;
    const kills: string[] = [];
    let bridge: BridgeProcess | undefined;
    for (let round = 0; round < 40; round++) {
      bridge = await startBridge(bridgeEnv);
      await bridge.waitReady();
      if (kills.length >= 6) break; // the last bridge runs to the end
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_500));
      const signal = kills.length % 2 ? 'SIGKILL' : 'SIGTERM';
      bridge.child.kill(signal);
      const exit = await bridge.exited;
      kills.push(signal);
      if (signal === 'SIGTERM') expect(exit).toBe('0');
    }
    await producing;
    const deadline = Date.now() + 240_000;
    while (accounted() < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 1_000)); // late duplicates, if any, land too
    bridge!.child.kill('SIGTERM');
    expect(await bridge!.exited).toBe('0');

    const outIds = ids(outputs.messages, /!$/);
    const dlqIds = ids(deadLetters.messages, /$^/);
    const outSet = new Set(outIds);
    const dlqSet = new Set(dlqIds);
    const missing = Array.from({ length: COUNT }, (_, i) => `m${i}`).filter((id) => !outSet.has(id) && !dlqSet.has(id));
    const inBoth = [...outSet].filter((id) => dlqSet.has(id)).length;
    const duplicates = outIds.length - outSet.size + (dlqIds.length - dlqSet.size) + inBoth;
    const redelivered = [...seen.values()].filter((n) => n > 1).length;
    const report = {
      messages: COUNT, seconds: (Date.now() - started) / 1000, kills, output: outSet.size, deadLettered: dlqSet.size,
      duplicates, inBoth, functionCalls: fn.calls, messagesSeenTwiceByFunction: redelivered, missing: missing.length,
    };
    console.log(`bridge chaos report ${JSON.stringify(report)}`);

    expect(missing).toEqual([]);
    // Refused (400) messages are dead-lettered, never answered on the output topic.
    const refused = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % REJECTED_EVERY === 0).map((i) => `m${i}`);
    expect(refused.filter((id) => outSet.has(id))).toEqual([]);
    expect(refused.every((id) => dlqSet.has(id))).toBe(true);
    // Each kill can leave at most the receiver queue unacknowledged: only those may repeat.
    expect(duplicates).toBeLessThanOrEqual(kills.length * RECEIVER_QUEUE);
    // Every dead letter names its reason.
    expect(deadLetters.messages.every((m) => m.properties.DEAD_LETTER_REASON && m.properties.ORIGIN_MESSAGE_ID)).toBe(true);
  }, 420_000);
});
