// Payload compression as Pulsar's clients do it: the whole payload of a message (for a batch, the
// concatenated single-message entries) is compressed once; MessageMetadata carries the codec
// (`compression`) and the size before compression (`uncompressed_size`).
// Formats, as Pulsar's Java client writes them: LZ4 a raw LZ4 block; ZLIB a zlib stream (RFC 1950)
// that ends in a sync flush rather than a final block; ZSTD a Zstandard frame; SNAPPY raw Snappy
// (no framing format).
// Everything here is pure JavaScript, so the client installs anywhere.
import { constants as zlibConstants, deflateSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappyjs';
import { CompressionType, type CompressionCode } from './commands.js';
import { lz4CompressBlock, lz4DecompressBlock } from './lz4-block.js';

/** A payload that cannot be decompressed, or a codec that cannot be used. */
export class CompressionError extends Error {}

const names: Record<number, string> = { 0: 'NONE', 1: 'LZ4', 2: 'ZLIB', 3: 'ZSTD', 4: 'SNAPPY' };
export const compressionName = (type: number): string => names[type] ?? `compression type ${type}`;

/** Codecs this client can also produce with (ZSTD is decode-only: no pure-JS encoder is used). */
export const PRODUCIBLE_COMPRESSION: readonly (keyof typeof CompressionType)[] = ['NONE', 'LZ4', 'ZLIB', 'SNAPPY'];
const unsupported = (type: number): CompressionError =>
  new CompressionError(`unsupported compression type ${type} (known: NONE=0, LZ4=1, ZLIB=2, ZSTD=3, SNAPPY=4)`);

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * The payload before compression. `uncompressedSize` is MessageMetadata.uncompressed_size: the
 * result must have exactly that length (Pulsar treats a mismatch as a corrupt message).
 */
export function decompress(type: number, payload: Buffer, uncompressedSize: number): Buffer {
  if (type === CompressionType.NONE) return payload;
  if (!Number.isInteger(uncompressedSize) || uncompressedSize < 0) {
    throw new CompressionError(`cannot decompress ${compressionName(type)}: uncompressed_size ${uncompressedSize} is not a size`);
  }
  let out: Buffer;
  try {
    switch (type) {
      case CompressionType.LZ4:
        return lz4DecompressBlock(payload, uncompressedSize);
      case CompressionType.ZLIB:
        // Java's codec ends with a sync flush, not a final block: no end-of-stream marker and no
        // Adler-32, which a plain inflate reports as "unexpected end of file".
        // maxOutputLength: a corrupt or hostile stream cannot inflate past the declared size.
        out = inflateSync(payload, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: Math.max(uncompressedSize, 1) });
        break;
      case CompressionType.ZSTD:
        out = asBuffer(zstdDecompress(payload, new Uint8Array(uncompressedSize)));
        break;
      case CompressionType.SNAPPY:
        out = asBuffer(snappyUncompress(payload, uncompressedSize));
        break;
      default:
        throw unsupported(type);
    }
  } catch (err) {
    if (err instanceof CompressionError) throw err;
    throw new CompressionError(`cannot decompress a ${compressionName(type)} payload of ${payload.length} bytes: ${(err as Error).message}`, { cause: err });
  }
  if (out.length !== uncompressedSize) {
    throw new CompressionError(`${compressionName(type)} payload decompressed to ${out.length} bytes, but its metadata says uncompressed_size=${uncompressedSize}`);
  }
  return out;
}

/** Compresses a payload for sending; the caller puts `type` and `payload.length` into the metadata. */
export function compress(type: CompressionCode, payload: Buffer): Buffer {
  switch (type) {
    case CompressionType.NONE:
      return payload;
    case CompressionType.LZ4:
      return lz4CompressBlock(payload);
    case CompressionType.ZLIB:
      return deflateSync(payload);
    case CompressionType.SNAPPY:
      return asBuffer(snappyCompress(payload));
    case CompressionType.ZSTD:
      throw new CompressionError('compressionType ZSTD is supported for consuming only; produce with LZ4, ZLIB or SNAPPY');
    default:
      throw unsupported(type);
  }
}
