// Finding the broker that serves a topic: CommandLookupTopic on a service-URL connection, following
// Redirect answers (with the authoritative flag the broker sets) until one says Connect, at most
// 20 hops. Also the partition count of a topic (0 = not partitioned). When no service-URL host
// can be reached and the client was given a way to rediscover one (the scaler asks the admin URL's
// HTTP lookup), the service URL is replaced by the fresh answer: a broker that came back at
// another address, or another broker, serves the lookups from then on.
import type { Connection } from './connection.js';
import { CommandType, LookupType, TopicsMode } from './commands.js';
import type { ConnectionPool } from './connection-pool.js';
import { BrokerError, PulsarClientError } from './errors.js';
import { parseBrokerUrl, parseServiceUrl, type BrokerAddress } from './service-url.js';

const MAX_REDIRECTS = 20;
/** At most one rediscovery per this long: a thousand readers reconnecting ask once. */
const REDISCOVER_EVERY_MS = 1_000;

export interface LookupResult {
  /** The broker that owns the topic. */
  logicalUrl: string;
  /** Where to dial: the broker, or the service URL when it is a proxy. */
  physical: BrokerAddress;
}

/** A fresh service URL for a topic, when the current one cannot be reached. */
export type RediscoverServiceUrl = (topic: string) => Promise<string>;

export class LookupService {
  private next = 0;
  private serviceAddresses: BrokerAddress[];
  private rediscovering?: Promise<void>;
  private lastRediscovery = 0;

  constructor(
    private readonly pool: ConnectionPool,
    private current: string,
    private readonly rediscover?: RediscoverServiceUrl,
  ) {
    this.serviceAddresses = parseServiceUrl(current);
  }

  /** The service URL lookups go to now. */
  get serviceUrl(): string {
    return this.current;
  }

  /** A service URL host, rotating through the list so one dead host does not stop the client. */
  private serviceAddress(): BrokerAddress {
    const a = this.serviceAddresses[this.next % this.serviceAddresses.length]!;
    this.next++;
    return a;
  }

  /** A connection to a service-URL host; if none answers, to one rediscovered for `topic`. */
  private async serviceConnection(topic?: string): Promise<{ conn: Connection; service: BrokerAddress }> {
    const tried = this.serviceAddresses;
    const service = this.serviceAddress();
    try {
      return { conn: await this.pool.get(service.url, service), service };
    } catch (err) {
      // A broker that answered (e.g. refused the credentials) is not gone.
      if (!this.rediscover || topic === undefined || err instanceof BrokerError) throw err;
      if (this.serviceAddresses === tried) {
        if (!this.rediscovering && Date.now() - this.lastRediscovery < REDISCOVER_EVERY_MS) throw err;
        this.rediscovering ??= this.rediscoverFor(topic).finally(() => {
          this.rediscovering = undefined;
        });
        await this.rediscovering;
      }
      const fresh = this.serviceAddress();
      return { conn: await this.pool.get(fresh.url, fresh), service: fresh };
    }
  }

  private async rediscoverFor(topic: string): Promise<void> {
    if (!this.rediscover) return;
    this.lastRediscovery = Date.now();
    let url: string;
    try {
      url = await this.rediscover(topic);
    } catch (err) {
      throw new PulsarClientError(`${this.current} cannot be reached, and finding the broker again failed: ${(err as Error).message}`, { cause: err });
    }
    this.serviceAddresses = parseServiceUrl(url);
    this.current = url;
  }

  async lookup(topic: string): Promise<LookupResult> {
    const first = await this.serviceConnection(topic);
    const service = first.service;
    let conn = first.conn;
    let authoritative = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const requestId = conn.newRequestId();
      const res = await conn.request(
        { type: CommandType.LOOKUP, lookupTopic: { topic, requestId, authoritative } },
        requestId,
        `lookup of ${topic}`,
      );
      const r = res.lookupTopicResponse;
      if (!r) throw new BrokerError(res.error!.error, res.error!.message, `lookup of ${topic}`);
      if (r.response === LookupType.Failed) throw new BrokerError(r.error ?? 0, r.message ?? 'lookup failed', `lookup of ${topic}`);
      const url = service.tls ? r.brokerServiceUrlTls : r.brokerServiceUrl;
      if (!url) {
        throw new PulsarClientError(`lookup of ${topic}: the broker gave no ${service.tls ? 'pulsar+ssl://' : 'pulsar://'} address (brokerServiceUrl${service.tls ? 'Tls' : ''} is not set on the broker)`);
      }
      const physical = r.proxyThroughServiceUrl ? service : undefined;
      if (r.response === LookupType.Connect) {
        return { logicalUrl: url, physical: physical ?? parseBrokerUrl(url) };
      }
      authoritative = r.authoritative ?? false;
      conn = await this.pool.get(url, physical);
    }
    throw new PulsarClientError(`lookup of ${topic}: more than ${MAX_REDIRECTS} redirects`);
  }

  async partitions(topic: string): Promise<number> {
    const { conn } = await this.serviceConnection(topic);
    const requestId = conn.newRequestId();
    const res = await conn.request(
      { type: CommandType.PARTITIONED_METADATA, partitionMetadata: { topic, requestId } },
      requestId,
      `partition metadata of ${topic}`,
    );
    const r = res.partitionMetadataResponse;
    if (!r) throw new BrokerError(res.error!.error, res.error!.message, `partition metadata of ${topic}`);
    if (r.response === 1) throw new BrokerError(r.error ?? 0, r.message ?? 'failed', `partition metadata of ${topic}`);
    return r.partitions ?? 0;
  }

  /** The persistent topics of a namespace (tenant/namespace), partitions by their own names. */
  async topicsOfNamespace(namespace: string): Promise<string[]> {
    const { conn } = await this.serviceConnection();
    const requestId = conn.newRequestId();
    const res = await conn.request(
      { type: CommandType.GET_TOPICS_OF_NAMESPACE, getTopicsOfNamespace: { requestId, namespace, mode: TopicsMode.PERSISTENT } },
      requestId,
      `topics of namespace ${namespace}`,
    );
    const r = res.getTopicsOfNamespaceResponse;
    if (!r) throw new BrokerError(res.error!.error, res.error!.message, `topics of namespace ${namespace}`);
    return r.topics ?? [];
  }
}
