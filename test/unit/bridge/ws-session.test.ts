// PulsarWsSession against a local WebSocket server standing in for the broker's endpoint: the
// bearer token (re-read from its file on every connect), reconnection after a drop, handshake
// errors reported with their HTTP status, and sends refused while disconnected.
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { PulsarWsSession } from '../../../adapters/pulsar/ws-session.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function server(onConnection: (auth: string | undefined, url: string, close: () => void) => void, reject?: number) {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: reject ? (_info, done) => done(false, reject, 'Topic not found') : undefined,
  });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (socket, req) => onConnection(req.headers.authorization, req.url!, () => socket.close()));
  closers.push(() => new Promise((r) => wss.close(r)));
  return `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('PulsarWsSession', () => {
  it('sends the token, re-reads its file on reconnect, and reconnects after a drop', async () => {
    const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'ws-token-')), 'token');
    writeFileSync(tokenFile, 'first\n');
    const seen: Array<string | undefined> = [];
    const url = await server((auth, _url, close) => {
      seen.push(auth);
      if (seen.length === 1) {
        writeFileSync(tokenFile, 'rotated');
        setTimeout(close, 10);
      }
    });
    const opens: number[] = [];
    const session = new PulsarWsSession('/ws/v2/producer/persistent/public/default/t', {
      url, authTokenFile: tokenFile, reconnectBackoff: { initialMs: 10, maxMs: 20 },
    }, { onOpen: (s) => opens.push(s), onText: () => undefined });
    closers.push(() => session.close());
    session.start();
    await until(() => opens.length === 2);
    expect(seen).toEqual(['Bearer first', 'Bearer rotated']);
    expect(session.connected).toBe(true);
    expect(session.session).toBe(2);
  });

  it('reports a refused handshake with its status and keeps retrying; refuses sends meanwhile', async () => {
    const url = await server(() => undefined, 404);
    const session = new PulsarWsSession('/ws/v2/consumer/persistent/public/default/t/s', { url, reconnectBackoff: { initialMs: 10, maxMs: 20 } }, { onText: () => undefined });
    closers.push(() => session.close());
    session.start();
    await until(() => session.lastError !== undefined && session.session >= 2);
    expect(session.lastError).toMatch(/HTTP 404/);
    expect(session.send('{}')).toBe(false);
    await expect(session.waitConnected(50)).rejects.toThrow(/not connected within 50 ms \(last error: HTTP 404/);
  });

  it('speaks wss:// with a CA file, refuses an unknown certificate, and can be told to skip the check', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    const tlsServer = https.createServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) });
    const wss = new WebSocketServer({ server: tlsServer });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => tlsServer.close(r)), () => new Promise((r) => wss.close(r)));
    const url = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    const connect = (tls: { caFile?: string; allowInsecure?: boolean }) => {
      const session = new PulsarWsSession('/ws/v2/producer/persistent/public/default/t', { url, tls, reconnectBackoff: { initialMs: 10, maxMs: 20 } }, { onText: () => undefined });
      closers.push(() => session.close());
      session.start();
      return session;
    };
    await connect({ caFile: `${dir}/cert.pem` }).waitConnected(5_000);
    await connect({ allowInsecure: true }).waitConnected(5_000);
    const untrusting = connect({});
    await until(() => untrusting.lastError !== undefined);
    expect(untrusting.lastError).toMatch(/self[- ]signed certificate/);
    expect(untrusting.connected).toBe(false);
  });
});
