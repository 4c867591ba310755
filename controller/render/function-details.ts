// Pulsar's FunctionDetails (Function.proto) in its proto3 JSON form, the `--function_details`
// argument of the Java and Python runners. Field names and enum names are the proto's; empty
// values are left out as protobuf's JSON printer does. Which values go where follows Function
// Mesh, so a function reads the same configuration as under the Go operator.
import type { FunctionSpec, InputSpec, OutputSpec, SecretRefSpec, SinkSpec, SourceSpec, WorkloadResource } from '../api/index.js';
import { pulsarIdentity, type PulsarIdentity } from './pulsar-identity.js';
import { parseQuantity } from './quantity.js';

export type RunnerLanguage = 'JAVA' | 'PYTHON' | 'GO';
type CryptoConfig = NonNullable<NonNullable<SinkSpec['input']>['sourceSpecs']>[string]['cryptoConfig'];
type ProducerConf = NonNullable<NonNullable<SourceSpec['output']>['producerConf']>;
type JsonObject = Record<string, unknown>;

const IDENTITY_FUNCTION = 'org.apache.pulsar.functions.api.utils.IdentityFunction';
const WINDOW_EXECUTOR = 'org.apache.pulsar.functions.windowing.WindowFunctionExecutor';
const WINDOW_CONFIG_KEY = '__WINDOWCONFIGS__';
const BATCH_SOURCE_EXECUTOR = 'org.apache.pulsar.functions.source.batch.BatchSourceExecutor';
const BATCH_SOURCE_CONFIG_KEY = '__BATCHSOURCECONFIGS__';
const BATCH_SOURCE_CLASSNAME_KEY = '__BATCHSOURCECLASSNAME__';

const GUARANTEES = {
  atleast_once: 'ATLEAST_ONCE',
  atmost_once: 'ATMOST_ONCE',
  effectively_once: 'EFFECTIVELY_ONCE',
  manual: 'MANUAL',
} as const;

export function processingGuaranteesOf(resource: WorkloadResource): (typeof GUARANTEES)[keyof typeof GUARANTEES] {
  return GUARANTEES[resource.spec.processingGuarantee ?? 'atleast_once'];
}

/** Pulsar's rule: ordering needs one active consumer (Failover), key ordering Key_Shared. */
export function subscriptionTypeOf(spec: FunctionSpec | SinkSpec): 'SHARED' | 'FAILOVER' | 'KEY_SHARED' {
  if (spec.retainOrdering || spec.processingGuarantee === 'effectively_once') return 'FAILOVER';
  if (spec.retainKeyOrdering) return 'KEY_SHARED';
  return 'SHARED';
}

/**
 * Function Mesh's answer to pods restarting on every scale: parallelism is 1 unless the user
 * asks for the precise value (then a replica change changes the pod template, as upstream).
 */
export function parallelismOf(resource: WorkloadResource): number {
  return resource.spec.showPreciseParallelism ? (resource.spec.replicas ?? 1) : 1;
}

/** FunctionDetails.resources from the requests: cores, and bytes of memory and disk. */
function resourcesOf(resource: WorkloadResource): JsonObject {
  const requests = resource.spec.resources?.requests ?? {};
  return compact({
    cpu: parseQuantity(requests.cpu),
    ram: whole(parseQuantity(requests.memory)),
    disk: whole(parseQuantity(requests['ephemeral-storage'] ?? requests.storage)),
  });
}

export function functionDetails(resource: WorkloadResource, runtime: RunnerLanguage): JsonObject {
  const id = pulsarIdentity(resource);
  const spec = resource.spec;
  const common = {
    tenant: id.tenant,
    namespace: id.namespace,
    name: id.name,
    logTopic: spec.logTopic,
    processingGuarantees: processingGuaranteesOf(resource),
    secretsMap: spec.secretsMap ? secretsMapJson(spec.secretsMap) : undefined,
    runtime,
    parallelism: parallelismOf(resource),
    resources: resourcesOf(resource),
    runtimeFlags: spec.runtimeFlags,
  };
  switch (resource.kind) {
    case 'Function':
      return compact({ ...common, ...functionParts(resource.spec, id), componentType: 'FUNCTION' });
    case 'Source':
      return compact({ ...common, ...sourceParts(resource.spec), componentType: 'SOURCE' });
    case 'Sink':
      return compact({ ...common, ...sinkParts(resource.spec, id), componentType: 'SINK' });
  }
}

function functionParts(spec: FunctionSpec, id: PulsarIdentity): JsonObject {
  const window = spec.windowConfig;
  const className = spec.className ?? '';
  // A window function runs inside Pulsar's executor, which acknowledges by itself; the window's
  // function class is already defaulted (api/defaults.ts).
  const userConfig = window ? { ...spec.funcConfig, [WINDOW_CONFIG_KEY]: window } : spec.funcConfig;
  const output = spec.output;
  return {
    className: window ? WINDOW_EXECUTOR : className,
    userConfig: userConfig ? JSON.stringify(userConfig) : undefined,
    autoAck: window ? false : (spec.autoAck ?? true),
    source: compact({
      ...consumerSource(spec, spec.input),
      // Function Mesh passes the message timeout as the negative-ack delay of functions too.
      negativeAckRedeliveryDelayMs: spec.timeout || undefined,
      skipToLatest: spec.skipToLatest || undefined,
      ...sourceConnector(spec.sourceConfig),
    }),
    sink: compact({
      ...outputSink(output, spec.forwardSourceMessageProperty),
      ...customSchemaSink(output?.topic, output?.customSchemaSinks),
      ...sinkConnector(spec.sinkConfig),
    }),
    retryDetails: retryDetails(spec, id),
    retainOrdering: spec.retainOrdering || undefined,
    retainKeyOrdering: spec.retainKeyOrdering || undefined,
  };
}

type SourceConnectorSpec = NonNullable<FunctionSpec['sourceConfig']>;
type SinkConnectorSpec = NonNullable<FunctionSpec['sinkConfig']>;
/** Keys of a connector's `configs` that upstream reads as fields, not as connector settings. */
const CONNECTOR_FIELD_KEYS = ['archive', 'builtin', 'className', 'typeClassName', 'configs'];

/**
 * A Function's embedded connector (upstream #823) as SourceSpec/SinkSpec fields: the fields win
 * over the same keys inside `configs`, a `builtin://` archive names a built-in connector, and the
 * rest of `configs` (with a nested `configs` merged in) is the connector's settings.
 */
function connectorDetails(
  conf: SourceConnectorSpec | SinkConnectorSpec,
  builtinType: string | undefined,
): { className?: string; typeClassName?: string; builtin?: string; configs: JsonObject } {
  const raw = conf.configs ?? {};
  const text = (key: string) => (typeof raw[key] === 'string' || typeof raw[key] === 'number' ? String(raw[key]) : undefined);
  const archive = text('archive');
  const builtin = builtinType || text('builtin') || (archive?.startsWith('builtin://') ? archive.slice('builtin://'.length) : undefined);
  const nested = raw.configs && typeof raw.configs === 'object' ? (raw.configs as JsonObject) : {};
  const configs: JsonObject = { ...nested };
  for (const [key, value] of Object.entries(raw)) if (!CONNECTOR_FIELD_KEYS.includes(key) && value !== null) configs[key] = value;
  return { className: conf.className || text('className'), typeClassName: conf.typeClassName || text('typeClassName'), builtin, configs };
}

/**
 * The typeClassName of a connector replaces the input's or output's: upstream keeps the topic's
 * (its webhook always fills "[B" in), which would hand a typed connector bytes.
 */
function sourceConnector(conf: SourceConnectorSpec | undefined): JsonObject {
  if (!conf) return {};
  const details = connectorDetails(conf, conf.sourceType);
  const configs = details.configs;
  let className = details.className;
  if (conf.batchSourceConfig) {
    // As a Source's batch source: Pulsar's executor runs it, told the real class in the configs.
    configs[BATCH_SOURCE_CONFIG_KEY] = JSON.stringify(conf.batchSourceConfig);
    configs[BATCH_SOURCE_CLASSNAME_KEY] = className ?? '';
    className = BATCH_SOURCE_EXECUTOR;
  }
  return compact({ className, typeClassName: details.typeClassName, builtin: details.builtin, configs: jsonOrUndefined(configs) });
}

function sinkConnector(conf: SinkConnectorSpec | undefined): JsonObject {
  if (!conf) return {};
  const details = connectorDetails(conf, conf.sinkType);
  // Upstream also tells a built-in sink its own type in its settings.
  const configs = details.builtin && !('sinkType' in details.configs) ? { ...details.configs, sinkType: details.builtin } : details.configs;
  return compact({ className: details.className, typeClassName: details.typeClassName, builtin: details.builtin, configs: jsonOrUndefined(configs) });
}

function jsonOrUndefined(obj: JsonObject): string | undefined {
  return Object.keys(obj).length ? JSON.stringify(obj) : undefined;
}

function sourceParts(spec: SourceSpec): JsonObject {
  const configs: JsonObject = { ...spec.sourceConfig };
  let className = spec.className;
  if (spec.batchSourceConfig) {
    // Pulsar runs a batch source through its executor, told the real class in the configs.
    configs[BATCH_SOURCE_CONFIG_KEY] = JSON.stringify(spec.batchSourceConfig);
    configs[BATCH_SOURCE_CLASSNAME_KEY] = className ?? '';
    className = BATCH_SOURCE_EXECUTOR;
  }
  const output = spec.output;
  return {
    className: IDENTITY_FUNCTION,
    userConfig: spec.sourceConfig ? JSON.stringify(spec.sourceConfig) : undefined,
    autoAck: true,
    source: compact({
      className,
      configs: Object.keys(configs).length ? JSON.stringify(configs) : undefined,
      typeClassName: output?.typeClassName,
    }),
    sink: compact(outputSink(output, spec.forwardSourceMessageProperty)),
  };
}

function sinkParts(spec: SinkSpec, id: PulsarIdentity): JsonObject {
  return {
    className: IDENTITY_FUNCTION,
    autoAck: spec.autoAck ?? true,
    source: compact({
      ...consumerSource(spec, spec.input),
      negativeAckRedeliveryDelayMs: spec.negativeAckRedeliveryDelayMs || undefined,
    }),
    sink: compact({
      className: spec.className,
      configs: spec.sinkConfig ? JSON.stringify(spec.sinkConfig) : undefined,
      typeClassName: spec.input?.typeClassName,
    }),
    retryDetails: retryDetails(spec, id),
    retainOrdering: spec.retainOrdering || undefined,
    retainKeyOrdering: spec.retainKeyOrdering || undefined,
  };
}

/** SourceSpec fields of the consuming kinds. */
function consumerSource(spec: FunctionSpec | SinkSpec, input: InputSpec | undefined): JsonObject {
  return {
    typeClassName: input?.typeClassName,
    subscriptionType: subscriptionTypeOf(spec),
    inputSpecs: inputSpecs(input),
    timeoutMs: spec.timeout || undefined,
    subscriptionName: spec.subscriptionName,
    cleanupSubscription: spec.cleanupSubscription || undefined,
    subscriptionPosition: (spec.subscriptionPosition ?? 'earliest').toUpperCase(),
  };
}

/** topic (or pattern) → ConsumerSpec, keyed by the names as written, like Function Mesh. */
function inputSpecs(input: InputSpec | undefined): JsonObject {
  const specs: JsonObject = {};
  if (!input) return specs;
  for (const topic of input.topics ?? []) specs[topic] = { isRegexPattern: false };
  if (input.topicPattern) specs[input.topicPattern] = { isRegexPattern: true };
  for (const [topic, serdeClassName] of Object.entries(input.customSerdeSources ?? {})) {
    specs[topic] = { serdeClassName, isRegexPattern: false };
  }
  for (const [topic, schemaType] of Object.entries(input.customSchemaSources ?? {})) {
    specs[topic] = { schemaType, isRegexPattern: false };
  }
  for (const [topic, conf] of Object.entries(input.sourceSpecs ?? {})) {
    specs[topic] = compact({
      schemaType: conf.schemaType,
      serdeClassName: conf.serdeClassname,
      isRegexPattern: conf.isRegexPattern ?? false,
      receiverQueueSize: conf.receiverQueueSize === undefined ? undefined : { value: conf.receiverQueueSize },
      schemaProperties: conf.schemaProperties,
      consumerProperties: conf.consumerProperties,
      cryptoSpec: cryptoSpec(conf.cryptoConfig),
    });
  }
  return specs;
}

/** SinkSpec fields of the producing kinds (Function, Source). */
function outputSink(output: OutputSpec | undefined, forwardSourceMessageProperty: boolean | undefined): JsonObject {
  return {
    typeClassName: output?.typeClassName,
    topic: output?.topic,
    serDeClassName: output?.sinkSerdeClassName,
    schemaType: output?.sinkSchemaType,
    producerSpec: output?.producerConf ? producerSpec(output.producerConf) : undefined,
    forwardSourceMessageProperty: forwardSourceMessageProperty ?? true,
  };
}

function producerSpec(conf: ProducerConf): JsonObject {
  return compact({
    maxPendingMessages: conf.maxPendingMessages,
    maxPendingMessagesAcrossPartitions: conf.maxPendingMessagesAcrossPartitions,
    useThreadLocalProducers: conf.useThreadLocalProducers,
    cryptoSpec: cryptoSpec(conf.cryptoConfig),
    batchBuilder: conf.batchBuilder,
    compressionType: conf.compressionType,
  });
}

function cryptoSpec(conf: CryptoConfig): JsonObject | undefined {
  if (!conf) return undefined;
  const action = (a: string | undefined) => (a && ['FAIL', 'DISCARD', 'CONSUME', 'SEND'].includes(a) ? a : 'FAIL');
  return compact({
    cryptoKeyReaderClassName: conf.cryptoKeyReaderClassName,
    cryptoKeyReaderConfig: conf.cryptoKeyReaderConfig ? JSON.stringify(conf.cryptoKeyReaderConfig) : undefined,
    producerEncryptionKeyName: conf.encryptionKeys,
    producerCryptoFailureAction: action(conf.producerCryptoFailureAction),
    consumerCryptoFailureAction: action(conf.consumerCryptoFailureAction),
  });
}

/** Upstream reads the output topic's entry of customSchemaSinks as a JSON ConsumerConfig. */
function customSchemaSink(topic: string | undefined, sinks: Record<string, string> | undefined): JsonObject {
  const raw = topic ? sinks?.[topic] : undefined;
  if (!raw) return {};
  try {
    const conf = JSON.parse(raw) as { schemaProperties?: unknown; consumerProperties?: unknown };
    return { schemaProperties: conf.schemaProperties, consumerProperties: conf.consumerProperties };
  } catch {
    return {};
  }
}

function retryDetails(spec: FunctionSpec | SinkSpec, id: PulsarIdentity): JsonObject | undefined {
  const deadLetterTopic = deadLetterTopicOf(spec, id);
  if (!spec.maxMessageRetry && !deadLetterTopic) return undefined;
  return compact({ maxMessageRetries: spec.maxMessageRetry, deadLetterTopic });
}

/**
 * The runners' dead-letter topic, as upstream names it: with retries and no topic given,
 * `<tenant>-<namespace>-<name>-DLQ` when the subscription is Pulsar's default (the FQN, whose
 * slashes would make the client's own `<topic>-<subscription>-DLQ` invalid). The bridge
 * (http runtime) has its own rule: adapters/bridge/contract.ts.
 */
export function deadLetterTopicOf(spec: FunctionSpec | SinkSpec, id: PulsarIdentity): string | undefined {
  if (spec.deadLetterTopic) return spec.deadLetterTopic;
  const defaultSubscription = !spec.subscriptionName || spec.subscriptionName.includes('\\');
  if ((spec.maxMessageRetry ?? 0) > 0 && defaultSubscription) return `${id.tenant}-${id.namespace}-${id.name}-DLQ`;
  return undefined;
}

/** The runner's EnvironmentBasedSecretsProvider reads each secret from the env var of its name. */
function secretsMapJson(secrets: Record<string, SecretRefSpec>): string {
  const sorted = Object.fromEntries(Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}

function whole(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n);
}

/** Drops undefined, empty strings and empty objects, as protobuf's JSON printer omits defaults. */
function compact<T extends JsonObject>(obj: T): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === '') continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}
