// An HTTP/1.1 message body framed by content-length or by chunked transfer coding (extensions
// ignored, trailers read and dropped), read incrementally: the bridge's response parser and the
// SDK's request parser share it.

export interface BodyLimits {
  /** Body bytes at most (chunked: checked at each chunk size). */
  maxBytes: number;
  /** Trailer section at most. */
  maxTrailerBytes: number;
  /** Whatever is kept is copied: the caller reuses the bytes it feeds. */
  copy: boolean;
  /** The error to throw: `status` says what broke (400 malformed, 413 too large, 431 trailers too large). */
  error(status: number, message: string): Error;
}

const enum State { Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Done }

const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);

export class BodyReader {
  private state: State;
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private length = 0;

  /** `framing`: the content-length, or 'chunked'. */
  constructor(framing: number | 'chunked', private readonly limits: BodyLimits) {
    if (framing === 'chunked') {
      this.state = State.ChunkSize;
    } else {
      this.remaining = framing;
      this.state = framing ? State.Length : State.Done;
    }
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Reads from `buf` at `pos`; returns the position after what it took. It stops when the body is
   * done or at a line it cannot finish yet (which the caller keeps and feeds again with more bytes).
   */
  read(buf: Buffer, pos: number): number {
    for (;;) {
      switch (this.state) {
        case State.Length:
        case State.ChunkData: {
          if (pos >= buf.length) return pos;
          const take = Math.min(this.remaining, buf.length - pos);
          const piece = buf.subarray(pos, pos + take);
          this.chunks.push(this.limits.copy ? Buffer.from(piece) : piece);
          this.length += take;
          pos += take;
          this.remaining -= take;
          if (this.remaining) return pos;
          this.state = this.state === State.Length ? State.Done : State.ChunkEnd;
          break;
        }
        case State.ChunkEnd:
          if (buf.length - pos < 2) return pos;
          if (buf[pos] !== 13 || buf[pos + 1] !== 10) throw this.limits.error(400, 'a chunk does not end with CRLF');
          pos += 2;
          this.state = State.ChunkSize;
          break;
        case State.ChunkSize: {
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) {
            if (buf.length - pos > 1024) throw this.limits.error(400, 'chunk size line over 1024 bytes');
            return pos;
          }
          const line = buf.toString('latin1', pos, end);
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw this.limits.error(400, `invalid chunk size "${hex.slice(0, 20)}"`);
          this.remaining = parseInt(hex, 16);
          if (this.length + this.remaining > this.limits.maxBytes) throw this.limits.error(413, `body over ${this.limits.maxBytes} bytes`);
          pos = end + 2;
          this.state = this.remaining ? State.ChunkData : State.Trailers;
          break;
        }
        case State.Trailers: {
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) {
            if (buf.length - pos > this.limits.maxTrailerBytes) throw this.limits.error(431, `trailers over ${this.limits.maxTrailerBytes} bytes`);
            return pos;
          }
          const empty = end === pos;
          pos = end + 2;
          if (empty) this.state = State.Done;
          break;
        }
        case State.Done:
          return pos;
      }
    }
  }

  /** The body read so far (all of it once done). */
  body(): Buffer {
    return this.chunks.length === 0 ? EMPTY : this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
  }
}
