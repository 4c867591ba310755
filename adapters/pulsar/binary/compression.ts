// The seam for message compression. This file is a placeholder that knows NONE only; the codecs
// (LZ4, ZLIB, ZSTD, Snappy) replace it with the same two exports. The consumer calls
// decompress() on every compressed entry before unpacking it, the producer calls compress() on
// each entry when a compression type is set.
import { CompressionType, type CompressionCode } from './commands.js';

export class CompressionError extends Error {}

const names: Record<number, string> = { 0: 'NONE', 1: 'LZ4', 2: 'ZLIB', 3: 'ZSTD', 4: 'SNAPPY' };
export const compressionName = (type: number): string => names[type] ?? `compression type ${type}`;

/** Returns the payload as it was before compression; `uncompressedSize` is from the metadata. */
export function decompress(type: number, payload: Buffer, uncompressedSize: number): Buffer {
  if (type === CompressionType.NONE) return payload;
  void uncompressedSize;
  throw new CompressionError(`${compressionName(type)}-compressed messages cannot be read yet: this build has no ${compressionName(type)} codec`);
}

export function compress(type: CompressionCode, payload: Buffer): Buffer {
  if (type === CompressionType.NONE) return payload;
  throw new CompressionError(`compressionType ${compressionName(type)} is not available in this build; use NONE`);
}
