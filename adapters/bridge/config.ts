// The bridge's whole configuration, from the environment the controller renders (and the same
// keys as `--kebab-case=value` arguments, which win): one table of keys walked by one loop
// (process/config-table.ts), then `validate` for the rules across keys. Every problem is
// collected and reported at once, each naming its key and the fix; unknown BRIDGE_* keys are
// errors, with a suggestion.
import { Rejection, nearest, readArgs, readSettings, type Setting, type ValueType, type Values } from '../../process/config-table.js';
import { boolean, file, integer, oneOf, text, url } from '../../process/config-values.js';
import { parseServiceUrl } from '../pulsar/binary/service-url.js';
import { parseTopicName, formatTopicName, TopicNameError } from '../pulsar/topic-name.js';
import { BRIDGE_MODES, defaultDeadLetterTopic, type BridgeMode } from './contract.js';
import type { OrderingMode } from './ordering.js';

export type { BridgeMode };
export type SubscriptionType = 'Exclusive' | 'Failover' | 'Shared' | 'Key_Shared';
export type ProcessingGuarantee = 'atleast_once' | 'atmost_once';
export const TRANSPORTS = ['binary', 'websocket'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  allowInsecure: boolean;
}

export interface BridgeConfig {
  mode: BridgeMode;
  name: string;
  /**
   * binary: Pulsar's own protocol to `url` (pulsar:// or pulsar+ssl://, the broker service URL);
   * websocket: the broker's WebSocket API at `url` (the web service URL), chosen explicitly.
   */
  pulsar: { transport: Transport; url: string; authToken?: string; authTokenFile?: string; tls: TlsConfig; connectTimeoutMs: number };
  /** function and sink modes */
  input?: { topics: string[] } | { pattern: string };
  subscription?: string;
  subscriptionType: SubscriptionType;
  subscriptionPosition: 'latest' | 'earliest';
  receiverQueueSize: number;
  /** function and source modes */
  output?: string;
  deadLetterTopic?: string;
  guarantee: ProcessingGuarantee;
  maxRetries?: number;
  backoff: { initialMs: number; maxMs: number };
  timeoutMs: number;
  concurrency: number;
  ordering: OrderingMode;
  /** function and sink modes: the container the bridge POSTs events to */
  targetUrl: string;
  /** source mode: where the source container POSTs events (its K_SINK) */
  ingress: { host: string; port: number; maxPending: number };
  opsPort: number;
  cloudEvents: { source?: string; type: string; dataContentType?: string; replyType: string };
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid bridge configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A topic name, made full (`persistent://public/default/…`). */
const topic: ValueType<string> = {
  hint: '<topic>',
  parse(raw) {
    try {
      return formatTopicName(parseTopicName(raw));
    } catch (err) {
      return new Rejection(err instanceof TopicNameError ? err.message : String(err), false);
    }
  },
};

const topicList: ValueType<string[]> = {
  hint: '<topic,…>',
  parse(raw) {
    const parsed = raw.split(',').map((t) => t.trim()).filter(Boolean).map((t) => topic.parse(t));
    const refused = parsed.filter((t): t is Rejection => t instanceof Rejection);
    return refused.length ? new Rejection(refused.map((r) => r.text).join('; '), false) : (parsed as string[]);
  },
};

const topicPattern: ValueType<string> = {
  hint: '<regex>',
  parse(raw) {
    try {
      new RegExp(raw);
    } catch (err) {
      return new Rejection(`is not a regular expression: ${(err as Error).message}`);
    }
    return raw.includes('://') ? raw : `persistent://public/default/${raw}`;
  },
};

/** A negative count means "retry for ever", as in Pulsar Functions. */
const retryLimit: ValueType<number | undefined> = {
  hint: '<n>',
  parse: (raw) => (Number.isSafeInteger(Number(raw)) && Number(raw) < 0 ? undefined : integer(0).parse(raw)),
};

/** The binary transport's address: one broker or a comma-separated list, as Pulsar clients take it. */
const brokerUrl: ValueType<string> = {
  hint: '<pulsar://host:port>',
  parse(raw) {
    if (/^(https?|wss?):\/\//i.test(raw)) {
      return new Rejection(`is a web service URL: the binary transport needs the broker service URL, pulsar://host:6650 or pulsar+ssl://host:6651 (brokerServiceURL), or set BRIDGE_TRANSPORT=websocket and BRIDGE_PULSAR_URL`);
    }
    try {
      parseServiceUrl(raw);
    } catch (err) {
      return new Rejection(`is not a broker service URL: ${(err as Error).message.replace(/^serviceUrl "[^"]*": /, '')}`);
    }
    return raw.trim().replace(/\/+$/, '');
  },
};

const CONSUMES = ['function', 'sink'] as const;

/** Every key the bridge reads: the source of docs/bridge.md's table. */
export const CONFIG_KEYS = {
  BRIDGE_MODE: { type: oneOf(BRIDGE_MODES, { phrase: 'is not valid: use function, source or sink' }), required: ': function, source or sink', help: 'function | source | sink' },
  BRIDGE_NAME: { type: text, default: 'bridge', help: 'name in logs and metrics, e.g. namespace/function' },
  BRIDGE_TRANSPORT: { type: oneOf(TRANSPORTS), default: 'binary', help: 'binary: Pulsar\'s own protocol to BRIDGE_BROKER_URL; websocket: the broker\'s WebSocket API at BRIDGE_PULSAR_URL (off on most clusters)' },
  BRIDGE_BROKER_URL: { type: brokerUrl, derivedDefault: 'none: required with the binary transport', help: 'broker service URL: pulsar:// or pulsar+ssl:// (the ConfigMap\'s brokerServiceURL)' },
  BRIDGE_PULSAR_URL: { type: url(['ws', 'wss', 'http', 'https']), derivedDefault: 'none: required with the websocket transport', help: 'web service URL: http(s):// or ws(s)://, for the websocket transport' },
  BRIDGE_AUTH_TOKEN: { type: text, help: 'token for Authorization: Bearer (a JWT, or the Secret form token:JWT)' },
  BRIDGE_AUTH_TOKEN_FILE: { type: file, help: 'file holding the token, re-read on every reconnect (mounted Secret)' },
  BRIDGE_TLS_CA_FILE: { type: file, help: 'CA bundle to trust for pulsar+ssl://, wss:// and https://' },
  BRIDGE_TLS_CERT_FILE: { type: file, help: 'client certificate (mTLS), with BRIDGE_TLS_KEY_FILE; without a token it is also the identity (Pulsar\'s TLS authentication)' },
  BRIDGE_TLS_KEY_FILE: { type: file, help: 'client key (mTLS), with BRIDGE_TLS_CERT_FILE' },
  BRIDGE_TLS_ALLOW_INSECURE: { type: boolean, default: 'false', help: 'true to skip server certificate checks' },
  BRIDGE_CONNECT_TIMEOUT_MS: { type: integer(100), default: '10000', help: 'connection (and handshake) time-out' },
  BRIDGE_INPUTS: { type: topicList, modes: CONSUMES, help: 'input topics, comma-separated' },
  BRIDGE_INPUT_PATTERN: { type: topicPattern, modes: CONSUMES, help: 'input topic regex, instead of BRIDGE_INPUTS' },
  BRIDGE_SUBSCRIPTION: { type: text, modes: CONSUMES, required: true, help: 'subscription name' },
  BRIDGE_SUBSCRIPTION_TYPE: { type: oneOf(['Exclusive', 'Failover', 'Shared', 'Key_Shared'], { normalize: (raw) => raw.toLowerCase().replace('keyshared', 'key_shared') }), modes: CONSUMES, derivedDefault: 'from the ordering fields', help: 'Exclusive | Failover | Shared | Key_Shared' },
  BRIDGE_SUBSCRIPTION_POSITION: { type: oneOf(['latest', 'earliest']), modes: CONSUMES, default: 'latest', help: 'latest | earliest: where a new subscription starts' },
  BRIDGE_RECEIVER_QUEUE_SIZE: { type: integer(1, 1000), modes: CONSUMES, derivedDefault: 'max(2 × concurrency, 10)', help: 'messages held unacknowledged at most, 1-1000' },
  BRIDGE_OUTPUT: { type: topic, modes: ['function', 'source'], required: true, help: 'output topic (function: replies; source: events)' },
  BRIDGE_DEAD_LETTER_TOPIC: { type: topic, modes: CONSUMES, derivedDefault: '{first input}-{subscription}-DLQ', help: 'where failed messages go' },
  BRIDGE_PROCESSING_GUARANTEE: { type: oneOf(['atleast_once', 'atmost_once', 'effectively_once', 'manual'], { normalize: (raw) => raw.replaceAll('-', '_'), phrase: 'must be atleast_once or atmost_once' }), modes: CONSUMES, default: 'atleast_once', help: 'atleast_once | atmost_once' },
  BRIDGE_AUTO_ACK: { type: boolean, modes: CONSUMES, default: 'true', help: 'false is refused: the HTTP status is the acknowledgement' },
  BRIDGE_MAX_MESSAGE_RETRY: { type: retryLimit, modes: CONSUMES, derivedDefault: 'for ever', help: 'retries before dead-lettering; a negative number means for ever' },
  BRIDGE_RETRY_BACKOFF_MS: { type: integer(1), modes: CONSUMES, default: '200', help: 'first retry delay' },
  BRIDGE_RETRY_BACKOFF_MAX_MS: { type: integer(1), modes: CONSUMES, default: '30000', help: 'retry delay cap' },
  BRIDGE_TIMEOUT_MS: { type: integer(1), default: '30000', help: 'time-out of each HTTP delivery and each Pulsar send' },
  BRIDGE_MAX_PENDING_ASYNC_REQUESTS: { type: integer(1, 1000), modes: CONSUMES, default: '32', help: 'deliveries in flight at once' },
  BRIDGE_RETAIN_ORDERING: { type: boolean, modes: CONSUMES, default: 'false', help: 'true: one message at a time, in order (Failover subscription)' },
  BRIDGE_RETAIN_KEY_ORDERING: { type: boolean, modes: CONSUMES, default: 'false', help: 'true: in order per key, concurrent across keys (Key_Shared subscription)' },
  BRIDGE_TARGET_URL: { type: url(['http', 'https']), modes: CONSUMES, default: 'http://127.0.0.1:8080', help: 'the function or sink container' },
  BRIDGE_INGRESS_HOST: { type: text, modes: ['source'], default: '127.0.0.1', help: 'source mode listen address' },
  BRIDGE_INGRESS_PORT: { type: integer(0, 65535), modes: ['source'], default: '8081', help: 'source mode listen port: the source container K_SINK' },
  BRIDGE_INGRESS_MAX_PENDING: { type: integer(1), modes: ['source'], default: '1000', help: 'source mode: events being persisted at once before 429' },
  BRIDGE_OPS_PORT: { type: integer(0, 65535), default: '9090', help: '/healthz, /readyz, /metrics port' },
  BRIDGE_CE_SOURCE: { type: text, derivedDefault: 'the topic', help: 'CloudEvent source of plain messages and plain replies' },
  BRIDGE_CE_TYPE: { type: text, modes: CONSUMES, default: 'io.functionmesh.pulsar.message', help: 'CloudEvent type of plain messages' },
  BRIDGE_CE_REPLY_TYPE: { type: text, modes: ['function'], default: 'io.functionmesh.function.reply', help: 'CloudEvent type of plain (non-CloudEvent) replies' },
  BRIDGE_DATA_CONTENT_TYPE: { type: text, modes: CONSUMES, derivedDefault: 'none, i.e. unknown bytes', help: 'datacontenttype of plain messages' },
  BRIDGE_SHUTDOWN_TIMEOUT_MS: { type: integer(0), default: '25000', help: 'time to finish in-flight work on SIGTERM' },
} as const satisfies Record<string, Setting>;

type Key = keyof typeof CONFIG_KEYS;
type Settings = Values<typeof CONFIG_KEYS>;

/** `--retain-ordering=true` / `--retain-ordering true` → BRIDGE_RETAIN_ORDERING. */
export function argsToEnv(args: string[]): Record<string, string> {
  const parsed = readArgs(args);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  return Object.fromEntries(Object.entries(parsed.values).map(([flag, value]) => [`BRIDGE_${flag.toUpperCase().replaceAll('-', '_')}`, value]));
}

export function parseBridgeConfig(env: Record<string, string | undefined>, args: string[] = []): BridgeConfig {
  const all = { ...env, ...argsToEnv(args) };
  const problems: string[] = [];
  for (const key of Object.keys(all).filter((k) => k.startsWith('BRIDGE_'))) {
    if (!(key in CONFIG_KEYS)) {
      const near = nearest(key, Object.keys(CONFIG_KEYS));
      problems.push(`${key} is not a bridge setting: ${near ? `did you mean ${near}?` : 'known settings are listed in docs/bridge.md'}`);
    }
  }
  // An invalid mode is reported by the loop; the other keys are checked as in function mode.
  const modeRaw = all.BRIDGE_MODE?.trim() ?? '';
  const modeParsed = CONFIG_KEYS.BRIDGE_MODE.type.parse(modeRaw);
  const mode: BridgeMode = modeParsed instanceof Rejection ? 'function' : modeParsed;
  const settings = readSettings(CONFIG_KEYS, { lookup: (key) => all[key], naming: 'key', mode, problems });
  const given = (key: Key): boolean => Boolean(all[key]?.trim());
  const cfg = validate(settings, mode, given, problems);
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** The rules across keys, and the defaults computed from other keys. */
function validate(s: Settings, mode: BridgeMode, given: (key: Key) => boolean, problems: string[]): BridgeConfig {
  const tls: TlsConfig = { allowInsecure: s.BRIDGE_TLS_ALLOW_INSECURE };
  if (s.BRIDGE_TLS_CA_FILE) tls.caFile = s.BRIDGE_TLS_CA_FILE;
  if (s.BRIDGE_TLS_CERT_FILE) tls.certFile = s.BRIDGE_TLS_CERT_FILE;
  if (s.BRIDGE_TLS_KEY_FILE) tls.keyFile = s.BRIDGE_TLS_KEY_FILE;
  if (given('BRIDGE_TLS_CERT_FILE') !== given('BRIDGE_TLS_KEY_FILE')) problems.push('BRIDGE_TLS_CERT_FILE and BRIDGE_TLS_KEY_FILE go together: set both or neither');
  const transport = s.BRIDGE_TRANSPORT;
  const url = transport === 'binary' ? s.BRIDGE_BROKER_URL : s.BRIDGE_PULSAR_URL?.replace(/\/+$/, '');
  if (transport === 'binary' && !given('BRIDGE_BROKER_URL')) {
    problems.push('BRIDGE_BROKER_URL is required with BRIDGE_TRANSPORT=binary (the default): the broker service URL, e.g. pulsar://pulsar-broker:6650 or pulsar+ssl://pulsar-broker:6651; or set BRIDGE_TRANSPORT=websocket with BRIDGE_PULSAR_URL');
  }
  if (transport === 'websocket' && !given('BRIDGE_PULSAR_URL')) {
    problems.push('BRIDGE_PULSAR_URL is required with BRIDGE_TRANSPORT=websocket: the web service URL, e.g. http://pulsar-broker:8080; or use the binary transport (the default) with BRIDGE_BROKER_URL');
  }
  if (given('BRIDGE_AUTH_TOKEN') && given('BRIDGE_AUTH_TOKEN_FILE')) {
    problems.push('BRIDGE_AUTH_TOKEN and BRIDGE_AUTH_TOKEN_FILE are exclusive: keep one (the file, for a Secret)');
  }

  const consumes = mode === 'function' || mode === 'sink';
  let input: BridgeConfig['input'];
  if (consumes) {
    // A refused value is already reported; a list of blanks (" , ") counts as none.
    const inputsRefused = given('BRIDGE_INPUTS') && s.BRIDGE_INPUTS === undefined;
    const hasInputs = Boolean(s.BRIDGE_INPUTS?.length) || inputsRefused;
    if (hasInputs && given('BRIDGE_INPUT_PATTERN')) problems.push('BRIDGE_INPUTS and BRIDGE_INPUT_PATTERN are exclusive: set one');
    else if (s.BRIDGE_INPUTS?.length) input = { topics: s.BRIDGE_INPUTS };
    else if (s.BRIDGE_INPUT_PATTERN) input = { pattern: s.BRIDGE_INPUT_PATTERN };
    else if (!hasInputs && !given('BRIDGE_INPUT_PATTERN')) problems.push(`BRIDGE_INPUTS (or BRIDGE_INPUT_PATTERN) is required in ${mode} mode`);
  }

  const guarantee = s.BRIDGE_PROCESSING_GUARANTEE;
  if (guarantee === 'effectively_once') {
    problems.push('BRIDGE_PROCESSING_GUARANTEE effectively_once is not supported by the bridge: use atleast_once and make the function idempotent');
  } else if (guarantee === 'manual') {
    problems.push('BRIDGE_PROCESSING_GUARANTEE manual is not supported: the function HTTP status is its acknowledgement; use atleast_once');
  }
  if (!s.BRIDGE_AUTO_ACK) {
    problems.push('BRIDGE_AUTO_ACK=false is not supported: an HTTP function cannot acknowledge by itself, its response status is the acknowledgement; set autoAck to true');
  }

  if (s.BRIDGE_RETAIN_ORDERING && s.BRIDGE_RETAIN_KEY_ORDERING) problems.push('BRIDGE_RETAIN_ORDERING and BRIDGE_RETAIN_KEY_ORDERING are exclusive: strict order already keeps key order');
  const ordering: OrderingMode = s.BRIDGE_RETAIN_ORDERING ? 'strict' : s.BRIDGE_RETAIN_KEY_ORDERING ? 'key' : 'none';
  const subscriptionType = subscriptionTypeFor(s.BRIDGE_SUBSCRIPTION_TYPE, ordering, problems);

  const concurrency = s.BRIDGE_MAX_PENDING_ASYNC_REQUESTS;
  const backoff = { initialMs: s.BRIDGE_RETRY_BACKOFF_MS, maxMs: s.BRIDGE_RETRY_BACKOFF_MAX_MS };
  if (backoff.maxMs < backoff.initialMs) problems.push('BRIDGE_RETRY_BACKOFF_MAX_MS must not be below BRIDGE_RETRY_BACKOFF_MS');

  const subscription = s.BRIDGE_SUBSCRIPTION;
  const deadLetterTopic = s.BRIDGE_DEAD_LETTER_TOPIC ?? (consumes && input && 'topics' in input && subscription ? defaultDeadLetterTopic(input, subscription) : undefined);
  if (consumes && input && 'pattern' in input && !given('BRIDGE_DEAD_LETTER_TOPIC')) {
    problems.push('BRIDGE_DEAD_LETTER_TOPIC is required with BRIDGE_INPUT_PATTERN (there is no first input topic to name it after)');
  }

  const cfg: BridgeConfig = {
    mode,
    name: s.BRIDGE_NAME,
    pulsar: { transport, url: url ?? '', tls, connectTimeoutMs: s.BRIDGE_CONNECT_TIMEOUT_MS },
    subscriptionType,
    subscriptionPosition: s.BRIDGE_SUBSCRIPTION_POSITION,
    receiverQueueSize: s.BRIDGE_RECEIVER_QUEUE_SIZE ?? Math.min(1000, Math.max(2 * concurrency, 10)),
    guarantee: guarantee === 'atmost_once' ? 'atmost_once' : 'atleast_once',
    backoff,
    timeoutMs: s.BRIDGE_TIMEOUT_MS,
    concurrency,
    ordering,
    targetUrl: s.BRIDGE_TARGET_URL,
    ingress: { host: s.BRIDGE_INGRESS_HOST, port: s.BRIDGE_INGRESS_PORT, maxPending: s.BRIDGE_INGRESS_MAX_PENDING },
    opsPort: s.BRIDGE_OPS_PORT,
    cloudEvents: { type: s.BRIDGE_CE_TYPE, replyType: s.BRIDGE_CE_REPLY_TYPE },
    shutdownTimeoutMs: s.BRIDGE_SHUTDOWN_TIMEOUT_MS,
  };
  if (s.BRIDGE_AUTH_TOKEN) cfg.pulsar.authToken = s.BRIDGE_AUTH_TOKEN;
  if (s.BRIDGE_AUTH_TOKEN_FILE) cfg.pulsar.authTokenFile = s.BRIDGE_AUTH_TOKEN_FILE;
  if (input) cfg.input = input;
  if (subscription) cfg.subscription = subscription;
  if (s.BRIDGE_OUTPUT) cfg.output = s.BRIDGE_OUTPUT;
  if (deadLetterTopic) cfg.deadLetterTopic = deadLetterTopic;
  if (s.BRIDGE_MAX_MESSAGE_RETRY !== undefined) cfg.maxRetries = s.BRIDGE_MAX_MESSAGE_RETRY;
  if (s.BRIDGE_CE_SOURCE) cfg.cloudEvents.source = s.BRIDGE_CE_SOURCE;
  if (s.BRIDGE_DATA_CONTENT_TYPE) cfg.cloudEvents.dataContentType = s.BRIDGE_DATA_CONTENT_TYPE;
  return cfg;
}

function subscriptionTypeFor(type: SubscriptionType | undefined, ordering: OrderingMode, problems: string[]): SubscriptionType {
  // Pulsar Functions' choice: Failover keeps order, Key_Shared keeps key order, Shared scales.
  const derived: SubscriptionType = ordering === 'strict' ? 'Failover' : ordering === 'key' ? 'Key_Shared' : 'Shared';
  if (type === undefined) return derived;
  if (ordering === 'strict' && (type === 'Shared' || type === 'Key_Shared')) {
    problems.push(`BRIDGE_SUBSCRIPTION_TYPE ${type} cannot keep BRIDGE_RETAIN_ORDERING: use Failover or Exclusive (or leave it unset)`);
  }
  if (ordering === 'key' && type === 'Shared') {
    problems.push('BRIDGE_SUBSCRIPTION_TYPE Shared cannot keep BRIDGE_RETAIN_KEY_ORDERING: use Key_Shared (or leave it unset)');
  }
  return type;
}
