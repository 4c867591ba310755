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
// thousand topics), so the bytes are searched for them and only the matching lines become strings:
// decoding the whole scrape would fill the heap with megabytes of text every freshness window, and
// the garbage collections that follow stall the event loop that answers KEDA.
const FAMILIES = ['pulsar_subscription_back_log', 'pulsar_subscription_consumers_count', 'pulsar_subscriptions_count'] as const;
const PREFIXES = FAMILIES.map((family) => ({ family, bytes: Buffer.from(`\n${family}{`) }));
const NEWLINE = 0x0a;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses a whole exposition at once. */
export function parseBrokerMetrics(text: string): BrokerScrape {
  const parser = new BrokerMetricsParser();
  parser.push(Buffer.from(text));
  return parser.end();
}

/**
 * Parses an exposition chunk by chunk as it arrives, so a scrape of many megabytes never blocks
 * the event loop for long (gRPC calls are answered between chunks).
 */
export class BrokerMetricsParser {
  private readonly topics: BrokerScrape = new Map();
  /** The unfinished last line so far, after the newline that ends the scanned part. */
  private carry = Buffer.from('\n');

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const first = bytes.indexOf(NEWLINE);
    if (first === -1) {
      this.carry = Buffer.concat([this.carry, bytes]);
      return;
    }
    const last = bytes.lastIndexOf(NEWLINE);
    // The line that spans the chunk boundary, then the whole lines inside the chunk (each part
    // starts with a newline and ends with one), so no chunk is copied.
    this.scan(Buffer.concat([this.carry, bytes.subarray(0, first + 1)]));
    if (last > first) this.scan(bytes.subarray(first, last + 1));
    this.carry = Buffer.from(bytes.subarray(last)); // a copy: the chunk itself is not kept
  }

  end(): BrokerScrape {
    this.scan(Buffer.concat([this.carry, Buffer.from('\n')]));
    this.carry = Buffer.from('\n');
    return this.topics;
  }

  /** `bytes` starts with a newline and ends with one: every sample is a whole line. */
  private scan(bytes: Buffer): void {
    for (const { family, bytes: prefix } of PREFIXES) {
      for (let at = bytes.indexOf(prefix); at !== -1; ) {
        const lineEnd = bytes.indexOf(NEWLINE, at + 1);
        addSample(this.topics, family, bytes.toString('utf8', at + prefix.length - 1, lineEnd));
        at = bytes.indexOf(prefix, lineEnd);
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
