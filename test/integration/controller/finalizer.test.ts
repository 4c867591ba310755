// cleanupSubscription: deleting the Function deletes its subscription through Pulsar's admin
// API; when Pulsar cannot be reached the finalizer is released after the bounded attempts, with
// a Warning event saying what was left behind.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { formatTopicName, parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { SUBSCRIPTION_FINALIZER } from '../../../controller/reconcile/subscription-cleanup.js';
import { OwnPulsar } from '../../support/processes.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';
import { freePort, getObject, startController, waitForReady, type RunningController } from './harness.js';
import { javaFunction, list, pulsarConfigMap, topic } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeEach(async () => {
  ns = await createTestNamespace('ctl-final');
  controller = await startController(ns, { cleanupPolicy: { attempts: 3, initialDelayMs: 300, requestTimeoutMs: 1000 } });
});
afterEach(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const events = (name: string) => kubectlJson<{ items: { reason: string; type: string; message: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`]);

describe('subscription cleanup finalizer', () => {
  it('deletes the subscription from every input topic when the Function is deleted', async () => {
    const web = readPlatformEnv().PULSAR_WEB_URL;
    const admin = new PulsarAdmin({ url: web });
    const inputs = [topic('cleanup-a'), topic('cleanup-b')];
    const subscription = `sub-${ns}`;
    for (const t of inputs) await admin.createSubscription(parseTopicName(t), subscription);

    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar', web), javaFunction('clean', { cleanupSubscription: true, subscriptionName: subscription, input: { topics: inputs } })),
    });
    const fn = await waitForReady('function', ns, 'clean');
    expect(fn.metadata.finalizers).toContain(SUBSCRIPTION_FINALIZER);

    await kubectlOk(['-n', ns, 'delete', 'function', 'clean', '--wait=false']);
    await waitFor('Function gone', async () => (await getObject('function', ns, 'clean')) === undefined || undefined, { timeoutMs: 30_000 });
    for (const t of inputs) expect(await admin.listSubscriptions(parseTopicName(t))).not.toContain(subscription);
    expect((await events('clean')).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
  });

  it('reaches a broker served over https:// by a private CA: through tlsConfig\'s CA, or with allowInsecure', async () => {
    const pulsar = await OwnPulsar.start({ tls: true });
    try {
      // Setup only: a broker just started creates its first ledgers slowly on a loaded machine.
      const admin = new PulsarAdmin({ url: pulsar.webUrl, timeoutMs: 60_000 });
      const subscription = `sub-${ns}`;
      const inputs = { trusting: topic('cleanup-tls'), insecure: topic('cleanup-insecure') };
      for (const t of Object.values(inputs)) await admin.createSubscription(parseTopicName(t), subscription);
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'pulsar-ca', `--from-file=ca.crt=${pulsar.tls!.caFile}`]);
      const tlsConfigs = {
        trusting: { enabled: true, certSecretName: 'pulsar-ca', certSecretKey: 'ca.crt' },
        insecure: { enabled: true, allowInsecure: true },
      };
      await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
        input: list(
          pulsarConfigMap('pulsar', pulsar.tlsWebUrl),
          ...(['trusting', 'insecure'] as const).map((name) =>
            javaFunction(name, { cleanupSubscription: true, subscriptionName: subscription, input: { topics: [inputs[name]] }, pulsar: { pulsarConfig: 'pulsar', tlsConfig: tlsConfigs[name] } })),
        ),
      });
      for (const name of ['trusting', 'insecure']) await waitForReady('function', ns, name);
      await kubectlOk(['-n', ns, 'delete', 'function', 'trusting', 'insecure', '--wait=false']);
      for (const name of ['trusting', 'insecure'] as const) {
        await waitFor(`${name} gone`, async () => (await getObject('function', ns, name)) === undefined || undefined, { timeoutMs: 30_000 });
        expect(await admin.listSubscriptions(parseTopicName(inputs[name]))).not.toContain(subscription);
        expect((await events(name)).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
      }
    } finally {
      await pulsar.destroy();
    }
  }, 120_000);

  it('TLS client auth (AuthenticationTls): the certificate and key come from the Secret mounted where its parameters point', async () => {
    // A broker taking tokens and client certificates; the Function authenticates with a certificate only.
    const pulsar = await OwnPulsar.start({
      auth: true, tls: true,
      conf: ['authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken,org.apache.pulsar.broker.authentication.AuthenticationProviderTls'],
    });
    try {
      const admin = new PulsarAdmin({ url: pulsar.webUrl, token: pulsar.token, timeoutMs: 60_000 });
      const subscription = `sub-${ns}`;
      const input = topic('cleanup-mtls');
      await admin.createSubscription(parseTopicName(input), subscription);
      // A client certificate for the super-user, signed by the broker's CA.
      const at = (f: string) => `${pulsar.dir}/mtls-${f}`;
      const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
      openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('client.key'));
      openssl('req', '-new', '-key', at('client.key'), '-out', at('client.csr'), '-subj', '/CN=admin');
      openssl('x509', '-req', '-in', at('client.csr'), '-CA', pulsar.tls!.caFile, '-CAkey', `${pulsar.dir}/ca.key`, '-CAcreateserial', '-out', at('client.crt'), '-days', '2');
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'pulsar-ca', `--from-file=ca.crt=${pulsar.tls!.caFile}`]);
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'client-tls', `--from-file=tls.crt=${at('client.crt')}`, `--from-file=tls.key=${at('client.key')}`]);
      await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
        input: list(
          pulsarConfigMap('pulsar', pulsar.tlsWebUrl),
          javaFunction('mtls', {
            cleanupSubscription: true, subscriptionName: subscription, input: { topics: [input] },
            pulsar: {
              pulsarConfig: 'pulsar',
              tlsConfig: { enabled: true, certSecretName: 'pulsar-ca', certSecretKey: 'ca.crt' },
              authConfig: {
                genericAuth: {
                  clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationTls',
                  clientAuthenticationParameters: 'tlsCertFile:/etc/client-tls/tls.crt,tlsKeyFile:/etc/client-tls/tls.key',
                },
              },
            },
            volumeMounts: [{ name: 'client-tls', mountPath: '/etc/client-tls', readOnly: true }],
            pod: { volumes: [{ name: 'client-tls', secret: { secretName: 'client-tls' } }] },
          }),
        ),
      });
      await waitForReady('function', ns, 'mtls');
      await kubectlOk(['-n', ns, 'delete', 'function', 'mtls', '--wait=false']);
      await waitFor('mtls gone', async () => (await getObject('function', ns, 'mtls')) === undefined || undefined, { timeoutMs: 30_000 });
      expect(await admin.listSubscriptions(parseTopicName(input))).not.toContain(subscription);
      expect((await events('mtls')).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
    } finally {
      await pulsar.destroy();
    }
  }, 180_000);

  it('a topic pattern: the subscription is deleted from every matching topic, and kept on the others', async () => {
    const web = readPlatformEnv().PULSAR_WEB_URL;
    const admin = new PulsarAdmin({ url: web });
    const prefix = topic('cleanup-pat'); // unique: persistent://public/default/cleanup-pat-<hex>
    const matching = [`${prefix}-a`, `${prefix}-b`];
    const other = topic('cleanup-other');
    const subscription = `sub-${ns}`;
    for (const t of [...matching, other]) await admin.createSubscription(parseTopicName(t), subscription);

    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar', web), javaFunction('pattern', { cleanupSubscription: true, subscriptionName: subscription, input: { topicPattern: `${prefix}-.*` } })),
    });
    await waitForReady('function', ns, 'pattern');
    await kubectlOk(['-n', ns, 'delete', 'function', 'pattern', '--wait=false']);
    await waitFor('Function gone', async () => (await getObject('function', ns, 'pattern')) === undefined || undefined, { timeoutMs: 30_000 });
    for (const t of matching) expect(await admin.listSubscriptions(parseTopicName(t))).not.toContain(subscription);
    expect(await admin.listSubscriptions(parseTopicName(other))).toContain(subscription);
    const deleted = (await events('pattern')).items.find((e) => e.reason === 'SubscriptionDeleted');
    for (const t of matching) expect(deleted?.message).toContain(formatTopicName(parseTopicName(t)));
  });

  it('OAuth2: the client credentials are exchanged at the issuer for a token the broker accepts', async () => {
    const pulsar = await OwnPulsar.start({ auth: true });
    const forms: URLSearchParams[] = [];
    // The issuer: OpenID metadata naming its token endpoint, which hands out the broker's admin token.
    const issuer: Server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
      if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ issuer: base, token_endpoint: `${base}/oauth/token` }));
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        forms.push(form);
        const ok = req.url === '/oauth/token' && form.get('client_id') === 'fm-client' && form.get('client_secret') === 's3cret';
        res.statusCode = ok ? 200 : 401;
        res.setHeader('content-type', 'application/json').end(JSON.stringify(ok ? { access_token: pulsar.token, token_type: 'Bearer', expires_in: 3600 } : { error: 'invalid_client' }));
      });
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    try {
      // A fresh broker creates its first topic slowly on a busy machine.
      const admin = new PulsarAdmin({ url: pulsar.webUrl, token: pulsar.token, timeoutMs: 30_000 });
      const input = topic('cleanup-oauth2');
      const subscription = `sub-${ns}`;
      await admin.createSubscription(parseTopicName(input), subscription);
      const keyFile = JSON.stringify({ type: 'client_credentials', client_id: 'fm-client', client_secret: 's3cret' });
      await kubectlOk(['-n', ns, 'create', 'secret', 'generic', 'oauth2-key', `--from-literal=auth.json=${keyFile}`]);
      const issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
      const oauth2Config = { audience: 'urn:pulsar-test', issuerUrl, scope: 'api://pulsar/.default', keySecretName: 'oauth2-key', keySecretKey: 'auth.json' };
      await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
        input: list(
          pulsarConfigMap('pulsar', pulsar.webUrl),
          javaFunction('oauth', { cleanupSubscription: true, subscriptionName: subscription, input: { topics: [input] }, pulsar: { pulsarConfig: 'pulsar', authConfig: { oauth2Config } } }),
        ),
      });
      await waitForReady('function', ns, 'oauth');
      await kubectlOk(['-n', ns, 'delete', 'function', 'oauth', '--wait=false']);
      await waitFor('Function gone', async () => (await getObject('function', ns, 'oauth')) === undefined || undefined, { timeoutMs: 60_000 });
      expect(await admin.listSubscriptions(parseTopicName(input))).not.toContain(subscription);
      expect((await events('oauth')).items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Normal', reason: 'SubscriptionDeleted' })]));
      expect(Object.fromEntries(forms[0]!)).toEqual({ grant_type: 'client_credentials', client_id: 'fm-client', client_secret: 's3cret', audience: 'urn:pulsar-test', scope: 'api://pulsar/.default' });
    } finally {
      await new Promise((resolve) => issuer.close(resolve));
      await pulsar.destroy();
    }
  }, 150_000);

  it('releases the finalizer with a Warning after bounded attempts when Pulsar is unreachable', async () => {
    const closedPort = await freePort();
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: list(pulsarConfigMap('pulsar', `http://127.0.0.1:${closedPort}`), javaFunction('orphan', { cleanupSubscription: true })),
    });
    await waitForReady('function', ns, 'orphan');
    const started = Date.now();
    await kubectlOk(['-n', ns, 'delete', 'function', 'orphan', '--wait=false']);
    await waitFor('Function gone', async () => (await getObject('function', ns, 'orphan')) === undefined || undefined, { timeoutMs: 30_000 });
    // 3 attempts, 300 ms then 600 ms apart: well under the 30 s bound, and not at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const warning = (await events('orphan')).items.find((e) => e.reason === 'SubscriptionCleanupFailed');
    expect(warning).toEqual(expect.objectContaining({ type: 'Warning', message: expect.stringContaining('gave up deleting the subscription after 3 attempts') }));
    expect(warning?.message).toContain(`127.0.0.1:${closedPort}`);
  });
});
