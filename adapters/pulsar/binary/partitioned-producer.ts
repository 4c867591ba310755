// A producer on a partitioned topic: one TopicProducer per partition, each message routed by the
// MessageRouter (key hash, else round robin). Receipts carry the partition in their ids.
import type { ClientContext } from './client-context.js';
import { MessageRouter } from './message-router.js';
import type { MessageId } from './message-id.js';
import { TopicProducer, type Producer, type ProducerMessage, type ProducerOptions } from './producer.js';

export class PartitionedProducer implements Producer {
  private readonly router: MessageRouter;

  private constructor(
    readonly topic: string,
    private readonly partitions: TopicProducer[],
    opts: ProducerOptions,
  ) {
    this.router = new MessageRouter(opts.batchingEnabled ?? true, opts.batchingMaxMessages ?? 1000, opts.batchingMaxPublishDelayMs ?? 10);
  }

  static async create(ctx: ClientContext, opts: ProducerOptions, count: number): Promise<PartitionedProducer> {
    // A pending limit is for the whole producer, as in Java: each partition gets its share.
    const max = opts.maxPendingMessages;
    const perPartition = max === undefined ? undefined : Math.max(1, Math.ceil(max / count));
    const producers = Array.from({ length: count }, (_, i) =>
      new TopicProducer(ctx, { ...opts, topic: `${opts.topic}-partition-${i}`, maxPendingMessages: perPartition }, i));
    const started = await Promise.allSettled(producers.map((p) => p.start()));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(producers.map((p) => p.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    return new PartitionedProducer(opts.topic, producers, opts);
  }

  get producerName(): string {
    return this.partitions[0]!.producerName;
  }

  get maxMessageSize(): number {
    return this.partitions[0]!.maxMessageSize;
  }

  send(message: ProducerMessage): Promise<MessageId> {
    return this.partitions[this.router.choose(message.key, this.partitions.length)]!.send(message);
  }

  async flush(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.close()));
  }
}
