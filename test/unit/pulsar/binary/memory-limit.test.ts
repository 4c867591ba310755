import { describe, expect, it } from '@jest/globals';
import { MemoryLimit } from '../../../../adapters/pulsar/binary/memory-limit.js';

describe('MemoryLimit', () => {
  it('lets in what fits, refuses what would pass the limit, and takes anything when nothing is held', () => {
    const m = new MemoryLimit(100);
    expect(m.tryReserve(60)).toBe(true);
    expect(m.tryReserve(40)).toBe(true);
    expect(m.tryReserve(1)).toBe(false);
    expect(m.usedBytes).toBe(100);
    m.release(100);
    expect(m.tryReserve(500)).toBe(true); // larger than the limit, but alone: it must not wait forever
    expect(m.tryReserve(1)).toBe(false);
  });

  it('wakes the producers that wait on every release until they stop waiting', () => {
    const m = new MemoryLimit(10);
    const woken: string[] = [];
    const a = { admitWaiting: () => { woken.push('a'); m.stopWaiting(a); } };
    const b = { admitWaiting: () => { woken.push('b'); } };
    m.tryReserve(10);
    m.wait(a);
    m.wait(b);
    m.release(5);
    m.release(5);
    expect(woken).toEqual(['a', 'b', 'b']);
  });

  it('has no limit at 0', () => {
    const m = new MemoryLimit(0);
    expect(m.tryReserve(1e9) && m.tryReserve(1e9)).toBe(true);
  });
});
