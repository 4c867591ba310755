import { describe, expect, it } from '@jest/globals';
import { ChunkAssembler } from '../../../../adapters/pulsar/binary/chunk-assembler.js';

const meta = (uuid: string, chunkId: number, numChunksFromMsg = 3) => ({ producerName: 'p', sequenceId: 1, publishTime: 1, uuid, chunkId, numChunksFromMsg });
const at = (entryId: number) => ({ ledgerId: 7, entryId });

describe('chunk assembler', () => {
  it('joins the chunks of a message in order and remembers each entry', () => {
    const a = new ChunkAssembler();
    expect(a.add(meta('u', 0), at(1), Buffer.from('ab'))).toBeUndefined();
    expect(a.add(meta('u', 1), at(2), Buffer.from('cd'))).toBeUndefined();
    const whole = a.add(meta('u', 2), at(3), Buffer.from('e'));
    expect(whole!.payload.toString()).toBe('abcde');
    expect(whole!.positions).toEqual([at(1), at(2), at(3)]);
  });

  it('keeps messages apart by uuid, and restarts a message when chunk 0 comes again', () => {
    const a = new ChunkAssembler();
    a.add(meta('x', 0, 2), at(1), Buffer.from('x0'));
    a.add(meta('y', 0, 2), at(2), Buffer.from('y0'));
    a.add(meta('x', 0, 2), at(3), Buffer.from('X0')); // redelivered from the start
    expect(a.add(meta('y', 1, 2), at(4), Buffer.from('y1'))!.payload.toString()).toBe('y0y1');
    expect(a.add(meta('x', 1, 2), at(5), Buffer.from('X1'))!.positions).toEqual([at(3), at(5)]);
  });

  it('drops a chunk that does not follow the ones held, and the oldest message beyond the limit', () => {
    const a = new ChunkAssembler(2);
    expect(a.add(meta('u', 1), at(1), Buffer.from('?'))).toBeUndefined();
    a.add(meta('a', 0, 2), at(1), Buffer.from('a'));
    a.add(meta('b', 0, 2), at(2), Buffer.from('b'));
    a.add(meta('c', 0, 2), at(3), Buffer.from('c')); // 'a' is dropped
    expect(a.add(meta('a', 1, 2), at(4), Buffer.from('A'))).toBeUndefined();
    expect(a.add(meta('b', 1, 2), at(5), Buffer.from('B'))!.payload.toString()).toBe('bB');
  });

  it('knows a chunk by its metadata', () => {
    expect(ChunkAssembler.isChunk(meta('u', 0))).toBe(true);
    expect(ChunkAssembler.isChunk({ producerName: 'p', sequenceId: 1, publishTime: 1 })).toBe(false);
  });
});
