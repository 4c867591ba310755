// A message's position: ledger, entry, partition and, inside a batch, its index and the batch
// size. `topic` names the partition the id came from, so that a consumer over several topics can
// route an ack by the id alone (like Java's TopicMessageId). serialize() gives the same bytes as
// the Java client's MessageId.toByteArray() (a MessageIdData protobuf).
import { MessageIdDataSpec, type MessageIdData } from './commands.js';
import { decode, encode } from './protobuf.js';

export class MessageId {
  constructor(
    readonly ledgerId: number,
    readonly entryId: number,
    readonly partition = -1,
    readonly batchIndex = -1,
    readonly batchSize = 0,
    readonly topic?: string,
    /** For a message that came in chunks: the entry of every chunk (acks cover them all). */
    readonly chunks?: readonly { ledgerId: number; entryId: number }[],
  ) {}

  /** Before the first message of a topic. */
  static readonly earliest = new MessageId(-1, -1);
  /** After the last message of a topic (Long.MAX_VALUE on the wire). */
  static readonly latest = new MessageId(Number.MAX_VALUE, Number.MAX_VALUE);

  static fromData(d: MessageIdData, topic?: string, partition?: number): MessageId {
    return new MessageId(d.ledgerId, d.entryId, partition ?? d.partition ?? -1, d.batchIndex ?? -1, d.batchSize ?? 0, topic);
  }

  /** Parses the bytes of serialize() or of the Java client's MessageId.toByteArray(). */
  static deserialize(bytes: Uint8Array, topic?: string): MessageId {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const d = decode<MessageIdData>(MessageIdDataSpec, buf);
    if (d.ledgerId === undefined || d.entryId === undefined) throw new Error('message id bytes: ledgerId and entryId are required');
    return MessageId.fromData(d, topic);
  }

  /** Pulsar's text form: ledgerId:entryId:partition[:batchIndex]. */
  static parse(text: string, topic?: string): MessageId {
    const parts = text.split(':').map(Number);
    if (parts.length < 3 || parts.length > 4 || parts.some((n) => !Number.isInteger(n))) {
      throw new Error(`message id "${text}": expected ledgerId:entryId:partition or ledgerId:entryId:partition:batchIndex`);
    }
    return new MessageId(parts[0]!, parts[1]!, parts[2]!, parts[3] ?? -1, 0, topic);
  }

  serialize(): Buffer {
    return encode(MessageIdDataSpec, this.toData() as unknown as Record<string, unknown>);
  }

  toData(): MessageIdData {
    const d: MessageIdData = { ledgerId: this.ledgerId, entryId: this.entryId };
    if (this.partition >= 0) d.partition = this.partition;
    if (this.batchIndex >= 0) d.batchIndex = this.batchIndex;
    if (this.batchSize > 0) d.batchSize = this.batchSize;
    return d;
  }

  /** The id of the entry this message is in, without the batch index. */
  entry(): MessageId {
    return this.batchIndex < 0 ? this : new MessageId(this.ledgerId, this.entryId, this.partition, -1, 0, this.topic);
  }

  /** Order within one topic partition: ledger, entry, then batch index (a whole entry sorts last). */
  compareTo(other: MessageId): number {
    return this.ledgerId - other.ledgerId || this.entryId - other.entryId || this.partition - other.partition
      || (this.batchIndex < 0 ? Infinity : this.batchIndex) - (other.batchIndex < 0 ? Infinity : other.batchIndex) || 0;
  }

  equals(other: MessageId): boolean {
    return this.ledgerId === other.ledgerId && this.entryId === other.entryId && this.partition === other.partition && this.batchIndex === other.batchIndex;
  }

  toString(): string {
    return this.batchIndex >= 0
      ? `${this.ledgerId}:${this.entryId}:${this.partition}:${this.batchIndex}`
      : `${this.ledgerId}:${this.entryId}:${this.partition}`;
  }
}
