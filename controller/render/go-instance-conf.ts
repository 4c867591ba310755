// The Go runtime reads its whole configuration from one JSON document (`-instance-conf`), the
// `conf.Conf` of Pulsar's Go function library, instead of FunctionDetails. Values only known in
// the pod (instance id, URLs and credentials from the env) are filled in by the shell at start;
// a string from the env is JSON-encoded there, so any Secret value keeps the document valid.
import type { FunctionResource, PulsarMessagingSpec } from '../api/index.js';
import { deadLetterTopicOf, parallelismOf, processingGuaranteesOf, subscriptionTypeOf } from './function-details.js';
import { OAUTH2_PLUGIN, RUNTIME_MOUNTS, oauth2Params, tlsCertPath } from './pulsar-connection.js';
import { pulsarIdentity, subscriptionPositionOf } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';
import { GRPC_PORT, METRICS_PORT } from './runner-ports.js';
import { JSON_STRING_FUNCTION, envJsonString, shellTemplate } from './shell.js';

// Placeholders replaced by shell expansions. The instance id is a raw JSON number (and digits
// inside funcID), the legacy TLS flags raw booleans; a string from the env is a whole JSON value.
const SHARD = '__SHARD_ID__';
const TLS_INSECURE = '__TLS_INSECURE__';
const TLS_VERIFY = '__TLS_VERIFY__';
const ENV_STRINGS = ['brokerServiceURL', 'webServiceURL', 'clientAuthenticationPlugin', 'clientAuthenticationParameters', 'tlsTrustCertsFilePath'] as const;
const fromEnv = (name: (typeof ENV_STRINGS)[number]) => `__ENV_${name}__`;
const GUARANTEE_NUMBERS = { ATLEAST_ONCE: 0, ATMOST_ONCE: 1, EFFECTIVELY_ONCE: 2, MANUAL: 3 } as const;
const SUBSCRIPTION_TYPE_NUMBERS = { SHARED: 0, FAILOVER: 1, KEY_SHARED: 2 } as const;
const GO_RUNTIME = 3;

function goInstanceConf(fn: FunctionResource, functionId: string): Record<string, unknown> {
  const spec = fn.spec;
  const id = pulsarIdentity(fn);
  const input = spec.input;
  const firstInput = input?.topics?.[0] ?? input?.topicPattern ?? Object.keys(input?.sourceSpecs ?? {})[0] ?? '';
  const requests = spec.resources?.requests ?? {};
  return {
    pulsarServiceURL: fromEnv('brokerServiceURL'),
    pulsarWebServiceUrl: fromEnv('webServiceURL'),
    stateStorageServiceUrl: spec.statefulConfig?.pulsar?.serviceUrl ?? '',
    ...goAuth(spec.pulsar),
    instanceID: SHARD,
    funcID: `${SHARD}-${functionId}`,
    funcVersion: '0',
    maxBufTuples: 100,
    port: GRPC_PORT,
    clusterName: spec.clusterName ?? 'kubernetes',
    killAfterIdleMs: 0,
    tenant: id.tenant,
    nameSpace: id.namespace,
    name: id.name,
    logTopic: spec.logTopic ?? '',
    processingGuarantees: GUARANTEE_NUMBERS[processingGuaranteesOf(fn)],
    secretsMap: spec.secretsMap ? JSON.stringify(spec.secretsMap) : '',
    runtime: GO_RUNTIME,
    autoAck: spec.autoAck ?? true,
    parallelism: parallelismOf(fn),
    subscriptionType: SUBSCRIPTION_TYPE_NUMBERS[subscriptionTypeOf(spec)],
    timeoutMs: spec.timeout ?? 0,
    subscriptionName: spec.subscriptionName ?? '',
    cleanupSubscription: spec.cleanupSubscription ?? false,
    subscriptionPosition: subscriptionPositionOf(fn) === 'latest' ? 0 : 1,
    sourceSpecsTopic: firstInput,
    sourceSchemaType: input?.customSchemaSources?.[firstInput] ?? '',
    isRegexPatternSubscription: Boolean(input?.topicPattern) && firstInput === input?.topicPattern,
    receiverQueueSize: input?.sourceSpecs?.[firstInput]?.receiverQueueSize ?? 0,
    sinkSpecsTopic: spec.output?.topic ?? '',
    sinkSchemaType: spec.output?.sinkSchemaType ?? '',
    cpu: parseQuantity(requests.cpu) ?? 0,
    ram: Math.round(parseQuantity(requests.memory) ?? 0),
    disk: Math.round(parseQuantity(requests['ephemeral-storage']) ?? 0),
    maxMessageRetries: spec.maxMessageRetry ?? 0,
    deadLetterTopic: deadLetterTopicOf(spec, id) ?? '',
    // The runner's own health check would stop an instance nobody pings; Kubernetes probes instead.
    expectedHealthCheckInterval: -1,
    userConfig: spec.funcConfig ? JSON.stringify(spec.funcConfig) : '',
    metricsPort: METRICS_PORT,
  };
}

/** Credentials as the Go library reads them: literals from the spec, or the Secrets' env vars. */
function goAuth(pulsar: PulsarMessagingSpec | undefined): Record<string, unknown> {
  const auth = pulsar?.authConfig;
  const tls = pulsar?.tlsConfig;
  const creds: Record<string, unknown> = {};
  if (auth?.oauth2Config) {
    creds.clientAuthenticationPlugin = OAUTH2_PLUGIN;
    creds.clientAuthenticationParameters = oauth2Params(auth.oauth2Config, RUNTIME_MOUNTS);
  } else if (auth?.genericAuth) {
    creds.clientAuthenticationPlugin = auth.genericAuth.clientAuthenticationPlugin;
    creds.clientAuthenticationParameters = auth.genericAuth.clientAuthenticationParameters;
  } else if (pulsar?.authSecret) {
    creds.clientAuthenticationPlugin = fromEnv('clientAuthenticationPlugin');
    creds.clientAuthenticationParameters = fromEnv('clientAuthenticationParameters');
  }
  if (tls?.enabled) {
    creds.tlsAllowInsecureConnection = tls.allowInsecure ?? false;
    creds.tlsHostnameVerificationEnable = tls.hostnameVerification ?? false;
    creds.tlsTrustCertsFilePath = tlsCertPath(pulsar, RUNTIME_MOUNTS) ?? '';
  } else if (!tls && pulsar?.tlsSecret) {
    creds.tlsAllowInsecureConnection = TLS_INSECURE;
    creds.tlsHostnameVerificationEnable = TLS_VERIFY;
    creds.tlsTrustCertsFilePath = fromEnv('tlsTrustCertsFilePath');
  }
  return creds;
}

/**
 * The document as one shell word, the placeholders expanded by the shell at start. The script
 * must define JSON_STRING_FUNCTION first (GO_CONF_SETUP).
 */
export function goInstanceConfWord(fn: FunctionResource, functionId: string): string {
  return shellTemplate(JSON.stringify(goInstanceConf(fn, functionId)), {
    [`"${SHARD}"`]: '"${SHARD_ID}"',
    [SHARD]: '"${SHARD_ID}"',
    [`"${TLS_INSECURE}"`]: '"${tlsAllowInsecureConnection:-false}"',
    [`"${TLS_VERIFY}"`]: '"${tlsHostnameVerificationEnable:-true}"',
    ...Object.fromEntries(ENV_STRINGS.map((name) => [`"${fromEnv(name)}"`, envJsonString(name)])),
  });
}

/** What the script runs before the Go binary so that goInstanceConfWord expands. */
export const GO_CONF_SETUP = [JSON_STRING_FUNCTION];
