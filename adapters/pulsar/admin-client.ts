// Pulsar admin REST client: the few calls the scaler and the controller need, each bounded by a
// timeout, with an optional bearer token that never appears in an error or a log line.
import { httpRequest, HttpTransportError, type ClientCertificate, type HttpAnswer } from './http-transport.js';
import { formatTopicName, parseTopicName, topicPath, type TopicDomain, type TopicName } from './topic-name.js';

export type TokenSource = string | (() => string | undefined) | undefined;

export interface PulsarAdminOptions {
  /** Web service URL of any broker, e.g. http://pulsar:8080. */
  url: string;
  token?: TokenSource;
  /** Per request, redirects included. */
  timeoutMs?: number;
  /** PEM bundle to trust for an https:// URL (a private CA), instead of the system's CAs. */
  ca?: string;
  /** Accept any broker certificate (Function Mesh's `tlsConfig.allowInsecure`). */
  allowInsecure?: boolean;
  /** A TLS client certificate for brokers that authenticate clients by certificate. */
  clientCert?: ClientCertificate;
}

/** The subset of a topic's stats the scaler reads (partitioned-stats has the same shape). */
export interface TopicStats {
  msgInCounter?: number;
  subscriptions: Record<string, { msgBacklog: number; consumers?: unknown[] }>;
  metadata?: { partitions: number };
}

export type SubscriptionPosition = 'earliest' | 'latest';

/** The broker that owns a topic, from Pulsar's HTTP lookup: its binary-protocol addresses. */
export interface TopicLookup {
  /** pulsar://host:port, when the broker has a plain-text port. */
  brokerUrl?: string;
  /** pulsar+ssl://host:port, when the broker has a TLS port. */
  brokerUrlTls?: string;
}

/** Pulsar could not be reached or did not answer in time: worth retrying, never a value. */
export class PulsarUnavailableError extends Error {
  override readonly name = 'PulsarUnavailableError';
}

/** Pulsar answered with an unexpected HTTP status. */
export class PulsarHttpError extends Error {
  override readonly name = 'PulsarHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_REDIRECTS = 3;

export class PulsarAdmin {
  readonly url: string;
  private readonly token: TokenSource;
  private readonly timeoutMs: number;
  private readonly ca?: string;
  private readonly allowInsecure: boolean;
  private readonly clientCert?: ClientCertificate;
  /** Requests sent (redirect hops included): what the scaler's load on Pulsar is measured in. */
  requests = 0;

  constructor(opts: PulsarAdminOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Pulsar admin URL ${url.origin}: must be http:// or https://`);
    }
    this.url = url.href.replace(/\/+$/, '');
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.ca = opts.ca;
    this.allowInsecure = opts.allowInsecure ?? false;
    this.clientCert = opts.clientCert;
  }

  /** Number of partitions; 0 for a non-partitioned topic and for a topic that does not exist. */
  async partitionedMetadata(topic: TopicName): Promise<number> {
    const body = (await this.getJson(`/admin/v2/${topicPath(topic)}/partitions`)) as { partitions?: number } | undefined;
    return body?.partitions ?? 0;
  }

  /**
   * The broker that owns the topic (GET /lookup/v2/topic/…; the broker assigns an owner if there is
   * none yet). Pulsar 4 names the TLS address brokerUrlTls or brokerUrlSsl; both land in brokerUrlTls.
   */
  async lookupTopic(topic: TopicName): Promise<TopicLookup> {
    const path = `/lookup/v2/topic/${topicPath(topic)}`;
    const res = await this.call('GET', path);
    this.check(res, `GET ${path}`);
    const answer = this.json(res, path) as { brokerUrl?: string; brokerUrlTls?: string; brokerUrlSsl?: string };
    return { brokerUrl: answer.brokerUrl || undefined, brokerUrlTls: answer.brokerUrlTls || answer.brokerUrlSsl || undefined };
  }

  /** Stats of a non-partitioned topic (or of one partition); undefined when the topic does not exist. */
  async topicStats(topic: TopicName): Promise<TopicStats | undefined> {
    return (await this.getJson(`/admin/v2/${topicPath(topic)}/stats`)) as TopicStats | undefined;
  }

  /** Stats summed over the partitions of a partitioned topic; undefined when it does not exist. */
  async partitionedStats(topic: TopicName): Promise<TopicStats | undefined> {
    return (await this.getJson(`/admin/v2/${topicPath(topic)}/partitioned-stats`)) as TopicStats | undefined;
  }

  /**
   * Entries retained in a persistent topic (its managed ledger), i.e. what a subscription created
   * at `earliest` would receive; summed over partitions. undefined when the topic does not exist.
   */
  async retainedEntries(topic: TopicName, partitions: number): Promise<number | undefined> {
    if (topic.domain === 'non-persistent') return 0; // nothing is retained
    if (partitions === 0) {
      const stats = (await this.getJson(`/admin/v2/${topicPath(topic)}/internalStats`)) as { numberOfEntries?: number } | undefined;
      return stats && (stats.numberOfEntries ?? 0);
    }
    const stats = (await this.getJson(`/admin/v2/${topicPath(topic)}/partitioned-internalStats`)) as
      | { partitions?: Record<string, { numberOfEntries?: number }> }
      | undefined;
    if (!stats) return undefined;
    return Object.values(stats.partitions ?? {}).reduce((sum, p) => sum + (p.numberOfEntries ?? 0), 0);
  }

  /**
   * Topics of a namespace in one domain, partitioned topics by their base name (not per partition).
   */
  async listTopics(tenant: string, namespace: string, domain: TopicDomain = 'persistent'): Promise<TopicName[]> {
    const base = `/admin/v2/${domain}/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}`;
    const [plain, partitioned] = await Promise.all([this.getJson(base), this.getJson(`${base}/partitioned`)]);
    const names = new Map<string, TopicName>();
    for (const full of [...((plain ?? []) as string[]), ...((partitioned ?? []) as string[])]) {
      const { partition: _partition, ...topic } = parseTopicName(full);
      names.set(formatTopicName(topic), topic);
    }
    return [...names.values()];
  }

  /** Subscription names; undefined when the topic does not exist. */
  async listSubscriptions(topic: TopicName): Promise<string[] | undefined> {
    return (await this.getJson(`/admin/v2/${topicPath(topic)}/subscriptions`)) as string[] | undefined;
  }

  /** Creates a durable subscription at `position`; false when it already exists. */
  async createSubscription(topic: TopicName, subscription: string, position: SubscriptionPosition = 'latest'): Promise<boolean> {
    // Pulsar starts a subscription at latest when the body names no message id; (-1,-1) is earliest.
    const body = position === 'earliest' ? { ledgerId: -1, entryId: -1, partitionIndex: -1 } : undefined;
    const res = await this.call('PUT', `/admin/v2/${topicPath(topic)}/subscription/${encodeURIComponent(subscription)}`, body);
    if (res.status === 409) return false;
    this.check(res, 'PUT', topic, subscription);
    return true;
  }

  /** Deletes a subscription (`force` also disconnects its consumers); false when it did not exist. */
  async deleteSubscription(topic: TopicName, subscription: string, opts: { force?: boolean } = {}): Promise<boolean> {
    const query = opts.force ? '?force=true' : '';
    const res = await this.call('DELETE', `/admin/v2/${topicPath(topic)}/subscription/${encodeURIComponent(subscription)}${query}`);
    if (res.status === 404) return false;
    this.check(res, 'DELETE', topic, subscription);
    return true;
  }

  /**
   * Deletes a topic, partitioned or not (`force` also closes its producers, consumers and
   * subscriptions); false when it did not exist.
   */
  async deleteTopic(topic: TopicName, opts: { force?: boolean } = {}): Promise<boolean> {
    const query = opts.force ? '?force=true' : '';
    const partitioned = (await this.partitionedMetadata(topic)) > 0;
    const res = await this.call('DELETE', `/admin/v2/${topicPath(topic)}${partitioned ? '/partitions' : ''}${query}`);
    if (res.status === 404) return false;
    this.check(res, 'DELETE', topic);
    return true;
  }

  /**
   * The broker's Prometheus exposition (topic and subscription metrics of the topics it owns),
   * as UTF-8 chunks while they arrive: it runs to megabytes with many topics, so a reader
   * decodes only the lines it needs.
   */
  async *brokerMetrics(opts: { timeoutMs?: number } = {}): AsyncGenerator<Uint8Array> {
    const res = await this.open('GET', '/metrics/', undefined, opts.timeoutMs, true);
    if (res.status < 200 || res.status >= 300) this.check({ status: res.status, text: await this.read(res, 'GET /metrics') }, 'GET /metrics');
    try {
      for await (const bytes of res.body) yield bytes;
    } catch (err) {
      const reason = err instanceof HttpTransportError ? err.reason : (err as Error).message;
      throw new PulsarUnavailableError(`Pulsar admin GET /metrics at ${this.url} failed while reading: ${reason}`);
    }
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await this.call('GET', path);
    if (res.status === 404) return undefined;
    this.check(res, `GET ${path}`);
    return this.json(res, path);
  }

  private json(res: Answer, path: string): unknown {
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new PulsarHttpError(res.status, `Pulsar admin GET ${path} at ${this.url}: the answer is not JSON: ${res.text.slice(0, 200)}`);
    }
  }

  private check(res: Answer, what: string, topic?: TopicName, subscription?: string): void {
    if (res.status >= 200 && res.status < 300) return;
    const detail = reasonOf(res.text);
    const target = topic ? ` ${formatTopicName(topic)}${subscription ? ` subscription ${subscription}` : ''}` : '';
    throw new PulsarHttpError(res.status, `Pulsar admin ${what}${target} at ${this.url}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
  }

  /** A whole exchange: the body is always read, so the kept-alive socket is free again. */
  private async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await this.open(method, path, body);
    return { status: res.status, text: await this.read(res, `${method} ${path}`) };
  }

  private async read(res: HttpAnswer, what: string): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      const reason = err instanceof HttpTransportError ? err.reason : (err as Error).message;
      throw new PulsarUnavailableError(`Pulsar admin ${what} at ${this.url} failed while reading: ${reason}`);
    }
  }

  /**
   * Follows redirects itself, keeping the Authorization header: Pulsar redirects to the broker
   * that owns the topic, which is another origin.
   */
  private async open(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs, gzip = false): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = typeof this.token === 'function' ? this.token() : this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let url = new URL(this.url + path);
    for (let hop = 0; ; hop++) {
      this.requests++;
      let res: HttpAnswer;
      try {
        res = await httpRequest({ method, url, headers, body: payload, timeoutMs, gzip, ca: this.ca, insecure: this.allowInsecure, clientCert: this.clientCert });
      } catch (err) {
        const reason = err instanceof HttpTransportError ? err.reason : (err as Error).message;
        throw new PulsarUnavailableError(`Pulsar admin ${method} ${path} at ${url.origin} failed: ${reason}`);
      }
      if (res.status >= 300 && res.status < 400 && res.location && hop < MAX_REDIRECTS) {
        res.discard();
        url = new URL(res.location, url);
        continue;
      }
      if (res.status === 503 || res.status === 502) {
        const detail = reasonOf(await res.text().catch(() => ''));
        throw new PulsarUnavailableError(`Pulsar admin ${method} ${path} at ${this.url}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
      }
      return res;
    }
  }
}

/** An answer read whole. */
interface Answer {
  status: number;
  text: string;
}

/** Pulsar's JSON `reason`, else the start of the text. */
function reasonOf(body: string): string {
  const text = body.trim();
  try {
    const reason = (JSON.parse(text) as { reason?: string }).reason;
    if (reason) return reason.slice(0, 300);
  } catch {
    // not JSON: plain text below
  }
  return text.slice(0, 300);
}
