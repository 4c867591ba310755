// The bridge against Pulsar brokers of this suite's own that are secured as in production:
//  - token authentication: with the token from a mounted-Secret-style file (in Pulsar's
//    `token:<jwt>` form) the broker accepts it on pulsar:// (and, on the WebSocket fallback, the
//    admin and WebSocket APIs); without it the bridge stays unready and says why; the token never
//    shows in a log;
//  - pulsar+ssl:// (and, on the fallback, https:// and wss://) with a certificate from a private
//    CA: with BRIDGE_TLS_CA_FILE it works over TLS; without it the bridge stays unready and says
//    the certificate is not trusted; that broker also takes Pulsar's TLS authentication, so a
//    client certificate signed by its CA (CN admin, a super-user) is accepted instead of a token.
// Messages are published before the bridge starts, so only a subscription the bridge creates at
// earliest (the binary client subscribes there; the fallback creates it through the admin API)
// sees them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { OwnPulsar } from '../../support/processes.js';
import { collect, produceAll, startBridge, startFunction, stopBridge, uniqueName, waitFor, type BridgeProcess, type TestFunction } from './support.js';

/** A broker of the describe block's own, an echo function, and what to stop afterwards. */
function ownBroker(opts: Parameters<typeof OwnPulsar.start>[0]) {
  const ctx = { pulsar: undefined as unknown as OwnPulsar, fn: undefined as unknown as TestFunction, cleanups: [] as (() => Promise<void>)[] };
  beforeAll(async () => {
    ctx.pulsar = await OwnPulsar.start(opts);
    ctx.fn = await startFunction((req, res) => void res.status(200).type('text/plain').send(`${(req.body as Buffer).toString()}!`));
  }, 240_000);
  afterAll(async () => {
    for (const cleanup of ctx.cleanups) await cleanup().catch(() => undefined);
    await ctx.fn?.close();
    await ctx.pulsar?.destroy();
  }, 60_000);
  return ctx;
}

/** Runs 50 messages published beforehand through a function-mode bridge; returns the bridge. */
async function echoFifty(ctx: ReturnType<typeof ownBroker>, bridgeEnv: Record<string, string>, authToken?: string): Promise<BridgeProcess> {
  const input = `persistent://public/default/${uniqueName('in')}`;
  const output = `persistent://public/default/${uniqueName('out')}`;
  // The test's own clients use the plain port: only the bridge is under test.
  const replies = await collect(ctx.pulsar.brokerUrl, output, 'Exclusive', authToken);
  ctx.cleanups.push(() => replies.close());
  await produceAll(ctx.pulsar.brokerUrl, input, Array.from({ length: 50 }, (_, i) => ({ payload: Buffer.from(`m${i}`) })), { authToken });
  const b = await startBridge({
    BRIDGE_MODE: 'function', BRIDGE_BROKER_URL: ctx.pulsar.brokerUrl, BRIDGE_INPUTS: input, BRIDGE_SUBSCRIPTION: 'fn',
    BRIDGE_SUBSCRIPTION_POSITION: 'earliest', BRIDGE_OUTPUT: output, BRIDGE_TARGET_URL: ctx.fn.url, LOG_LEVEL: 'info', ...bridgeEnv,
  });
  ctx.cleanups.push(() => stopBridge(b));
  await b.waitReady(60_000);
  await waitFor('50 replies', () => replies.messages.length >= 50, 60_000);
  expect(new Set(replies.messages.map((m) => m.payload.toString()))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `m${i}!`)));
  const admin = new PulsarAdmin({ url: ctx.pulsar.webUrl, token: authToken, timeoutMs: 10_000 });
  let backlog = -1;
  for (let i = 0; i < 50 && backlog !== 0; i++) {
    backlog = (await admin.topicStats(parseTopicName(input)))?.subscriptions.fn?.msgBacklog ?? -1;
    if (backlog) await new Promise((r) => setTimeout(r, 200));
  }
  expect(backlog).toBe(0);
  return b;
}

/** A sink-mode bridge that cannot connect: it stays up and unready, and its log matches `why`. */
async function refused(ctx: ReturnType<typeof ownBroker>, bridgeEnv: Record<string, string>, why: RegExp): Promise<void> {
  const b = await startBridge({
    BRIDGE_MODE: 'sink', BRIDGE_BROKER_URL: ctx.pulsar.brokerUrl, BRIDGE_INPUTS: `persistent://public/default/${uniqueName('refused')}`,
    BRIDGE_SUBSCRIPTION: 'fn', BRIDGE_TARGET_URL: ctx.fn.url, ...bridgeEnv,
  });
  ctx.cleanups.push(() => stopBridge(b));
  await waitFor(`${why} in the log`, () => why.test(b.logs.join('')), 30_000);
  expect(b.child.exitCode).toBeNull(); // it keeps retrying: a fixed Secret needs no restart
  expect(await fetch(`${b.opsUrl}/readyz`).then((r) => r.status)).toBe(503);
}

describe('bridge against a Pulsar with token authentication', () => {
  const ctx = ownBroker({ auth: true });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bridge-token-'));
    writeFileSync(path.join(dir, 'token'), `token:${ctx.pulsar.token}\n`, { mode: 0o600 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with the token file, creates its subscription at earliest and runs every message through', async () => {
    const b = await echoFifty(ctx, { BRIDGE_AUTH_TOKEN_FILE: path.join(dir, 'token') }, ctx.pulsar.token);
    expect(b.logs.join('')).not.toContain(ctx.pulsar.token);
  }, 120_000);

  it('without a token, stays unready and logs that Pulsar refused it', () => refused(ctx, {}, /"reason":"[^"]*AuthenticationError/), 60_000);

  it('on the WebSocket fallback, with the token file, the same', async () => {
    const b = await echoFifty(ctx, { BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: ctx.pulsar.webUrl, BRIDGE_AUTH_TOKEN_FILE: path.join(dir, 'token') }, ctx.pulsar.token);
    expect(b.logs.join('')).not.toContain(ctx.pulsar.token);
  }, 120_000);

  it('on the WebSocket fallback, without a token, stays unready with HTTP 401 logged', () => refused(ctx, { BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: ctx.pulsar.webUrl }, /"reason":"HTTP 401/), 60_000);
});

describe('bridge against a Pulsar served over TLS by a private CA', () => {
  const ctx = ownBroker({
    auth: true, tls: true,
    conf: ['authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken,org.apache.pulsar.broker.authentication.AuthenticationProviderTls'],
  });
  let dir: string;
  const token = () => ({ BRIDGE_AUTH_TOKEN_FILE: path.join(dir, 'token') });
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bridge-tls-'));
    writeFileSync(path.join(dir, 'token'), `token:${ctx.pulsar.token}\n`, { mode: 0o600 });
    // A client certificate for the super-user, signed by the broker's CA.
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    const at = (f: string) => path.join(dir, f);
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('client.key'));
    openssl('req', '-new', '-key', at('client.key'), '-out', at('client.csr'), '-subj', '/CN=admin');
    openssl('x509', '-req', '-in', at('client.csr'), '-CA', ctx.pulsar.tls!.caFile, '-CAkey', path.join(ctx.pulsar.dir, 'ca.key'),
      '-CAcreateserial', '-out', at('client.crt'), '-days', '2');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with the CA, creates its subscription and runs every message through over pulsar+ssl://', async () => {
    const b = await echoFifty(ctx, { BRIDGE_BROKER_URL: ctx.pulsar.tlsBrokerUrl, BRIDGE_TLS_CA_FILE: ctx.pulsar.tls!.caFile, ...token() }, ctx.pulsar.token);
    expect(b.logs.join('')).toContain(`"pulsar":"pulsar+ssl://127.0.0.1:${ctx.pulsar.tls!.brokerPort}"`);
  }, 120_000);

  it('with BRIDGE_TLS_ALLOW_INSECURE and no CA, runs every message through as well', async () => {
    await echoFifty(ctx, { BRIDGE_BROKER_URL: ctx.pulsar.tlsBrokerUrl, BRIDGE_TLS_ALLOW_INSECURE: 'true', ...token() }, ctx.pulsar.token);
  }, 120_000);

  it('with a client certificate and no token, authenticates as the certificate\'s CN (mTLS)', async () => {
    await echoFifty(ctx, {
      BRIDGE_BROKER_URL: ctx.pulsar.tlsBrokerUrl, BRIDGE_TLS_CA_FILE: ctx.pulsar.tls!.caFile,
      BRIDGE_TLS_CERT_FILE: path.join(dir, 'client.crt'), BRIDGE_TLS_KEY_FILE: path.join(dir, 'client.key'),
    }, ctx.pulsar.token);
  }, 120_000);

  it('without the CA, stays unready and logs that the certificate is not trusted', () => refused(ctx, { BRIDGE_BROKER_URL: ctx.pulsar.tlsBrokerUrl, ...token() }, /certificate/i), 60_000);

  it('on the WebSocket fallback, with the CA, over https:// and wss://', async () => {
    const b = await echoFifty(ctx, { BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: ctx.pulsar.tlsWebUrl, BRIDGE_TLS_CA_FILE: ctx.pulsar.tls!.caFile, ...token() }, ctx.pulsar.token);
    expect(b.logs.join('')).toContain(`wss://127.0.0.1:${ctx.pulsar.tls!.port}`);
  }, 120_000);
});
