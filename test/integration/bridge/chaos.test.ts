// Function mode against the real Pulsar, the bridge killed (SIGTERM and SIGKILL) and restarted
// while a function fails at random: every message must end on the output topic or the
// dead-letter topic; duplicates are counted, and bounded by what each SIGKILL may leave in flight.
// Kills are spread over the run by progress (the k-th after k/8 of the messages are done), and
// each lands while the function is answering a request of the bridge: work that is certainly
// unacknowledged. Those messages must come again after a SIGKILL.
// BRIDGE_CHAOS_MESSAGES sets the count (default 2000; the dedicated run uses 10000);
// BRIDGE_CHAOS_TRANSPORT=websocket runs it over the WebSocket fallback (default binary).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';
import { bridgePulsar, collect, createSubscription, produceAll, startBridge, startFunction, uniqueName, type BridgeProcess, type TestFunction } from './support.js';

const COUNT = Number(process.env.BRIDGE_CHAOS_MESSAGES ?? 2000);
const TRANSPORT = process.env.BRIDGE_CHAOS_TRANSPORT === 'websocket' ? 'websocket' : 'binary';
const RECEIVER_QUEUE = 100;
const REJECTED_EVERY = 97; // these ids the function refuses with 400: dead-lettered at once, never retried
const KILLS = 6; // SIGTERM and SIGKILL in turn

describe(`bridge under kills (${TRANSPORT}): ${COUNT} messages, 10% random failures`, () => {
  const env = readPlatformEnv();
  const ns = 'persistent://public/default';
  const input = `${ns}/${uniqueName('chaos-in')}`;
  const output = `${ns}/${uniqueName('chaos-out')}`;
  const dlq = `${ns}/${uniqueName('chaos-dlq')}`;
  const subscription = 'chaos-fn';
  const seen = new Map<string, number>(); // function-side deliveries per message
  const answering = new Set<string>(); // requests the function holds unanswered right now
  let fn: TestFunction;
  let bridge: BridgeProcess | undefined;
  let outputs: Awaited<ReturnType<typeof collect>>;
  let deadLetters: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    fn = await startFunction((req, res) => {
      const body = (req.body as Buffer).toString();
      seen.set(body, (seen.get(body) ?? 0) + 1);
      // A few ms of work, so a kill can find requests still being answered.
      answering.add(body);
      setTimeout(() => {
        answering.delete(body);
        if (Number(body.slice(1)) % REJECTED_EVERY === 0) return void res.status(400).send('refused');
        if (Math.random() < 0.1) return void res.status(503).send('random failure');
        res.status(200).type('text/plain').send(`${body}!`);
      }, 1 + Math.random() * 4);
    });
    await createSubscription(env.PULSAR_WEB_URL, input, subscription);
    outputs = await collect(env.PULSAR_BROKER_URL, output);
    deadLetters = await collect(env.PULSAR_BROKER_URL, dlq);
  });

  afterAll(async () => {
    bridge?.child.kill('SIGKILL'); // a failed run leaves its last bridge running
    await Promise.all([outputs?.close(), deadLetters?.close(), fn?.close()]);
  });

  it('loses nothing and duplicates only what kills left in flight', async () => {
    const bridgeEnv = {
      BRIDGE_MODE: 'function',
      ...bridgePulsar({ broker: env.PULSAR_BROKER_URL, web: env.PULSAR_WEB_URL }, TRANSPORT),
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
    const producing = produceAll(env.PULSAR_BROKER_URL, input, Array.from({ length: COUNT }, (_, i) => ({ payload: Buffer.from(`m${i}`), key: `k${i % 50}` })));

    const ids = (messages: typeof outputs.messages, strip: RegExp) => messages.map((m) => m.payload.toString().replace(strip, ''));
    const accounted = () => new Set([...ids(outputs.messages, /!$/), ...ids(deadLetters.messages, /$^/)]).size;
    const kills: { signal: NodeJS.Signals; exit: string; doneBefore: number; answering: Map<string, number> }[] = [];
    let stalled: string | undefined; // progress stopped: messages lost, reported below
    for (;;) {
      bridge = await startBridge(bridgeEnv);
      await bridge.waitReady();
      if (kills.length >= KILLS) break; // the last bridge runs to the end
      const signal = kills.length % 2 ? 'SIGKILL' : 'SIGTERM';
      const due = Math.round(((kills.length + 1) / (KILLS + 2)) * COUNT);
      stalled = await waitFor(`${due} of ${COUNT} messages done before kill ${kills.length + 1}`, async () => accounted() >= due, { timeoutMs: 60_000, intervalMs: 20 })
        .then(() => undefined, (err: Error) => err.message);
      if (stalled) break;
      // Probe and kill in one turn of the event loop: nothing answers a request in between.
      await waitFor(`a request being answered, to kill ${signal} into`, async () => answering.size > 0, { timeoutMs: 10_000, intervalMs: 1 });
      const held = new Map([...answering].map((id) => [id, seen.get(id)!]));
      const doneBefore = accounted();
      bridge.child.kill(signal);
      kills.push({ signal, exit: await bridge.exited, doneBefore, answering: held });
    }
    await producing;
    if (!stalled) await waitFor(`all ${COUNT} messages on the output or dead-letter topic`, async () => accounted() >= COUNT, { timeoutMs: 240_000 }).catch(() => undefined); // `missing` below says which
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
    const sigkills = kills.filter((k) => k.signal === 'SIGKILL');
    const report = {
      transport: TRANSPORT, stalled, messages: COUNT, seconds: (Date.now() - started) / 1000, output: outSet.size, deadLettered: dlqSet.size,
      kills: kills.map((k) => ({ signal: k.signal, exit: k.exit, doneBefore: k.doneBefore, answering: k.answering.size })),
      duplicates, inBoth, functionCalls: fn.calls, messagesSeenTwiceByFunction: redelivered, missing: missing.length,
    };
    console.log(`bridge chaos report ${JSON.stringify(report)}`);

    expect(missing).toEqual([]);
    expect(stalled).toBeUndefined();
    expect(kills).toHaveLength(KILLS);
    // Each kill ended the process as sent: SIGTERM by a clean exit, SIGKILL by the signal.
    expect(kills.map((k) => [k.signal, k.exit])).toEqual(kills.map((k) => [k.signal, k.signal === 'SIGTERM' ? '0' : 'SIGKILL']));
    // Every kill came mid-run (messages left to do) and while the function held requests unanswered.
    for (const k of kills) {
      expect(k.doneBefore).toBeLessThan(COUNT);
      expect(k.answering.size).toBeGreaterThan(0);
    }
    // What a SIGKILL interrupted was unacknowledged: Pulsar delivered it again.
    expect(sigkills.flatMap((k) => [...k.answering].filter(([id, calls]) => seen.get(id)! <= calls).map(([id]) => id))).toEqual([]);
    // Refused (400) messages are dead-lettered, never answered on the output topic.
    const refused = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % REJECTED_EVERY === 0).map((i) => `m${i}`);
    expect(refused.filter((id) => outSet.has(id))).toEqual([]);
    expect(refused.every((id) => dlqSet.has(id))).toBe(true);
    // Only a SIGKILL can leave replies produced but unacknowledged, at most a receiver queue each.
    expect(duplicates).toBeLessThanOrEqual(sigkills.length * RECEIVER_QUEUE);
    // Every dead letter names its reason.
    expect(deadLetters.messages.every((m) => m.properties.DEAD_LETTER_REASON && m.properties.ORIGIN_MESSAGE_ID)).toBe(true);
  }, 420_000);
});
