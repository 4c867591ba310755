import { describe, expect, it } from '@jest/globals';
import { isActive, MISSING_TOPIC, snapshotFromStats, subscriptionBacklog } from '../../../scaler/backlog.js';
import { BrokerMetricsParser, parseBrokerMetrics } from '../../../scaler/broker-metrics.js';

const topic = snapshotFromStats({ subscriptions: { fn: { msgBacklog: 12, consumers: [{}] }, other: { msgBacklog: 3 } } }, 0);

describe('subscriptionBacklog', () => {
  it('reads the subscription backlog of an existing topic', () => {
    expect(subscriptionBacklog(topic, 'fn', 'latest')).toEqual({ kind: 'known', backlog: 12, subscriptionExists: true, consumers: 1 });
  });

  it('a missing topic has backlog 0 whatever the position', () => {
    expect(subscriptionBacklog(MISSING_TOPIC, 'fn', 'earliest')).toEqual({ kind: 'known', backlog: 0, subscriptionExists: false, consumers: 0 });
    expect(snapshotFromStats(undefined, 0)).toEqual(MISSING_TOPIC);
  });

  it('a missing subscription at latest has backlog 0, at earliest the whole topic', () => {
    expect(subscriptionBacklog(topic, 'new', 'latest')).toEqual({ kind: 'known', backlog: 0, subscriptionExists: false, consumers: 0 });
    expect(subscriptionBacklog(topic, 'new', 'earliest')).toEqual({ kind: 'retained-entries' });
  });

  it('keeps the partition count of partitioned stats', () => {
    expect(snapshotFromStats({ subscriptions: { fn: { msgBacklog: 4 } }, metadata: { partitions: 3 } }, 3)).toEqual({
      exists: true, partitions: 3, subscriptions: { fn: { backlog: 4, consumers: 0 } },
    });
  });
});

describe('isActive', () => {
  it('is strictly above the activation backlog', () => {
    expect([isActive(0, 0), isActive(1, 0), isActive(5, 5), isActive(6, 5)]).toEqual([false, true, false, true]);
  });
});

describe('parseBrokerMetrics', () => {
  const text = [
    '# TYPE pulsar_subscription_back_log gauge',
    'pulsar_subscription_back_log{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/plain",subscription="fn"} 5 1700000000000',
    'pulsar_subscription_back_log_no_delayed{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/plain",subscription="fn"} 99',
    'pulsar_subscription_back_log{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/parts-partition-0",subscription="fn"} 2',
    'pulsar_subscription_back_log{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/parts-partition-1",subscription="fn"} 3',
    'pulsar_subscription_consumers_count{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/parts-partition-1",subscription="fn"} 1',
    'pulsar_subscriptions_count{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/nosubs"} 0',
    'pulsar_storage_size{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/ignored"} 10',
    'pulsar_subscription_back_log{cluster="standalone",namespace="t/ns",topic="persistent://t/ns/plain",subscription="fonction-é"} 4',
  ].join('\n');

  it('sums partitions into their topic and records topics without subscriptions', () => {
    const scrape = parseBrokerMetrics(text);
    expect(scrape.get('persistent://t/ns/plain')).toEqual({
      partitionsSeen: new Set(),
      subscriptions: { fn: { backlog: 5, consumers: 0 }, 'fonction-é': { backlog: 4, consumers: 0 } },
    });
    expect(scrape.get('persistent://t/ns/parts')).toEqual({ partitionsSeen: new Set([0, 1]), subscriptions: { fn: { backlog: 5, consumers: 1 } } });
    expect(scrape.get('persistent://t/ns/nosubs')).toEqual({ partitionsSeen: new Set(), subscriptions: {} });
    expect(scrape.has('persistent://t/ns/ignored')).toBe(false);
  });

  it('gives the same result fed in chunks split anywhere', () => {
    const whole = parseBrokerMetrics(text);
    for (const size of [1, 7, 50, 333]) {
      const parser = new BrokerMetricsParser();
      for (let i = 0; i < text.length; i += size) parser.push(Buffer.from(text.slice(i, i + size)));
      expect(parser.end()).toEqual(whole);
    }
  });

  it('gives the same result fed bytes split anywhere, even inside a UTF-8 character', () => {
    const whole = parseBrokerMetrics(text);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 7, 50, 333]) {
      const parser = new BrokerMetricsParser();
      for (let i = 0; i < bytes.length; i += size) parser.push(new Uint8Array(bytes.subarray(i, i + size)));
      expect(parser.end()).toEqual(whole);
    }
  });
});
