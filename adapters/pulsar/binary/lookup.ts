// Finding the broker that serves a topic: CommandLookupTopic on a service-URL connection, following
// Redirect answers (with the authoritative flag the broker sets) until one says Connect, at most
// 20 hops. Also the partition count of a topic (0 = not partitioned).
import { CommandType, LookupType, TopicsMode } from './commands.js';
import type { ConnectionPool } from './connection-pool.js';
import { BrokerError, PulsarClientError } from './errors.js';
import { parseBrokerUrl, type BrokerAddress } from './service-url.js';

const MAX_REDIRECTS = 20;

export interface LookupResult {
  /** The broker that owns the topic. */
  logicalUrl: string;
  /** Where to dial: the broker, or the service URL when it is a proxy. */
  physical: BrokerAddress;
}

export class LookupService {
  private next = 0;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly serviceAddresses: BrokerAddress[],
  ) {}

  /** A service URL host, rotating through the list so one dead host does not stop the client. */
  private serviceAddress(): BrokerAddress {
    const a = this.serviceAddresses[this.next % this.serviceAddresses.length]!;
    this.next++;
    return a;
  }

  async lookup(topic: string): Promise<LookupResult> {
    const service = this.serviceAddress();
    let conn = await this.pool.get(service.url, service);
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
    const service = this.serviceAddress();
    const conn = await this.pool.get(service.url, service);
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
    const service = this.serviceAddress();
    const conn = await this.pool.get(service.url, service);
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
