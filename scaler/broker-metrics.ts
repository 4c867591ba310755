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

// Only these families are read: a scrape holds dozens of lines per subscription (megabytes for a
// thousand topics), so the text is searched for them rather than split into lines.
const FAMILIES = ['pulsar_subscription_back_log', 'pulsar_subscription_consumers_count', 'pulsar_subscriptions_count'] as const;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses a whole exposition at once. */
export function parseBrokerMetrics(text: string): BrokerScrape {
  const parser = new BrokerMetricsParser();
  parser.push(text);
  return parser.end();
}

/**
 * Parses an exposition chunk by chunk as it arrives, so a scrape of many megabytes never blocks
 * the event loop for long (gRPC calls are answered between chunks).
 */
export class BrokerMetricsParser {
  private readonly topics: BrokerScrape = new Map();
  private carry = '\n';

  push(chunk: string): void {
    const text = this.carry + chunk;
    const lastNewline = text.lastIndexOf('\n');
    this.scan(text.slice(0, lastNewline + 1));
    this.carry = text.slice(lastNewline); // starts with the newline that ends the scanned part
  }

  end(): BrokerScrape {
    this.scan(`${this.carry}\n`);
    this.carry = '\n';
    return this.topics;
  }

  /** `text` starts with a newline and ends with one: every sample is a whole line. */
  private scan(text: string): void {
    for (const family of FAMILIES) {
      const prefix = `\n${family}{`;
      for (let at = text.indexOf(prefix); at !== -1; ) {
        const lineEnd = text.indexOf('\n', at + 1);
        addSample(this.topics, family, text.slice(at + prefix.length - 1, lineEnd));
        at = text.indexOf(prefix, lineEnd);
      }
    }
  }
}

/** `rest` is `{labels} value [timestamp]`. */
function addSample(topics: BrokerScrape, family: (typeof FAMILIES)[number], rest: string): void {
  const close = rest.lastIndexOf('}');
  const labels: Record<string, string> = {};
  for (const l of rest.slice(1, close).matchAll(LABEL)) labels[l[1]!] = l[2]!;
  if (!labels.topic) return;
  const value = Number(rest.slice(close + 1).trim().split(/\s+/)[0]);
  const name = parseTopicName(labels.topic);
  const key = formatTopicName({ ...name, partition: undefined });
  let topic = topics.get(key);
  if (!topic) {
    topic = { partitionsSeen: new Set(), subscriptions: {} };
    topics.set(key, topic);
  }
  if (name.partition !== undefined) topic.partitionsSeen.add(name.partition);
  if (family === 'pulsar_subscriptions_count' || labels.subscription === undefined) return;
  const sub = (topic.subscriptions[labels.subscription] ??= { backlog: 0, consumers: 0 });
  if (family === 'pulsar_subscription_back_log') sub.backlog += value;
  else sub.consumers += value;
}
