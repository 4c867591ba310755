import { describe, expect, it } from '@jest/globals';
import { MessageIdDataSpec, MessageMetadataSpec, type MessageMetadata } from '../../../../adapters/pulsar/binary/commands.js';
import { MessageId } from '../../../../adapters/pulsar/binary/message-id.js';
import { decode, defineMessage, encode, ProtocolDecodeError } from '../../../../adapters/pulsar/binary/protobuf.js';

describe('proto2 codec', () => {
  it('writes the bytes protobuf defines for a message id', () => {
    // field 1 varint 1, field 2 varint 2: what Java's MessageId.toByteArray() gives for 1:2:-1
    expect(new MessageId(1, 2).serialize().toString('hex')).toBe('08011002');
    expect(new MessageId(300, 2, 3, 4, 10).serialize().toString('hex')).toBe('08ac02100218032004300a');
  });

  it('keeps the -1 and Long.MAX_VALUE sentinels', () => {
    const earliest = MessageId.earliest.serialize();
    expect(earliest.toString('hex')).toBe('08ffffffffffffffffff01' + '10ffffffffffffffffff01');
    expect(MessageId.deserialize(earliest).ledgerId).toBe(-1);
    expect(MessageId.latest.serialize().subarray(0, 10).toString('hex')).toBe('08ffffffffffffffff7f');
    const negPartition = encode(MessageIdDataSpec, { ledgerId: 5, entryId: 6, partition: -1 });
    expect(decode(MessageIdDataSpec, negPartition)).toEqual({ ledgerId: 5, entryId: 6, partition: -1 });
  });

  it('round-trips 64-bit values up to 2^53 and ack-set bitmaps exactly', () => {
    for (const v of [0, 127, 128, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 5, 2 ** 53 - 1, -2, -(2 ** 40)]) {
      const back = decode<{ ledgerId: number }>(MessageIdDataSpec, encode(MessageIdDataSpec, { ledgerId: v, entryId: 0 }));
      expect(back.ledgerId).toBe(v);
    }
    const ackSet = [-1n, 0x7fffffffffffffffn, -0x8000000000000000n, 5n];
    const back = decode<{ ackSet: bigint[] }>(MessageIdDataSpec, encode(MessageIdDataSpec, { ledgerId: 1, entryId: 1, ackSet }));
    expect(back.ackSet).toEqual(ackSet);
  });

  it('reads packed repeated scalars and skips unknown fields', () => {
    // ackSet (field 5) packed: tag 0x2a, length 2, values 3 and 4; then unknown field 15 varint
    const bytes = Buffer.from('080110022a0203047805', 'hex');
    expect(decode(MessageIdDataSpec, bytes)).toEqual({ ledgerId: 1, entryId: 2, ackSet: [3n, 4n] });
  });

  it('round-trips strings, bytes, nested and repeated messages', () => {
    const meta: MessageMetadata = {
      producerName: 'prodé-1', sequenceId: 7, publishTime: 1_700_000_000_000,
      properties: [{ key: 'a', value: '1' }, { key: 'ü', value: 'x'.repeat(200) }],
      partitionKey: 'k', eventTime: 1_699_999_999_999, orderingKey: Buffer.from([1, 2, 3]), numMessagesInBatch: 3,
    };
    const back = decode<MessageMetadata>(MessageMetadataSpec, encode(MessageMetadataSpec, meta as never));
    expect({ ...back, orderingKey: Buffer.from(back.orderingKey!) }).toEqual({ ...meta, orderingKey: Buffer.from([1, 2, 3]) });
  });

  it('names the message when the bytes are cut short', () => {
    const spec = defineMessage('Thing', [{ no: 1, name: 's', kind: 'string' }]);
    const bytes = encode(spec, { s: 'hello' });
    expect(() => decode(spec, bytes.subarray(0, 4))).toThrow(ProtocolDecodeError);
    expect(() => decode(spec, bytes.subarray(0, 4))).toThrow(/Thing/);
  });
});
