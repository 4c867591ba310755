// The WebSocket API hands out message ids as base64 of Pulsar's MessageIdData protobuf. Acks
// send that opaque string back; people (logs, CloudEvent ids) want Pulsar's own text form
// `ledgerId:entryId:partition:batchIndex`, so this decodes the few fields that make it up.

export interface MessageIdParts {
  ledgerId: bigint;
  entryId: bigint;
  partition: number;
  batchIndex: number;
}

export function decodeMessageId(base64: string): MessageIdParts {
  const bytes = Buffer.from(base64, 'base64');
  const parts: MessageIdParts = { ledgerId: -1n, entryId: -1n, partition: -1, batchIndex: -1 };
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= bytes.length) throw new Error(`message id ${base64}: truncated varint`);
      const byte = bytes[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
    }
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const value = varint();
      if (field === 1) parts.ledgerId = value;
      else if (field === 2) parts.entryId = value;
      else if (field === 3) parts.partition = Number(BigInt.asIntN(32, value));
      else if (field === 4) parts.batchIndex = Number(BigInt.asIntN(32, value));
    } else if (wire === 2) {
      pos += Number(varint()); // nested or packed fields (ack set, first chunk id): not needed
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
