// A trigger's metadata (KEDA passes it verbatim, all strings) parsed once into a typed config.
// Every error names the offending key and says what would be accepted.
import { parseTopicName, TopicNameError, type TopicDomain, type TopicName } from '../adapters/pulsar/topic-name.js';
import type { SubscriptionPosition } from '../adapters/pulsar/admin-client.js';
import { Rejection, nearest } from '../process/config-table.js';
import { adminUrl } from './admin-url.js';

export type TopicSource =
  | { kind: 'topics'; topics: TopicName[] }
  | { kind: 'pattern'; domain: TopicDomain; tenant: string; namespace: string; regex: RegExp; text: string };

export interface TriggerConfig {
  adminUrl: string;
  source: TopicSource;
  subscription: string;
  initialPosition: SubscriptionPosition;
  /** HPA target: backlog per replica. */
  targetBacklog: number;
  /** Active (0 → 1) when the backlog is above this. */
  activationBacklog: number;
  metricName: string;
}

export class MetadataError extends Error {
  override readonly name = 'MetadataError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`trigger metadata "${key}": ${message}`);
  }
}

export const DEFAULT_TARGET_BACKLOG = 10;

// The keys KEDA v2.20's external scaler reads itself (pkg/scalers/external_scaler.go, its typed
// metadata): scalerAddress, enableTLS and unsafeSsl from the trigger metadata, which KEDA forwards
// here along with every other key, so the scaler ignores them.
const KEDA_METADATA_KEYS = new Set(['scalerAddress', 'enableTLS', 'unsafeSsl']);
// Keys KEDA v2.20 reads only from a TriggerAuthentication, or no longer at all: in the trigger
// metadata they would be silently lost, so they are refused with the fix.
const KEDA_MISPLACED_KEYS: Record<string, string> = Object.fromEntries([
  ...['caCert', 'tlsClientCert', 'tlsClientKey'].map((k) => [k, `KEDA reads ${k} only from a TriggerAuthentication (authenticationRef), not from trigger metadata: move it there`]),
  ['tlsCertFile', 'KEDA v2.20 no longer reads tlsCertFile: set enableTLS: "true" and put the CA in a TriggerAuthentication\'s caCert'],
]);
const KNOWN = [
  'adminURL', 'topics', 'topic', 'topicPattern', 'subscription', 'subscriptionPosition',
  'targetBacklog', 'msgBacklogThreshold', 'activationBacklog', 'activationMsgBacklogThreshold',
];

export function parseTriggerMetadata(meta: Record<string, string>, opts: { defaultAdminUrl?: string } = {}): TriggerConfig {
  for (const key of Object.keys(meta)) {
    const misplaced = KEDA_MISPLACED_KEYS[key];
    if (misplaced) throw new MetadataError(key, misplaced);
    if (!KNOWN.includes(key) && !KEDA_METADATA_KEYS.has(key)) {
      const near = nearest(key, KNOWN);
      throw new MetadataError(key, `unknown key${near ? ` (did you mean ${near}?)` : ''}; the Pulsar scaler reads ${KNOWN.join(', ')}`);
    }
  }
  const get = (key: string): string | undefined => {
    const value = meta[key]?.trim();
    return value === '' ? undefined : value;
  };

  const adminUrl = parseAdminUrl(get('adminURL') ?? opts.defaultAdminUrl);
  const source = parseSource(get('topics'), get('topic'), get('topicPattern'));

  const subscription = get('subscription');
  if (!subscription) throw new MetadataError('subscription', 'required: the subscription the function consumes with');
  // Slashes are legal: Pulsar names a function's default subscription tenant/namespace/name.
  if (/\s/.test(subscription)) throw new MetadataError('subscription', `"${subscription}" must not contain spaces`);

  const position = get('subscriptionPosition') ?? 'latest';
  if (position !== 'latest' && position !== 'earliest') {
    throw new MetadataError('subscriptionPosition', `"${position}" must be latest or earliest`);
  }

  const targetBacklog = oneOf(get, 'targetBacklog', 'msgBacklogThreshold', DEFAULT_TARGET_BACKLOG, 1);
  const activationBacklog = oneOf(get, 'activationBacklog', 'activationMsgBacklogThreshold', 0, 0);

  return {
    adminUrl,
    source,
    subscription,
    initialPosition: position,
    targetBacklog,
    activationBacklog,
    metricName: metricName(subscription),
  };
}

function parseAdminUrl(value: string | undefined): string {
  if (!value) {
    throw new MetadataError('adminURL', 'required (e.g. http://pulsar-broker:8080): no default admin URL is configured on the scaler');
  }
  const parsed = adminUrl.parse(value);
  if (parsed instanceof Rejection) throw new MetadataError('adminURL', parsed.echo ? `"${value}" ${parsed.text}` : parsed.text);
  return parsed;
}

function parseSource(topics: string | undefined, topic: string | undefined, pattern: string | undefined): TopicSource {
  const given = [topics && 'topics', topic && 'topic', pattern && 'topicPattern'].filter(Boolean);
  if (given.length > 1) throw new MetadataError(given[1] as string, `set only one of topics, topic and topicPattern (got ${given.join(' and ')})`);
  if (pattern) return parsePattern(pattern);
  const key = topics ? 'topics' : 'topic';
  const list = (topics ?? topic ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (list.length === 0) throw new MetadataError('topics', 'required: one or more input topics, comma-separated (or topicPattern)');
  const parsed = list.map((name) => {
    try {
      return parseTopicName(name);
    } catch (err) {
      if (err instanceof TopicNameError) throw new MetadataError(key, err.message);
      throw err;
    }
  });
  return { kind: 'topics', topics: parsed };
}

// `[persistent://|non-persistent://]tenant/namespace/<regex on the topic's local name>`, like
// Pulsar's topicsPattern: one namespace, the regex matched against whole names.
function parsePattern(text: string): TopicSource {
  const m = /^(?:(persistent|non-persistent):\/\/)?([^/]+)\/([^/]+)\/(.+)$/.exec(text);
  if (!m) {
    throw new MetadataError('topicPattern', `"${text}" must look like persistent://tenant/namespace/<regex>, e.g. persistent://public/default/orders-.*`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${m[4]})$`);
  } catch (err) {
    throw new MetadataError('topicPattern', `"${m[4]}" is not a valid regular expression: ${(err as Error).message}`);
  }
  return { kind: 'pattern', domain: (m[1] ?? 'persistent') as TopicDomain, tenant: m[2]!, namespace: m[3]!, regex, text };
}

function oneOf(get: (k: string) => string | undefined, key: string, alias: string, fallback: number, min: number): number {
  const a = get(key);
  const b = get(alias);
  if (a !== undefined && b !== undefined) throw new MetadataError(alias, `set ${key} or ${alias}, not both`);
  const [name, raw] = a !== undefined ? [key, a] : [alias, b];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new MetadataError(name, `"${raw}" must be a whole number ≥ ${min}`);
  }
  return Number(raw);
}

// KEDA prefixes the name with the trigger index; HPA metric names must be DNS-label-like.
function metricName(subscription: string): string {
  return `pulsar-backlog-${subscription.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}
