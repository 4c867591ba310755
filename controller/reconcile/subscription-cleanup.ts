// `cleanupSubscription: true`: a finalizer keeps a deleted Function/Sink until its subscription
// is deleted from every input topic through Pulsar's admin API. Pulsar may be gone for good, so
// the attempts are bounded (by count, and by time since deletion so a controller restart does
// not start the count over): after the last one the controller records a Warning event naming
// what is left behind and releases the finalizer. Deletion is never blocked forever.
// A topic pattern is cleaned on every topic of its namespace that it matches (upstream
// unsubscribes the whole namespace); OAuth2 credentials are exchanged for a token first.
// A batch Source (`batchSourceConfig`) is cleaned up the same way, always (as upstream, it has no
// cleanupSubscription field): Pulsar's BatchSourceExecutor feeds its instances through an
// intermediate topic of its own, which is unsubscribed and then deleted.
import type { PulsarMessagingSpec, WorkloadResource } from '../api/index.js';
import { PulsarAdmin } from '../../adapters/pulsar/admin-client.js';
import { bearerToken } from '../../adapters/pulsar/bearer-token.js';
import { fetchOAuth2Token } from '../../adapters/pulsar/oauth2-token.js';
import { formatTopicName, parseTopicName, type TopicDomain, type TopicName } from '../../adapters/pulsar/topic-name.js';
import { inputOf, inputTopics, pulsarIdentity, subscriptionOf, type PulsarIdentity } from '../render/pulsar-identity.js';

export const SUBSCRIPTION_FINALIZER = 'compute.functionmesh.io/subscription-cleanup';

export interface CleanupPolicy {
  /** Attempts before giving up (default 5). */
  attempts: number;
  /** Delay before the second attempt; doubles after each failure (default 5 s: 5+10+20+40 s). */
  initialDelayMs: number;
  /** Per request to Pulsar (default 5 s). */
  requestTimeoutMs: number;
}

export const DEFAULT_CLEANUP_POLICY: CleanupPolicy = { attempts: 5, initialDelayMs: 5_000, requestTimeoutMs: 5_000 };

export interface CleanupTarget {
  subscription: string;
  topics: string[];
  /** Regex inputs: no single topic to unsubscribe from. */
  patterns: string[];
  /** Deleted (forced) once unsubscribed: the topics this resource's runtime created for itself. */
  deleteTopics: string[];
}

export function cleanupTarget(resource: WorkloadResource): CleanupTarget {
  if (resource.kind === 'Source') {
    if (!resource.spec.batchSourceConfig) return { subscription: '', topics: [], patterns: [], deleteTopics: [] };
    const id = pulsarIdentity(resource);
    const topic = batchSourceIntermediateTopic(id);
    return { subscription: batchSourceSubscription(id), topics: [topic], patterns: [], deleteTopics: [topic] };
  }
  const { topics, patterns } = inputTopics(inputOf(resource));
  return { subscription: subscriptionOf(resource), topics, patterns, deleteTopics: [] };
}

/** Where the BatchSourceExecutor queues discovered tasks (Pulsar's SourceConfigUtils). */
export function batchSourceIntermediateTopic(id: PulsarIdentity): string {
  return `persistent://${id.tenant}/${id.namespace}/${id.name}-intermediate`;
}

/** The subscription the BatchSourceExecutor's instances read the intermediate topic with. */
export function batchSourceSubscription(id: PulsarIdentity): string {
  return `BatchSourceExecutor-${id.tenant}/${id.namespace}/${id.name}`;
}

/** What a released finalizer may leave in Pulsar, and the command that removes it by hand. */
export function leftBehind(target: CleanupTarget): string {
  const subscription = `the subscription ${target.subscription} may remain: delete it with pulsar-admin topics unsubscribe`;
  return target.deleteTopics.length ? `${subscription}, and topic ${target.deleteTopics.join(', ')} with pulsar-admin topics delete -f` : subscription;
}

/** Functions and Sinks when `cleanupSubscription: true`; a Source when it is a batch Source. */
export function wantsCleanup(resource: WorkloadResource): boolean {
  return resource.kind === 'Source' ? resource.spec.batchSourceConfig !== undefined : resource.spec.cleanupSubscription === true;
}

/** Where and how the cleanup reaches Pulsar's admin API. */
export interface CleanupConnection {
  /** undefined when the pulsarConfig ConfigMap is gone. */
  webServiceURL?: string;
  token?: string;
  /** PEM of the CA that signed the broker's certificate, for https:// with a private CA. */
  ca?: string;
  /** Accept any broker certificate (`tlsConfig.allowInsecure`). */
  allowInsecure?: boolean;
  /** A TLS client certificate and key (PEM) for a broker using AuthenticationTls. */
  clientCert?: { cert: string; key: string };
  /** OAuth2 client credentials (the key file's content): exchanged for a token on each attempt. */
  oauth2?: { issuerUrl: string; audience?: string; scope?: string; keyFile: string };
  /** Why the connection is incomplete (an unreadable Secret): the attempt fails with it. */
  problem?: string;
}

/** A bearer token from the `pulsar` section's token auth, if that is what it uses. */
export function cleanupToken(pulsar: PulsarMessagingSpec | undefined, authSecretData?: Record<string, string>): string | undefined {
  const generic = pulsar?.cleanupAuthConfig?.genericAuth ?? pulsar?.authConfig?.genericAuth;
  const plugin = generic?.clientAuthenticationPlugin ?? authSecretData?.clientAuthenticationPlugin;
  const params = generic?.clientAuthenticationParameters ?? authSecretData?.clientAuthenticationParameters;
  if (!plugin?.endsWith('AuthenticationToken') || !params) return undefined;
  return bearerToken(params);
}

const TLS_PLUGIN_SUFFIX = 'AuthenticationTls';

/** Where a file inside the pod comes from: a key of a Secret mounted there. */
export interface SecretFile {
  secretName: string;
  key: string;
}

/**
 * AuthenticationTls (genericAuth, else the auth Secret): its tlsCertFile and tlsKeyFile are paths
 * inside the pod, traced back through spec.volumeMounts and pod.volumes to the Secrets mounted
 * there, which the controller reads. Undefined when TLS client auth is not used; a problem when
 * a file is not on a mounted Secret.
 */
export function tlsClientFiles(resource: WorkloadResource, authSecretData?: Record<string, string>): { cert: SecretFile; key: SecretFile } | { problem: string } | undefined {
  const pulsar = resource.spec.pulsar;
  const generic = pulsar?.cleanupAuthConfig?.genericAuth ?? pulsar?.authConfig?.genericAuth;
  const plugin = generic?.clientAuthenticationPlugin ?? authSecretData?.clientAuthenticationPlugin;
  const params = generic?.clientAuthenticationParameters ?? authSecretData?.clientAuthenticationParameters;
  if (!plugin?.endsWith(TLS_PLUGIN_SUFFIX) || !params) return undefined;
  const parsed = parseAuthParams(params);
  const files = { cert: parsed.tlsCertFile, key: parsed.tlsKeyFile };
  const out: Partial<Record<'cert' | 'key', SecretFile>> = {};
  for (const which of ['cert', 'key'] as const) {
    const file = files[which]?.replace(/^file:(\/\/)?/, '');
    const found = file ? secretFileAt(resource, file) : undefined;
    if (!found) return { problem: `TLS client ${which} file ${file ?? '(unset)'} of ${plugin} is not on a Secret mounted through spec.volumeMounts and pod.volumes: the controller cannot read it to clean up the subscription` };
    out[which] = found;
  }
  return { cert: out.cert!, key: out.key! };
}

/** Pulsar's two spellings of plugin parameters: JSON, or `k1:v1,k2:v2`. */
function parseAuthParams(params: string): Record<string, string> {
  const text = params.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(text.split(',').map((kv) => { const i = kv.indexOf(':'); return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()]; }));
}

interface SecretVolume {
  name?: string;
  secret?: { secretName?: string; items?: { key: string; path: string }[] };
}

function secretFileAt(resource: WorkloadResource, file: string): SecretFile | undefined {
  const volumes = (resource.spec.pod?.volumes ?? []) as SecretVolume[];
  for (const mount of resource.spec.volumeMounts ?? []) {
    const dir = mount.mountPath.replace(/\/+$/, '');
    if (!file.startsWith(`${dir}/`)) continue;
    const secret = volumes.find((v) => v.name === mount.name)?.secret;
    if (!secret?.secretName) continue;
    const rel = file.slice(dir.length + 1);
    const inVolume = mount.subPath ? `${mount.subPath.replace(/\/+$/, '')}/${rel}` : rel;
    const item = secret.items?.find((i) => i.path === inVolume);
    if (secret.items && !item) continue;
    return { secretName: secret.secretName, key: item ? item.key : inVolume };
  }
  return undefined;
}

/** The OAuth2 settings the cleanup authenticates with: cleanupAuthConfig's, else authConfig's. */
export function cleanupOAuth2(pulsar: PulsarMessagingSpec | undefined) {
  return (pulsar?.cleanupAuthConfig ?? pulsar?.authConfig)?.oauth2Config;
}

/** Pulsar's regex subscription: the pattern matches whole topic names, partitions by their base name. */
export function topicsMatching(pattern: string, topics: readonly TopicName[]): TopicName[] {
  const regex = new RegExp(`^(?:${pattern})$`);
  return topics.filter((t) => regex.test(formatTopicName(t)));
}

/** The namespace a `domain://tenant/namespace/<regex>` pattern lists topics from. */
function patternNamespace(pattern: string): { domain: TopicDomain; tenant: string; namespace: string } {
  const m = /^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\//.exec(pattern);
  if (!m) throw new Error(`topic pattern ${pattern} names no tenant/namespace`);
  return { domain: m[1] as TopicDomain, tenant: m[2]!, namespace: m[3]! };
}

async function topicsOf(admin: PulsarAdmin, target: CleanupTarget): Promise<TopicName[]> {
  const topics = new Map(target.topics.map((t) => [t, parseTopicName(t)]));
  for (const pattern of target.patterns) {
    const ns = patternNamespace(pattern);
    for (const t of topicsMatching(pattern, await admin.listTopics(ns.tenant, ns.namespace, ns.domain))) topics.set(formatTopicName(t), t);
  }
  return [...topics.values()];
}

/** The delay before attempt `n + 1` after `n` failures. */
export function retryDelayMs(policy: CleanupPolicy, failures: number): number {
  return policy.initialDelayMs * 2 ** Math.max(0, failures - 1);
}

/** How long after deletion the controller keeps trying, whatever its attempt count says. */
export function cleanupBudgetMs(policy: CleanupPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.attempts; n++) total += retryDelayMs(policy, n) + policy.requestTimeoutMs;
  return total + policy.requestTimeoutMs;
}

export type CleanupOutcome =
  | { state: 'done'; message: string }
  | { state: 'retry'; retryInMs: number; error: string; failures: number }
  | { state: 'gaveUp'; error: string; failures: number };

/** Tracks failures per resource (by uid) across reconciles. */
export class SubscriptionCleaner {
  private readonly failures = new Map<string, number>();

  constructor(readonly policy: CleanupPolicy = DEFAULT_CLEANUP_POLICY) {}

  /**
   * One attempt. `webServiceURL` is undefined when the pulsarConfig ConfigMap is gone, which
   * counts as a failed attempt (it may come back).
   */
  async attempt(resource: WorkloadResource, pulsar: CleanupConnection, now = Date.now()): Promise<CleanupOutcome> {
    const { webServiceURL, ca, allowInsecure, problem, oauth2, clientCert } = pulsar;
    const uid = resource.metadata.uid ?? '';
    const target = cleanupTarget(resource);
    try {
      if (problem) throw new Error(problem);
      if (!webServiceURL) throw new Error(`ConfigMap ${resource.spec.pulsar?.pulsarConfig ?? '(unset)'} with webServiceURL not found`);
      const timeoutMs = this.policy.requestTimeoutMs;
      const token = oauth2 ? await fetchOAuth2Token({ ...oauth2, timeoutMs }) : pulsar.token;
      const admin = new PulsarAdmin({ url: webServiceURL, token, ca, allowInsecure, clientCert, timeoutMs });
      const deleted: string[] = [];
      for (const topic of await topicsOf(admin, target)) {
        if (await admin.deleteSubscription(topic, target.subscription, { force: true })) deleted.push(formatTopicName(topic));
      }
      const topicsDeleted: string[] = [];
      for (const topic of target.deleteTopics) {
        if (await admin.deleteTopic(parseTopicName(topic), { force: true })) topicsDeleted.push(topic);
      }
      this.failures.delete(uid);
      const also = target.deleteTopics.length ? `; topic ${target.deleteTopics.join(', ')} ${topicsDeleted.length ? 'deleted' : 'was not there'}` : '';
      return { state: 'done', message: `subscription ${target.subscription} deleted from ${deleted.length ? deleted.join(', ') : 'no topic (none had it)'}${also}` };
    } catch (err) {
      const failures = (this.failures.get(uid) ?? 0) + 1;
      const error = err instanceof Error ? err.message : String(err);
      const deletedAt = Date.parse(String(resource.metadata.deletionTimestamp ?? '')) || now;
      if (failures >= this.policy.attempts || now - deletedAt > cleanupBudgetMs(this.policy)) {
        this.failures.delete(uid);
        return { state: 'gaveUp', error, failures };
      }
      this.failures.set(uid, failures);
      return { state: 'retry', retryInMs: retryDelayMs(this.policy, failures), error, failures };
    }
  }

  /** Forgets a resource (its finalizer was removed some other way). */
  forget(uid: string | undefined): void {
    if (uid) this.failures.delete(uid);
  }
}
