import { describe, expect, it } from '@jest/globals';
import { PulsarClient } from '../../../adapters/pulsar/binary/index.js';
import { broker, uniqueTopic } from './support.js';

const { brokerUrl } = broker();

const KEEP_ALIVE_MS = 1_500;

type WithPool = { ctx: { pool: { get(url: string): Promise<{ closed: boolean }> } } };

describe('keep-alive', () => {
  it('pings an idle connection and keeps it while the broker answers', async () => {
    // The client gives a connection up after two intervals with nothing received: at 300 ms a
    // pause of the shared broker or of this process (other suites beside it) over 0.6 s did that.
    const client = new PulsarClient({ serviceUrl: brokerUrl, keepAliveIntervalMs: KEEP_ALIVE_MS });
    try {
      const topic = uniqueTopic('keepalive');
      const consumer = await client.subscribe({ topic, subscription: 'k' });
      const producer = await client.createProducer({ topic });
      const conn = await (client as unknown as WithPool).ctx.pool.get(brokerUrl);
      // Idle for four intervals: without the client's pings and the broker's pongs the client
      // would have given the connection up after two.
      await new Promise((r) => setTimeout(r, 4 * KEEP_ALIVE_MS));
      expect(conn.closed).toBe(false);
      expect(client.connectionCount).toBe(1);
      await producer.send({ payload: 'still here' });
      expect((await consumer.receive(5000)).payload.toString()).toBe('still here');
    } finally {
      await client.close();
    }
  });
});
