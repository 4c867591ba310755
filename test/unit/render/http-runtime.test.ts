import { describe, expect, it } from '@jest/globals';
import type { V1Container } from '@kubernetes/client-node';
import { parseBridgeConfig } from '../../../adapters/bridge/config.js';
import { container, envOf, find, fn, http, podSpec, pulsarConfig, render, settings, sink, source } from './fixtures.js';
import type { Service } from '../../../controller/render/index.js';

/** The env as the bridge process sees it: envFrom expanded, Secret values filled in. */
function bridgeProcessEnv(c: V1Container): Record<string, string> {
  const vars: Record<string, string> = { ...pulsarConfig, tlsTrustCertsFilePath: '/etc/legacy/ca.crt' };
  return Object.fromEntries(
    (c.env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef ? 'secret-token' : (e.value ?? '').replace(/\$\((\w+)\)/g, (_, v: string) => vars[v] ?? '')]),
  );
}

describe('HTTP functions: user container + bridge sidecar', () => {
  it.each([
    {
      name: 'function',
      resource: fn({ ...http, subscriptionName: 'sub', maxMessageRetry: 2, timeout: 5000, retainKeyOrdering: true }),
      env: {
        BRIDGE_MODE: 'function',
        BRIDGE_NAME: 'team-a/fn',
        BRIDGE_BROKER_URL: '$(brokerServiceURL)',
        BRIDGE_INPUTS: 'persistent://public/default/in',
        BRIDGE_SUBSCRIPTION: 'sub',
        BRIDGE_SUBSCRIPTION_POSITION: 'earliest',
        BRIDGE_OUTPUT: 'persistent://public/default/out',
        BRIDGE_PROCESSING_GUARANTEE: 'atleast_once',
        BRIDGE_MAX_MESSAGE_RETRY: '2',
        BRIDGE_TIMEOUT_MS: '5000',
        BRIDGE_MAX_PENDING_ASYNC_REQUESTS: '1000',
        BRIDGE_RETAIN_KEY_ORDERING: 'true',
        BRIDGE_TARGET_URL: 'http://127.0.0.1:8080/',
        BRIDGE_OPS_PORT: '9094',
      },
      parsed: { mode: 'function', subscription: 'sub', ordering: 'key', subscriptionType: 'Key_Shared', maxRetries: 2, timeoutMs: 5000 },
    },
    {
      name: 'function without an output topic runs the bridge in sink mode',
      resource: fn({ ...http, output: undefined, input: { topicPattern: 'persistent://t/ns/orders-.*' }, processingGuarantee: 'atmost_once' }),
      env: {
        BRIDGE_MODE: 'sink',
        BRIDGE_NAME: 'team-a/fn',
        BRIDGE_BROKER_URL: '$(brokerServiceURL)',
        BRIDGE_INPUT_PATTERN: 'persistent://t/ns/orders-.*',
        BRIDGE_SUBSCRIPTION: 'public/default/fn',
        BRIDGE_SUBSCRIPTION_POSITION: 'earliest',
        BRIDGE_DEAD_LETTER_TOPIC: 'persistent://t/ns/public-default-fn-DLQ',
        BRIDGE_PROCESSING_GUARANTEE: 'atmost_once',
        BRIDGE_MAX_PENDING_ASYNC_REQUESTS: '1000',
        BRIDGE_TARGET_URL: 'http://127.0.0.1:8080/',
        BRIDGE_OPS_PORT: '9094',
      },
      parsed: { mode: 'sink', input: { pattern: 'persistent://t/ns/orders-.*' }, guarantee: 'atmost_once' },
    },
    {
      name: 'source: the user container posts to the bridge (K_SINK)',
      resource: source({ ...http }),
      env: {
        BRIDGE_MODE: 'source',
        BRIDGE_NAME: 'team-a/src',
        BRIDGE_BROKER_URL: '$(brokerServiceURL)',
        BRIDGE_OUTPUT: 'persistent://public/default/out',
        BRIDGE_INGRESS_PORT: '8081',
        BRIDGE_OPS_PORT: '9094',
      },
      parsed: { mode: 'source', output: 'persistent://public/default/out', ingress: { host: '127.0.0.1', port: 8081, maxPending: 1000 } },
    },
    {
      name: 'sink with ordering, a dead-letter topic and a custom path',
      resource: sink({ ...http, http: { image: 'example/snk:1', port: 3000, path: '/events' }, retainOrdering: true, deadLetterTopic: 'dead', maxMessageRetry: 1 }),
      env: {
        BRIDGE_MODE: 'sink',
        BRIDGE_NAME: 'team-a/snk',
        BRIDGE_BROKER_URL: '$(brokerServiceURL)',
        BRIDGE_INPUTS: 'persistent://public/default/in',
        BRIDGE_SUBSCRIPTION: 'public/default/snk',
        BRIDGE_SUBSCRIPTION_POSITION: 'earliest',
        BRIDGE_DEAD_LETTER_TOPIC: 'dead',
        BRIDGE_PROCESSING_GUARANTEE: 'atleast_once',
        BRIDGE_MAX_MESSAGE_RETRY: '1',
        BRIDGE_RETAIN_ORDERING: 'true',
        BRIDGE_TARGET_URL: 'http://127.0.0.1:3000/events',
        BRIDGE_OPS_PORT: '9094',
      },
      parsed: { mode: 'sink', ordering: 'strict', subscriptionType: 'Failover', deadLetterTopic: 'persistent://public/default/dead', targetUrl: 'http://127.0.0.1:3000/events' },
    },
  ])('$name', ({ resource, env, parsed }) => {
    const result = render(resource);
    expect(result.problems).toEqual([]);
    const bridge = container(result, 'bridge');
    expect(envOf(bridge)).toEqual(env);
    // What the controller renders is exactly what the bridge accepts.
    expect(parseBridgeConfig(bridgeProcessEnv(bridge))).toMatchObject({ ...parsed, pulsar: expect.objectContaining({ transport: 'binary', url: pulsarConfig.brokerServiceURL }) });
    expect(bridge.image).toBe(settings.bridgeImage);
    expect(bridge.envFrom).toEqual([{ configMapRef: { name: 'pulsar-cm' } }]);
  });

  it('the user container: its image, port and env; no Pulsar credentials', () => {
    const result = render(fn({ ...http, http: { image: 'example/h:2', port: 9000, path: '/', env: [{ name: 'MODE', value: 'x' }] }, secretsMap: { KEY: { path: 's', key: 'k' } } }));
    const user = container(result, 'pulsar-function');
    expect(podSpec(result).containers.map((c) => c.name)).toEqual(['pulsar-function', 'bridge']);
    expect(user.image).toBe('example/h:2');
    expect(user.command).toBeUndefined();
    expect(user.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    expect(user.envFrom).toBeUndefined();
    expect(envOf(user)).toEqual({ PORT: '9000', POD_NAME: 'valueFrom', KEY: 'secret:s/k', MODE: 'x' });
    expect(user.readinessProbe).toEqual({ tcpSocket: { port: 9000 }, periodSeconds: 5 });
    expect(find<Service>(result, 'Service')!.spec.ports).toEqual([
      { name: 'http', port: 9000, targetPort: 9000, protocol: 'TCP' },
      { name: 'http-metrics', port: 9094, targetPort: 9094, protocol: 'TCP' },
    ]);
    expect(podSpec(result).securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('a source container gets K_SINK and no readiness probe', () => {
    const user = container(render(source({ ...http })), 'pulsar-source');
    expect(envOf(user).K_SINK).toBe('http://127.0.0.1:8081');
    expect(user.readinessProbe).toBeUndefined();
  });

  it('logTopic is ignored with a warning: the containers log to stdout', () => {
    expect(render(fn({ ...http, logTopic: 'logs' })).problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.logTopic' })]);
  });

  it('the auth Secret is mounted into the bridge only', () => {
    const result = render(fn({ ...http, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth' } }));
    expect(podSpec(result).volumes).toEqual([{ name: 'auth-token', secret: { secretName: 'auth', items: [{ key: 'clientAuthenticationParameters', path: 'token' }] } }]);
    expect(container(result, 'bridge').volumeMounts).toEqual([{ name: 'auth-token', mountPath: '/etc/pulsar-auth', readOnly: true }]);
    expect(container(result, 'pulsar-function').volumeMounts).toBeUndefined();
  });

  it('an empty authConfig leaves the auth Secret in charge: the token file is both mounted and named', () => {
    const result = render(fn({ ...http, pulsar: { pulsarConfig: 'pulsar-cm', authSecret: 'auth', authConfig: {} } }));
    expect(envOf(container(result, 'bridge')).BRIDGE_AUTH_TOKEN_FILE).toBe('/etc/pulsar-auth/token');
    expect(container(result, 'bridge').volumeMounts).toEqual([{ name: 'auth-token', mountPath: '/etc/pulsar-auth', readOnly: true }]);
  });

  it('the bridge finishes in-flight work a few seconds inside the pod\'s grace period', () => {
    const bridge = container(render(fn({ ...http, pod: { terminationGracePeriodSeconds: 60 } })), 'bridge');
    expect(envOf(bridge).BRIDGE_SHUTDOWN_TIMEOUT_MS).toBe('55000');
    expect(parseBridgeConfig(bridgeProcessEnv(bridge)).shutdownTimeoutMs).toBe(55000);
  });

  it('spec.image overrides the bridge image', () => {
    expect(container(render(fn({ ...http, image: 'mirror/bridge:9' })), 'bridge').image).toBe('mirror/bridge:9');
  });

  it.each([
    { name: 'authSecret: a token file, re-read on reconnect', pulsar: { authSecret: 'auth' }, env: { BRIDGE_AUTH_TOKEN_FILE: '/etc/pulsar-auth/token' } },
    {
      name: 'token genericAuth',
      pulsar: { authConfig: { genericAuth: { clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken', clientAuthenticationParameters: 'token:abc' } } },
      env: { BRIDGE_AUTH_TOKEN: 'abc' },
    },
    {
      name: 'token genericAuth, a bare JWT with a trailing newline (as a Secret file often has)',
      pulsar: { authConfig: { genericAuth: { clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken', clientAuthenticationParameters: ' token: abc\n' } } },
      env: { BRIDGE_AUTH_TOKEN: 'abc' },
    },
    {
      name: 'token file genericAuth',
      pulsar: { authConfig: { genericAuth: { clientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken', clientAuthenticationParameters: 'file:///var/run/token' } } },
      env: { BRIDGE_AUTH_TOKEN_FILE: '/var/run/token' },
    },
    {
      name: 'tlsConfig',
      pulsar: { tlsConfig: { enabled: true, allowInsecure: true, certSecretName: 'ca', certSecretKey: 'ca.crt' } },
      env: { BRIDGE_TLS_CA_FILE: '/etc/tls/pulsar-functions/ca.crt', BRIDGE_TLS_ALLOW_INSECURE: 'true' },
    },
    { name: 'legacy tlsSecret', pulsar: { tlsSecret: 'tls' }, env: { BRIDGE_TLS_CA_FILE: '$(tlsTrustCertsFilePath)' } },
  ])('bridge credentials: $name', ({ pulsar, env }) => {
    const result = render(fn({ ...http, pulsar: { pulsarConfig: 'pulsar-cm', ...pulsar } }));
    expect(result.problems).toEqual([]);
    const bridge = container(result, 'bridge');
    expect(envOf(bridge)).toMatchObject(env);
    expect(() => parseBridgeConfig(bridgeProcessEnv(bridge))).not.toThrow();
  });

  it.each([
    { name: 'oauth2', spec: { pulsar: { pulsarConfig: 'p', authConfig: { oauth2Config: { audience: 'a', issuerUrl: 'i', keySecretName: 'k', keySecretKey: 'f' } } } }, field: 'spec.pulsar.authConfig.oauth2Config' },
    { name: 'effectively_once', spec: { processingGuarantee: 'effectively_once' as const }, field: 'spec.processingGuarantee' },
    { name: 'autoAck false', spec: { autoAck: false }, field: 'spec.autoAck' },
    { name: 'a port the bridge uses', spec: { http: { image: 'x', port: 9094 } }, field: 'spec.http.port' },
    { name: 'topics and a pattern', spec: { input: { topics: ['a'], topicPattern: 'b.*' } }, field: 'spec.input' },
    { name: 'an embedded source connector', spec: { sourceConfig: { sourceType: 'kafka' } }, field: 'spec.sourceConfig' },
    { name: 'an embedded sink connector', spec: { sinkConfig: { sinkType: 'elastic_search' } }, field: 'spec.sinkConfig' },
    {
      name: 'an empty token',
      spec: { pulsar: { pulsarConfig: 'p', authConfig: { genericAuth: { clientAuthenticationPlugin: 'token', clientAuthenticationParameters: 'token:  ' } } } },
      field: 'spec.pulsar.authConfig.genericAuth.clientAuthenticationParameters',
    },
  ])('refuses what the bridge cannot do: $name', ({ spec, field }) => {
    const result = render(fn({ ...http, ...spec }));
    expect(result.problems).toContainEqual(expect.objectContaining({ severity: 'error', field }));
  });
});
