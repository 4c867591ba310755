import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { broker, suiteClient, createPartitionedTopic, receiveN } from './support.js';

const { webUrl } = broker();
const client = suiteClient();

describe('pattern (regex) consumers', () => {
  it('reads the matching topics of the namespace and picks up new ones', async () => {
    const tag = randomBytes(4).toString('hex');
    const ns = 'persistent://public/default';
    const [plain, parted, other] = [`${ns}/pat-${tag}-a`, `${ns}/pat-${tag}-b`, `${ns}/nopat-${tag}`];
    await createPartitionedTopic(webUrl, parted, 2);
    const producers = await Promise.all([plain, parted, other].map((topic) => client().createProducer({ topic })));
    const consumer = await client().subscribe({
      topicsPattern: `${ns}/pat-${tag}-.*`, subscription: 'p', subscriptionInitialPosition: 'Earliest', patternAutoDiscoveryPeriodMs: 300,
    });
    await Promise.all(producers.map((p, i) => p.send({ payload: `m${i}` })));
    const got = await receiveN(consumer, 2);
    expect(got.map((m) => m.payload.toString()).sort()).toEqual(['m0', 'm1']);
    await expect(consumer.receive(500)).rejects.toThrow(/no message/);
    const late = await client().createProducer({ topic: `${ns}/pat-${tag}-late` });
    await late.send({ payload: 'late' });
    expect((await consumer.receive(10_000)).payload.toString()).toBe('late');
    await Promise.all([...producers, late, consumer].map((x) => x.close()));
  });

  it('names the fix for a pattern without its namespace', async () => {
    await expect(client().subscribe({ topicsPattern: 'pat-.*', subscription: 'p' })).rejects.toThrow(/must start with persistent:\/\/tenant\/namespace\//);
  });
});
