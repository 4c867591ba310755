// The bridge's whole configuration, from the environment the controller renders (and the same
// keys as `--kebab-case=value` arguments, which win). Every problem is collected and reported at
// once, each naming its key and the fix; unknown BRIDGE_* keys are errors, with a suggestion.
import { parseTopicName, formatTopicName, TopicNameError } from '../pulsar/topic-name.js';
import type { OrderingMode } from './ordering.js';

export type BridgeMode = 'function' | 'source' | 'sink';
export type SubscriptionType = 'Exclusive' | 'Failover' | 'Shared' | 'Key_Shared';
export type ProcessingGuarantee = 'atleast_once' | 'atmost_once';

export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  allowInsecure: boolean;
}

export interface BridgeConfig {
  mode: BridgeMode;
  name: string;
  pulsar: { url: string; authToken?: string; authTokenFile?: string; tls: TlsConfig; connectTimeoutMs: number };
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

/** Every key the bridge reads, with what it means: the source of docs/bridge.md's table. */
export const CONFIG_KEYS = {
  BRIDGE_MODE: 'function | source | sink (required)',
  BRIDGE_NAME: 'name in logs and metrics, e.g. namespace/function (default: bridge)',
  BRIDGE_PULSAR_URL: 'Pulsar web service URL: http(s):// or ws(s):// (required)',
  BRIDGE_AUTH_TOKEN: 'token for Authorization: Bearer',
  BRIDGE_AUTH_TOKEN_FILE: 'file holding the token, re-read on every reconnect (mounted Secret)',
  BRIDGE_TLS_CA_FILE: 'CA bundle to trust for wss:// and https://',
  BRIDGE_TLS_CERT_FILE: 'client certificate (mTLS), with BRIDGE_TLS_KEY_FILE',
  BRIDGE_TLS_KEY_FILE: 'client key (mTLS), with BRIDGE_TLS_CERT_FILE',
  BRIDGE_TLS_ALLOW_INSECURE: 'true to skip server certificate checks (default false)',
  BRIDGE_CONNECT_TIMEOUT_MS: 'WebSocket handshake time-out (default 10000)',
  BRIDGE_INPUTS: 'input topics, comma-separated (function, sink)',
  BRIDGE_INPUT_PATTERN: 'input topic regex, instead of BRIDGE_INPUTS (function, sink)',
  BRIDGE_SUBSCRIPTION: 'subscription name (function, sink; required)',
  BRIDGE_SUBSCRIPTION_TYPE: 'Exclusive | Failover | Shared | Key_Shared (default from the ordering fields)',
  BRIDGE_SUBSCRIPTION_POSITION: 'latest (default) | earliest: where a new subscription starts',
  BRIDGE_RECEIVER_QUEUE_SIZE: 'messages held unacknowledged at most, 1-1000 (default max(2 × concurrency, 10))',
  BRIDGE_OUTPUT: 'output topic (function: replies; source: events) (required in both)',
  BRIDGE_DEAD_LETTER_TOPIC: 'where failed messages go (default {first input}-{subscription}-DLQ)',
  BRIDGE_PROCESSING_GUARANTEE: 'atleast_once (default) | atmost_once',
  BRIDGE_AUTO_ACK: 'true (default); false is refused: the HTTP status is the acknowledgement',
  BRIDGE_MAX_MESSAGE_RETRY: 'retries before dead-lettering (default: retry for ever)',
  BRIDGE_RETRY_BACKOFF_MS: 'first retry delay (default 200)',
  BRIDGE_RETRY_BACKOFF_MAX_MS: 'retry delay cap (default 30000)',
  BRIDGE_TIMEOUT_MS: 'time-out of each HTTP delivery and each Pulsar send (default 30000)',
  BRIDGE_MAX_PENDING_ASYNC_REQUESTS: 'deliveries in flight at once (default 32)',
  BRIDGE_RETAIN_ORDERING: 'true: one message at a time, in order (Failover subscription)',
  BRIDGE_RETAIN_KEY_ORDERING: 'true: in order per key, concurrent across keys (Key_Shared subscription)',
  BRIDGE_TARGET_URL: 'the function or sink container (default http://127.0.0.1:8080)',
  BRIDGE_INGRESS_HOST: 'source mode listen address (default 127.0.0.1)',
  BRIDGE_INGRESS_PORT: 'source mode listen port: the source container K_SINK (default 8081)',
  BRIDGE_INGRESS_MAX_PENDING: 'source mode: events being persisted at once before 429 (default 1000)',
  BRIDGE_OPS_PORT: '/healthz, /readyz, /metrics port (default 9090)',
  BRIDGE_CE_SOURCE: 'CloudEvent source of plain messages and plain replies (default: the topic)',
  BRIDGE_CE_TYPE: 'CloudEvent type of plain messages (default io.functionmesh.pulsar.message)',
  BRIDGE_CE_REPLY_TYPE: 'CloudEvent type of plain (non-CloudEvent) replies (default io.functionmesh.function.reply)',
  BRIDGE_DATA_CONTENT_TYPE: 'datacontenttype of plain messages (default: none, i.e. unknown bytes)',
  BRIDGE_SHUTDOWN_TIMEOUT_MS: 'time to finish in-flight work on SIGTERM (default 25000)',
} as const;

type Key = keyof typeof CONFIG_KEYS;
const CONFIG_KEY_MODES: Record<Key, BridgeMode[] | 'all'> = {
  BRIDGE_MODE: 'all', BRIDGE_NAME: 'all', BRIDGE_PULSAR_URL: 'all', BRIDGE_AUTH_TOKEN: 'all',
  BRIDGE_AUTH_TOKEN_FILE: 'all', BRIDGE_TLS_CA_FILE: 'all', BRIDGE_TLS_CERT_FILE: 'all', BRIDGE_TLS_KEY_FILE: 'all',
  BRIDGE_TLS_ALLOW_INSECURE: 'all', BRIDGE_CONNECT_TIMEOUT_MS: 'all', BRIDGE_OPS_PORT: 'all', BRIDGE_TIMEOUT_MS: 'all',
  BRIDGE_SHUTDOWN_TIMEOUT_MS: 'all', BRIDGE_CE_SOURCE: 'all', BRIDGE_CE_TYPE: ['function', 'sink'],
  BRIDGE_INPUTS: ['function', 'sink'], BRIDGE_INPUT_PATTERN: ['function', 'sink'], BRIDGE_SUBSCRIPTION: ['function', 'sink'],
  BRIDGE_SUBSCRIPTION_TYPE: ['function', 'sink'], BRIDGE_SUBSCRIPTION_POSITION: ['function', 'sink'], BRIDGE_RECEIVER_QUEUE_SIZE: ['function', 'sink'],
  BRIDGE_OUTPUT: ['function', 'source'], BRIDGE_DEAD_LETTER_TOPIC: ['function', 'sink'],
  BRIDGE_PROCESSING_GUARANTEE: ['function', 'sink'], BRIDGE_AUTO_ACK: ['function', 'sink'],
  BRIDGE_MAX_MESSAGE_RETRY: ['function', 'sink'], BRIDGE_RETRY_BACKOFF_MS: ['function', 'sink'],
  BRIDGE_RETRY_BACKOFF_MAX_MS: ['function', 'sink'], BRIDGE_MAX_PENDING_ASYNC_REQUESTS: ['function', 'sink'],
  BRIDGE_RETAIN_ORDERING: ['function', 'sink'], BRIDGE_RETAIN_KEY_ORDERING: ['function', 'sink'],
  BRIDGE_TARGET_URL: ['function', 'sink'], BRIDGE_DATA_CONTENT_TYPE: ['function', 'sink'],
  BRIDGE_CE_REPLY_TYPE: ['function'], BRIDGE_INGRESS_HOST: ['source'], BRIDGE_INGRESS_PORT: ['source'],
  BRIDGE_INGRESS_MAX_PENDING: ['source'],
};

/** `--retain-ordering=true` / `--retain-ordering true` → BRIDGE_RETAIN_ORDERING. */
export function argsToEnv(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new ConfigError([`argument "${args[i]}" is not --key=value`]);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new ConfigError([`argument --${m[1]} has no value`]);
    env[`BRIDGE_${m[1]!.toUpperCase().replaceAll('-', '_')}`] = value;
  }
  return env;
}

export function parseBridgeConfig(env: Record<string, string | undefined>, args: string[] = []): BridgeConfig {
  const all = { ...env, ...argsToEnv(args) };
  const problems: string[] = [];
  const get = (key: Key): string | undefined => {
    const v = all[key]?.trim();
    return v === '' ? undefined : v;
  };

  for (const key of Object.keys(all).filter((k) => k.startsWith('BRIDGE_'))) {
    if (!(key in CONFIG_KEYS)) problems.push(`${key} is not a bridge setting${suggest(key)}`);
  }

  const mode = get('BRIDGE_MODE');
  if (!mode) problems.push('BRIDGE_MODE is required: function, source or sink');
  else if (mode !== 'function' && mode !== 'source' && mode !== 'sink') {
    problems.push(`BRIDGE_MODE "${mode}" is not valid: use function, source or sink`);
  }
  const m = (mode === 'function' || mode === 'source' || mode === 'sink' ? mode : 'function') as BridgeMode;
  for (const key of Object.keys(CONFIG_KEYS) as Key[]) {
    const modes = CONFIG_KEY_MODES[key];
    if (get(key) !== undefined && modes !== 'all' && !modes.includes(m)) {
      problems.push(`${key} does not apply in ${m} mode (only in ${modes.join(', ')}): remove it`);
    }
  }

  const int = (key: Key, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} "${raw}" must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
      return fallback;
    }
    return n;
  };
  const bool = (key: Key, fallback: boolean): boolean => {
    const raw = get(key)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${key} "${get(key)}" must be true or false`);
    return fallback;
  };
  const topic = (key: Key, raw: string): string => {
    try {
      return formatTopicName(parseTopicName(raw));
    } catch (err) {
      problems.push(`${key}: ${err instanceof TopicNameError ? err.message : String(err)}`);
      return raw;
    }
  };
  const url = (key: Key, raw: string | undefined, schemes: string[]): string | undefined => {
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (schemes.includes(u.protocol.slice(0, -1))) return raw;
    } catch {
      /* reported below */
    }
    problems.push(`${key} "${raw}" must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`);
    return undefined;
  };

  const pulsarUrl = url('BRIDGE_PULSAR_URL', get('BRIDGE_PULSAR_URL'), ['ws', 'wss', 'http', 'https']);
  if (!get('BRIDGE_PULSAR_URL')) problems.push('BRIDGE_PULSAR_URL is required, e.g. http://pulsar-broker:8080');
  const tls: TlsConfig = { allowInsecure: bool('BRIDGE_TLS_ALLOW_INSECURE', false) };
  for (const [key, field] of [['BRIDGE_TLS_CA_FILE', 'caFile'], ['BRIDGE_TLS_CERT_FILE', 'certFile'], ['BRIDGE_TLS_KEY_FILE', 'keyFile']] as const) {
    const v = get(key);
    if (v) tls[field] = v;
  }
  if (!tls.certFile !== !tls.keyFile) problems.push('BRIDGE_TLS_CERT_FILE and BRIDGE_TLS_KEY_FILE go together: set both or neither');
  if (get('BRIDGE_AUTH_TOKEN') && get('BRIDGE_AUTH_TOKEN_FILE')) {
    problems.push('BRIDGE_AUTH_TOKEN and BRIDGE_AUTH_TOKEN_FILE are exclusive: keep one (the file, for a Secret)');
  }

  const consumes = m === 'function' || m === 'sink';
  const inputs = get('BRIDGE_INPUTS')?.split(',').map((t) => t.trim()).filter(Boolean);
  const pattern = get('BRIDGE_INPUT_PATTERN');
  let input: BridgeConfig['input'];
  if (consumes) {
    if (inputs?.length && pattern) problems.push('BRIDGE_INPUTS and BRIDGE_INPUT_PATTERN are exclusive: set one');
    else if (inputs?.length) input = { topics: inputs.map((t) => topic('BRIDGE_INPUTS', t)) };
    else if (pattern) {
      try {
        new RegExp(pattern);
        input = { pattern: pattern.includes('://') ? pattern : `persistent://public/default/${pattern}` };
      } catch (err) {
        problems.push(`BRIDGE_INPUT_PATTERN "${pattern}" is not a regular expression: ${(err as Error).message}`);
      }
    } else problems.push(`BRIDGE_INPUTS (or BRIDGE_INPUT_PATTERN) is required in ${m} mode`);
    if (!get('BRIDGE_SUBSCRIPTION')) problems.push(`BRIDGE_SUBSCRIPTION is required in ${m} mode`);
  }
  const output = get('BRIDGE_OUTPUT');
  if ((m === 'function' || m === 'source') && !output) problems.push(`BRIDGE_OUTPUT is required in ${m} mode`);

  const guaranteeRaw = (get('BRIDGE_PROCESSING_GUARANTEE') ?? 'atleast_once').toLowerCase().replaceAll('-', '_');
  let guarantee: ProcessingGuarantee = 'atleast_once';
  if (guaranteeRaw === 'atleast_once' || guaranteeRaw === 'atmost_once') guarantee = guaranteeRaw;
  else if (guaranteeRaw === 'effectively_once') {
    problems.push('BRIDGE_PROCESSING_GUARANTEE effectively_once is not supported by the bridge: use atleast_once and make the function idempotent');
  } else if (guaranteeRaw === 'manual') {
    problems.push('BRIDGE_PROCESSING_GUARANTEE manual is not supported: the function HTTP status is its acknowledgement; use atleast_once');
  } else problems.push(`BRIDGE_PROCESSING_GUARANTEE "${get('BRIDGE_PROCESSING_GUARANTEE')}" must be atleast_once or atmost_once`);
  if (!bool('BRIDGE_AUTO_ACK', true)) {
    problems.push('BRIDGE_AUTO_ACK=false is not supported: an HTTP function cannot acknowledge by itself, its response status is the acknowledgement; set autoAck to true');
  }

  const retainOrdering = bool('BRIDGE_RETAIN_ORDERING', false);
  const retainKeyOrdering = bool('BRIDGE_RETAIN_KEY_ORDERING', false);
  if (retainOrdering && retainKeyOrdering) problems.push('BRIDGE_RETAIN_ORDERING and BRIDGE_RETAIN_KEY_ORDERING are exclusive: strict order already keeps key order');
  const ordering: OrderingMode = retainOrdering ? 'strict' : retainKeyOrdering ? 'key' : 'none';
  const subscriptionType = parseSubscriptionType(get('BRIDGE_SUBSCRIPTION_TYPE'), ordering, problems);
  const position = (get('BRIDGE_SUBSCRIPTION_POSITION') ?? 'latest').toLowerCase();
  if (position !== 'latest' && position !== 'earliest') problems.push(`BRIDGE_SUBSCRIPTION_POSITION "${get('BRIDGE_SUBSCRIPTION_POSITION')}" must be latest or earliest`);

  const concurrency = int('BRIDGE_MAX_PENDING_ASYNC_REQUESTS', 32, 1, 1000);
  const receiverQueueSize = int('BRIDGE_RECEIVER_QUEUE_SIZE', Math.min(1000, Math.max(2 * concurrency, 10)), 1, 1000);
  const maxRetryRaw = get('BRIDGE_MAX_MESSAGE_RETRY');
  const maxRetries = maxRetryRaw === undefined || Number(maxRetryRaw) < 0 ? undefined : int('BRIDGE_MAX_MESSAGE_RETRY', 0, 0);
  const backoff = { initialMs: int('BRIDGE_RETRY_BACKOFF_MS', 200, 1), maxMs: int('BRIDGE_RETRY_BACKOFF_MAX_MS', 30_000, 1) };
  if (backoff.maxMs < backoff.initialMs) problems.push('BRIDGE_RETRY_BACKOFF_MAX_MS must not be below BRIDGE_RETRY_BACKOFF_MS');

  const subscription = get('BRIDGE_SUBSCRIPTION');
  const firstInput = input && 'topics' in input ? input.topics[0] : undefined;
  const deadLetterRaw = get('BRIDGE_DEAD_LETTER_TOPIC');
  const deadLetterTopic = deadLetterRaw
    ? topic('BRIDGE_DEAD_LETTER_TOPIC', deadLetterRaw)
    : consumes && firstInput && subscription
      ? `${firstInput}-${subscription.replaceAll('/', '-')}-DLQ`
      : undefined;
  if (consumes && input && 'pattern' in input && !deadLetterRaw) {
    problems.push('BRIDGE_DEAD_LETTER_TOPIC is required with BRIDGE_INPUT_PATTERN (there is no first input topic to name it after)');
  }

  const cfg: BridgeConfig = {
    mode: m,
    name: get('BRIDGE_NAME') ?? 'bridge',
    pulsar: { url: (pulsarUrl ?? '').replace(/\/+$/, ''), tls, connectTimeoutMs: int('BRIDGE_CONNECT_TIMEOUT_MS', 10_000, 100) },
    subscriptionType,
    subscriptionPosition: position === 'earliest' ? 'earliest' : 'latest',
    receiverQueueSize,
    guarantee,
    backoff,
    timeoutMs: int('BRIDGE_TIMEOUT_MS', 30_000, 1),
    concurrency,
    ordering,
    targetUrl: url('BRIDGE_TARGET_URL', get('BRIDGE_TARGET_URL'), ['http', 'https']) ?? 'http://127.0.0.1:8080',
    ingress: {
      host: get('BRIDGE_INGRESS_HOST') ?? '127.0.0.1',
      port: int('BRIDGE_INGRESS_PORT', 8081, 0, 65535),
      maxPending: int('BRIDGE_INGRESS_MAX_PENDING', 1000, 1),
    },
    opsPort: int('BRIDGE_OPS_PORT', 9090, 0, 65535),
    cloudEvents: {
      type: get('BRIDGE_CE_TYPE') ?? 'io.functionmesh.pulsar.message',
      replyType: get('BRIDGE_CE_REPLY_TYPE') ?? 'io.functionmesh.function.reply',
    },
    shutdownTimeoutMs: int('BRIDGE_SHUTDOWN_TIMEOUT_MS', 25_000, 0),
  };
  const token = get('BRIDGE_AUTH_TOKEN');
  const tokenFile = get('BRIDGE_AUTH_TOKEN_FILE');
  if (token) cfg.pulsar.authToken = token;
  if (tokenFile) cfg.pulsar.authTokenFile = tokenFile;
  if (input) cfg.input = input;
  if (subscription) cfg.subscription = subscription;
  if (output) cfg.output = topic('BRIDGE_OUTPUT', output);
  if (deadLetterTopic) cfg.deadLetterTopic = deadLetterTopic;
  if (maxRetries !== undefined) cfg.maxRetries = maxRetries;
  const ceSource = get('BRIDGE_CE_SOURCE');
  if (ceSource) cfg.cloudEvents.source = ceSource;
  const contentType = get('BRIDGE_DATA_CONTENT_TYPE');
  if (contentType) cfg.cloudEvents.dataContentType = contentType;

  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

function parseSubscriptionType(raw: string | undefined, ordering: OrderingMode, problems: string[]): SubscriptionType {
  // Pulsar Functions' choice: Failover keeps order, Key_Shared keeps key order, Shared scales.
  const derived: SubscriptionType = ordering === 'strict' ? 'Failover' : ordering === 'key' ? 'Key_Shared' : 'Shared';
  if (raw === undefined) return derived;
  const types: SubscriptionType[] = ['Exclusive', 'Failover', 'Shared', 'Key_Shared'];
  const type = types.find((t) => t.toLowerCase() === raw.toLowerCase().replace('keyshared', 'key_shared'));
  if (!type) {
    problems.push(`BRIDGE_SUBSCRIPTION_TYPE "${raw}" must be one of ${types.join(', ')}`);
    return derived;
  }
  if (ordering === 'strict' && (type === 'Shared' || type === 'Key_Shared')) {
    problems.push(`BRIDGE_SUBSCRIPTION_TYPE ${type} cannot keep BRIDGE_RETAIN_ORDERING: use Failover or Exclusive (or leave it unset)`);
  }
  if (ordering === 'key' && type === 'Shared') {
    problems.push('BRIDGE_SUBSCRIPTION_TYPE Shared cannot keep BRIDGE_RETAIN_KEY_ORDERING: use Key_Shared (or leave it unset)');
  }
  return type;
}

function suggest(key: string): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of Object.keys(CONFIG_KEYS)) {
    const d = editDistance(key, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best ? `: did you mean ${best}?` : `: known settings are listed in docs/bridge.md`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
