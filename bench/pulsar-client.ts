// `npm run bench -- pulsar-client [--messages 50000] [--size 100] [--runs 3]`: produce and consume
// throughput of our binary-protocol client against Pulsar's own Java client (the jars the platform
// runs), on the shared platform's broker, each with its default batching and receiver queue.
//  produce: N messages of `size` bytes sent as fast as the client takes them, until the last
//           receipt (Java: sendAsync in a loop; ours: send() without awaiting each);
//  consume: from subscribing until N messages of a backlog were received and acknowledged; both
//           read the same backlog (one topic, a subscription each), the order alternating by run.
// Each Java run is a new JVM that first produces (and consumes) `warmup` messages on a topic of its
// own, so that its measured run is not the JIT's first; ours warms up once in this process.
// One JSON line per case with the median of the runs, then the ratios ours / Java (target ≥ 0.5).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PulsarClient } from '../adapters/pulsar/binary/index.js';
import { JavaSide } from '../test/support/java-interop.js';
import { readPlatformEnv } from '../test/support/platform.js';

type Op = 'produce' | 'consume';
type Who = 'ts' | 'java';

const print = (o: object): void => console.log(JSON.stringify(o));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const topicName = (what: string): string => `persistent://public/default/bench-client-${what}-${randomBytes(4).toString('hex')}`;

async function tsProduce(client: PulsarClient, topic: string, n: number, payload: Buffer): Promise<number> {
  const producer = await client.createProducer({ topic });
  const t0 = performance.now();
  const sends: Promise<unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) sends[i] = producer.send({ payload });
  await Promise.all(sends);
  const s = (performance.now() - t0) / 1000;
  await producer.close();
  return n / s;
}

async function tsConsume(client: PulsarClient, topic: string, n: number): Promise<number> {
  const t0 = performance.now();
  const consumer = await client.subscribe({ topic, subscription: 'ts', subscriptionInitialPosition: 'Earliest' });
  for (let i = 0; i < n; i++) consumer.ack(await consumer.receive(60_000));
  const s = (performance.now() - t0) / 1000;
  await consumer.close();
  return n / s;
}

async function java(mode: 'bench-produce' | 'bench-consume', url: string, topic: string, opts: Record<string, string | number>): Promise<number> {
  const side = await JavaSide.start(mode, url, topic, opts);
  const line = await side.waitFor((l) => typeof l.seconds === 'number', 600_000);
  await side.end();
  return (line.msgs as number) / (line.seconds as number);
}

export default async function bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '50000' },
      size: { type: 'string', default: '100' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '20000' },
    },
  });
  const n = Number(values.messages);
  const size = Number(values.size);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const url = readPlatformEnv().PULSAR_BROKER_URL;
  const client = new PulsarClient({ serviceUrl: url });
  const rates: Record<Op, Record<Who, number[]>> = { produce: { ts: [], java: [] }, consume: { ts: [], java: [] } };
  try {
    const warm = topicName('warmup');
    await tsProduce(client, warm, warmup, randomBytes(size));
    await tsConsume(client, warm, warmup);
    for (let r = 0; r < runs; r++) {
      const tsFirst = r % 2 === 0;
      const order: Who[] = tsFirst ? ['ts', 'java'] : ['java', 'ts'];
      for (const who of order) {
        const topic = topicName(`produce-${who}`);
        rates.produce[who].push(who === 'ts'
          ? await tsProduce(client, topic, n, randomBytes(size))
          : await java('bench-produce', url, topic, { count: n, size, warmup }));
      }
      const backlog = topicName('consume');
      await java('bench-produce', url, backlog, { count: n, size, warmup: 0 });
      for (const who of order) {
        rates.consume[who].push(who === 'ts'
          ? await tsConsume(client, backlog, n)
          : await java('bench-consume', url, backlog, { count: n, subscription: 'java', warmup }));
      }
    }
  } finally {
    await client.close();
  }
  const ratios: Record<string, number> = {};
  for (const op of ['produce', 'consume'] as const) {
    for (const who of ['ts', 'java'] as const) {
      print({ bench: 'pulsar-client', op, client: who, msgs_per_s: Math.round(median(rates[op][who])), runs: rates[op][who].map(Math.round), messages: n, size });
    }
    ratios[op] = Math.round((median(rates[op].ts) / median(rates[op].java)) * 100) / 100;
  }
  print({ bench: 'pulsar-client', ratios, target: 0.5 });
}
