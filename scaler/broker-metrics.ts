// Batched backlog reads: one scrape of a broker's Prometheus /metrics gives the backlog of every
// subscription of every topic that broker has loaded. Subscription backlog there is computed at
// scrape time (unlike broker-stats, refreshed every statsUpdateFrequencyInSecs).
import { formatTopicName, parseTopicName } from '../adapters/pulsar/topic-name.js';

export interface ScrapedTopic {
  /** Partitions seen in the scrape (0 for a non-partitioned topic). */
  partitionsSeen: Set<number>;
  /** msgBacklog and consumers per subscription, summed over the partitions seen. */
  subscriptions: Record<string, { backlog: number; consumers: number }>;
}

/** Topics by full base name (partitions folded into their topic). */
export type BrokerScrape = Map<string, ScrapedTopic>;

const LINE = /^(pulsar_subscription_back_log|pulsar_subscription_consumers_count|pulsar_subscriptions_count)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parseBrokerMetrics(text: string): BrokerScrape {
  const topics: BrokerScrape = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('pulsar_subscription')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[2]!.matchAll(LABEL)) labels[l[1]!] = l[2]!;
    if (!labels.topic) continue;
    const name = parseTopicName(labels.topic);
    const key = formatTopicName({ ...name, partition: undefined });
    let topic = topics.get(key);
    if (!topic) {
      topic = { partitionsSeen: new Set(), subscriptions: {} };
      topics.set(key, topic);
    }
    if (name.partition !== undefined) topic.partitionsSeen.add(name.partition);
    if (m[1] === 'pulsar_subscriptions_count' || labels.subscription === undefined) continue;
    const sub = (topic.subscriptions[labels.subscription] ??= { backlog: 0, consumers: 0 });
    if (m[1] === 'pulsar_subscription_back_log') sub.backlog += Number(m[3]);
    else sub.consumers += Number(m[3]);
  }
  return topics;
}
