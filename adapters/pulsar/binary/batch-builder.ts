// Packs messages for one producer into one entry: records of [size u32][SingleMessageMetadata]
// [payload] written into one growing buffer, and the entry's MessageMetadata. The producer flushes
// when the batch reaches its message or byte limit, or when the max delay runs out.
import { SingleMessageMetadataSpec, type MessageMetadata, type SingleMessageMetadata } from './commands.js';
import { sizeOf, writeInto } from './protobuf.js';

export interface OutgoingMessage {
  payload: Uint8Array;
  key?: string;
  orderingKey?: Uint8Array;
  properties?: Record<string, string>;
  /** ms since the epoch. */
  eventTime?: number;
}

export interface BuiltBatch {
  metadata: MessageMetadata;
  payload: Buffer;
  count: number;
  firstSequenceId: number;
  lastSequenceId: number;
}

export class BatchBuilder {
  private buf: Buffer;
  private used = 0;
  private count = 0;
  private firstSequenceId = -1;
  private lastSequenceId = -1;
  private readonly single: SingleMessageMetadata & Record<string, unknown> = { payloadSize: 0 };

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.used;
  }

  add(msg: OutgoingMessage, sequenceId: number, properties: SingleMessageMetadata['properties']): void {
    const s = this.single;
    s.properties = properties;
    s.partitionKey = msg.key;
    s.orderingKey = msg.orderingKey;
    s.payloadSize = msg.payload.length;
    s.eventTime = msg.eventTime;
    s.sequenceId = sequenceId;
    const metaSize = sizeOf(SingleMessageMetadataSpec, s);
    const need = this.used + 4 + metaSize + msg.payload.length;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.buf.writeUInt32BE(metaSize, this.used);
    const at = writeInto(SingleMessageMetadataSpec, s, this.buf, this.used + 4);
    this.buf.set(msg.payload, at);
    this.used = need;
    if (this.count === 0) this.firstSequenceId = sequenceId;
    this.lastSequenceId = sequenceId;
    this.count++;
  }

  /** The batch so far, as an entry (its payload a copy); the builder is empty afterwards. */
  build(producerName: string, publishTime: number): BuiltBatch {
    const metadata: MessageMetadata = {
      producerName,
      sequenceId: this.firstSequenceId,
      publishTime,
      numMessagesInBatch: this.count,
    };
    if (this.lastSequenceId > this.firstSequenceId) metadata.highestSequenceId = this.lastSequenceId;
    const batch: BuiltBatch = {
      metadata,
      payload: Buffer.from(this.buf.subarray(0, this.used)),
      count: this.count,
      firstSequenceId: this.firstSequenceId,
      lastSequenceId: this.lastSequenceId,
    };
    this.used = 0;
    this.count = 0;
    this.firstSequenceId = -1;
    this.lastSequenceId = -1;
    return batch;
  }
}
