// TLS client authentication of the subscription cleanup over a real TLS handshake: a local https
// server that, like a broker with tlsRequireTrustedClientCertOnConnect, refuses clients without a
// certificate signed by its CA. (Not a Pulsar broker: test/support's OwnPulsar has no mTLS mode.)
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkloadResource } from '../../../controller/api/index.js';
import { SubscriptionCleaner } from '../../../controller/reconcile/subscription-cleanup.js';
import { makeCertificates } from '../../support/processes.js';

const run = promisify(execFile);
let dir: string;
let server: Server;
let url: string;
const pem = (f: string) => readFileSync(path.join(dir, f), 'utf8');
const deletes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fm-mtls-'));
  await makeCertificates(dir);
  const at = (f: string) => path.join(dir, f);
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('client.key')]);
  await run('openssl', ['req', '-new', '-key', at('client.key'), '-out', at('client.csr'), '-subj', '/CN=function-mesh-controller']);
  await run('openssl', ['x509', '-req', '-in', at('client.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('client.crt'), '-days', '2']);
  server = createServer({ key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    deletes.push(`${req.method} ${req.url} ${(req.socket as unknown as { getPeerCertificate(): { subject?: { CN?: string } } }).getPeerCertificate().subject?.CN}`);
    res.statusCode = 204;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const fn = { apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name: 'fn', uid: 'u1', deletionTimestamp: new Date().toISOString() }, spec: { subscriptionName: 'sub', input: { topics: ['in'] } } } as unknown as WorkloadResource;

describe('subscription cleanup with a TLS client certificate', () => {
  it('presents the certificate: the broker that requires one deletes the subscription', async () => {
    const outcome = await new SubscriptionCleaner({ attempts: 1, initialDelayMs: 10, requestTimeoutMs: 5000 }).attempt(fn, { webServiceURL: url, ca: pem('ca.crt'), clientCert: { cert: pem('client.crt'), key: pem('client.key') } });
    expect(outcome).toEqual({ state: 'done', message: 'subscription sub deleted from persistent://public/default/in' });
    expect(deletes).toEqual(['DELETE /admin/v2/persistent/public/default/in/subscription/sub?force=true function-mesh-controller']);
  });

  it('without it the handshake is refused and the attempt fails', async () => {
    const outcome = await new SubscriptionCleaner({ attempts: 1, initialDelayMs: 10, requestTimeoutMs: 5000 }).attempt(fn, { webServiceURL: url, ca: pem('ca.crt') });
    expect(outcome.state).toBe('gaveUp');
  });
});
