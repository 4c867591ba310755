import { describe, expect, it } from '@jest/globals';
import { AckTracker } from '../../../../adapters/pulsar/binary/ack-tracker.js';
import type { MessageIdData } from '../../../../adapters/pulsar/binary/commands.js';
import { MessageRouter } from '../../../../adapters/pulsar/binary/message-router.js';
import { MessageId } from '../../../../adapters/pulsar/binary/message-id.js';
import { murmur3Hash32 } from '../../../../adapters/pulsar/binary/murmur3.js';
import { parseServiceUrl } from '../../../../adapters/pulsar/binary/service-url.js';

describe('murmur3Hash32', () => {
  it('is murmur3 x86_32 with seed 0, masked to 31 bits as the Java client does', () => {
    expect(murmur3Hash32('')).toBe(0);
    expect(murmur3Hash32('test')).toBe(0xba6bd213 & 0x7fffffff);
    expect(murmur3Hash32('Hello, world!')).toBe(0xc0363e43 & 0x7fffffff);
    expect(murmur3Hash32('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    expect(murmur3Hash32('abc')).toBe(0xb3dd93fa & 0x7fffffff);
  });

  it("gives what the Java client's Murmur3Hash32 (4.0.7) gives, multi-byte UTF-8 included", () => {
    // Values printed by org.apache.pulsar.client.impl.Murmur3Hash32.makeHash on the platform's jars.
    const java: [string, number][] = [['alpha', 700453693], ['beta', 2022730153], ['gamma', 977130622], ['delta', 1728660268], ['ü-key', 947481586], ['order-17', 63080384]];
    for (const [key, hash] of java) expect([key, murmur3Hash32(key)]).toEqual([key, hash]);
  });
});

describe('message router', () => {
  it('sends one key to one partition, by murmur3 modulo the partition count', () => {
    const r = new MessageRouter(true, 1000, 10);
    for (const key of ['a', 'order-17', 'ü-key']) {
      const p = r.choose(key, 7);
      expect(p).toBe(murmur3Hash32(key) % 7);
      for (let i = 0; i < 5; i++) expect(r.choose(key, 7)).toBe(p);
    }
  });

  it('round robins messages without a key, per message when not batching', () => {
    const r = new MessageRouter(false, 1000, 10);
    const seen = Array.from({ length: 8 }, () => r.choose(undefined, 4));
    expect(new Set(seen.slice(0, 4)).size).toBe(4);
    expect(seen.slice(4)).toEqual(seen.slice(0, 4));
  });

  it('stays on a partition for a batch of messages when batching', () => {
    const r = new MessageRouter(true, 3, 60_000);
    const seen = Array.from({ length: 9 }, () => r.choose(undefined, 5));
    expect(seen[0]).toBe(seen[2]);
    expect(seen[3]).not.toBe(seen[2]);
    expect(seen[3]).toBe(seen[5]);
  });
});

describe('ack tracker', () => {
  const collect = (batchIndexAck: boolean) => {
    const sent: { individual: MessageIdData[]; cumulative?: MessageIdData }[] = [];
    const t = new AckTracker(0, batchIndexAck, (individual, cumulative) => sent.push({ individual, cumulative }) > 0);
    return { t, sent };
  };

  it('acks a batch entry only once all its messages are acked, without batch-index acks', () => {
    const { t, sent } = collect(false);
    t.individualAck(new MessageId(1, 5, -1, 0, 3));
    t.individualAck(new MessageId(1, 5, -1, 2, 3));
    t.individualAck(new MessageId(1, 5, -1, 2, 3));
    expect(sent).toEqual([]);
    t.individualAck(new MessageId(1, 5, -1, 1, 3));
    expect(sent).toEqual([{ individual: [{ ledgerId: 1, entryId: 5 }], cumulative: undefined }]);
  });

  it('sends the unacknowledged bits as an ack set with batch-index acks', () => {
    const { t, sent } = collect(true);
    t.individualAck(new MessageId(1, 5, -1, 1, 3));
    expect(sent[0]!.individual[0]).toEqual({ ledgerId: 1, entryId: 5, ackSet: [0b101n] });
    t.individualAck(new MessageId(1, 5, -1, 0, 3));
    expect(sent[1]!.individual[0]).toEqual({ ledgerId: 1, entryId: 5, ackSet: [0b100n] });
    t.individualAck(new MessageId(1, 5, -1, 2, 3));
    expect(sent[2]!.individual[0]).toEqual({ ledgerId: 1, entryId: 5 });
  });

  it('acks cumulatively up to the entry before an incomplete batch', () => {
    const { t, sent } = collect(false);
    t.cumulativeAck(new MessageId(2, 9, -1, 1, 4));
    expect(sent[0]!.cumulative).toEqual({ ledgerId: 2, entryId: 8 });
    t.cumulativeAck(new MessageId(2, 9, -1, 3, 4));
    expect(sent[1]!.cumulative).toEqual({ ledgerId: 2, entryId: 9 });
  });

  it('keeps acks made while disconnected and sends them with the next flush', () => {
    let connected = false;
    const sent: MessageIdData[][] = [];
    const t = new AckTracker(0, false, (individual) => connected && sent.push(individual) > 0);
    t.individualAck(new MessageId(1, 1));
    t.individualAck(new MessageId(1, 2));
    expect(sent).toEqual([]);
    connected = true;
    t.flush();
    expect(sent).toEqual([[{ ledgerId: 1, entryId: 1 }, { ledgerId: 1, entryId: 2 }]]);
    expect(t.pending).toBe(0);
  });

  it('groups individual acks until the grouping time passes', async () => {
    const sent: MessageIdData[][] = [];
    const t = new AckTracker(20, false, (individual) => sent.push(individual) > 0);
    t.individualAck(new MessageId(1, 1));
    t.individualAck(new MessageId(1, 2));
    expect(sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual([[{ ledgerId: 1, entryId: 1 }, { ledgerId: 1, entryId: 2 }]]);
  });
});

describe('service url', () => {
  it('reads pulsar:// and pulsar+ssl:// with default ports and host lists', () => {
    expect(parseServiceUrl('pulsar://a:6650,b')).toEqual([
      { tls: false, host: 'a', port: 6650, url: 'pulsar://a:6650' },
      { tls: false, host: 'b', port: 6650, url: 'pulsar://b:6650' },
    ]);
    expect(parseServiceUrl('pulsar+ssl://broker.example')[0]).toMatchObject({ tls: true, port: 6651 });
    expect(() => parseServiceUrl('http://x:8080')).toThrow(/serviceUrl "http:\/\/x:8080": expected pulsar:\/\//);
  });
});
