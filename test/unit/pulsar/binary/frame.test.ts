import { describe, expect, it } from '@jest/globals';
import { BatchBuilder } from '../../../../adapters/pulsar/binary/batch-builder.js';
import { CommandType } from '../../../../adapters/pulsar/binary/commands.js';
import { crc32c } from '../../../../adapters/pulsar/binary/crc32c.js';
import { ChecksumError, decodeFrame, encodeCommand, encodePayloadCommand, FrameError, FrameReader } from '../../../../adapters/pulsar/binary/frame.js';
import { ackSetWithout, propertiesList, unpackEntry } from '../../../../adapters/pulsar/binary/message.js';

const send = { type: CommandType.SEND, send: { producerId: 1, sequenceId: 9, numMessages: 1 } };
const meta = { producerName: 'p', sequenceId: 9, publishTime: 1000 };

describe('frames', () => {
  it('lays out a simple command as [total][cmdSize][BaseCommand]', () => {
    const frame = encodeCommand({ type: CommandType.PING, ping: {} });
    // BaseCommand{type=PING(18), ping={}}: 08 12 92 01 00
    expect(frame.toString('hex')).toBe('00000009' + '00000005' + '0812920100');
    expect(decodeFrame(frame.subarray(4)).command).toEqual({ type: CommandType.PING, ping: {} });
  });

  it('checksums metadata and payload with CRC32C after the 0x0e01 magic', () => {
    const frame = encodePayloadCommand(send, meta, Buffer.from('hello'));
    const cmdSize = frame.readUInt32BE(4);
    const magicAt = 8 + cmdSize;
    expect(frame.readUInt16BE(magicAt)).toBe(0x0e01);
    expect(frame.readUInt32BE(magicAt + 2)).toBe(crc32c(frame.subarray(magicAt + 6)));
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    const decoded = decodeFrame(frame.subarray(4));
    expect(decoded.command.send).toEqual(send.send);
    expect(decoded.metadata).toEqual(meta);
    expect(decoded.payload!.toString()).toBe('hello');
  });

  it('refuses a frame whose payload was altered', () => {
    const frame = encodePayloadCommand(send, meta, Buffer.from('hello'));
    frame[frame.length - 1]! ^= 1;
    expect(() => decodeFrame(frame.subarray(4))).toThrow(ChecksumError);
  });

  it('cuts a stream into frames whatever the chunking', () => {
    const frames = [encodeCommand({ type: CommandType.PING, ping: {} }), encodePayloadCommand(send, meta, Buffer.alloc(3000, 7)), encodeCommand({ type: CommandType.PONG, pong: {} })];
    const stream = Buffer.concat(frames);
    for (const step of [1, 3, 7, 100, 4096, stream.length]) {
      const reader = new FrameReader();
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) reader.push(stream.subarray(i, i + step), (f) => got.push(Buffer.from(f)));
      expect(got.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.subarray(4).toString('hex')));
    }
  });

  it('refuses a frame larger than the maximum before buffering it', () => {
    const reader = new FrameReader(1000);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(5000, 0);
    expect(() => reader.push(head, () => undefined)).toThrow(FrameError);
  });
});

describe('batches', () => {
  it('packs records that unpack to the same messages, with ids by batch index', () => {
    const b = new BatchBuilder(16);
    b.add({ payload: Buffer.from('one'), key: 'k1', eventTime: 5 }, 10, propertiesList({ a: '1' }));
    b.add({ payload: Buffer.from('two') }, 11, undefined);
    b.add({ payload: Buffer.alloc(100, 1), key: 'k3' }, 12, undefined);
    const batch = b.build('prod', 1234);
    expect(batch).toMatchObject({ count: 3, firstSequenceId: 10, lastSequenceId: 12 });
    expect(batch.metadata).toEqual({ producerName: 'prod', sequenceId: 10, publishTime: 1234, numMessagesInBatch: 3, highestSequenceId: 12 });
    expect(b.size).toBe(0);
    const { messages, skipped } = unpackEntry('t', 2, { ledgerId: 4, entryId: 5 }, batch.metadata, batch.payload, 1, undefined);
    expect(skipped).toBe(0);
    expect(messages.map((m) => [m.id.toString(), m.key, m.payload.length, m.sequenceId, m.eventTime])).toEqual([
      ['4:5:2:0', 'k1', 3, 10, 5], ['4:5:2:1', undefined, 3, 11, undefined], ['4:5:2:2', 'k3', 100, 12, undefined],
    ]);
    expect(messages[0]!.properties).toEqual({ a: '1' });
    expect(messages[1]!.payload.toString()).toBe('two');
    expect(messages[2]!.redeliveryCount).toBe(1);
  });

  it('skips records the ack set marks acknowledged', () => {
    const b = new BatchBuilder();
    for (let i = 0; i < 70; i++) b.add({ payload: Buffer.from(String(i)) }, i, undefined);
    const batch = b.build('p', 1);
    const ackSet = ackSetWithout(70, [0, 65]);
    const { messages, skipped } = unpackEntry('t', -1, { ledgerId: 1, entryId: 1 }, batch.metadata, batch.payload, 0, ackSet);
    expect(skipped).toBe(2);
    expect(messages).toHaveLength(68);
    expect(messages.map((m) => m.id.batchIndex)).not.toContain(0);
    expect(messages.map((m) => m.id.batchIndex)).not.toContain(65);
    expect(messages[0]!.id.batchIndex).toBe(1);
  });

  it('reads a message that is not batched', () => {
    const { messages } = unpackEntry('t', -1, { ledgerId: 1, entryId: 2 }, { ...meta, partitionKey: 'key', properties: [{ key: 'x', value: 'y' }] }, Buffer.from('p'), 0, undefined);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ key: 'key', properties: { x: 'y' }, sequenceId: 9, publishTime: 1000 });
    expect(messages[0]!.id.toString()).toBe('1:2:-1');
  });
});
