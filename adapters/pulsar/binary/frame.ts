// Pulsar's frames on the TCP stream. Every frame is [totalSize u32][commandSize u32][BaseCommand];
// frames that carry a message go on with [0x0e01][CRC32C u32][metadataSize u32][MessageMetadata]
// [payload], the checksum covering everything after itself. A broker that adds entry metadata
// puts [0x0e02][size u32][BrokerEntryMetadata] before the 0x0e01 part. Big-endian throughout.
import { crc32c } from './crc32c.js';
import { BaseCommandSpec, BrokerEntryMetadataSpec, MessageMetadataSpec, type BaseCommand, type MessageMetadata } from './commands.js';
import { decode, sizeOf, writeInto } from './protobuf.js';

const MAGIC_CRC32C = 0x0e01;
const MAGIC_BROKER_ENTRY_METADATA = 0x0e02;
/** Frames larger than this are refused unless the broker announced a larger max message size. */
export const DEFAULT_MAX_FRAME_SIZE = 5 * 1024 * 1024 + 10 * 1024;

/** A message frame whose checksum does not match; `command` (read before the check) names it. */
export class ChecksumError extends Error {
  constructor(message: string, readonly command: BaseCommand) {
    super(message);
  }
}
export class FrameError extends Error {}

type Command = { type: number } & Record<string, unknown>;

/** A command with no message after it. */
export function encodeCommand(command: Command): Buffer {
  const size = sizeOf(BaseCommandSpec, command);
  const buf = Buffer.allocUnsafe(8 + size);
  buf.writeUInt32BE(4 + size, 0);
  buf.writeUInt32BE(size, 4);
  writeInto(BaseCommandSpec, command, buf, 8);
  return buf;
}

/** A command followed by a message (SEND): metadata and payload, checksummed. */
export function encodePayloadCommand(command: Command, metadata: MessageMetadata, payload: Uint8Array): Buffer {
  const cmdSize = sizeOf(BaseCommandSpec, command);
  const metaSize = sizeOf(MessageMetadataSpec, metadata as unknown as Record<string, unknown>);
  const total = 4 + cmdSize + 2 + 4 + 4 + metaSize + payload.length;
  const buf = Buffer.allocUnsafe(4 + total);
  buf.writeUInt32BE(total, 0);
  buf.writeUInt32BE(cmdSize, 4);
  let pos = writeInto(BaseCommandSpec, command, buf, 8);
  buf.writeUInt16BE(MAGIC_CRC32C, pos);
  const checksumAt = pos + 2;
  pos += 6;
  const checkedFrom = pos;
  buf.writeUInt32BE(metaSize, pos);
  pos = writeInto(MessageMetadataSpec, metadata as unknown as Record<string, unknown>, buf, pos + 4);
  buf.set(payload, pos);
  buf.writeUInt32BE(crc32c(buf, 0, checkedFrom, buf.length), checksumAt);
  return buf;
}

export interface DecodedFrame {
  command: BaseCommand;
  /** Present when the frame carries a message. */
  metadata?: MessageMetadata;
  payload?: Buffer;
  /** The broker's publish timestamp and index, when the broker adds entry metadata. */
  brokerEntry?: { brokerTimestamp?: number; index?: number };
}

/**
 * Decodes one frame without its leading totalSize: `frame` is [commandSize][command][...].
 * Throws ChecksumError when a message's checksum does not match.
 */
export function decodeFrame(frame: Buffer): DecodedFrame {
  if (frame.length < 4) throw new FrameError(`frame of ${frame.length} bytes is shorter than its command size field`);
  const cmdSize = frame.readUInt32BE(0);
  const cmdEnd = 4 + cmdSize;
  if (cmdEnd > frame.length) throw new FrameError(`command size ${cmdSize} runs past the frame (${frame.length} bytes)`);
  const command = decode<BaseCommand>(BaseCommandSpec, frame, 4, cmdEnd);
  if (cmdEnd === frame.length) return { command };
  let pos = cmdEnd;
  let brokerEntry: DecodedFrame['brokerEntry'];
  if (frame.readUInt16BE(pos) === MAGIC_BROKER_ENTRY_METADATA) {
    const size = frame.readUInt32BE(pos + 2);
    brokerEntry = decode(BrokerEntryMetadataSpec, frame, pos + 6, pos + 6 + size);
    pos += 6 + size;
  }
  if (frame.readUInt16BE(pos) !== MAGIC_CRC32C) throw new FrameError(`expected the checksum magic 0x0e01 at byte ${pos}`);
  const expected = frame.readUInt32BE(pos + 2);
  pos += 6;
  const actual = crc32c(frame, 0, pos, frame.length);
  if (actual !== expected) throw new ChecksumError(`message checksum mismatch: frame says ${expected.toString(16)}, computed ${actual.toString(16)}`, command);
  const metaSize = frame.readUInt32BE(pos);
  const metaEnd = pos + 4 + metaSize;
  if (metaEnd > frame.length) throw new FrameError(`metadata size ${metaSize} runs past the frame`);
  const metadata = decode<MessageMetadata>(MessageMetadataSpec, frame, pos + 4, metaEnd);
  return { command, metadata, payload: frame.subarray(metaEnd), brokerEntry };
}

/**
 * Cuts a TCP byte stream into frames. Chunks are kept as they come and joined once a frame is
 * whole, so a large message costs one copy; frames inside one chunk are views, no copy.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  setMaxFrameSize(size: number): void {
    this.maxFrameSize = size;
  }

  /** Feeds bytes; calls `onFrame` with each whole frame (without its totalSize field). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let buf: Buffer;
    if (this.buffered === 0) {
      buf = chunk;
    } else {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered < 4) return;
      const need = 4 + this.peekSize();
      if (this.buffered < need) return;
      buf = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
    }
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = buf.readUInt32BE(pos);
      if (size > this.maxFrameSize) throw new FrameError(`frame of ${size} bytes is larger than the maximum ${this.maxFrameSize}`);
      if (buf.length - pos - 4 < size) break;
      onFrame(buf.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.chunks = [rest];
      this.buffered = rest.length;
    }
  }

  private peekSize(): number {
    const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const size = head.readUInt32BE(0);
    if (size > this.maxFrameSize) throw new FrameError(`frame of ${size} bytes is larger than the maximum ${this.maxFrameSize}`);
    return size;
  }
}
