// Chunked messages: a producer with chunking splits a message larger than the broker's limit into
// entries that share a uuid and carry chunk_id 0..num_chunks-1. The consumer keeps the chunks of
// a few messages at a time and hands out one message, whose id remembers every chunk's entry so
// that acknowledging it acknowledges them all.
import type { MessageMetadata } from './commands.js';

export interface EntryPosition {
  ledgerId: number;
  entryId: number;
}

interface Partial {
  parts: Buffer[];
  positions: EntryPosition[];
}

export class ChunkAssembler {
  private readonly pending = new Map<string, Partial>();

  /** `maxPending`: messages being assembled at once; the oldest is dropped beyond (Java's default 10). */
  constructor(private readonly maxPending = 10) {}

  static isChunk(metadata: MessageMetadata): boolean {
    return (metadata.numChunksFromMsg ?? 1) > 1 && metadata.uuid !== undefined && metadata.chunkId !== undefined;
  }

  /**
   * Adds one chunk. Returns the whole payload with every chunk's position once the last chunk is
   * in; undefined while parts are missing, or when the chunk does not follow the ones held
   * (a redelivery restarts at chunk 0).
   */
  add(metadata: MessageMetadata, position: EntryPosition, payload: Buffer): { payload: Buffer; positions: EntryPosition[] } | undefined {
    const uuid = metadata.uuid!;
    const chunkId = metadata.chunkId!;
    let partial = this.pending.get(uuid);
    if (chunkId === 0) {
      partial = { parts: [], positions: [] };
      this.pending.delete(uuid);
      this.pending.set(uuid, partial);
      if (this.pending.size > this.maxPending) this.pending.delete(this.pending.keys().next().value!);
    }
    if (!partial || chunkId !== partial.parts.length) return undefined;
    partial.parts.push(Buffer.from(payload)); // a copy: the frame's buffer is the socket's
    partial.positions.push({ ledgerId: position.ledgerId, entryId: position.entryId });
    if (chunkId < metadata.numChunksFromMsg! - 1) return undefined;
    this.pending.delete(uuid);
    return { payload: Buffer.concat(partial.parts), positions: partial.positions };
  }

  clear(): void {
    this.pending.clear();
  }
}
