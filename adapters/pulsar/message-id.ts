// The WebSocket API hands out message ids as base64 of Pulsar's MessageIdData protobuf. Acks
// send that opaque string back; people (logs, CloudEvent ids) want Pulsar's own text form
// `ledgerId:entryId:partition:batchIndex`, so this decodes the few fields that make it up.

export interface MessageIdParts {
  ledgerId: bigint;
  entryId: bigint;
  partition: number;
  batchIndex: number;
}

// The varint just read, as two 32-bit halves: no BigInt per byte on a path every message takes.
let lo = 0;
let hi = 0;

function readVarint(bytes: Buffer, pos: number, base64: string): number {
  lo = 0;
  hi = 0;
  for (let i = 0; ; i++) {
    if (pos >= bytes.length || i >= 10) throw new Error(`message id ${base64}: truncated varint`);
    const byte = bytes[pos++]!;
    const bits = byte & 0x7f;
    if (i < 4) lo |= bits << (7 * i);
    else if (i === 4) {
      lo |= bits << 28;
      hi = bits >>> 4;
    } else hi |= bits << (7 * i - 32);
    if (!(byte & 0x80)) {
      lo >>>= 0;
      hi >>>= 0;
      return pos;
    }
  }
}

const asUint64 = (): bigint => (hi < 0x200000 ? BigInt(hi * 4294967296 + lo) : (BigInt(hi) << 32n) | BigInt(lo));

export function decodeMessageId(base64: string): MessageIdParts {
  const bytes = Buffer.from(base64, 'base64');
  const parts: MessageIdParts = { ledgerId: -1n, entryId: -1n, partition: -1, batchIndex: -1 };
  let pos = 0;
  while (pos < bytes.length) {
    pos = readVarint(bytes, pos, base64);
    const field = lo >>> 3;
    const wire = lo & 7;
    if (wire === 0) {
      pos = readVarint(bytes, pos, base64);
      if (field === 1) parts.ledgerId = asUint64();
      else if (field === 2) parts.entryId = asUint64();
      else if (field === 3) parts.partition = lo | 0; // int32: the low 32 bits, signed
      else if (field === 4) parts.batchIndex = lo | 0;
    } else if (wire === 2) {
      pos = readVarint(bytes, pos, base64);
      pos += lo; // nested or packed fields (ack set, first chunk id): not needed
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`message id ${base64}: unsupported protobuf wire type ${wire}`);
    }
  }
  if (parts.ledgerId < 0n || parts.entryId < 0n) throw new Error(`message id ${base64}: no ledger or entry id`);
  return parts;
}

/** Pulsar's MessageId.toString() form; falls back to the raw id if it cannot be decoded. */
export function messageIdText(base64: string): string {
  try {
    const p = decodeMessageId(base64);
    return `${p.ledgerId}:${p.entryId}:${p.partition}:${p.batchIndex}`;
  } catch {
    return base64;
  }
}
