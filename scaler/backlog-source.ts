// Reads the backlog of a trigger's subscription over all its topics, through shared caches, so
// many ScaledObjects (and KEDA's and the HPA's repeated asks) cost Pulsar few requests:
//  - `stats` mode: one admin stats request per topic per freshness window;
//  - `metrics` mode: one /metrics scrape per broker per window serves every topic that broker has
//    loaded; topics the scrape lacks (not loaded, missing, owned by another broker, partitions
//    missing) fall back to the stats request, so the answer is the same, only cheaper.
import { formatTopicName, type TopicName } from '../adapters/pulsar/topic-name.js';
import type { PulsarAdmin } from '../adapters/pulsar/admin-client.js';
import { MISSING_TOPIC, snapshotFromStats, subscriptionBacklog, type TopicSnapshot } from './backlog.js';
import { BrokerMetricsParser, type BrokerScrape } from './broker-metrics.js';
import { FreshCache, type Clock } from './fresh-cache.js';
import type { TopicSource, TriggerConfig } from './metadata.js';

export type BacklogMode = 'stats' | 'metrics';

// A scrape of a broker with thousands of topics runs to tens of megabytes.
const SCRAPE_TIMEOUT_MS = 20_000;

export interface TopicBacklog {
  topic: string;
  exists: boolean;
  subscriptionExists: boolean;
  backlog: number;
  /** Consumers on the subscription (0 when unknown): a function at zero has none. */
  consumers: number;
}

export interface BacklogReport {
  backlog: number;
  topics: TopicBacklog[];
}

export interface BacklogSourceOptions {
  adminFor: (adminUrl: string) => PulsarAdmin;
  mode?: BacklogMode;
  /** How long a backlog read is reused. */
  freshMs?: number;
  /** How long a topic's partition count is reused. */
  metadataFreshMs?: number;
  /** How long a pattern's topic list is reused (new matching topics show up after this). */
  listFreshMs?: number;
  now?: Clock;
}

export class BacklogSource {
  readonly mode: BacklogMode;
  private readonly adminFor: (adminUrl: string) => PulsarAdmin;
  private readonly freshMs: number;
  private readonly snapshots: FreshCache<string, TopicSnapshot>;
  private readonly partitions: FreshCache<string, number>;
  private readonly entries: FreshCache<string, number>;
  private readonly lists: FreshCache<string, TopicName[]>;
  private readonly scrapes: FreshCache<string, BrokerScrape>;

  constructor(opts: BacklogSourceOptions) {
    this.adminFor = opts.adminFor;
    this.mode = opts.mode ?? 'metrics';
    this.freshMs = opts.freshMs ?? 5_000;
    const now = opts.now;
    const metadataFreshMs = opts.metadataFreshMs ?? 300_000;
    // Regularly asked keys are refreshed in the background: askers get the last value (at most
    // 2 × freshMs old) at once instead of waiting on Pulsar.
    // Jitter keeps topics first asked together from being refreshed together ever after.
    const staleMs = this.freshMs;
    const jitter = 0.2;
    this.snapshots = new FreshCache({ freshMs: this.freshMs, staleMs, jitter, now });
    this.entries = new FreshCache({ freshMs: this.freshMs, staleMs, jitter, now });
    this.scrapes = new FreshCache({ freshMs: this.freshMs, now });
    this.partitions = new FreshCache({ freshMs: metadataFreshMs, errorFreshMs: this.freshMs, now });
    this.lists = new FreshCache({ freshMs: opts.listFreshMs ?? 30_000, staleMs: opts.listFreshMs ?? 30_000, errorFreshMs: this.freshMs, now });
  }

  async read(config: TriggerConfig): Promise<BacklogReport> {
    const topics = await this.topicsOf(config.adminUrl, config.source);
    const perTopic = await Promise.all(topics.map((t) => this.topicBacklog(config, t)));
    return { backlog: perTopic.reduce((sum, t) => sum + t.backlog, 0), topics: perTopic };
  }

  /** The topics a trigger covers now (a pattern is listed again every little while). */
  topicsOf(adminUrl: string, source: TopicSource): Promise<TopicName[]> {
    if (source.kind === 'topics') return Promise.resolve(source.topics);
    const key = `${adminUrl} ${source.domain}://${source.tenant}/${source.namespace}`;
    return this.lists
      .get(key, () => this.adminFor(adminUrl).listTopics(source.tenant, source.namespace, source.domain))
      .then((all) => all.filter((t) => source.regex.test(t.local)));
  }

  /** Forget what is known of these topics: the next read asks Pulsar (a message just arrived). */
  invalidate(adminUrl: string, topics: TopicName[]): void {
    this.scrapes.invalidate(adminUrl);
    for (const t of topics) {
      const key = `${adminUrl} ${formatTopicName(t)}`;
      this.snapshots.invalidate(key);
      this.entries.invalidate(key);
    }
  }

  /** Drops cache entries nobody asked for in `idleMs`. */
  sweep(idleMs: number): void {
    for (const cache of [this.snapshots, this.partitions, this.entries, this.lists, this.scrapes]) cache.sweep(idleMs);
  }

  /** Fetches started on Pulsar's behalf, by kind. */
  fetchCounts(): Record<string, number> {
    return {
      stats: this.snapshots.fetches,
      partitions: this.partitions.fetches,
      entries: this.entries.fetches,
      lists: this.lists.fetches,
      scrapes: this.scrapes.fetches,
    };
  }

  private async topicBacklog(config: TriggerConfig, topic: TopicName): Promise<TopicBacklog> {
    const name = formatTopicName(topic);
    const snapshot = await this.snapshot(config.adminUrl, topic);
    const need = subscriptionBacklog(snapshot, config.subscription, config.initialPosition);
    if (need.kind === 'known') {
      const { backlog, subscriptionExists, consumers } = need;
      return { topic: name, exists: snapshot.exists, subscriptionExists, backlog, consumers };
    }
    const partitions = snapshot.exists ? snapshot.partitions : 0;
    const entries = await this.entries.get(`${config.adminUrl} ${name}`, async () => {
      return (await this.adminFor(config.adminUrl).retainedEntries(topic, partitions)) ?? 0;
    });
    return { topic: name, exists: true, subscriptionExists: false, backlog: entries, consumers: 0 };
  }

  private snapshot(adminUrl: string, topic: TopicName): Promise<TopicSnapshot> {
    const name = formatTopicName(topic);
    return this.snapshots.get(`${adminUrl} ${name}`, async () => {
      if (this.mode === 'metrics') {
        const scraped = await this.fromScrape(adminUrl, topic, name);
        if (scraped) return scraped;
      }
      return this.fromStats(adminUrl, topic, name);
    });
  }

  private async fromScrape(adminUrl: string, topic: TopicName, name: string): Promise<TopicSnapshot | undefined> {
    let scrape: BrokerScrape;
    try {
      scrape = await this.scrapes.get(adminUrl, async () => {
        const parser = new BrokerMetricsParser();
        for await (const chunk of this.adminFor(adminUrl).brokerMetrics({ timeoutMs: SCRAPE_TIMEOUT_MS })) parser.push(chunk);
        return parser.end();
      });
    } catch {
      return undefined; // /metrics refused or too slow (the error is kept for a window): per-topic stats answer
    }
    const seen = scrape.get(name);
    if (!seen) return undefined;
    // A non-partitioned topic shows under its own name; a partitioned one only counts when every
    // partition is on this broker.
    const partitions = seen.partitionsSeen.size === 0 ? 0 : await this.partitionCount(adminUrl, topic, name);
    if (seen.partitionsSeen.size !== partitions) return undefined;
    return { exists: true, partitions, subscriptions: structuredClone(seen.subscriptions) };
  }

  private async fromStats(adminUrl: string, topic: TopicName, name: string): Promise<TopicSnapshot> {
    const admin = this.adminFor(adminUrl);
    const partitions = await this.partitionCount(adminUrl, topic, name);
    const stats = partitions > 0 ? await admin.partitionedStats(topic) : await admin.topicStats(topic);
    // A topic that does not exist may be created (partitioned or not) at any time: ask again.
    if (!stats) this.partitions.invalidate(`${adminUrl} ${name}`);
    return stats ? snapshotFromStats(stats, partitions) : MISSING_TOPIC;
  }

  private partitionCount(adminUrl: string, topic: TopicName, name: string): Promise<number> {
    return this.partitions.get(`${adminUrl} ${name}`, () => this.adminFor(adminUrl).partitionedMetadata(topic));
  }
}
