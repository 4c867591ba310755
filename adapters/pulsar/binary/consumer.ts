// A consumer of one topic (or one partition of a partitioned topic). It grants the broker flow
// permits for receiverQueueSize messages and tops them up as the application takes messages;
// unpacks batches; acknowledges individually or cumulatively (grouped), per batch index if asked;
// sends negative acks back after a delay; seeks; and re-subscribes after a broker restart, an
// unload or a dropped connection. With durable=false it is the cursor of a reader: it starts at
// startMessageId, and after a reconnect resumes after the last message the application took.
import { AckTracker } from './ack-tracker.js';
import { ChunkAssembler, type EntryPosition } from './chunk-assembler.js';
import {
  AckType, CommandType, InitialPosition, SubType, ValidationError, type CommandActiveConsumerChange, type CommandMessage, type MessageIdData, type MessageMetadata,
} from './commands.js';
import { decompress } from './compression.js';
import type { ClientContext } from './client-context.js';
import type { Connection, ConsumerHandler } from './connection.js';
import { AlreadyClosedError, BrokerError, PulsarClientError } from './errors.js';
import { BatchFormatError, unpackEntry, type Message } from './message.js';
import { MessageId } from './message-id.js';
import { NegativeAckTracker } from './negative-ack-tracker.js';
import { ReceiverQueue, type QueuedMessage } from './receiver-queue.js';
import { Reconnector } from './reconnect.js';
import { createHandle } from './handle-creation.js';
import { schemaData, type SchemaInfo } from './schema.js';

export type SubscriptionType = keyof typeof SubType;

export interface ConsumerOptions {
  /** One topic; or `topics` for several (a partitioned topic counts as one). */
  topic?: string;
  topics?: string[];
  /** A regex over full topic names, starting persistent://tenant/namespace/ (instead of topic/topics). */
  topicsPattern?: string;
  /** How often a pattern consumer looks for new matching topics. Default 60 s. */
  patternAutoDiscoveryPeriodMs?: number;
  subscription: string;
  /** Default Exclusive. */
  subscriptionType?: SubscriptionType;
  /** Where a new subscription starts. Default Latest. */
  subscriptionInitialPosition?: 'Latest' | 'Earliest';
  consumerName?: string;
  /** Messages the broker may push ahead of the application. Default 1000. */
  receiverQueueSize?: number;
  /** Acks are grouped this long (0 = sent at once). Default 100 ms. */
  ackGroupingTimeMs?: number;
  /** Default 60 s. */
  negativeAckRedeliveryDelayMs?: number;
  /** Acknowledge single messages of a batch (the broker needs acknowledgmentAtBatchIndexLevelEnabled). Default false. */
  batchIndexAckEnabled?: boolean;
  priorityLevel?: number;
  readCompacted?: boolean;
  schema?: SchemaInfo;
  properties?: Record<string, string>;
  /** Key_Shared: let the broker deliver out of key order when a consumer joins. */
  keySharedAllowOutOfOrderDelivery?: boolean;
}

export interface Consumer {
  readonly subscription: string;
  /** The next message; rejects with a TimeoutError after `timeoutMs` when given. */
  receive(timeoutMs?: number): Promise<Message>;
  ack(message: Message | MessageId): void;
  /** Everything up to and including this message (Exclusive and Failover only). */
  ackCumulative(message: Message | MessageId): void;
  /** Have the broker deliver the message again after negativeAckRedeliveryDelayMs. */
  nack(message: Message | MessageId): void;
  /** Move the subscription to a message id, or to the first message published at or after a time (ms). */
  seek(target: MessageId | number): Promise<void>;
  getLastMessageId(): Promise<MessageId>;
  /** Sends grouped acks now. */
  flushAcks(): void;
  unsubscribe(): Promise<void>;
  close(): Promise<void>;
  readonly connected: boolean;
}

/** Internal: what a reader sets on its cursor. */
export interface CursorOptions {
  durable: boolean;
  startMessageId?: MessageId;
  startInclusive?: boolean;
}

const subTypes = Object.keys(SubType).join(', ');

export class TopicConsumer implements Consumer, ConsumerHandler {
  readonly subscription: string;
  readonly consumerId: number;
  private connection?: Connection;
  private state: 'connecting' | 'ready' | 'closing' | 'closed' = 'connecting';
  private readonly reconnector: Reconnector;
  private readonly subType: number;
  private readonly receiverQueueSize: number;
  private permits = 0;
  private readonly acks: AckTracker;
  private readonly chunks = new ChunkAssembler();
  private readonly nacks: NegativeAckTracker;
  private lastDequeued?: MessageId;
  /** Messages before this (or at it, unless inclusive) are dropped: the broker resends the whole start entry. */
  private startFilter?: { id: MessageId; inclusive: boolean };
  private startMessageId?: MessageId;
  private epoch = 0;
  /** Active in a Failover subscription (others stand by). */
  active = true;
  endOfTopic = false;
  private readonly dequeued = (m: Message): void => this.messageTaken(m);

  constructor(
    private readonly ctx: ClientContext,
    readonly topic: string,
    private readonly opts: ConsumerOptions,
    private readonly queue: ReceiverQueue,
    private readonly ownsQueue: boolean,
    readonly partition = -1,
    private readonly cursor: CursorOptions = { durable: true },
  ) {
    if (!opts.subscription) throw new PulsarClientError('subscription: a subscription name is required');
    this.subscription = opts.subscription;
    const type = opts.subscriptionType ?? 'Exclusive';
    if (!(type in SubType)) throw new PulsarClientError(`subscriptionType "${type}": expected one of ${subTypes}`);
    this.subType = SubType[type];
    this.receiverQueueSize = opts.receiverQueueSize ?? 1000;
    if (!Number.isInteger(this.receiverQueueSize) || this.receiverQueueSize < 1) {
      throw new PulsarClientError(`receiverQueueSize ${opts.receiverQueueSize}: expected a whole number of at least 1`);
    }
    this.consumerId = ctx.newId();
    this.startMessageId = cursor.startMessageId;
    if (cursor.startMessageId && cursor.startMessageId !== MessageId.earliest && cursor.startMessageId !== MessageId.latest) {
      this.startFilter = { id: cursor.startMessageId, inclusive: cursor.startInclusive ?? false };
    }
    this.acks = new AckTracker(opts.ackGroupingTimeMs ?? 100, opts.batchIndexAckEnabled ?? false, (ind, cum) => this.sendAcks(ind, cum));
    this.nacks = new NegativeAckTracker(opts.negativeAckRedeliveryDelayMs ?? 60_000, (ids) => this.redeliver(ids));
    this.reconnector = new Reconnector({
      description: `consumer ${this.subscription} on ${topic}`,
      wantsConnection: () => this.state === 'connecting',
      connectOnce: () => this.connectOnce(),
      giveUp: (err) => this.fail(err),
      startFailed: () => { this.state = 'closed'; },
    });
  }

  get connected(): boolean {
    return this.state === 'ready';
  }

  /** First creation: retries what a retry can fix until the operation timeout. */
  start(): Promise<void> {
    return this.reconnector.start(this.ctx.operationTimeoutMs);
  }

  private async connectOnce(): Promise<void> {
    const what = `subscribe ${this.subscription} on ${this.topic}`;
    const created = await createHandle({
      ctx: this.ctx,
      topic: this.topic,
      kind: 'consumer',
      id: this.consumerId,
      handler: this,
      what,
      stillWanted: () => this.state === 'connecting',
      // Called once the broker's connection is there, right before the consumer is registered on it.
      command: (requestId) => {
        this.resetForSubscribe();
        return { type: CommandType.SUBSCRIBE, subscribe: this.subscribeCommand(requestId) };
      },
    });
    if (!created) return;
    const { conn, res } = created;
    if (!res.success) throw new BrokerError(-1, `unexpected answer type ${res.type}`, what);
    this.connection = conn;
    this.state = 'ready';
    this.permits = 0;
    // Acks made while disconnected go first, so the broker does not send those messages again.
    this.acks.flush();
    conn.send({ type: CommandType.FLOW, flow: { consumerId: this.consumerId, messagePermits: this.receiverQueueSize } });
  }

  /** What a new subscription starts from: nothing queued or half-assembled from the old one. */
  private resetForSubscribe(): void {
    // Messages queued from the old connection are redelivered by the broker: drop them.
    this.queue.remove((m) => m.onDequeue === this.dequeued);
    if (!this.cursor.durable && this.lastDequeued) {
      this.startMessageId = this.lastDequeued;
      this.startFilter = { id: this.lastDequeued, inclusive: false };
    }
    this.acks.forgetAll();
    this.chunks.clear();
  }

  private subscribeCommand(requestId: number): Record<string, unknown> {
    const subscribe: Record<string, unknown> = {
      topic: this.topic,
      subscription: this.subscription,
      subType: this.subType,
      consumerId: this.consumerId,
      requestId,
      durable: this.cursor.durable,
      initialPosition: this.opts.subscriptionInitialPosition === 'Earliest' ? InitialPosition.Earliest : InitialPosition.Latest,
      consumerEpoch: this.epoch,
    };
    if (this.opts.consumerName) subscribe.consumerName = this.opts.consumerName;
    if (this.opts.priorityLevel !== undefined) subscribe.priorityLevel = this.opts.priorityLevel;
    if (this.opts.readCompacted) subscribe.readCompacted = true;
    if (this.startMessageId) subscribe.startMessageId = this.startMessageId.toData();
    const schema = schemaData(this.opts.schema);
    if (schema) subscribe.schema = schema;
    if (this.opts.properties) subscribe.metadata = Object.entries(this.opts.properties).map(([key, value]) => ({ key, value }));
    if (this.subType === SubType.Key_Shared) {
      subscribe.keySharedMeta = { keySharedMode: 0, allowOutOfOrderDelivery: this.opts.keySharedAllowOutOfOrderDelivery ?? false };
    }
    return subscribe;
  }

  handleDisconnect(reason: string): void {
    void reason;
    if (this.state !== 'ready') return;
    this.connection = undefined;
    this.state = 'connecting';
    this.reconnector.schedule();
  }

  handleActiveChange(change: CommandActiveConsumerChange): void {
    this.active = change.isActive ?? false;
  }

  handleEndOfTopic(): void {
    this.endOfTopic = true;
  }

  handleMessage(command: CommandMessage, metadata: MessageMetadata, payload: Buffer): void {
    if (command.consumerEpoch !== undefined && command.consumerEpoch < this.epoch) {
      // Sent before a redeliver-all: it comes again in order after the ones before it.
      this.addPermits(metadata.numMessagesInBatch ?? 1);
      return;
    }
    let chunks: readonly EntryPosition[] | undefined;
    if (ChunkAssembler.isChunk(metadata)) {
      const whole = this.chunks.add(metadata, command.messageId, payload);
      if (!whole) {
        this.addPermits(1); // a part: the application never takes it
        return;
      }
      payload = whole.payload;
      chunks = whole.positions;
    }
    let messages: Message[];
    let skipped: number;
    try {
      const body = metadata.compression ? decompress(metadata.compression, payload, metadata.uncompressedSize ?? 0) : payload;
      ({ messages, skipped } = unpackEntry(this.topic, this.partition, command.messageId, metadata, body, command.redeliveryCount ?? 0, command.ackSet, chunks));
    } catch (err) {
      const why = err instanceof BatchFormatError ? ValidationError.BatchDeSerializeError : ValidationError.DecompressionError;
      this.discard(command, why, metadata.numMessagesInBatch ?? 1, (err as Error).message);
      return;
    }
    const f = this.startFilter;
    for (const m of messages) {
      if (f && before(m.id, f.id, f.inclusive)) {
        skipped++;
        continue;
      }
      (m as { onDequeue?: (m: Message) => void }).onDequeue = this.dequeued;
      this.queue.push(m as QueuedMessage);
    }
    if (skipped > 0) this.addPermits(skipped);
  }

  handleCorruptMessage(command: CommandMessage): void {
    this.discard(command, ValidationError.ChecksumMismatch, 1, 'checksum mismatch');
  }

  /**
   * An entry this client cannot read: acknowledged with the reason, as Java does, so that it does
   * not come back forever, and its permits counted.
   */
  private discard(command: CommandMessage, validationError: number, permits: number, reason: string): void {
    const { ledgerId, entryId } = command.messageId;
    this.connection?.send({
      type: CommandType.ACK,
      ack: { consumerId: this.consumerId, ackType: AckType.Individual, messageId: [{ ledgerId, entryId }], validationError },
    });
    this.addPermits(permits);
    process.emitWarning(`consumer ${this.subscription} on ${this.topic}: dropped entry ${ledgerId}:${entryId}: ${reason}`);
  }

  /** The application took a message from the queue. */
  private messageTaken(m: Message): void {
    this.lastDequeued = m.id;
    this.addPermits(1);
  }

  private addPermits(n: number): void {
    this.permits += n;
    if (this.permits >= this.receiverQueueSize / 2 && this.connection && this.state === 'ready') {
      this.connection.send({ type: CommandType.FLOW, flow: { consumerId: this.consumerId, messagePermits: this.permits } });
      this.permits = 0;
    }
  }

  receive(timeoutMs?: number): Promise<Message> {
    return this.queue.receive(timeoutMs);
  }

  ack(message: Message | MessageId): void {
    this.acks.individualAck(idOf(message));
  }

  ackCumulative(message: Message | MessageId): void {
    if (this.subType === SubType.Shared || this.subType === SubType.Key_Shared) {
      throw new PulsarClientError(`ackCumulative: not allowed on a ${this.opts.subscriptionType} subscription (use ack per message)`);
    }
    this.acks.cumulativeAck(idOf(message));
  }

  nack(message: Message | MessageId): void {
    const id = idOf(message);
    if (id.chunks) for (const c of id.chunks) this.nacks.add(new MessageId(c.ledgerId, c.entryId));
    else this.nacks.add(id);
  }

  flushAcks(): void {
    this.acks.flush();
  }

  private sendAcks(individual: MessageIdData[], cumulative: MessageIdData | undefined): boolean {
    const conn = this.connection;
    if (!conn || this.state !== 'ready') return false;
    if (individual.length > 0) {
      conn.send({ type: CommandType.ACK, ack: { consumerId: this.consumerId, ackType: AckType.Individual, messageId: individual } });
    }
    if (cumulative) {
      conn.send({ type: CommandType.ACK, ack: { consumerId: this.consumerId, ackType: AckType.Cumulative, messageId: [cumulative] } });
    }
    return true;
  }

  private redeliver(ids: MessageIdData[]): void {
    const conn = this.connection;
    if (!conn || this.state !== 'ready') return; // a reconnect redelivers everything unacknowledged anyway
    for (const id of ids) this.acks.forgetEntry(id.ledgerId, id.entryId);
    if (this.subType === SubType.Shared || this.subType === SubType.Key_Shared) {
      conn.send({ type: CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES, redeliverUnacknowledgedMessages: { consumerId: this.consumerId, messageIds: ids } });
      return;
    }
    // Exclusive and Failover keep order: the broker rewinds to the first unacknowledged message,
    // so what is queued here would come again.
    this.redeliverAll();
  }

  /** Exclusive/Failover: everything unacknowledged comes again, queued messages included. */
  private redeliverAll(): void {
    const conn = this.connection!;
    const dropped = this.queue.remove((m) => m.onDequeue === this.dequeued);
    this.acks.forgetAll();
    this.chunks.clear();
    this.epoch++;
    conn.send({ type: CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES, redeliverUnacknowledgedMessages: { consumerId: this.consumerId, consumerEpoch: this.epoch } });
    if (dropped > 0) this.addPermits(dropped);
  }

  async seek(target: MessageId | number): Promise<void> {
    const conn = this.requireConnection('seek');
    const requestId = conn.newRequestId();
    const seek: Record<string, unknown> = { consumerId: this.consumerId, requestId };
    if (typeof target === 'number') seek.messagePublishTime = target;
    else seek.messageId = { ledgerId: target.ledgerId, entryId: target.entryId };
    const res = await conn.request({ type: CommandType.SEEK, seek }, requestId, `seek ${this.subscription} on ${this.topic}`);
    if (!res.success) throw new BrokerError(res.error!.error, res.error!.message, `seek ${this.subscription} on ${this.topic}`);
    // The broker disconnects the consumer after a seek; what is queued is from before it.
    this.queue.remove((m) => m.onDequeue === this.dequeued);
    this.acks.forgetAll();
    this.chunks.clear();
    this.lastDequeued = undefined;
    this.startFilter = undefined;
    if (typeof target !== 'number') {
      this.startFilter = target.batchIndex >= 0 ? { id: target, inclusive: true } : undefined;
      if (!this.cursor.durable) this.startMessageId = target;
    }
  }

  async getLastMessageId(): Promise<MessageId> {
    const conn = this.requireConnection('getLastMessageId');
    const requestId = conn.newRequestId();
    const res = await conn.request(
      { type: CommandType.GET_LAST_MESSAGE_ID, getLastMessageId: { consumerId: this.consumerId, requestId } },
      requestId,
      `last message id of ${this.topic}`,
    );
    const r = res.getLastMessageIdResponse;
    if (!r) throw new BrokerError(res.error!.error, res.error!.message, `last message id of ${this.topic}`);
    return MessageId.fromData(r.lastMessageId, this.topic, this.partition);
  }

  /** The last message the application took, if any. */
  get lastReceivedId(): MessageId | undefined {
    return this.lastDequeued;
  }

  private requireConnection(what: string): Connection {
    if (this.state === 'closed' || this.state === 'closing') throw new AlreadyClosedError(`${what}: consumer ${this.subscription} on ${this.topic} is closed`);
    if (!this.connection || this.state !== 'ready') throw new PulsarClientError(`${what}: consumer ${this.subscription} on ${this.topic} is reconnecting; try again`);
    return this.connection;
  }

  async unsubscribe(): Promise<void> {
    const conn = this.requireConnection('unsubscribe');
    const requestId = conn.newRequestId();
    const res = await conn.request({ type: CommandType.UNSUBSCRIBE, unsubscribe: { consumerId: this.consumerId, requestId } }, requestId, `unsubscribe ${this.subscription} from ${this.topic}`);
    if (!res.success) throw new BrokerError(res.error!.error, res.error!.message, `unsubscribe ${this.subscription} from ${this.topic}`);
    conn.consumers.delete(this.consumerId);
    this.connection = undefined;
    this.finish();
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.acks.flush();
    this.state = 'closing';
    const conn = this.connection;
    this.connection = undefined;
    await conn?.closeHandle('consumer', this.consumerId, `close consumer on ${this.topic}`);
    this.finish();
  }

  private finish(): void {
    this.state = 'closed';
    this.reconnector.cancel();
    this.nacks.close();
    if (this.ownsQueue) this.queue.close(new AlreadyClosedError(`consumer ${this.subscription} on ${this.topic} is closed`));
    else this.queue.remove((m) => m.onDequeue === this.dequeued);
  }

  private fail(err: Error): void {
    this.finish();
    if (this.ownsQueue) this.queue.close(err);
  }
}

function idOf(m: Message | MessageId): MessageId {
  return m instanceof MessageId ? m : m.id;
}

/** True when `id` comes before the start (or is the start, when the start is exclusive). */
function before(id: MessageId, start: MessageId, inclusive: boolean): boolean {
  if (id.ledgerId !== start.ledgerId) return id.ledgerId < start.ledgerId;
  if (id.entryId !== start.entryId) return id.entryId < start.entryId;
  // Same entry: a start without a batch index stands for the whole entry.
  if (start.batchIndex < 0 || id.batchIndex < 0) return !inclusive;
  return inclusive ? id.batchIndex < start.batchIndex : id.batchIndex <= start.batchIndex;
}
