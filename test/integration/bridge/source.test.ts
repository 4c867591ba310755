// Source mode against the real Pulsar: 202 only once Pulsar has the event, 400 naming what is
// wrong with an invalid one, and never a 2xx for an event Pulsar did not persist — checked by
// terminating the topic (Pulsar refuses every later write) while events are being posted; the
// largest event each transport takes. All but the termination run on the WebSocket fallback too.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import { readPlatformEnv } from '../../support/platform.js';
import { bridgePulsar, collect, freePort, startBridge, uniqueName, waitFor, type BridgeProcess } from './support.js';

const env = readPlatformEnv();

describe.each(['binary', 'websocket'] as const)('source mode (%s)', (transport) => {
  const topic = `persistent://public/default/${uniqueName('source-out')}`;
  let bridge: BridgeProcess;
  let sink: string;
  let out: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    const port = await freePort();
    sink = `http://127.0.0.1:${port}/`;
    out = await collect(env.PULSAR_BROKER_URL, topic);
    bridge = await startBridge({
      BRIDGE_MODE: 'source', ...bridgePulsar({ broker: env.PULSAR_BROKER_URL, web: env.PULSAR_WEB_URL }, transport),
      BRIDGE_OUTPUT: topic, BRIDGE_INGRESS_PORT: String(port), BRIDGE_TIMEOUT_MS: '5000',
    });
    await bridge.waitReady();
  });

  afterAll(async () => {
    bridge?.child.kill('SIGTERM');
    await bridge?.exited;
    await out?.close();
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(sink, { method: 'POST', headers, body, signal: AbortSignal.timeout(8_000) });
  // A client that sends its whole body before it reads the answer (as fetch may when the server is
  // quick): it fails if the server stops reading, as fetch did with EPIPE under load.
  const postInPieces = (headers: Record<string, string>, body: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const { hostname, port } = new URL(sink);
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).setTimeout(8_000, () => socket.destroy(new Error('timed out')));
    const head = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`POST / HTTP/1.1\r\nhost: ${hostname}\r\n${head}\r\n`);
    const piece = Math.ceil(body.length / 4);
    let sent: () => void;
    const allSent = new Promise<void>((resolve) => (sent = resolve));
    const write = (i: number): void => {
      if (i >= body.length) return sent();
      socket.write(body.slice(i, i + piece), (err) => (err ? reject(err) : setTimeout(() => write(i + piece), 100)));
    };
    write(0);
    socket.on('end', async () => {
      await allSent;
      const answer = Buffer.concat(chunks).toString();
      const [head, ...body] = answer.split('\r\n\r\n');
      const chunked = /transfer-encoding: chunked/i.test(head!);
      const text = body.join('\r\n\r\n');
      resolve({ status: Number(head!.split(' ')[1]), text: chunked ? text.replace(/^[0-9a-f]+\r\n/, '') : text });
    });
  });
  const binary = (id: string, extra: Record<string, string> = {}) => ({
    'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/test/source', 'ce-type': 'test.event', 'content-type': 'text/plain', ...extra,
  });

  it('persists binary and structured events, then answers 202', async () => {
    expect((await post(binary('b-1', { 'ce-partitionkey': 'key-1', 'ce-traceparent': 'tp' }), 'hello')).status).toBe(202);
    const structured = { specversion: '1.0', id: 's-1', source: '/test/source', type: 'test.event', data: { n: 1 } };
    expect((await post({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(structured))).status).toBe(202);
    await waitFor('2 messages', () => out.messages.length >= 2, 10_000);
    const [b, s] = out.messages;
    expect(b!.payload.toString()).toBe('hello');
    expect(b!.key).toBe('key-1');
    expect(b!.properties).toMatchObject({ ce_id: 'b-1', ce_source: '/test/source', ce_type: 'test.event', ce_traceparent: 'tp', 'content-type': 'text/plain' });
    expect(s!.payload.toString()).toBe('{"n":1}');
    expect(s!.properties.ce_id).toBe('s-1');
  });

  it('answers 400 naming the problem for invalid events, 405 for anything but POST', async () => {
    const noId = await post({ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }, 'x');
    expect(noId.status).toBe(400);
    expect(await noId.text()).toMatch(/attribute "id" is required/);
    const plain = await post({ 'content-type': 'application/json' }, '{}');
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/not a CloudEvent: no ce-specversion header/);
    const badTime = await post(binary('t-1', { 'ce-time': 'now' }), 'x');
    expect(await badTime.text()).toMatch(/time "now" is not an RFC 3339 timestamp/);
    expect((await fetch(sink)).status).toBe(405);
  });

  // The largest event: on the binary transport the broker's maxMessageSize (Pulsar's default 5 MiB
  // here) less 16 KiB kept for the metadata; on the WebSocket transport 700 KiB (base64 in a 1 MiB frame).
  const limit = transport === 'binary' ? 5 * 1024 * 1024 - 16 * 1024 : 700 * 1024;
  it(`persists an event of ${limit} bytes and answers 413 beyond, naming the limit and what to change`, async () => {
    expect((await post(binary('big-1'), 'b'.repeat(limit))).status).toBe(202);
    await waitFor('the large event', () => out.messages.some((m) => m.properties.ce_id === 'big-1'), 20_000);
    expect(out.messages.find((m) => m.properties.ce_id === 'big-1')!.payload.length).toBe(limit);
    // Sent in pieces, so the client is still writing when the 413 is ready: it must still read it.
    const over = await postInPieces(binary('big-2'), 'b'.repeat(limit + 1));
    expect(over.status).toBe(413);
    expect(over.text).toMatch(new RegExp(`^event of ${limit + 1} bytes is larger than ${limit} bytes, the most one Pulsar message may carry here: `
      + (transport === 'binary' ? "the broker's maxMessageSize is 5242880 bytes, 16384 of them kept for the message's metadata; raise maxMessageSize on the brokers" : 'the WebSocket transport .* use the binary transport')));
  });

  // Registered on the default transport only, to keep the WebSocket suite small.
  if (transport === 'binary') it('never answers 2xx for an event Pulsar did not persist', async () => {
    const admin = new PulsarAdmin({ url: env.PULSAR_WEB_URL });
    const answers = new Map<string, number>();
    let next = 0;
    let terminated = false;
    let afterTermination = 0;
    const worker = async () => {
      // Once the topic is terminated, a refused send may take up to BRIDGE_TIMEOUT_MS (Pulsar can
      // drop the producer rather than answer): 64 more events show the refusals within the budget.
      while (next < 600 && (!terminated || afterTermination++ < 64)) {
        const id = `t-${next++}`;
        const status = await post(binary(id), id).then((r) => r.status, () => 0);
        answers.set(id, status);
        if (!terminated && [...answers.values()].filter((s) => s === 202).length >= 150) {
          terminated = true;
          const res = await fetch(`${admin.url}/admin/v2/${topicPath(parseTopicName(topic))}/terminate`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
          expect(res.ok).toBe(true);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const counts: Record<string, number> = {};
    for (const s of answers.values()) counts[s] = (counts[s] ?? 0) + 1;
    console.log(`source answers after termination test: ${JSON.stringify(counts)}`);
    const accepted = [...answers].filter(([, s]) => s === 202).map(([id]) => id);
    const refused = [...answers].filter(([, s]) => s !== 202);
    await waitFor('accepted events on the topic', () => accepted.every((id) => out.messages.some((m) => m.payload.toString() === id)), 20_000);
    const onTopic = new Set(out.messages.map((m) => m.payload.toString()).filter((p) => p.startsWith('t-')));
    expect(accepted.filter((id) => !onTopic.has(id))).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map(([, s]) => s))).toEqual(new Set([503]));
    // Whatever Pulsar did not confirm and we refused is indeed not there (no silent writes either).
    expect(refused.filter(([id]) => onTopic.has(id)).length).toBeLessThanOrEqual(16);
  }, 90_000);
});
