import { describe, expect, it } from '@jest/globals';
import type { FunctionResource, WorkloadResource } from '../../../controller/api/index.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { DEFAULT_CLEANUP_POLICY, SubscriptionCleaner, cleanupBudgetMs, cleanupOAuth2, cleanupTarget, cleanupToken, leftBehind, retryDelayMs, tlsClientFiles, topicsMatching, wantsCleanup } from '../../../controller/reconcile/subscription-cleanup.js';

const fn = (spec: Partial<FunctionResource['spec']>, deletedAt = new Date().toISOString()): WorkloadResource =>
  ({ apiVersion: 'compute.functionmesh.io/v1alpha1', kind: 'Function', metadata: { name: 'fn', uid: 'u1', deletionTimestamp: deletedAt }, spec }) as unknown as WorkloadResource;

describe('cleanup plan', () => {
  it('targets the subscription on every input topic, full names, patterns set aside', () => {
    const t = cleanupTarget(fn({ tenant: 't', namespace: 'n', name: 'f', input: { topics: ['in', 'persistent://a/b/c'], topicPattern: 'x-.*' } }));
    expect(t).toEqual({ subscription: 't/n/f', topics: ['persistent://public/default/in', 'persistent://a/b/c'], patterns: ['persistent://public/default/x-.*'], deleteTopics: [] });
    expect(cleanupTarget(fn({ subscriptionName: 'mine', input: { topics: ['in'] } })).subscription).toBe('mine');
  });
  it('applies to Functions and Sinks that ask for it', () => {
    const as = (kind: string, spec: Partial<FunctionResource['spec']>) => ({ ...fn(spec), kind }) as WorkloadResource;
    expect(wantsCleanup(as('Function', { cleanupSubscription: true }))).toBe(true);
    expect(wantsCleanup(as('Sink', { cleanupSubscription: true }))).toBe(true);
    expect(wantsCleanup(as('Function', {}))).toBe(false);
    expect(wantsCleanup(as('Sink', {}))).toBe(false);
    expect(wantsCleanup(as('Source', { cleanupSubscription: true }))).toBe(false); // a plain Source has no subscription
  });
  const batch = { discoveryTriggererClassName: 'org.example.Trigger' };
  const source = (spec: Record<string, unknown>, name = 'src') => ({ ...fn({}), kind: 'Source', metadata: { name, uid: 'u2' }, spec }) as unknown as WorkloadResource;
  it('applies to a batch Source, always (upstream has no switch for it)', () => {
    expect(wantsCleanup(source({ batchSourceConfig: batch }))).toBe(true);
    expect(wantsCleanup(source({ batchSourceConfig: batch, cleanupSubscription: false }))).toBe(true);
    expect(wantsCleanup(source({}))).toBe(false);
  });
  it("a batch Source: the executor's subscription on its intermediate topic, which is then deleted", () => {
    expect(cleanupTarget(source({ batchSourceConfig: batch, tenant: 't', namespace: 'n', name: 'files' }))).toEqual({
      subscription: 'BatchSourceExecutor-t/n/files',
      topics: ['persistent://t/n/files-intermediate'],
      patterns: [],
      deleteTopics: ['persistent://t/n/files-intermediate'],
    });
    // Pulsar's names default as the runner's FunctionDetails do: public/default/<metadata.name>.
    expect(cleanupTarget(source({ batchSourceConfig: batch }, 'crawl')).deleteTopics).toEqual(['persistent://public/default/crawl-intermediate']);
    expect(cleanupTarget(source({}))).toEqual({ subscription: '', topics: [], patterns: [], deleteTopics: [] });
  });
  it('names what a released finalizer may leave behind', () => {
    expect(leftBehind(cleanupTarget(fn({ input: { topics: ['in'] } })))).toBe('the subscription public/default/fn may remain: delete it with pulsar-admin topics unsubscribe');
    expect(leftBehind(cleanupTarget(source({ batchSourceConfig: batch }, 'crawl')))).toContain('topic persistent://public/default/crawl-intermediate with pulsar-admin topics delete -f');
  });
  it('takes a token only from token authentication', () => {
    const plugin = 'org.apache.pulsar.client.impl.auth.AuthenticationToken';
    expect(cleanupToken({ pulsarConfig: 'p', authConfig: { genericAuth: { clientAuthenticationPlugin: plugin, clientAuthenticationParameters: 'token:abc' } } })).toBe('abc');
    expect(cleanupToken({ pulsarConfig: 'p' }, { clientAuthenticationPlugin: plugin, clientAuthenticationParameters: 'xyz' })).toBe('xyz');
    expect(cleanupToken({ pulsarConfig: 'p', authConfig: { genericAuth: { clientAuthenticationPlugin: 'Basic', clientAuthenticationParameters: 'u:p' } } })).toBeUndefined();
  });
  it.each([
    { name: 'a prefix pattern matches whole names only', pattern: 'persistent://public/default/orders-.*', want: ['orders-eu', 'orders-us'] },
    { name: 'an alternation is one group: no match escapes the anchors', pattern: 'persistent://public/default/orders-eu|payments', want: ['orders-eu'] },
    { name: 'a pattern of another namespace matches none', pattern: 'persistent://public/other/orders-.*', want: [] },
  ])('topic patterns: $name', ({ pattern, want }) => {
    const topics = ['orders-eu', 'orders-us', 'payments-eu', 'archive-orders-eu'].map((t) => parseTopicName(t));
    expect(topicsMatching(pattern, topics).map((t) => t.local)).toEqual(want);
  });
  it('authenticates with cleanupAuthConfig\'s OAuth2, else authConfig\'s', () => {
    const oauth2 = (issuerUrl: string) => ({ oauth2Config: { audience: 'a', issuerUrl, keySecretName: 'k', keySecretKey: 'auth.json' } });
    expect(cleanupOAuth2({ pulsarConfig: 'p', authConfig: oauth2('https://main') })?.issuerUrl).toBe('https://main');
    expect(cleanupOAuth2({ pulsarConfig: 'p', authConfig: oauth2('https://main'), cleanupAuthConfig: oauth2('https://cleanup') })?.issuerUrl).toBe('https://cleanup');
    expect(cleanupOAuth2({ pulsarConfig: 'p', authConfig: oauth2('https://main'), cleanupAuthConfig: {} })).toBeUndefined();
    expect(cleanupOAuth2({ pulsarConfig: 'p' })).toBeUndefined();
  });
  const TLS = 'org.apache.pulsar.client.impl.auth.AuthenticationTls';
  const mounted = {
    volumeMounts: [{ name: 'client-tls', mountPath: '/etc/pulsar-tls/' }],
    pod: { volumes: [{ name: 'client-tls', secret: { secretName: 'client-cert', items: [{ key: 'tls.crt', path: 'c.pem' }, { key: 'tls.key', path: 'k.pem' }] } }] },
  };
  it.each([
    {
      name: 'k:v parameters, files mapped by items',
      spec: { ...mounted, pulsar: { pulsarConfig: 'p', authConfig: { genericAuth: { clientAuthenticationPlugin: TLS, clientAuthenticationParameters: 'tlsCertFile:/etc/pulsar-tls/c.pem,tlsKeyFile:/etc/pulsar-tls/k.pem' } } } },
      want: { cert: { secretName: 'client-cert', key: 'tls.crt' }, key: { secretName: 'client-cert', key: 'tls.key' } },
    },
    {
      name: 'JSON parameters in the auth Secret, a whole Secret mounted',
      spec: { volumeMounts: [{ name: 'v', mountPath: '/tls' }], pod: { volumes: [{ name: 'v', secret: { secretName: 's' } }] }, pulsar: { pulsarConfig: 'p', authSecret: 'auth' } },
      secret: { clientAuthenticationPlugin: TLS, clientAuthenticationParameters: '{"tlsCertFile":"file:///tls/tls.crt","tlsKeyFile":"/tls/tls.key"}' },
      want: { cert: { secretName: 's', key: 'tls.crt' }, key: { secretName: 's', key: 'tls.key' } },
    },
    {
      name: 'a file on no mounted Secret is a problem naming it',
      spec: { ...mounted, pulsar: { pulsarConfig: 'p', authConfig: { genericAuth: { clientAuthenticationPlugin: TLS, clientAuthenticationParameters: 'tlsCertFile:/image/c.pem,tlsKeyFile:/etc/pulsar-tls/k.pem' } } } },
      want: { problem: expect.stringContaining('TLS client cert file /image/c.pem') },
    },
    { name: 'token auth: none', spec: { pulsar: { pulsarConfig: 'p', authSecret: 'auth' } }, secret: { clientAuthenticationPlugin: 'AuthenticationToken', clientAuthenticationParameters: 'token:x' }, want: undefined },
  ])('TLS client auth files: $name', ({ spec, secret, want }) => {
    expect(tlsClientFiles(fn(spec as Partial<FunctionResource['spec']>), secret)).toEqual(want);
  });
  it('backs off exponentially within a bounded budget (defaults: 5 attempts over about 2 minutes)', () => {
    const policy = DEFAULT_CLEANUP_POLICY;
    expect(new SubscriptionCleaner().policy).toBe(DEFAULT_CLEANUP_POLICY);
    expect(policy.attempts).toBe(5);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n))).toEqual([5000, 10000, 20000, 40000]);
    expect(cleanupBudgetMs(policy)).toBe(75_000 + 5 * 5000);
  });
});

describe('SubscriptionCleaner', () => {
  const policy = { attempts: 2, initialDelayMs: 10, requestTimeoutMs: 500 };
  it('retries, then gives up after the last attempt', async () => {
    const cleaner = new SubscriptionCleaner(policy);
    const resource = fn({ input: { topics: ['in'] }, pulsar: { pulsarConfig: 'gone' } });
    const first = await cleaner.attempt(resource, {});
    expect(first).toEqual({ state: 'retry', retryInMs: 10, failures: 1, error: 'ConfigMap gone with webServiceURL not found' });
    expect(await cleaner.attempt(resource, {})).toEqual(expect.objectContaining({ state: 'gaveUp', failures: 2 }));
  });
  it('gives up once the time since deletion exceeds the budget, whatever the count (restart-safe)', async () => {
    const cleaner = new SubscriptionCleaner({ attempts: 10, initialDelayMs: 10, requestTimeoutMs: 10 });
    const resource = fn({ input: { topics: ['in'] } }, new Date(Date.now() - 3_600_000).toISOString());
    expect((await cleaner.attempt(resource, {})).state).toBe('gaveUp');
  });
});
