// Pulsar's OAuth2 client-credentials flow against an issuer served on 127.0.0.1: the form sent,
// and each way it can fail named without the secret.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchOAuth2Token } from '../../../adapters/pulsar/oauth2-token.js';

let server: Server;
let base: string;
const forms: Record<string, string>[] = [];
/** Per test: what the metadata and token endpoint answer. */
let metadata: (base: string) => unknown = (b) => ({ token_endpoint: `${b}/token` });
let tokenAnswer: { status: number; body: unknown } = { status: 200, body: { access_token: 'jwt-1' } };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify(metadata(base)));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      forms.push(Object.fromEntries(new URLSearchParams(body)));
      res.statusCode = tokenAnswer.status;
      res.end(JSON.stringify(tokenAnswer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const keyFile = JSON.stringify({ type: 'client_credentials', client_id: 'id-1', client_secret: 'sec-1' });

describe('fetchOAuth2Token', () => {
  it('discovers the token endpoint and sends the client credentials, audience and scope', async () => {
    expect(await fetchOAuth2Token({ issuerUrl: `${base}/`, audience: 'aud', scope: 'sc', keyFile })).toBe('jwt-1');
    expect(forms.at(-1)).toEqual({ grant_type: 'client_credentials', client_id: 'id-1', client_secret: 'sec-1', audience: 'aud', scope: 'sc' });
  });

  it.each([
    { name: 'a key file that is not JSON', keyFile: 'client_id=x', message: 'the OAuth2 key file is not JSON' },
    { name: 'a key file without a secret', keyFile: '{"client_id":"x"}', message: 'needs client_id and client_secret' },
    { name: 'metadata without token_endpoint', meta: () => ({}), message: 'names no token_endpoint' },
    { name: 'a refused client', token: { status: 401, body: { error: 'invalid_client' } }, message: 'HTTP 401' },
    { name: 'an answer without access_token', token: { status: 200, body: { token_type: 'Bearer' } }, message: 'has no access_token' },
  ])('fails on $name, never naming the secret', async ({ keyFile: key, meta, token, message }) => {
    metadata = meta ?? ((b) => ({ token_endpoint: `${b}/token` }));
    tokenAnswer = token ?? { status: 200, body: { access_token: 'jwt-1' } };
    const err = await fetchOAuth2Token({ issuerUrl: base, keyFile: key ?? keyFile }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain(message);
    expect(err?.message).not.toContain('sec-1');
  });

  it('an unreachable issuer is named', async () => {
    const err = await fetchOAuth2Token({ issuerUrl: 'http://127.0.0.1:1', keyFile, timeoutMs: 2000 }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain('http://127.0.0.1:1/.well-known/openid-configuration');
  });
});
