// The LZ4 *block* format (no frame, no checksum, no length prefix): what Pulsar's LZ4 codec
// writes into a message payload, the uncompressed size travelling in the message metadata.
// A block is a run of sequences: a token (high nibble literal count, low nibble match length - 4,
// 15 meaning "more length bytes follow, each added, until one is < 255"), the literals, then a
// 2-byte little-endian back-reference offset and the match. The last sequence has literals only.

const MIN_MATCH = 4;
/** The last match must start at least 12 bytes before the end, and the last 5 bytes are literals. */
const MF_LIMIT = 12;
const LAST_LITERALS = 5;
const MAX_OFFSET = 0xffff;
const HASH_BITS = 16;
/** Below this many bytes a plain loop beats set()/copyWithin(), which pay for a view or a call. */
const SHORT_COPY = 32;

/** Copies `n` bytes from src[s] to dst[d]; returns the new end in dst. */
function copyBytes(src: Uint8Array, s: number, dst: Uint8Array, d: number, n: number): number {
  if (n > SHORT_COPY) {
    dst.set(src.subarray(s, s + n), d);
    return d + n;
  }
  for (const stop = s + n; s < stop;) dst[d++] = src[s++]!;
  return d;
}

/** Worst case size of a compressed block (incompressible input stored as literals). */
export function lz4MaxCompressedLength(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

class CorruptBlock extends Error {
  constructor(why: string, s: number, end: number, d: number, size: number) {
    super(`LZ4 block is corrupt: ${why} (at input byte ${s} of ${end}, output byte ${d} of ${size})`);
  }
}

/** The value extendLength() read (a second return value without an allocation per call). */
let extended = 0;

/**
 * A length nibble of 15 continues in bytes that are added on, up to and including the first one
 * below 255. Sets `extended` to the length, returns the input position after it.
 */
function extendLength(src: Uint8Array, s: number, end: number, n: number, what: string, d: number, size: number): number {
  if (n === 15) {
    let b: number;
    do {
      if (s >= end) throw new CorruptBlock(`${what} runs past the input`, s, end, d, size);
      b = src[s++]!;
      n += b;
    } while (b === 255);
  }
  extended = n;
  return s;
}

/**
 * Decodes one block into exactly `uncompressedSize` bytes; throws on any reference outside the
 * input or output, or a result of another size.
 */
export function lz4DecompressBlock(src: Uint8Array, uncompressedSize: number): Buffer {
  const size = uncompressedSize;
  const dst = Buffer.allocUnsafe(size);
  const end = src.length;
  let s = 0;
  let d = 0;
  while (s < end) {
    const token = src[s++]!;
    s = extendLength(src, s, end, token >>> 4, 'literal length', d, size);
    const literals = extended;
    if (s + literals > end) throw new CorruptBlock('literals run past the input', s, end, d, size);
    if (d + literals > size) throw new CorruptBlock(`literals run past uncompressed_size=${size}`, s, end, d, size);
    d = copyBytes(src, s, dst, d, literals);
    s += literals;
    if (s === end) break; // the last sequence: literals only
    if (s + 2 > end) throw new CorruptBlock('match offset runs past the input', s, end, d, size);
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d) throw new CorruptBlock(`match offset ${offset} points before the output`, s, end, d, size);
    s = extendLength(src, s, end, token & 15, 'match length', d, size);
    const length = extended + MIN_MATCH;
    if (d + length > size) throw new CorruptBlock(`match runs past uncompressed_size=${size}`, s, end, d, size);
    let from = d - offset;
    if (offset >= length && length > SHORT_COPY) {
      dst.copyWithin(d, from, from + length);
      d += length;
    } else {
      // Short, or overlapping (a repeating pattern): byte by byte, front to back.
      for (const stop = d + length; d < stop;) dst[d++] = dst[from++]!;
    }
  }
  if (d !== size) throw new CorruptBlock(`decoded ${d} bytes, but uncompressed_size=${size}`, s, end, d, size);
  return dst;
}

/** Reused between calls; a small input clears and uses only the front of it. */
const table = new Int32Array(1 << HASH_BITS);

function hash4(src: Uint8Array, i: number, shift: number): number {
  const v = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
  return Math.imul(v, 2654435761) >>> shift;
}

function writeLength(dst: Buffer, d: number, n: number): number {
  for (; n >= 255; n -= 255) dst[d++] = 255;
  dst[d++] = n;
  return d;
}

/** A greedy single-probe hash-table compressor (the "fast" LZ4 level). */
export function lz4CompressBlock(src: Uint8Array): Buffer {
  const n = src.length;
  const dst = Buffer.allocUnsafe(lz4MaxCompressedLength(n));
  const bits = Math.min(HASH_BITS, Math.max(8, Math.ceil(Math.log2(n + 1))));
  const shift = 32 - bits;
  const slots = table.subarray(0, 1 << bits).fill(-1);
  let d = 0;
  let anchor = 0;
  const matchLimit = n - MF_LIMIT; // a match may start at or before this
  const copyLimit = n - LAST_LITERALS; // a match may extend up to here
  let i = 0;
  while (i <= matchLimit) {
    const h = hash4(src, i, shift);
    const candidate = slots[h]!;
    slots[h] = i;
    if (candidate < 0 || i - candidate > MAX_OFFSET
      || src[candidate] !== src[i] || src[candidate + 1] !== src[i + 1]
      || src[candidate + 2] !== src[i + 2] || src[candidate + 3] !== src[i + 3]) {
      i++;
      continue;
    }
    let end = i + MIN_MATCH;
    let back = candidate + MIN_MATCH;
    while (end < copyLimit && src[end] === src[back]) { end++; back++; }
    const literals = i - anchor;
    const matchLength = end - i - MIN_MATCH;
    const tokenAt = d++;
    dst[tokenAt] = (Math.min(literals, 15) << 4) | Math.min(matchLength, 15);
    if (literals >= 15) d = writeLength(dst, d, literals - 15);
    d = copyBytes(src, anchor, dst, d, literals);
    const offset = i - candidate;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    if (matchLength >= 15) d = writeLength(dst, d, matchLength - 15);
    i = end;
    anchor = end;
  }
  const literals = n - anchor;
  dst[d++] = Math.min(literals, 15) << 4;
  if (literals >= 15) d = writeLength(dst, d, literals - 15);
  dst.set(src.subarray(anchor, n), d);
  d += literals;
  return dst.subarray(0, d);
}
