// A producer on one topic (or one partition): batches messages (flushing at a message count, a
// byte size or a delay), numbers them with sequence ids, keeps every entry until its receipt, and
// bounds what is in flight: send() waits while the client's memory limit is used up (or, if set,
// maxPendingMessages are unacknowledged), and waiting sends go out in call order. After a
// broker restart, an unload or a dropped connection it re-creates itself under the same name and
// sends again, in order, every entry that has no receipt yet.
import { BatchBuilder, type OutgoingMessage } from './batch-builder.js';
import { CommandType, CompressionType, ServerError, type CommandSendError, type CommandSendReceipt, type CompressionCode, type MessageMetadata } from './commands.js';
import { compress } from './compression.js';
import { crc32c } from './crc32c.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type Connection, type ProducerHandler } from './connection.js';
import { AlreadyClosedError, BrokerError, MessageTooLargeError, PulsarClientError, TimeoutError } from './errors.js';
import { Fifo } from './fifo.js';
import type { MemoryWaiter } from './memory-limit.js';
import { encodePayloadCommand } from './frame.js';
import { propertiesList } from './message.js';
import { MessageId } from './message-id.js';
import { Reconnector } from './reconnect.js';
import { createHandle } from './handle-creation.js';
import { schemaData, type SchemaInfo } from './schema.js';
import type { ClientContext } from './client-context.js';

export type CompressionName = keyof typeof CompressionType;

/**
 * Bytes of maxMessageSize left unused by an entry: the broker and the bookie add their own headers.
 * Measured on a 5 MiB standalone: an entry (metadata + payload) of maxMessageSize − 200 bytes was
 * stored, one of maxMessageSize + 60 was taken but never answered.
 */
const STORAGE_HEADROOM = 1024;

export interface ProducerOptions {
  topic: string;
  /** Left out: the broker picks a unique name. */
  producerName?: string;
  /**
   * Messages sent but not yet acknowledged by the broker, at most; send() waits beyond. Default: no
   * limit by count, as in Java's client; the client's `memoryLimitBytes` bounds what is held.
   */
  maxPendingMessages?: number;
  /** Fail messages without a receipt after this long (0 = never). Default 30 s. */
  sendTimeoutMs?: number;
  batchingEnabled?: boolean;
  /** Default 10 ms. */
  batchingMaxPublishDelayMs?: number;
  /** Default 1000. */
  batchingMaxMessages?: number;
  /** Default 128 KiB. */
  batchingMaxBytes?: number;
  /**
   * 'default' mixes keys in a batch; 'key-based' makes one batch per key, which Key_Shared
   * consumers need (the broker routes a whole batch by its key). Default 'default'.
   */
  batchingType?: 'default' | 'key-based';
  compressionType?: CompressionName;
  /**
   * Split a message larger than `chunkMaxMessageSize` (after compression) into chunks the
   * consumer joins again, as Java's `enableChunking`. Needs `batchingEnabled: false`. Default false.
   */
  chunkingEnabled?: boolean;
  /** Bytes of payload per chunk. Default: the broker's maxMessageSize. */
  chunkMaxMessageSize?: number;
  schema?: SchemaInfo;
  /** Key/values attached to the producer (shown in topic stats). */
  properties?: Record<string, string>;
}

export interface ProducerMessage {
  payload: Buffer | Uint8Array | string;
  key?: string;
  orderingKey?: Buffer;
  properties?: Record<string, string>;
  /** ms since the epoch. */
  eventTime?: number;
}

export interface Producer {
  readonly topic: string;
  readonly producerName: string;
  /**
   * The largest payload (after compression) one message may have: the broker's maxMessageSize, as
   * its last CONNECTED said (5 MiB until the first connect). Larger ones fail unless chunking is on.
   */
  readonly maxMessageSize: number;
  /** Resolves with the message's id once the broker stored it. Waits while the pending limit is reached. */
  send(message: ProducerMessage): Promise<MessageId>;
  /** Sends the open batch and waits for every receipt. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Callback {
  resolve(id: MessageId): void;
  reject(err: Error): void;
}

/** A send() that waits for room (memory or a pending slot). */
interface WaitingSend extends Callback {
  message: ProducerMessage;
  bytes: number;
}

/** A batch being filled: for one key with key-based batching, else for all messages. */
interface OpenBatch {
  builder: BatchBuilder;
  callbacks: Callback[];
  key?: string;
  /** Payload bytes held against the memory limit. */
  bytes: number;
}

interface OpSend {
  sequenceId: number;
  highestSequenceId: number;
  count: number;
  batched: boolean;
  frame: Buffer;
  callbacks: Callback[];
  createdAt: number;
  /** Payload bytes held against the memory limit until the receipt. */
  bytes: number;
  /** A chunk: the ids of the message's chunks stored so far (shared by its chunks' entries). */
  chunkIds?: { ledgerId: number; entryId: number }[];
}

export class TopicProducer implements Producer, ProducerHandler, MemoryWaiter {
  readonly topic: string;
  producerName: string;
  private readonly producerId: number;
  private connection?: Connection;
  private readonly reconnector: Reconnector;
  private state: 'connecting' | 'ready' | 'closing' | 'closed' = 'connecting';
  private epoch = 0;
  private userProvidedName: boolean;
  /** Why the producer cannot send any more (its topic was terminated). */
  private terminalError?: Error;
  /** The broker's version of the declared schema, put on every message. */
  private schemaVersion?: Buffer;

  private readonly maxPending: number;
  private readonly batching: boolean;
  private readonly maxDelay: number;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly compression: CompressionCode;
  private readonly sendTimeoutMs: number;
  private readonly chunking: boolean;
  private readonly chunkMaxMessageSize?: number;
  /** The broker's limit, from the last connection (a chunk's default size). */
  maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

  private nextSequenceId = 0;
  private pendingMessages = 0;
  private readonly waitingSends = new Fifo<WaitingSend>();
  /** Entries sent (or to send) and not yet acknowledged, oldest first. */
  private readonly ops = new Fifo<OpSend>();
  private readonly keyBased: boolean;
  private readonly openBatches = new Map<string, OpenBatch>();
  private openMessages = 0;
  private openBytes = 0;
  private batchTimer?: NodeJS.Timeout;
  private timeoutTimer?: NodeJS.Timeout;
  private flushWaiters: { sequenceId: number; resolve(): void; reject(err: Error): void }[] = [];

  constructor(
    private readonly ctx: ClientContext,
    private readonly opts: ProducerOptions,
    readonly partition = -1,
  ) {
    this.topic = opts.topic;
    this.producerId = ctx.newId();
    this.producerName = opts.producerName ?? '';
    this.userProvidedName = opts.producerName !== undefined;
    this.maxPending = opts.maxPendingMessages === undefined ? Infinity : positive(opts.maxPendingMessages, 'maxPendingMessages');
    this.batching = opts.batchingEnabled ?? true;
    this.maxDelay = opts.batchingMaxPublishDelayMs ?? 10;
    this.maxBatchMessages = positive(opts.batchingMaxMessages ?? 1000, 'batchingMaxMessages');
    this.maxBatchBytes = positive(opts.batchingMaxBytes ?? 128 * 1024, 'batchingMaxBytes');
    const c = opts.compressionType ?? 'NONE';
    if (!(c in CompressionType) || c === 'ZSTD') throw new PulsarClientError(`compressionType "${c}": expected one of NONE, LZ4, ZLIB, SNAPPY (ZSTD messages are read, not written)`);
    this.compression = CompressionType[c];
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 30_000;
    this.chunking = opts.chunkingEnabled ?? false;
    if (this.chunking && this.batching) {
      throw new PulsarClientError('chunkingEnabled: chunks cannot be batched; set batchingEnabled: false as well');
    }
    if (opts.chunkMaxMessageSize !== undefined) this.chunkMaxMessageSize = positive(opts.chunkMaxMessageSize, 'chunkMaxMessageSize');
    const batchingType = opts.batchingType ?? 'default';
    if (batchingType !== 'default' && batchingType !== 'key-based') {
      throw new PulsarClientError(`batchingType "${String(batchingType)}": expected default or key-based`);
    }
    this.keyBased = batchingType === 'key-based';
    this.reconnector = new Reconnector({
      description: `producer on ${this.topic}`,
      wantsConnection: () => this.state === 'connecting',
      connectOnce: () => this.connectOnce(),
      giveUp: (err) => this.failAll(err, true),
      startFailed: () => { this.state = 'closed'; },
    });
  }

  /** First creation: retries what a retry can fix until the operation timeout. */
  async start(): Promise<void> {
    await this.reconnector.start(this.ctx.operationTimeoutMs);
    if (this.sendTimeoutMs > 0) {
      this.timeoutTimer = setInterval(() => this.failTimedOut(), Math.min(1000, this.sendTimeoutMs));
      this.timeoutTimer.unref();
    }
  }

  private async connectOnce(): Promise<void> {
    const schema = schemaData(this.opts.schema);
    const created = await createHandle({
      ctx: this.ctx,
      topic: this.topic,
      kind: 'producer',
      id: this.producerId,
      handler: this,
      what: `create producer on ${this.topic}`,
      stillWanted: () => this.state === 'connecting',
      command: (requestId) => {
        const producer: Record<string, unknown> = {
          topic: this.topic,
          producerId: this.producerId,
          requestId,
          epoch: this.epoch++,
          userProvidedProducerName: this.userProvidedName,
        };
        if (this.producerName) producer.producerName = this.producerName;
        if (schema) producer.schema = schema;
        const props = propertiesList(this.opts.properties);
        if (props) producer.metadata = props;
        return { type: CommandType.PRODUCER, producer };
      },
    });
    if (!created) return;
    const { conn, res } = created;
    if (!res.producerSuccess) throw new BrokerError(-1, `unexpected answer type ${res.type}`, `create producer on ${this.topic}`);
    this.producerName = res.producerSuccess.producerName;
    const version = res.producerSuccess.schemaVersion;
    if (schema && version && version.length > 0) this.schemaVersion = Buffer.from(version);
    const last = res.producerSuccess.lastSequenceId ?? -1;
    if (this.nextSequenceId === 0 && last >= 0) this.nextSequenceId = last + 1;
    this.connection = conn;
    this.maxMessageSize = conn.maxMessageSize;
    this.state = 'ready';
    // Everything without a receipt goes again, in order; the broker drops what it already has
    // when deduplication is on.
    for (let i = 0; i < this.ops.length; i++) conn.write(this.ops.at(i)!.frame);
  }

  handleDisconnect(reason: string): void {
    void reason;
    if (this.state !== 'ready') return;
    this.connection = undefined;
    this.state = 'connecting';
    this.reconnector.schedule();
  }

  send(message: ProducerMessage): Promise<MessageId> {
    if (this.terminalError) return Promise.reject(this.terminalError);
    if (this.state === 'closing' || this.state === 'closed') return Promise.reject(new AlreadyClosedError(`producer on ${this.topic} is closed`));
    return new Promise<MessageId>((resolve, reject) => {
      const bytes = typeof message.payload === 'string' ? Buffer.byteLength(message.payload) : message.payload.length;
      if (this.waitingSends.length === 0 && this.admit(bytes)) {
        this.accept(message, bytes, { resolve, reject });
        return;
      }
      // Behind the sends already waiting, so the order of send() calls is the order on the wire.
      this.waitingSends.push({ message, bytes, resolve, reject });
      this.ctx.memory.wait(this);
    });
  }

  /** Takes a pending slot and the message's bytes of the client's memory, if both are free. */
  private admit(bytes: number): boolean {
    if (this.pendingMessages >= this.maxPending || !this.ctx.memory.tryReserve(bytes)) return false;
    this.pendingMessages++;
    return true;
  }

  admitWaiting(): void {
    while (this.waitingSends.length > 0 && this.admit(this.waitingSends.peek()!.bytes)) {
      const w = this.waitingSends.shift()!;
      this.accept(w.message, w.bytes, w);
    }
    if (this.waitingSends.length === 0) this.ctx.memory.stopWaiting(this);
  }

  /** An admitted message: numbered and batched (or made an entry) at once. */
  private accept(message: ProducerMessage, bytes: number, callback: Callback): void {
    const msg: OutgoingMessage = {
      payload: typeof message.payload === 'string' ? Buffer.from(message.payload) : message.payload,
      key: message.key,
      orderingKey: message.orderingKey,
      eventTime: message.eventTime,
    };
    const sequenceId = this.nextSequenceId++;
    if (this.batching) {
      // A message that would push the open batches past the byte limit goes in the next ones.
      if (this.openMessages > 0 && this.openBytes + msg.payload.length > this.maxBatchBytes) this.flushBatch();
      const batch = this.openBatch(msg.key);
      const before = batch.builder.bytes;
      batch.builder.add(msg, sequenceId, propertiesList(message.properties));
      batch.callbacks.push(callback);
      batch.bytes += bytes;
      this.openMessages++;
      this.openBytes += batch.builder.bytes - before;
      if (this.openMessages >= this.maxBatchMessages || this.openBytes >= this.maxBatchBytes) this.flushBatch();
      else if (!this.batchTimer) this.batchTimer = setTimeout(() => this.flushBatch(), this.maxDelay);
    } else {
      const metadata: MessageMetadata = { producerName: this.producerName, sequenceId, publishTime: Date.now() };
      if (msg.key !== undefined) metadata.partitionKey = msg.key;
      if (msg.orderingKey) metadata.orderingKey = msg.orderingKey;
      if (msg.eventTime) metadata.eventTime = msg.eventTime;
      const props = propertiesList(message.properties);
      if (props) metadata.properties = props;
      this.enqueue(metadata, Buffer.from(msg.payload), sequenceId, sequenceId, 1, false, [callback], bytes);
    }
  }

  private openBatch(key: string | undefined): OpenBatch {
    const group = this.keyBased ? (key ?? '') : '';
    let batch = this.openBatches.get(group);
    if (!batch) {
      batch = { builder: new BatchBuilder(this.keyBased ? 4096 : 64 * 1024), callbacks: [], key: this.keyBased ? key : undefined, bytes: 0 };
      this.openBatches.set(group, batch);
    }
    return batch;
  }

  /** Sends every open batch, oldest first message first, so sequence ids stay in order. */
  private flushBatch(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.openMessages === 0) return;
    const ready: { built: ReturnType<BatchBuilder['build']>; callbacks: Callback[]; key?: string; bytes: number }[] = [];
    const publishTime = Date.now();
    for (const batch of this.openBatches.values()) {
      if (batch.builder.size === 0) continue;
      ready.push({ built: batch.builder.build(this.producerName, publishTime), callbacks: batch.callbacks, key: batch.key, bytes: batch.bytes });
      batch.callbacks = [];
      batch.bytes = 0;
    }
    // Key-based batches are dropped once sent (keys come and go); the one default batch is reused.
    if (this.keyBased) this.openBatches.clear();
    this.openMessages = 0;
    this.openBytes = 0;
    ready.sort((a, b) => a.built.firstSequenceId - b.built.firstSequenceId);
    for (const { built, callbacks, key, bytes } of ready) {
      if (key !== undefined) built.metadata.partitionKey = key;
      this.enqueue(built.metadata, built.payload, built.firstSequenceId, built.lastSequenceId, built.count, true, callbacks, bytes);
    }
  }

  private enqueue(
    metadata: MessageMetadata, payload: Buffer, first: number, last: number, count: number, batched: boolean, callbacks: Callback[], bytes: number,
  ): void {
    if (this.schemaVersion) metadata.schemaVersion = this.schemaVersion;
    if (this.compression !== CompressionType.NONE) {
      metadata.compression = this.compression;
      metadata.uncompressedSize = payload.length;
      payload = compress(this.compression, payload);
    }
    const chunkSize = this.chunkMaxMessageSize ?? this.maxEntrySize - this.chunkOverhead(metadata, first);
    if (this.chunking && payload.length > chunkSize) {
      this.enqueueChunks(metadata, payload, chunkSize, first, callbacks[0]!, bytes);
      return;
    }
    const send: Record<string, unknown> = { producerId: this.producerId, sequenceId: first, numMessages: count };
    if (last > first) send.highestSequenceId = last;
    const frame = encodePayloadCommand({ type: CommandType.SEND, send }, metadata, payload);
    // The broker stores metadata and payload as one entry within maxMessageSize: a larger one gets
    // past its frame check (which allows 10 KiB more) but is never stored nor answered.
    if (storedSize(frame) > this.maxEntrySize) {
      const err = new MessageTooLargeError(
        `message of ${payload.length} bytes (${storedSize(frame) - payload.length} more of metadata) does not fit the broker's maxMessageSize ${this.maxMessageSize} (less ${STORAGE_HEADROOM} for the broker's own headers)`
        + `${this.chunking ? '' : '; enable chunking (chunkingEnabled, batchingEnabled: false) or raise maxMessageSize on the brokers'}`,
      );
      for (const c of callbacks) c.reject(err);
      this.release(count, bytes);
      return;
    }
    this.ops.push({ sequenceId: first, highestSequenceId: last, count, batched, frame, callbacks, createdAt: Date.now(), bytes });
    if (this.state === 'ready') this.connection!.write(frame);
  }

  /** The largest entry (metadata + payload) the broker stores. */
  private get maxEntrySize(): number {
    return this.maxMessageSize - STORAGE_HEADROOM;
  }

  /** What a chunk's entry holds besides its payload (as Java: the broker's limit less this is a chunk's size). */
  private chunkOverhead(metadata: MessageMetadata, sequenceId: number): number {
    const max = 2 ** 31 - 1;
    const probe: MessageMetadata = { ...metadata, uuid: `${this.producerName}-${sequenceId}`, numChunksFromMsg: max, totalChunkMsgSize: max, chunkId: max };
    const send = { producerId: this.producerId, sequenceId, numMessages: 1, isChunk: true };
    return storedSize(encodePayloadCommand({ type: CommandType.SEND, send }, probe, Buffer.alloc(0)));
  }

  /**
   * One message as entries of at most `size` payload bytes, all with the message's sequence id and
   * uuid (producer name + sequence id), numbered by chunk id; the last chunk's receipt settles it.
   */
  private enqueueChunks(metadata: MessageMetadata, payload: Buffer, size: number, sequenceId: number, callback: Callback, bytes: number): void {
    const count = Math.ceil(payload.length / size);
    metadata.uuid = `${this.producerName}-${sequenceId}`;
    metadata.numChunksFromMsg = count;
    metadata.totalChunkMsgSize = payload.length;
    const chunkIds: { ledgerId: number; entryId: number }[] = [];
    const send = { producerId: this.producerId, sequenceId, numMessages: 1, isChunk: true };
    for (let i = 0; i < count; i++) {
      metadata.chunkId = i;
      const frame = encodePayloadCommand({ type: CommandType.SEND, send }, metadata, payload.subarray(i * size, (i + 1) * size));
      const last = i === count - 1;
      // Only the last chunk holds the message's slot and bytes, and its caller.
      this.ops.push({
        sequenceId, highestSequenceId: sequenceId, count: last ? 1 : 0, batched: false, frame, callbacks: last ? [callback] : [],
        createdAt: Date.now(), bytes: last ? bytes : 0, chunkIds,
      });
      if (this.state === 'ready') this.connection!.write(frame);
    }
  }

  handleReceipt(receipt: CommandSendReceipt): void {
    const op = this.ops.peek();
    if (!op || receipt.sequenceId < op.sequenceId) return; // a late duplicate
    if (receipt.sequenceId > op.sequenceId) {
      // A receipt for a later entry: something got lost; re-creating sends the rest again.
      this.recreate(`a receipt for sequence id ${receipt.sequenceId} while ${op.sequenceId} has none`);
      return;
    }
    this.ops.shift();
    const id = receipt.messageId;
    const ledgerId = id?.ledgerId ?? -1;
    const entryId = id?.entryId ?? -1;
    if (op.chunkIds) {
      op.chunkIds.push({ ledgerId, entryId });
      if (op.count === 0) return; // more chunks to come
      // As Java's ChunkMessageIdImpl: the last chunk's position, every chunk's entry for acks.
      op.callbacks[0]!.resolve(new MessageId(ledgerId, entryId, this.partition, -1, 0, this.topic, op.chunkIds));
    } else if (op.batched) {
      for (let i = 0; i < op.callbacks.length; i++) op.callbacks[i]!.resolve(new MessageId(ledgerId, entryId, this.partition, i, op.count, this.topic));
    } else {
      op.callbacks[0]!.resolve(new MessageId(ledgerId, entryId, this.partition, -1, 0, this.topic));
    }
    this.release(op.count, op.bytes);
    this.settleFlushes(op.highestSequenceId);
  }

  /**
   * The broker refused or failed one entry of this producer. As Java's client: NotAllowedError
   * (e.g. over the topic's maxMessageSize policy) fails that entry only and the rest go on; a
   * ChecksumError fails the entry if its bytes here are corrupt, else sends again; a terminated
   * topic fails everything for good. Anything else (the broker could not store it, e.g. a bookie
   * failed) re-creates this producer and sends again what has no receipt. Unlike Java's client,
   * which closes the whole connection for that last case, only this producer is touched: the
   * connection is shared by every producer and consumer of the client on that broker.
   */
  handleSendError(err: CommandSendError): void {
    const error = new BrokerError(err.error, err.message, `send on ${this.topic} (sequence id ${err.sequenceId})`);
    if (err.error === ServerError.TopicTerminatedError) {
      this.terminalError = error;
      this.failAll(error, true);
      return;
    }
    // Not necessarily the oldest entry: the broker refuses at once but confirms only once stored.
    const op = this.findOp(err.sequenceId);
    if (op && (err.error === ServerError.NotAllowedError || (err.error === ServerError.ChecksumError && !checksumHolds(op.frame)))) {
      this.failOp(op, error);
    } else {
      this.recreate(`the broker answered ${error.serverError} to a send`);
    }
  }

  /** The entry the broker's sequence id names (its highest one, for a batch). */
  private findOp(sequenceId: number): OpSend | undefined {
    for (let i = 0; i < this.ops.length; i++) {
      const op = this.ops.at(i)!;
      if (sequenceId >= op.sequenceId && sequenceId <= op.highestSequenceId) return op;
      if (op.sequenceId > sequenceId) return undefined;
    }
    return undefined;
  }

  /** Fails one entry (a message, a batch, or a chunked message with all its chunks); the rest go on. */
  private failOp(failed: OpSend, err: Error): void {
    let count = 0;
    let bytes = 0;
    this.ops.retain((op) => {
      if (op !== failed && !(failed.chunkIds && op.chunkIds === failed.chunkIds)) return true;
      count += op.count;
      bytes += op.bytes;
      for (const c of op.callbacks) c.reject(err);
      return false;
    });
    this.release(count, bytes);
    // A flush that waited for this entry is done once everything before the oldest left is.
    const oldest = this.ops.peek();
    this.settleFlushes(oldest ? oldest.sequenceId - 1 : Infinity);
  }

  /**
   * Re-creates this producer only: closes it on the broker (awaited, so the new one does not meet
   * the old under the same id), then the reconnect loop creates it again and resends.
   */
  private recreate(reason: string): void {
    if (this.state !== 'ready') return;
    const conn = this.connection!;
    this.connection = undefined;
    this.state = 'connecting';
    void conn.closeHandle('producer', this.producerId, `close producer on ${this.topic} (${reason})`).finally(() => this.reconnector.schedule());
  }

  /** Gives back the slots and memory of messages that are done; waiting sends get them. */
  private release(count: number, bytes: number): void {
    this.pendingMessages -= count;
    this.ctx.memory.release(bytes); // wakes the producers waiting for memory, this one too
    if (this.waitingSends.length > 0) this.admitWaiting();
  }

  private settleFlushes(upTo: number): void {
    if (this.flushWaiters.length === 0) return;
    this.flushWaiters = this.flushWaiters.filter((w) => {
      if (w.sequenceId > upTo) return true;
      w.resolve();
      return false;
    });
  }

  async flush(): Promise<void> {
    this.flushBatch();
    if (this.ops.length === 0) return;
    const last = this.ops.at(this.ops.length - 1)!.highestSequenceId;
    await new Promise<void>((resolve, reject) => this.flushWaiters.push({ sequenceId: last, resolve, reject }));
  }

  private failTimedOut(): void {
    const head = this.ops.peek();
    if (!head || Date.now() - head.createdAt < this.sendTimeoutMs) return;
    this.failAll(new TimeoutError(`producer on ${this.topic}: no receipt within sendTimeoutMs ${this.sendTimeoutMs} (state ${this.state})`), false);
  }

  private failAll(err: Error, fatal: boolean): void {
    if (fatal) this.state = 'closed';
    let count = 0;
    let bytes = 0;
    for (const op of this.ops.drain()) {
      count += op.count;
      bytes += op.bytes;
      for (const c of op.callbacks) c.reject(err);
    }
    if (fatal) {
      clearTimeout(this.batchTimer);
      for (const batch of this.openBatches.values()) {
        count += batch.callbacks.length;
        bytes += batch.bytes;
        for (const c of batch.callbacks.splice(0)) c.reject(err);
      }
      this.openBatches.clear();
      this.openMessages = 0;
      this.openBytes = 0;
      for (const w of this.waitingSends.drain()) w.reject(err);
      this.ctx.memory.stopWaiting(this);
    }
    for (const w of this.flushWaiters.splice(0)) w.reject(err);
    this.release(count, bytes);
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state === 'ready') {
      try {
        await this.flush();
      } catch {
        // failed sends were already reported to their callers
      }
    }
    this.state = 'closing';
    this.reconnector.cancel();
    clearInterval(this.timeoutTimer);
    const conn = this.connection;
    this.connection = undefined;
    await conn?.closeHandle('producer', this.producerId, `close producer on ${this.topic}`);
    this.state = 'closed';
    this.failAll(new AlreadyClosedError(`producer on ${this.topic} is closed`), true);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new PulsarClientError(`${name} ${n}: expected a whole number of at least 1`);
  return n;
}

/** Whether a SEND frame's checksum (over metadata size, metadata and payload) still matches its bytes. */
function checksumHolds(frame: Buffer): boolean {
  const checksumAt = 8 + frame.readUInt32BE(4) + 2;
  return crc32c(frame, 0, checksumAt + 4, frame.length) === frame.readUInt32BE(checksumAt);
}

/** The bytes of a SEND frame the broker stores as the entry: from the checksum magic to the end. */
function storedSize(frame: Buffer): number {
  return frame.length - 8 - frame.readUInt32BE(4);
}
