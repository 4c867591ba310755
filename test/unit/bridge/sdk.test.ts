import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHttpCloudEvent } from '../../../adapters/cloudevents/http-binding.js';
import { CloudEvent, createRequestListener, Rejection, serve, type Handler } from '../../../adapters/sdk/index.js';

let handler: Handler = () => undefined;
let url: string;

/** The same answers from serve()'s own server and from the request listener on node:http. */
const servers: [string, () => Promise<{ port: number; close(): Promise<void> }>][] = [
  ['serve() (the SDK\'s HTTP/1.1 server)', () => serve((event) => handler(event), { port: 0, host: '127.0.0.1' })],
  ['createRequestListener() on node:http', async () => {
    const server = http.createServer(createRequestListener((event) => handler(event)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }],
];

const event = (contentType: string | undefined, body: string, extra: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', ...(contentType && { 'content-type': contentType }), ...extra },
    body: Buffer.from(body), // a string body would get a default text/plain content type
  });

describe.each(servers)('SDK: %s', (_name, start) => {
  let close: () => Promise<void>;
  beforeAll(async () => {
    const served = await start();
    url = `http://127.0.0.1:${served.port}/`;
    close = served.close;
  });
  afterAll(() => close());

  it('decodes data by content type: JSON parsed, text as string, unknown as bytes', async () => {
    const seen: unknown[] = [];
    handler = (e) => void seen.push(e.data);
    await event('application/json', '{"a":1}');
    await event('text/plain', 'hi');
    await event(undefined, 'raw');
    expect(seen).toEqual([{ a: 1 }, 'hi', Buffer.from('raw')]);
  });

  it('passes attributes and extensions through', async () => {
    let got: CloudEvent<unknown> | undefined;
    handler = (e) => void (got = e);
    await event('text/plain', 'x', { 'ce-partitionkey': 'k', 'ce-subject': 'caf%C3%A9' });
    expect(got).toMatchObject({ id: '1', source: '/s', type: 't', partitionkey: 'k', subject: 'café' });
  });

  it('answers a CloudEvent reply in binary mode', async () => {
    handler = (e) => new CloudEvent({ source: '/fn', type: 'reply', id: `r-${e.id}`, data: { ok: true } });
    const res = await event('text/plain', 'x');
    expect(res.status).toBe(200);
    const reply = parseHttpCloudEvent(Object.fromEntries(res.headers), Buffer.from(await res.arrayBuffer()));
    expect(reply.attributes).toMatchObject({ id: 'r-1', source: '/fn', type: 'reply', datacontenttype: 'application/json' });
    expect(reply.data?.toString()).toBe('{"ok":true}');
  });

  it('answers plain data, JSON, or 204 for no reply', async () => {
    handler = () => 'text!';
    let res = await event('text/plain', 'x');
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain; charset=utf-8', 'text!']);
    handler = () => ({ n: 2 });
    res = await event('text/plain', 'x');
    expect(await res.json()).toEqual({ n: 2 });
    handler = () => null;
    expect((await event('text/plain', 'x')).status).toBe(204);
  });

  it('maps a Rejection to 400 (dead-letter) and other errors to 500 (retry)', async () => {
    handler = () => {
      throw new Rejection('bad order');
    };
    let res = await event('text/plain', 'x');
    expect([res.status, await res.text()]).toEqual([400, 'bad order']);
    handler = async () => {
      throw new Error('database down');
    };
    res = await event('text/plain', 'x');
    expect(res.status).toBe(500);
  });

  it('answers 404 off the route, 405 to a GET of it, and serves /healthz', async () => {
    expect((await fetch(`${url}nope`, { method: 'POST', body: 'x' })).status).toBe(404);
    const get = await fetch(url);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect(await (await fetch(`${url}healthz`)).text()).toBe('ok\n');
  });

  it('answers 413 to an event over 10 MB', async () => {
    handler = () => 'never called';
    const res = await event('application/octet-stream', 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(res.status).toBe(413);
  });

  it('answers 400 to something that is not a CloudEvent', async () => {
    const res = await fetch(url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not a CloudEvent/);
  });
});

describe('SDK with K_SINK (a Source\'s container, or a Sink passing events on)', () => {
  let sinkServer: http.Server;
  let forwarding: { port: number; close(): Promise<void> };
  let forwardingUrl: string;
  let sinkAnswer: { status: number; headers?: Record<string, string> } = { status: 202 };
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    sinkServer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(sinkAnswer.status, sinkAnswer.headers ?? {}).end();
      });
    });
    await new Promise<void>((resolve) => sinkServer.listen(0, '127.0.0.1', resolve));
    const sink = `http://127.0.0.1:${(sinkServer.address() as AddressInfo).port}/`;
    forwarding = await serve((e) => handler(e), { port: 0, host: '127.0.0.1', sink });
    forwardingUrl = `http://127.0.0.1:${forwarding.port}/`;
  });
  afterAll(async () => {
    await forwarding.close();
    await new Promise<void>((resolve) => sinkServer.close(() => resolve()));
    sinkServer.closeAllConnections();
  });

  const post = (body: string) => fetch(forwardingUrl, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': 'e-7', 'ce-source': '/test', 'ce-type': 't', 'content-type': 'text/plain' },
    body: Buffer.from(body),
  });

  it('sends a plain reply to K_SINK as an event with the input\'s attributes, and answers 202 once accepted', async () => {
    handler = (e) => `${String(e.data)}!`;
    received.length = 0;
    sinkAnswer = { status: 202 };
    const res = await post('hello');
    expect(res.status).toBe(202);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toBe('hello!');
    expect(received[0]!.headers).toMatchObject({ 'ce-id': 'e-7', 'ce-source': '/test', 'ce-type': 't', 'content-type': 'text/plain; charset=utf-8' });
  });

  it('passes K_SINK\'s refusal on (with Retry-After), so the sender retries; no reply sends nothing', async () => {
    handler = () => 'x';
    sinkAnswer = { status: 503, headers: { 'retry-after': '2' } };
    const res = await post('x');
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '2']);
    received.length = 0;
    handler = () => null;
    expect((await post('x')).status).toBe(204);
    expect(received).toHaveLength(0);
  });

  it('answers 502 when K_SINK cannot be reached', async () => {
    handler = () => 'x';
    const closed = http.createServer(createRequestListener(() => 'x', { sink: 'http://127.0.0.1:9/' }));
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(closed.address() as AddressInfo).port}/`, {
      method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' }, body: Buffer.from('x'),
    });
    expect([res.status, await res.text()]).toEqual([502, expect.stringContaining('K_SINK http://127.0.0.1:9/')]);
    closed.closeAllConnections();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });
});
