// Payload codecs against bytes Pulsar's own Java codecs wrote (fixtures/compression-vectors.json,
// made by test/support/java/CompressionVectors.java; regenerate with
// `npx tsx test/support/write-compression-vectors.ts`), plus round trips and corrupt input.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { CompressionType, type CompressionCode } from '../../../adapters/pulsar/binary/commands.js';
import { compress, CompressionError, decompress, PRODUCIBLE_COMPRESSION } from '../../../adapters/pulsar/binary/compression.js';
import { lz4CompressBlock, lz4DecompressBlock } from '../../../adapters/pulsar/binary/lz4-block.js';

interface Vector { name: string; input: string; compressed: Record<string, string | number> }
const vectors = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/compression-vectors.json'), 'utf8')) as Vector[];
const codecs = ['LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'] as const;

/** Inputs that exercise each encoder's edge cases: empty, tiny, runs, incompressible, long. */
function samples(): Buffer[] {
  let seed = 7;
  const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; }));
  return [
    Buffer.alloc(0),
    Buffer.from('x'),
    Buffer.from('twelve bytes'),
    Buffer.alloc(70_000, 0x61), // one run, far longer than one length byte
    noise(4096), // incompressible
    Buffer.concat([noise(300), Buffer.from('abcabcabcabc'.repeat(50)), noise(70_000), noise(20)]),
    Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ i, fn: 'exclamation' })))),
    Buffer.concat([noise(64), Buffer.from('01234567890123'.repeat(2))]), // repeats inside the last 12 bytes
  ];
}

describe('decompress: bytes written by Pulsar\'s Java codecs', () => {
  it('has vectors for every codec', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    for (const v of vectors) for (const c of codecs) expect(typeof v.compressed[c]).toBe('string');
  });

  for (const codec of codecs) {
    it(`${codec}: each vector decodes to its input`, () => {
      for (const v of vectors) {
        const input = Buffer.from(v.input, 'base64');
        // The type number the Java enum carries must be ours too.
        expect(v.compressed[`${codec}_type`]).toBe(CompressionType[codec]);
        const out = decompress(CompressionType[codec], Buffer.from(v.compressed[codec] as string, 'base64'), input.length);
        expect(out.equals(input)).toBe(true);
      }
    });
  }
});

describe('compress then decompress', () => {
  for (const name of PRODUCIBLE_COMPRESSION) {
    it(`${name} round-trips every sample`, () => {
      const type = CompressionType[name];
      for (const s of samples()) {
        const c = compress(type, s);
        expect(decompress(type, c, s.length).equals(s)).toBe(true);
      }
    });
  }

  it('LZ4 actually compresses repetitive input and keeps incompressible input near its size', () => {
    const [, , , run, noise] = samples() as [Buffer, Buffer, Buffer, Buffer, Buffer];
    expect(lz4CompressBlock(run).length).toBeLessThan(run.length / 50);
    expect(lz4CompressBlock(noise).length).toBeLessThanOrEqual(noise.length + noise.length / 255 + 16);
  });

  it('LZ4 output keeps the block format\'s end rules (last 5 bytes literal, no match in the last 12)', () => {
    // A decoder that copies in 8-byte steps relies on them; the last sequence has no match, and
    // its literal count covers at least the final 5 bytes.
    for (const s of samples().filter((x) => x.length >= 13)) {
      const block = lz4CompressBlock(s);
      let i = 0;
      let out = 0;
      let lastMatchStart = -1;
      while (i < block.length) {
        const token = block[i++]!;
        let lit = token >>> 4;
        if (lit === 15) { let b; do { b = block[i++]!; lit += b; } while (b === 255); }
        i += lit; out += lit;
        if (i >= block.length) { expect(lit).toBeGreaterThanOrEqual(5); break; }
        i += 2;
        let len = token & 15;
        if (len === 15) { let b; do { b = block[i++]!; len += b; } while (b === 255); }
        lastMatchStart = out;
        out += len + 4;
      }
      expect(out).toBe(s.length);
      expect(lastMatchStart).toBeLessThanOrEqual(s.length - 12);
    }
  });
});

describe('bad input', () => {
  const text = Buffer.from('hello hello hello hello hello hello hello');

  it('a size that does not match the metadata is an error naming both sizes', () => {
    for (const name of ['LZ4', 'ZLIB', 'SNAPPY'] as (keyof typeof CompressionType)[]) {
      const c = compress(CompressionType[name], text);
      expect(() => decompress(CompressionType[name], c, text.length + 1)).toThrow(new RegExp(`${name}.*${text.length} bytes.*uncompressed_size=${text.length + 1}`));
    }
    // Larger than declared: inflating stops at the declared size instead of growing without bound.
    expect(() => decompress(CompressionType.ZLIB, deflateSync(text), text.length - 1)).toThrow(/ZLIB/);
    expect(() => decompress(CompressionType.LZ4, compress(CompressionType.LZ4, text), text.length - 1)).toThrow(new RegExp(`LZ4.*uncompressed_size=${text.length - 1}`));
  });

  it('LZ4 rejects offsets before the output and truncated input', () => {
    // token: 1 literal, match len 4; literal 'a'; offset 2 > 1 byte written so far
    expect(() => lz4DecompressBlock(Buffer.from([0x10, 0x61, 0x02, 0x00]), 5)).toThrow(/offset 2/);
    const good = lz4CompressBlock(text);
    expect(() => lz4DecompressBlock(good.subarray(0, good.length - 3), text.length)).toThrow(/corrupt/);
  });

  it('garbage in each codec is an error that names the codec', () => {
    const junk = Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef]);
    for (const name of ['LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'] as (keyof typeof CompressionType)[]) {
      expect(() => decompress(CompressionType[name], junk, 100)).toThrow(new RegExp(name));
      expect(() => decompress(CompressionType[name], junk, 100)).toThrow(CompressionError);
    }
  });

  it('unknown types are rejected with the known ones listed', () => {
    expect(() => decompress(9, text, text.length)).toThrow(/unsupported compression type 9.*SNAPPY=4/);
    expect(() => compress(9 as CompressionCode, text)).toThrow(CompressionError);
    expect(() => compress(CompressionType.ZSTD, text)).toThrow(/ZSTD is supported for consuming only/);
  });

  it('NONE passes the payload through untouched', () => {
    expect(decompress(CompressionType.NONE, text, text.length)).toBe(text);
  });
});
