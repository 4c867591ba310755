import { describe, expect, it } from '@jest/globals';
import { crc32c } from '../../../../adapters/pulsar/binary/crc32c.js';

// Bit-at-a-time CRC32C: the definition, to check the table-driven one against.
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the published check value and RFC 3720 vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });

  it('agrees with the bit-at-a-time definition for every length and alignment', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let start = 0; start < 9; start++) {
      for (let len = 0; len < 70; len++) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(data, 0, start, start + len)).toBe(reference(slice));
      }
    }
  });

  it('continues across pieces', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog');
    expect(crc32c(data.subarray(11), crc32c(data.subarray(0, 11)))).toBe(crc32c(data));
  });
});
