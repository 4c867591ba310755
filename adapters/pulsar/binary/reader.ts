// A reader: a non-durable, exclusive subscription of its own that starts at a message id
// (earliest, latest, or a given id, exclusive unless startMessageIdInclusive) and leaves nothing
// behind on the broker. Over a partitioned topic it reads every partition (from earliest or latest).
import { randomBytes } from 'node:crypto';
import type { Consumer, TopicConsumer } from './consumer.js';
import { PulsarClientError } from './errors.js';
import type { Message } from './message.js';
import { MessageId } from './message-id.js';

export interface ReaderOptions {
  topic: string;
  startMessageId: MessageId;
  startMessageIdInclusive?: boolean;
  receiverQueueSize?: number;
  readerName?: string;
  /** The subscription name is this prefix plus random characters. Default "reader". */
  subscriptionRolePrefix?: string;
}

export function readerSubscription(opts: ReaderOptions): string {
  return `${opts.subscriptionRolePrefix ?? 'reader'}-${randomBytes(5).toString('hex')}`;
}

export class Reader {
  constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
    /** The consumer's topic partitions (one for a topic that is not partitioned). */
    private readonly parts: readonly TopicConsumer[],
    private readonly opts: ReaderOptions,
  ) {}

  /** The next message; rejects with a TimeoutError after `timeoutMs` when given. */
  readNext(timeoutMs?: number): Promise<Message> {
    return this.consumer.receive(timeoutMs);
  }

  /** True when the topic has messages after the last one read (or from the start position). */
  async hasMessageAvailable(): Promise<boolean> {
    for (const c of this.parts) {
      const last = await c.getLastMessageId();
      if (last.entryId < 0) continue; // empty
      const read = c.lastReceivedId;
      if (read) {
        if (compareEntryAndIndex(last, read) > 0) return true;
        continue;
      }
      const start = this.opts.startMessageId;
      if (start === MessageId.earliest) return true;
      if (start === MessageId.latest) continue;
      const cmp = compareEntryAndIndex(last, start);
      if (cmp > 0 || (cmp === 0 && this.opts.startMessageIdInclusive)) return true;
    }
    return false;
  }

  /** Moves the reader to a message id or a publish time (ms). */
  seek(target: MessageId | number): Promise<void> {
    return this.consumer.seek(target);
  }

  getLastMessageId(): Promise<MessageId> {
    return this.consumer.getLastMessageId();
  }

  get connected(): boolean {
    return this.consumer.connected;
  }

  close(): Promise<void> {
    return this.consumer.close();
  }
}

function compareEntryAndIndex(a: MessageId, b: MessageId): number {
  if (a.ledgerId !== b.ledgerId) return a.ledgerId - b.ledgerId;
  if (a.entryId !== b.entryId) return a.entryId - b.entryId;
  // The broker gives the last id with the batch's last index; an id without one stands for its entry.
  if (a.batchIndex < 0 || b.batchIndex < 0) return 0;
  return a.batchIndex - b.batchIndex;
}

export function checkReaderOptions(opts: ReaderOptions): void {
  if (!opts.topic) throw new PulsarClientError('createReader: topic is required');
  if (!(opts.startMessageId instanceof MessageId)) {
    throw new PulsarClientError('createReader: startMessageId must be a MessageId (MessageId.earliest, MessageId.latest or an id from a message)');
  }
}
