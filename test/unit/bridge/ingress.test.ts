// Source-mode ingress with an in-memory producer: 202 only after the send resolves, 429 when
// saturated, 503 when Pulsar is unreachable or refuses, 413 beyond the transport's payload limit.
import net from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { startIngress, type Ingress } from '../../../adapters/bridge/ingress.js';
import type { PayloadLimit } from '../../../adapters/bridge/transport/transport.js';
import { WEBSOCKET_PAYLOAD_LIMIT } from '../../../adapters/bridge/transport/websocket.js';
import { createBridgeMetrics } from '../../../adapters/bridge/metrics.js';
import { MessageTooLargeError } from '../../../adapters/pulsar/binary/index.js';
import type { OutgoingMessage } from '../../../adapters/pulsar/ws-messages.js';
import { createLogger } from '../../../process/logger.js';

const open: Ingress[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()));
});

async function ingress(send: (m: OutgoingMessage) => Promise<string>, connected = true, payloadLimit: PayloadLimit = WEBSOCKET_PAYLOAD_LIMIT) {
  const i = await startIngress({
    host: '127.0.0.1', port: 0, maxPending: 2, timeoutMs: 1000,
    producer: { connected, send, payloadLimit }, metrics: createBridgeMetrics(new Registry()), log: createLogger('test', 'silent'),
  });
  open.push(i);
  return (body = 'x', id = '1') => fetch(`http://127.0.0.1:${i.port}/`, {
    method: 'POST', body: Buffer.from(body),
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/s', 'ce-type': 't' },
  });
}

describe('source ingress', () => {
  it('answers 202 only once the send resolved', async () => {
    let resolveSend: (() => void) | undefined;
    const post = await ingress(() => new Promise((r) => (resolveSend = () => r('id'))));
    let answered = false;
    const res = post().then((r) => ((answered = true), r));
    // Until the send is under way (a fixed sleep raced the request on a busy machine), then a little more.
    while (!resolveSend) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    resolveSend();
    expect((await res).status).toBe(202);
  });

  it('answers 429 with Retry-After when saturated, and frees the slot afterwards', async () => {
    const pending: Array<() => void> = [];
    const post = await ingress(() => new Promise((r) => pending.push(() => r('id'))));
    const first = [post('a', '1'), post('b', '2')];
    await new Promise((r) => setTimeout(r, 50));
    const third = await post('c', '3');
    expect([third.status, third.headers.get('retry-after')]).toEqual([429, '1']);
    pending.forEach((release) => release());
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([202, 202]);
  });

  it('answers 503 when Pulsar refuses the write or is not connected', async () => {
    const refused = await ingress(async () => {
      throw new Error('send-error:8 (TopicTerminatedException)');
    });
    const res = await refused();
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/not persisted: send-error:8/);
    const disconnected = await ingress(async () => 'id', false);
    expect((await disconnected()).status).toBe(503);
  });

  it('answers 413 beyond the transport\'s limit, naming it and what to change, whether or not the length is declared', async () => {
    const sent: number[] = [];
    const limit = { bytes: 2048, why: 'raise maxMessageSize' };
    const post = await ingress(async (m) => (sent.push(m.payload.length), 'id'), true, limit);
    expect((await post('x'.repeat(2048))).status).toBe(202);
    const res = await post('x'.repeat(2049));
    expect([res.status, await res.text()]).toEqual([413, 'event of 2049 bytes is larger than 2048 bytes, the most one Pulsar message may carry here: raise maxMessageSize\n']);
    const port = Number(new URL(res.url).port);
    // Chunked, no Content-Length: counted while it arrives.
    const chunked = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST', duplex: 'half', body: new Blob(['x'.repeat(3000)]).stream(),
      headers: { 'ce-specversion': '1.0', 'ce-id': 'c', 'ce-source': '/s', 'ce-type': 't' },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(sent).toEqual([2048]);
    // Declared far beyond it (more than 8 MiB over): refused before any of the body, closing.
    const socket = net.connect(port, '127.0.0.1');
    socket.write(`POST / HTTP/1.1\r\nhost: x\r\nce-specversion: 1.0\r\ncontent-length: ${2048 + 8 * 1024 * 1024 + 1}\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text));
    });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*\r\nconnection: close\r\n[^]*event of 8390657 bytes is larger than 2048 bytes/i);
  });

  it('answers 413, not 503, when the client finds the message too large with its metadata', async () => {
    const post = await ingress(async () => {
      throw new Error('send to t: message of 10 bytes does not fit', { cause: new MessageTooLargeError('message of 10 bytes does not fit') });
    });
    const res = await post();
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([413, null, 'not persisted: send to t: message of 10 bytes does not fit\n']);
  });

  it('keeps the WebSocket transport\'s 700 KiB limit, and says to use the binary transport', async () => {
    const post = await ingress(async () => 'id');
    expect((await post('x'.repeat(700 * 1024))).status).toBe(202);
    const res = await post('x'.repeat(700 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than 716800 bytes.*use the binary transport/);
  });
});
