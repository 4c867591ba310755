// The message a consumer hands out, and the unpacking of one broker entry into messages: a plain
// message, or a batch of [size u32][SingleMessageMetadata][payload] records. The broker's ack set
// (batch-index acks) marks which records of a batch are still unacknowledged.
import { SingleMessageMetadataSpec, type KeyValue, type MessageMetadata, type SingleMessageMetadata } from './commands.js';
import { MessageId } from './message-id.js';
import { decode } from './protobuf.js';

export interface Message {
  id: MessageId;
  /** The topic (the partition's full name for a partitioned topic) the message came from. */
  topic: string;
  key?: string;
  orderingKey?: Buffer;
  properties: Record<string, string>;
  /** Set by the producer, ms since the epoch; undefined when the producer gave none. */
  eventTime?: number;
  /** When the producer published it, ms since the epoch. */
  publishTime: number;
  payload: Buffer;
  /** How often the broker delivered it before (0 the first time). */
  redeliveryCount: number;
  producerName: string;
  sequenceId: number;
  schemaVersion?: Buffer;
}

/** One class for every received message: one object shape, cheaper to make than spread literals. */
class ReceivedMessage implements Message {
  onDequeue?: (m: Message) => void = undefined;
  constructor(
    readonly id: MessageId,
    readonly topic: string,
    readonly key: string | undefined,
    readonly orderingKey: Buffer | undefined,
    readonly properties: Record<string, string>,
    readonly eventTime: number | undefined,
    readonly publishTime: number,
    readonly payload: Buffer,
    readonly redeliveryCount: number,
    readonly producerName: string,
    readonly sequenceId: number,
    readonly schemaVersion: Buffer | undefined,
  ) {}
}

export function propertiesObject(list: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (list) for (const kv of list) out[kv.key] = kv.value;
  return out;
}

export function propertiesList(props: Record<string, string> | undefined): KeyValue[] | undefined {
  if (!props) return undefined;
  const keys = Object.keys(props);
  if (keys.length === 0) return undefined;
  return keys.map((key) => ({ key, value: String(props[key]) }));
}

function keyOf(partitionKey: string | undefined, b64: boolean | undefined): string | undefined {
  if (partitionKey === undefined) return undefined;
  return b64 ? Buffer.from(partitionKey, 'base64').toString('latin1') : partitionKey;
}

export class BatchFormatError extends Error {}

/**
 * The messages in one entry. `payload` is already decompressed. `ackSet` (64-bit words, bit i set
 * = record i still unacknowledged) drops records acknowledged before; `skipped` counts the
 * records dropped, since the broker charged flow permits for them too.
 */
export function unpackEntry(
  topic: string,
  partition: number,
  idData: { ledgerId: number; entryId: number },
  metadata: MessageMetadata,
  payload: Buffer,
  redeliveryCount: number,
  ackSet: bigint[] | undefined,
  chunks?: readonly { ledgerId: number; entryId: number }[],
): { messages: Message[]; skipped: number } {
  const schemaVersion = metadata.schemaVersion as Buffer | undefined;
  if (metadata.numMessagesInBatch === undefined) {
    return {
      messages: [new ReceivedMessage(
        new MessageId(idData.ledgerId, idData.entryId, partition, -1, 0, topic, chunks), topic,
        keyOf(metadata.partitionKey, metadata.partitionKeyB64Encoded), metadata.orderingKey as Buffer | undefined,
        propertiesObject(metadata.properties), metadata.eventTime || undefined, metadata.publishTime, payload,
        redeliveryCount, metadata.producerName, metadata.sequenceId, schemaVersion,
      )],
      skipped: 0,
    };
  }
  const n = metadata.numMessagesInBatch;
  const messages: Message[] = [];
  let skipped = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (pos + 4 > payload.length) throw new BatchFormatError(`batch of ${n} ends after ${i} records`);
    const metaSize = payload.readUInt32BE(pos);
    const metaEnd = pos + 4 + metaSize;
    if (metaEnd > payload.length) throw new BatchFormatError(`record ${i}: metadata runs past the batch`);
    const single = decode<SingleMessageMetadata>(SingleMessageMetadataSpec, payload, pos + 4, metaEnd);
    const end = metaEnd + single.payloadSize;
    if (end > payload.length) throw new BatchFormatError(`record ${i}: payload runs past the batch`);
    pos = end;
    if (single.compactedOut || (ackSet && ackSet.length > 0 && !bitSet(ackSet, i))) {
      skipped++;
      continue;
    }
    messages.push(new ReceivedMessage(
      new MessageId(idData.ledgerId, idData.entryId, partition, i, n, topic), topic,
      keyOf(single.partitionKey, single.partitionKeyB64Encoded), single.orderingKey as Buffer | undefined,
      propertiesObject(single.properties), single.eventTime || undefined, metadata.publishTime, payload.subarray(metaEnd, end),
      redeliveryCount, metadata.producerName, single.sequenceId ?? metadata.sequenceId + i, schemaVersion,
    ));
  }
  return { messages, skipped };
}

function bitSet(words: bigint[], i: number): boolean {
  const w = words[i >> 6];
  return w !== undefined && ((w >> BigInt(i & 63)) & 1n) === 1n;
}

/** An ack set over `size` records with every bit set except those in `acked`. */
export function ackSetWithout(size: number, acked: Iterable<number>): bigint[] {
  const words: bigint[] = [];
  for (let i = 0; i < size; i += 64) {
    const bits = Math.min(64, size - i);
    words.push(BigInt.asIntN(64, (1n << BigInt(bits)) - 1n));
  }
  for (const i of acked) {
    const w = i >> 6;
    words[w] = BigInt.asIntN(64, BigInt.asUintN(64, words[w]!) & ~(1n << BigInt(i & 63)));
  }
  return words;
}
