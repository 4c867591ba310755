// The bridge's HTTP client against real local servers standing in for a function: every delivery
// ends in exactly one verdict, even when the function dies mid-reply or never answers.
import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TargetClient } from '../../../adapters/bridge/target-client.js';
import type { CloudEvent } from '../../../adapters/cloudevents/cloud-event.js';

const servers: http.Server[] = [];
const clients: TargetClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function clientFor(handler: http.RequestListener, timeoutMs = 2_000): Promise<TargetClient> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new TargetClient({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    timeoutMs,
    maxSockets: 4,
    plainReply: (_input, body) => ({ attributes: { id: 'r', source: '/fn', type: 'reply', specversion: '1.0' }, data: body }),
  });
  clients.push(client);
  return client;
}

const event: CloudEvent = { attributes: { id: '1', source: '/s', type: 't', specversion: '1.0' }, data: Buffer.from('x') };

describe('TargetClient', () => {
  it('turns a plain 200 into a reply', async () => {
    const client = await clientFor((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x!'));
    expect(await client.deliver(event)).toMatchObject({ verdict: 'delivered', status: 200, reply: { data: Buffer.from('x!') } });
  });

  it('sends the binary-mode headers, and refuses for good an event whose content type cannot be a header', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const client = await clientFor((req, res) => {
      seen = req.headers;
      res.writeHead(204).end();
    });
    const withType: CloudEvent = { attributes: { ...event.attributes, datacontenttype: 'text/plain', subject: 'a b%' }, data: Buffer.from('x') };
    expect(await client.deliver(withType)).toEqual({ verdict: 'delivered', status: 204 });
    expect(seen).toMatchObject({ 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-specversion': '1.0', 'ce-subject': 'a%20b%25', 'content-type': 'text/plain', 'content-length': '1' });
    const injected: CloudEvent = { attributes: { ...event.attributes, datacontenttype: 'text/plain\r\nx-evil: 1' } };
    expect(await client.deliver(injected)).toMatchObject({ verdict: 'reject', reason: expect.stringContaining('datacontenttype') });
  });

  it('retries when the function dies halfway through its reply', async () => {
    const client = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-length': '100', 'content-type': 'text/plain' });
      res.write('partial', () => res.socket?.destroy());
    });
    const started = Date.now();
    expect(await client.deliver(event)).toMatchObject({ verdict: 'retry', reason: expect.stringContaining('cut off') });
    expect(Date.now() - started).toBeLessThan(1_000); // at once, not at the time-out
  });

  it('retries after the time-out when the function answers nothing, or stalls mid-reply', async () => {
    const silent = await clientFor(() => undefined, 200);
    expect(await silent.deliver(event)).toMatchObject({ verdict: 'retry', reason: expect.stringContaining('no response within 200 ms') });
    const stalled = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    }, 200);
    expect(await stalled.deliver(event)).toMatchObject({ verdict: 'retry', reason: expect.stringContaining('no response within 200 ms') });
  });

  it('cuts every delivery in flight when shutdown aborts, and starts none after', async () => {
    const client = await clientFor(() => undefined, 10_000);
    const stop = new AbortController();
    const started = Date.now();
    const pending = [client.deliver(event, stop.signal), client.deliver(event, stop.signal)];
    await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    expect(await Promise.all(pending)).toEqual([
      { verdict: 'retry', reason: 'delivery aborted by shutdown' },
      { verdict: 'retry', reason: 'delivery aborted by shutdown' },
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await client.deliver(event, stop.signal)).toEqual({ verdict: 'retry', reason: 'delivery aborted by shutdown' });
  });
});
