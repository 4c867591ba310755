// The Go runtime reads its whole configuration from one JSON document (`-instance-conf`), the
// `conf.Conf` of Pulsar's Go function library, instead of FunctionDetails. The instance id and the
// broker URL are filled in by the shell at start.
import type { FunctionResource } from '../api/index.js';
import { parallelismOf, processingGuaranteesOf, subscriptionTypeOf } from './function-details.js';
import { pulsarIdentity } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';
import { shellTemplate } from './shell.js';

const SHARD = '__SHARD_ID__';
const BROKER = '__BROKER_SERVICE_URL__';
const GUARANTEE_NUMBERS = { ATLEAST_ONCE: 0, ATMOST_ONCE: 1, EFFECTIVELY_ONCE: 2, MANUAL: 3 } as const;
const SUBSCRIPTION_TYPE_NUMBERS = { SHARED: 0, FAILOVER: 1, KEY_SHARED: 2 } as const;
const GO_RUNTIME = 3;

export function goInstanceConf(fn: FunctionResource, functionId: string): Record<string, unknown> {
  const spec = fn.spec;
  const id = pulsarIdentity(fn);
  const input = spec.input;
  const firstInput = input?.topics?.[0] ?? input?.topicPattern ?? Object.keys(input?.sourceSpecs ?? {})[0] ?? '';
  const requests = spec.resources?.requests ?? {};
  return {
    pulsarServiceURL: BROKER,
    instanceID: SHARD,
    funcID: `${SHARD}-${functionId}`,
    funcVersion: '0',
    maxBufTuples: 100,
    port: 9093,
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
    deadLetterTopic: spec.deadLetterTopic ?? '',
    // The runner's own health check would stop an instance nobody pings; Kubernetes probes instead.
    expectedHealthCheckInterval: -1,
    userConfig: spec.funcConfig ? JSON.stringify(spec.funcConfig) : '',
    metricsPort: 9094,
  };
}

/** The document as one shell word: the instance id a number, the broker URL from the env. */
export function goInstanceConfWord(fn: FunctionResource, functionId: string): string {
  return shellTemplate(JSON.stringify(goInstanceConf(fn, functionId)), {
    [`"${SHARD}"`]: '"${SHARD_ID}"',
    [SHARD]: '"${SHARD_ID}"',
    [BROKER]: '"${brokerServiceURL}"',
  });
}
