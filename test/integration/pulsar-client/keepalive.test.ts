import { describe, expect, it } from '@jest/globals';
import { PulsarClient } from '../../../adapters/pulsar/binary/index.js';
import { broker, uniqueTopic } from './support.js';

const { brokerUrl } = broker();

type WithPool = { ctx: { pool: { get(url: string): Promise<{ closed: boolean }> } } };

describe('keep-alive', () => {
  it('pings an idle connection and keeps it while the broker answers', async () => {
    const client = new PulsarClient({ serviceUrl: brokerUrl, keepAliveIntervalMs: 300 });
    try {
      const topic = uniqueTopic('keepalive');
      const consumer = await client.subscribe({ topic, subscription: 'k' });
      const producer = await client.createProducer({ topic });
      const conn = await (client as unknown as WithPool).ctx.pool.get(brokerUrl);
      // Idle for four intervals: without the client's pings and the broker's pongs the client
      // would have given the connection up after two.
      await new Promise((r) => setTimeout(r, 1200));
      expect(conn.closed).toBe(false);
      expect(client.connectionCount).toBe(1);
      await producer.send({ payload: 'still here' });
      expect((await consumer.receive(5000)).payload.toString()).toBe('still here');
    } finally {
      await client.close();
    }
  });
});
