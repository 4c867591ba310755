// One subscription over several topics, or over every partition of a partitioned topic: a
// TopicConsumer per topic partition, all feeding one receiver queue. Acks, negative acks and
// seeks by message id go to the partition named in the id.
import type { ClientContext } from './client-context.js';
import { TopicConsumer, type Consumer, type ConsumerOptions, type CursorOptions } from './consumer.js';
import { PulsarClientError } from './errors.js';
import type { Message } from './message.js';
import { MessageId } from './message-id.js';
import { ReceiverQueue } from './receiver-queue.js';

export class MultiTopicConsumer implements Consumer {
  readonly subscription: string;
  private readonly children: TopicConsumer[] = [];
  private readonly byTopic = new Map<string, TopicConsumer>();
  private readonly queue = new ReceiverQueue();
  private readonly closeHooks: (() => void)[] = [];

  private constructor(
    private readonly ctx: ClientContext,
    private readonly opts: ConsumerOptions,
    private readonly cursor: CursorOptions | undefined,
  ) {
    this.subscription = opts.subscription;
  }

  /** `topics` with their partition counts (0 = not partitioned). */
  static async create(ctx: ClientContext, opts: ConsumerOptions, topics: [string, number][], cursor?: CursorOptions): Promise<MultiTopicConsumer> {
    const consumer = new MultiTopicConsumer(ctx, opts, cursor);
    try {
      for (const [topic, partitions] of topics) await consumer.addTopic(topic, partitions);
    } catch (err) {
      await consumer.close();
      throw err;
    }
    return consumer;
  }

  /** Subscribes one more topic (every partition of it when partitioned) into the same queue. */
  async addTopic(topic: string, partitions: number): Promise<void> {
    const added: TopicConsumer[] = [];
    if (partitions === 0) added.push(new TopicConsumer(this.ctx, topic, this.opts, this.queue, false, -1, this.cursor));
    else for (let i = 0; i < partitions; i++) added.push(new TopicConsumer(this.ctx, `${topic}-partition-${i}`, this.opts, this.queue, false, i, this.cursor));
    const started = await Promise.allSettled(added.map((c) => c.start()));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(added.map((c) => c.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    for (const c of added) {
      this.children.push(c);
      this.byTopic.set(c.topic, c);
    }
  }

  /** Runs `hook` when the consumer closes or unsubscribes (a pattern watcher's timer). */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  get topics(): string[] {
    return this.children.map((c) => c.topic);
  }

  get connected(): boolean {
    return this.children.every((c) => c.connected);
  }

  receive(timeoutMs?: number): Promise<Message> {
    return this.queue.receive(timeoutMs);
  }

  private child(m: Message | MessageId, what: string): TopicConsumer {
    const id = m instanceof MessageId ? m : m.id;
    const c = id.topic ? this.byTopic.get(id.topic) : undefined;
    if (!c) throw new PulsarClientError(`${what}: message id ${id} names no topic of this consumer (${id.topic ?? 'no topic'}); use the id a message of this consumer carries`);
    return c;
  }

  ack(m: Message | MessageId): void {
    this.child(m, 'ack').ack(m);
  }

  ackCumulative(m: Message | MessageId): void {
    this.child(m, 'ackCumulative').ackCumulative(m);
  }

  nack(m: Message | MessageId): void {
    this.child(m, 'nack').nack(m);
  }

  flushAcks(): void {
    for (const c of this.children) c.flushAcks();
  }

  async seek(target: MessageId | number): Promise<void> {
    if (typeof target === 'number' || target === MessageId.earliest || target === MessageId.latest) {
      await Promise.all(this.children.map((c) => c.seek(target)));
      return;
    }
    await this.child(target, 'seek').seek(target);
  }

  getLastMessageId(): Promise<MessageId> {
    if (this.children.length === 1) return this.children[0]!.getLastMessageId();
    return Promise.reject(new PulsarClientError('getLastMessageId: this consumer reads several topic partitions; use getLastMessageIds()'));
  }

  /** The last message id of each topic partition. */
  async getLastMessageIds(): Promise<MessageId[]> {
    return Promise.all(this.children.map((c) => c.getLastMessageId()));
  }

  /** The per-partition consumers (the last message each handed out is what hasMessageAvailable needs). */
  get partitionConsumers(): readonly TopicConsumer[] {
    return this.children;
  }

  async unsubscribe(): Promise<void> {
    for (const h of this.closeHooks.splice(0)) h();
    await Promise.all(this.children.map((c) => c.unsubscribe()));
    this.queue.close(new PulsarClientError(`consumer ${this.subscription} unsubscribed`));
  }

  async close(): Promise<void> {
    for (const h of this.closeHooks.splice(0)) h();
    await Promise.all(this.children.map((c) => c.close()));
    this.queue.close(new PulsarClientError(`consumer ${this.subscription} is closed`));
  }
}
