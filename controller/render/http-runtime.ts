// The Knative-style runtime (`spec.http`): the user's container is an HTTP server receiving each
// message as a CloudEvent, and the adapters/ bridge runs beside it, speaking Pulsar. The bridge is
// configured only through the BRIDGE_* env vars that adapters/bridge/config.ts reads; the broker
// URL comes from the pulsarConfig ConfigMap by envFrom (the brokerServiceURL the runners use: the
// bridge speaks Pulsar's binary protocol), the token from the auth Secret.
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { defaultDeadLetterTopic, type BridgeMode } from '../../adapters/bridge/contract.js';
import { bearerToken } from '../../adapters/pulsar/bearer-token.js';
import type { WorkloadResource } from '../api/index.js';
import type { RenderSettings } from './context.js';
import { RESTRICTED_CONTAINER, defined, livenessProbe, mainContainerEnv, startupProbe, userVolumeMounts } from './container-parts.js';
import { mainContainerName, resourceName, resourceNamespace } from './names.js';
import type { Problems } from './problems.js';
import { RUNTIME_MOUNTS, TOKEN_PLUGIN, connectionFiles, tlsCertPath, volumeName } from './pulsar-connection.js';
import { consumerSpec, inputOf, inputTopics, outputOf, subscriptionOf, subscriptionPositionOf } from './pulsar-identity.js';
import type { RuntimeParts } from './runtime-parts.js';

/** The bridge's /healthz, /readyz and /metrics: the same port as the runners' metrics. */
export const BRIDGE_OPS_PORT = 9094;
/** Source mode: where the user's container POSTs its events (its K_SINK). */
export const BRIDGE_INGRESS_PORT = 8081;
export const DEFAULT_HTTP_PORT = 8080;
const TOKEN_DIR = '/etc/pulsar-auth';
const SHUTDOWN_MARGIN_S = 5;

/** A Function without an output topic only consumes: the bridge runs it in sink mode. */
export function bridgeModeOf(resource: WorkloadResource): BridgeMode {
  if (resource.kind === 'Source') return 'source';
  if (resource.kind === 'Sink') return 'sink';
  return resource.spec.output?.topic ? 'function' : 'sink';
}

export function renderHttp(resource: WorkloadResource, settings: RenderSettings, problems: Problems): RuntimeParts {
  const spec = resource.spec;
  const http = spec.http!;
  const port = http.port ?? DEFAULT_HTTP_PORT;
  const mode = bridgeModeOf(resource);
  const reserved = mode === 'source' ? [BRIDGE_OPS_PORT, BRIDGE_INGRESS_PORT] : [BRIDGE_OPS_PORT];
  if (reserved.includes(port)) {
    problems.error('spec.http.port', `port ${port} is used by the bridge sidecar (${reserved.join(', ')}): choose another port for the HTTP server`);
  }

  if (resource.kind === 'Function' && (resource.spec.sourceConfig || resource.spec.sinkConfig)) {
    const field = resource.spec.sourceConfig ? 'spec.sourceConfig' : 'spec.sinkConfig';
    problems.error(field, 'the http runtime runs no Pulsar connectors: run the connector on the java runtime, or consume and produce topics');
  }
  if (spec.statefulConfig) {
    problems.warn('spec.statefulConfig', 'the http runtime has no Pulsar state store: statefulConfig only makes the workload a StatefulSet; use volumeClaimTemplates for per-pod storage');
  }
  if (spec.logTopic) {
    problems.warn('spec.logTopic', 'the http runtime does not publish logs to a topic: the containers log to stdout; remove logTopic');
  }

  const files = connectionFiles(spec.pulsar, RUNTIME_MOUNTS);
  // The auth Secret's token as a file: the bridge re-reads it on every reconnect (rotation).
  const authSecret = tokenFromAuthSecret(spec.pulsar) ? spec.pulsar?.authSecret : undefined;
  if (authSecret) {
    const name = volumeName(`${authSecret}-token`);
    files.volumes.push({ name, secret: { secretName: authSecret, items: [{ key: 'clientAuthenticationParameters', path: 'token' }] } });
    files.mounts.push({ name, mountPath: TOKEN_DIR, readOnly: true });
  }
  // PORT tells the server where to listen, as Knative does (the SDK reads it).
  const userEnv: V1EnvVar[] = [{ name: 'PORT', value: String(port) }, ...mainContainerEnv(resource), ...((http.env ?? []) as V1EnvVar[])];
  if (mode === 'source') userEnv.push({ name: 'K_SINK', value: `http://127.0.0.1:${BRIDGE_INGRESS_PORT}` });
  const tcp = { tcpSocket: { port } };
  const user: V1Container = defined({
    name: mainContainerName(resource),
    image: http.image,
    imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: userEnv,
    resources: spec.resources as V1Container['resources'],
    volumeMounts: userVolumeMounts(resource),
    // A source's server need not listen; consumers are ready when they accept connections.
    readinessProbe: mode === 'source' ? undefined : { ...tcp, periodSeconds: 5 },
    livenessProbe: livenessProbe(resource, tcp),
    startupProbe: startupProbe(resource),
    securityContext: RESTRICTED_CONTAINER,
  });

  const ops = (path: string) => ({ httpGet: { path, port: BRIDGE_OPS_PORT, scheme: 'HTTP' } });
  const bridge: V1Container = defined({
    name: 'bridge',
    image: spec.image || settings.bridgeImage,
    imagePullPolicy: 'IfNotPresent',
    env: bridgeEnv(resource, port, http.path ?? '/', problems),
    envFrom: [
      { configMapRef: { name: spec.pulsar?.pulsarConfig ?? '' } },
      ...(spec.pulsar?.tlsSecret && !spec.pulsar.tlsConfig ? [{ secretRef: { name: spec.pulsar.tlsSecret } }] : []),
    ],
    ports: [
      { name: 'http-metrics', containerPort: BRIDGE_OPS_PORT, protocol: 'TCP' },
      ...(mode === 'source' ? [{ name: 'http-ingress', containerPort: BRIDGE_INGRESS_PORT, protocol: 'TCP' }] : []),
    ],
    readinessProbe: { ...ops('/readyz'), periodSeconds: 5 },
    livenessProbe: { ...ops('/healthz'), periodSeconds: 10, failureThreshold: 3 },
    resources: { requests: { cpu: '50m', memory: '64Mi' } },
    volumeMounts: files.mounts,
    securityContext: { ...RESTRICTED_CONTAINER, runAsNonRoot: true },
  });

  return {
    containers: [user, bridge],
    initContainers: [],
    volumes: files.volumes,
    servicePorts: [
      { name: 'http', port, targetPort: port, protocol: 'TCP' },
      { name: 'http-metrics', port: BRIDGE_OPS_PORT, targetPort: BRIDGE_OPS_PORT, protocol: 'TCP' },
    ],
    metricsPort: BRIDGE_OPS_PORT,
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
  };
}

/** The BRIDGE_* variables: only keys that apply in the mode (the bridge rejects the others). */
export function bridgeEnv(resource: WorkloadResource, port: number, path: string, problems: Problems): V1EnvVar[] {
  const mode = bridgeModeOf(resource);
  const env: V1EnvVar[] = [];
  const set = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined && value !== '') env.push({ name, value: String(value) });
  };
  set('BRIDGE_MODE', mode);
  set('BRIDGE_NAME', `${resourceNamespace(resource)}/${resourceName(resource)}`);
  // Kubernetes expands $(brokerServiceURL) from the pulsarConfig ConfigMap (envFrom): pulsar://,
  // or pulsar+ssl:// on a TLS cluster, as the runners' --pulsar_serviceurl.
  set('BRIDGE_BROKER_URL', '$(brokerServiceURL)');
  env.push(...bridgeAuth(resource, problems));
  env.push(...bridgeTls(resource));

  const consumer = consumerSpec(resource);
  if (consumer) {
    const { topics, patterns } = inputTopics(inputOf(resource));
    const subscription = subscriptionOf(resource);
    if (topics.length && patterns.length) {
      problems.error('spec.input', 'the http runtime consumes either topics or one topicPattern, not both: keep one of them');
    } else if (patterns.length > 1) {
      problems.error('spec.input', 'the http runtime consumes at most one topic pattern: merge the patterns into one regex');
    }
    if (patterns[0] && !topics.length) set('BRIDGE_INPUT_PATTERN', patterns[0]);
    else set('BRIDGE_INPUTS', topics.join(','));
    set('BRIDGE_SUBSCRIPTION', subscription);
    set('BRIDGE_SUBSCRIPTION_POSITION', subscriptionPositionOf(resource));
    if (mode === 'function') set('BRIDGE_OUTPUT', outputOf(resource)?.topic);
    // The bridge names a dead-letter topic after the first input; a pattern has none, so it is named here.
    const patternDlq = patterns[0] && !topics.length && !consumer.deadLetterTopic ? defaultDeadLetterTopic({ pattern: patterns[0] }, subscription) : undefined;
    set('BRIDGE_DEAD_LETTER_TOPIC', consumer.deadLetterTopic || patternDlq);
    const guarantee = consumer.processingGuarantee ?? 'atleast_once';
    if (guarantee === 'effectively_once' || guarantee === 'manual') {
      problems.error('spec.processingGuarantee', `${guarantee} is not supported by the http runtime (the HTTP response acknowledges each message): use atleast_once or atmost_once`);
    } else {
      set('BRIDGE_PROCESSING_GUARANTEE', guarantee);
    }
    if (consumer.autoAck === false) {
      problems.error('spec.autoAck', 'autoAck false is not supported by the http runtime: the HTTP response status is the acknowledgement; set autoAck to true');
    }
    set('BRIDGE_MAX_MESSAGE_RETRY', consumer.maxMessageRetry);
    set('BRIDGE_TIMEOUT_MS', consumer.timeout || undefined);
    if (resource.kind === 'Function') set('BRIDGE_MAX_PENDING_ASYNC_REQUESTS', resource.spec.maxPendingAsyncRequests);
    set('BRIDGE_RETAIN_ORDERING', consumer.retainOrdering || undefined);
    set('BRIDGE_RETAIN_KEY_ORDERING', consumer.retainKeyOrdering || undefined);
    set('BRIDGE_TARGET_URL', `http://127.0.0.1:${port}${path}`);
  } else {
    const output = outputOf(resource)?.topic;
    if (!output) problems.error('spec.output.topic', 'a Source needs output.topic: the topic its events are published to');
    set('BRIDGE_OUTPUT', output);
    set('BRIDGE_INGRESS_PORT', BRIDGE_INGRESS_PORT);
  }
  set('BRIDGE_OPS_PORT', BRIDGE_OPS_PORT);
  // Finish in-flight work a few seconds before Kubernetes kills the pod.
  const grace = resource.spec.pod?.terminationGracePeriodSeconds;
  if (grace !== undefined) set('BRIDGE_SHUTDOWN_TIMEOUT_MS', Math.max(0, grace - SHUTDOWN_MARGIN_S) * 1000);
  return env;
}

/** The bridge authenticates with a token: from the auth Secret, or a token genericAuth. */
function bridgeAuth(resource: WorkloadResource, problems: Problems): V1EnvVar[] {
  const pulsar = resource.spec.pulsar;
  const auth = pulsar?.authConfig;
  if (auth?.oauth2Config) {
    problems.error('spec.pulsar.authConfig.oauth2Config', 'the http runtime authenticates with tokens only: use an authSecret or a token genericAuth');
    return [];
  }
  if (auth?.genericAuth) {
    const { clientAuthenticationPlugin: plugin, clientAuthenticationParameters: params } = auth.genericAuth;
    if (plugin !== TOKEN_PLUGIN && plugin !== 'token') {
      problems.error('spec.pulsar.authConfig.genericAuth', `the http runtime authenticates with tokens only (${TOKEN_PLUGIN}), not ${plugin}`);
      return [];
    }
    const file = /^file:(?:\/\/)?(\/.*)$/.exec(params);
    if (file) return [{ name: 'BRIDGE_AUTH_TOKEN_FILE', value: file[1]! }];
    const token = bearerToken(params);
    if (!token) {
      problems.error('spec.pulsar.authConfig.genericAuth.clientAuthenticationParameters', 'the token is empty: set token:<jwt>, a bare JWT or file:///path/to/token');
      return [];
    }
    return [{ name: 'BRIDGE_AUTH_TOKEN', value: token }];
  }
  if (tokenFromAuthSecret(pulsar)) return [{ name: 'BRIDGE_AUTH_TOKEN_FILE', value: `${TOKEN_DIR}/token` }];
  return [];
}

/** The auth Secret's token is the bridge's credential (mounted, and named in its env) unless authConfig names another. */
function tokenFromAuthSecret(pulsar: WorkloadResource['spec']['pulsar']): boolean {
  return Boolean(pulsar?.authSecret && !pulsar.authConfig?.oauth2Config && !pulsar.authConfig?.genericAuth);
}

function bridgeTls(resource: WorkloadResource): V1EnvVar[] {
  const pulsar = resource.spec.pulsar;
  const tls = pulsar?.tlsConfig;
  if (tls) {
    if (!tls.enabled) return [];
    const env: V1EnvVar[] = [];
    const ca = tlsCertPath(pulsar, RUNTIME_MOUNTS);
    if (ca) env.push({ name: 'BRIDGE_TLS_CA_FILE', value: ca });
    if (tls.allowInsecure) env.push({ name: 'BRIDGE_TLS_ALLOW_INSECURE', value: 'true' });
    return env;
  }
  // Legacy TLS Secret: it holds the CA path, expanded from its env (envFrom).
  return pulsar?.tlsSecret ? [{ name: 'BRIDGE_TLS_CA_FILE', value: '$(tlsTrustCertsFilePath)' }] : [];
}
