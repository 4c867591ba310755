import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHttpCloudEvent } from '../../../adapters/cloudevents/http-binding.js';
import { CloudEvent, createRequestListener, Rejection, type Handler } from '../../../adapters/sdk/index.js';

let handler: Handler = () => undefined;
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer(createRequestListener((event) => handler(event)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const event = (contentType: string | undefined, body: string, extra: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', ...(contentType && { 'content-type': contentType }), ...extra },
    body: Buffer.from(body), // a string body would get a default text/plain content type
  });

describe('SDK serve()', () => {
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
