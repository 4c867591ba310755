// Source-mode ingress with an in-memory producer: 202 only after the send resolves, 429 when
// saturated, 503 when Pulsar is unreachable or refuses, 413 for what cannot fit a frame.
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { startIngress, MAX_EVENT_BYTES, type Ingress } from '../../../adapters/bridge/ingress.js';
import { createBridgeMetrics } from '../../../adapters/bridge/metrics.js';
import type { OutgoingMessage } from '../../../adapters/pulsar/ws-messages.js';
import { createLogger } from '../../../process/logger.js';

const open: Ingress[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()));
});

async function ingress(send: (m: OutgoingMessage) => Promise<string>, connected = true) {
  const i = await startIngress({
    host: '127.0.0.1', port: 0, maxPending: 2, timeoutMs: 1000,
    producer: { connected, send }, metrics: createBridgeMetrics(new Registry()), log: createLogger('test', 'silent'),
  });
  open.push(i);
  return (body = 'x', id = '1') => fetch(`http://127.0.0.1:${i.port}/`, {
    method: 'POST', body: Buffer.from(body),
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/s', 'ce-type': 't' },
  });
}

describe('source ingress', () => {
  it('answers 202 only once the send resolved', async () => {
    let resolveSend!: () => void;
    let sendCalled!: () => void;
    const called = new Promise<void>((r) => (sendCalled = r));
    const post = await ingress(() => new Promise((r) => { resolveSend = () => r('id'); sendCalled(); }));
    let answered = false;
    const res = post().then((r) => ((answered = true), r));
    // From the send on (the request may take long to arrive on a busy machine), an answer that did
    // not wait for it would come within these 50 ms.
    await called;
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

  it('answers 413 for data that cannot fit a Pulsar WebSocket frame', async () => {
    const post = await ingress(async () => 'id');
    const res = await post('x'.repeat(MAX_EVENT_BYTES + 1));
    expect(res.status).toBe(413);
  });
});
