// The transport against real local HTTP servers: what Pulsar's web service does to a client
// (slow answers, gzip, redirects to the owning broker, idle connections closed) is reproduced here
// byte for byte, without a broker.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { httpRequest } from '../../../adapters/pulsar/http-transport.js';
import { PulsarAdmin, PulsarUnavailableError } from '../../../adapters/pulsar/admin-client.js';
import { makeCertificates } from '../../support/processes.js';

const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<{ url: URL; connections: () => number; server: http.Server }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), connections: () => connections, server };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const get = (url: URL, timeoutMs = 2_000) => httpRequest({ method: 'GET', url, headers: {}, timeoutMs });

describe('httpRequest', () => {
  it('reuses one kept-alive connection for requests in sequence', async () => {
    const { url, connections } = await serve((_req, res) => res.end('{"ok":true}'));
    for (let i = 0; i < 5; i++) expect(await (await get(url)).text()).toBe('{"ok":true}');
    expect(connections()).toBe(1);
  });

  it('fails with a time-out when no answer comes', async () => {
    const { url } = await serve(() => undefined);
    await expect(get(url, 200)).rejects.toThrow('no answer within 200 ms');
  });

  it('fails the body with a time-out when the answer stalls half way', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const answer = await get(url, 300);
    await expect(answer.text()).rejects.toThrow('no answer within 300 ms');
  });

  it('survives an answer cut off half way, whether its body is read or dropped', async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100', ...(req.headers['accept-encoding'] ? { 'content-encoding': 'gzip' } : {}) });
      res.write('partial', () => res.socket?.destroy());
    });
    await expect((await get(url)).text()).rejects.toThrow();
    (await get(url)).discard();
    (await httpRequest({ method: 'GET', url, headers: {}, timeoutMs: 2_000, gzip: true })).discard();
    await new Promise((r) => setTimeout(r, 100)); // an unhandled 'error' would have failed the run by now
  });

  it('decodes a gzip body when asked for one', async () => {
    const text = 'pulsar_subscription_back_log{topic="a"} 1\n'.repeat(1000);
    const { url } = await serve((req, res) => {
      expect(req.headers['accept-encoding']).toBe('gzip');
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(text));
    });
    expect(await (await httpRequest({ method: 'GET', url, headers: {}, timeoutMs: 2_000, gzip: true })).text()).toBe(text);
  });

  it('sends a GET again when the server had closed the idle kept-alive socket', async () => {
    let n = 0;
    const { url, server, connections } = await serve((_req, res) => res.end(String(++n)));
    expect(await (await get(url)).text()).toBe('1');
    // The server drops its idle connection (as Jetty does after its idle time-out) and the next
    // request goes out in the same tick, before the client can have seen the close.
    server.closeIdleConnections();
    expect(await (await get(url)).text()).toBe('2');
    expect(connections()).toBe(2);
  });

  it('names the cause when nothing listens', async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    await expect(get(url)).rejects.toMatchObject({ reason: 'ECONNREFUSED' });
  });
});

describe('httpRequest over TLS from a private CA', () => {
  async function certificates(): Promise<{ ca: string; cert: string; key: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'transport-tls-'));
    try {
      await makeCertificates(dir);
      const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
      return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('refuses an untrusted certificate, naming the fix; trusts the given CA; or accepts any when insecure', async () => {
    const { ca, cert, key } = await certificates();
    const server = https.createServer({ cert, key }, (_req, res) => res.end('secure'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await expect(get(url)).rejects.toThrow("TLS certificate is not trusted (configure the CA that signed it)");
    expect(await (await httpRequest({ method: 'GET', url, headers: {}, timeoutMs: 2_000, ca })).text()).toBe('secure');
    expect(await (await httpRequest({ method: 'GET', url, headers: {}, timeoutMs: 2_000, insecure: true })).text()).toBe('secure');
  });
});

describe('PulsarAdmin over the transport', () => {
  it('follows a redirect to the owning broker with the token, and frees the connection after a 409', async () => {
    const owner = await serve((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer t0k' ? 409 : 401);
      res.end('{"reason":"Subscription already exists"}');
    });
    const entry = await serve((req, res) => {
      res.writeHead(307, { location: `${owner.url.origin}${req.url}` });
      res.end();
    });
    const admin = new PulsarAdmin({ url: entry.url.href, token: 't0k', timeoutMs: 2_000 });
    const topic = { domain: 'persistent' as const, tenant: 'public', namespace: 'default', local: 'in' };
    for (let i = 0; i < 3; i++) expect(await admin.createSubscription(topic, 'fn')).toBe(false);
    expect([entry.connections(), owner.connections()]).toEqual([1, 1]);
    expect(admin.requests).toBe(6);
  });

  it('answers UNAVAILABLE-kind errors naming the URL and the time-out', async () => {
    const { url } = await serve(() => undefined);
    const admin = new PulsarAdmin({ url: url.href, timeoutMs: 200 });
    const attempt = admin.topicStats({ domain: 'persistent', tenant: 'public', namespace: 'default', local: 'in' });
    await expect(attempt).rejects.toBeInstanceOf(PulsarUnavailableError);
    await expect(attempt).rejects.toThrow(`at ${url.origin} failed: no answer within 200 ms`);
  });
});
