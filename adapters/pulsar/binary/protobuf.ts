// A small proto2 codec driven by field tables (commands.ts holds the tables). Pulsar's protocol
// needs only a dozen scalar kinds, and owning the codec keeps the hot paths cheap: one size pass,
// then one write pass straight into the frame's buffer; decoding makes plain objects whose byte
// fields are views on the frame (no copy).
//
// 64-bit integers are JS numbers: exact up to 2^53, which ledger ids, entry ids, sequence ids and
// request ids stay under. Pulsar's sentinels survive: -1 (earliest) round-trips, and numbers at or
// past 2^63 encode as Long.MAX_VALUE (latest). Bitmaps where every bit counts (ack sets) use the
// `int64big` kind, a bigint.

export type FieldKind = 'uint64' | 'int64' | 'int64big' | 'uint32' | 'int32' | 'enum' | 'bool' | 'double' | 'string' | 'bytes' | 'message';

export interface FieldSpec {
  no: number;
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  /** For kind 'message': the nested message's table (a thunk allows recursive messages). */
  message?: () => MessageSpec;
}

export interface MessageSpec {
  name: string;
  fields: FieldSpec[];
  /** Field table indexed by field number, for decoding. */
  byNo: (FieldSpec | undefined)[];
}

export function defineMessage(name: string, fields: FieldSpec[]): MessageSpec {
  const byNo: (FieldSpec | undefined)[] = [];
  for (const f of fields) byNo[f.no] = f;
  return { name, fields, byNo };
}

const TWO32 = 4294967296;
const MAX_INT64_AS_NUMBER = 2 ** 63; // Long.MAX_VALUE as a double rounds up to this

type Obj = Record<string, unknown>;

// ---- sizes ----

function varint32Size(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function varint64Size(v: number): number {
  if (v >= 0 && v < TWO32) return varint32Size(v);
  if (v < 0 || v >= MAX_INT64_AS_NUMBER) return v < 0 ? 10 : 9;
  let n = 5;
  let hi = Math.floor(v / TWO32);
  hi >>>= 3; // 35 bits are in the first five bytes
  while (hi > 0) {
    n++;
    hi >>>= 7;
  }
  return n;
}

function bigSize(v: bigint): number {
  let u = BigInt.asUintN(64, v);
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

function valueSize(f: FieldSpec, v: unknown): number {
  switch (f.kind) {
    case 'uint64':
    case 'int64':
      return varint64Size(v as number);
    case 'int64big':
      return bigSize(v as bigint);
    case 'uint32':
      return varint32Size(v as number);
    case 'int32':
    case 'enum':
      return (v as number) < 0 ? 10 : varint32Size(v as number);
    case 'bool':
      return 1;
    case 'double':
      return 8;
    case 'string': {
      const len = Buffer.byteLength(v as string);
      return varint32Size(len) + len;
    }
    case 'bytes': {
      const len = (v as Uint8Array).length;
      return varint32Size(len) + len;
    }
    case 'message': {
      const len = sizeOf(f.message!(), v as Obj);
      return varint32Size(len) + len;
    }
  }
}

/** Encoded size of `obj` under `spec`. Fields that are undefined or null are left out. */
export function sizeOf(spec: MessageSpec, obj: Obj): number {
  let size = 0;
  for (const f of spec.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    const tag = varint32Size(f.no << 3);
    if (f.repeated) {
      for (const item of v as unknown[]) size += tag + valueSize(f, item);
    } else {
      size += tag + valueSize(f, v);
    }
  }
  return size;
}

// ---- writing ----

function writeVarint32(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarint64(buf: Buffer, pos: number, v: number): number {
  if (v >= 0 && v < TWO32) return writeVarint32(buf, pos, v);
  let lo: number;
  let hi: number;
  if (v >= MAX_INT64_AS_NUMBER) {
    lo = 0xffffffff;
    hi = 0x7fffffff;
  } else if (v < 0) {
    const u = -v; // two's complement of |v| over 64 bits
    lo = (~(u % TWO32) + 1) >>> 0;
    hi = (~Math.floor(u / TWO32) + (lo === 0 ? 1 : 0)) >>> 0;
  } else {
    lo = v % TWO32 >>> 0;
    hi = Math.floor(v / TWO32) >>> 0;
  }
  while (hi > 0 || lo >= 0x80) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

function writeBig(buf: Buffer, pos: number, v: bigint): number {
  let u = BigInt.asUintN(64, v);
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

function writeValue(buf: Buffer, pos: number, f: FieldSpec, v: unknown): number {
  switch (f.kind) {
    case 'uint64':
    case 'int64':
      return writeVarint64(buf, writeVarint32(buf, pos, f.no << 3), v as number);
    case 'int64big':
      return writeBig(buf, writeVarint32(buf, pos, f.no << 3), v as bigint);
    case 'uint32':
      return writeVarint32(buf, writeVarint32(buf, pos, f.no << 3), v as number);
    case 'int32':
    case 'enum':
      pos = writeVarint32(buf, pos, f.no << 3);
      return (v as number) < 0 ? writeVarint64(buf, pos, v as number) : writeVarint32(buf, pos, v as number);
    case 'bool':
      pos = writeVarint32(buf, pos, f.no << 3);
      buf[pos] = v ? 1 : 0;
      return pos + 1;
    case 'double':
      pos = writeVarint32(buf, pos, (f.no << 3) | 1);
      buf.writeDoubleLE(v as number, pos);
      return pos + 8;
    case 'string': {
      pos = writeVarint32(buf, pos, (f.no << 3) | 2);
      const s = v as string;
      // Short ASCII strings (names, topics) are the common case: skip the encoder's setup cost.
      if (s.length < 64) {
        let ascii = true;
        for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
        if (ascii) {
          buf[pos++] = s.length;
          for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
          return pos;
        }
      }
      const len = Buffer.byteLength(s);
      pos = writeVarint32(buf, pos, len);
      return pos + buf.write(s, pos);
    }
    case 'bytes': {
      const b = v as Uint8Array;
      pos = writeVarint32(buf, writeVarint32(buf, pos, (f.no << 3) | 2), b.length);
      buf.set(b, pos);
      return pos + b.length;
    }
    case 'message': {
      const spec = f.message!();
      pos = writeVarint32(buf, writeVarint32(buf, pos, (f.no << 3) | 2), sizeOf(spec, v as Obj));
      return writeInto(spec, v as Obj, buf, pos);
    }
  }
}

/** Writes `obj` at `pos` (the caller sized `buf` with sizeOf) and returns the end position. */
export function writeInto(spec: MessageSpec, obj: Obj, buf: Buffer, pos: number): number {
  for (const f of spec.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated) {
      for (const item of v as unknown[]) pos = writeValue(buf, pos, f, item);
    } else {
      pos = writeValue(buf, pos, f, v);
    }
  }
  return pos;
}

export function encode(spec: MessageSpec, obj: Obj): Buffer {
  const buf = Buffer.allocUnsafe(sizeOf(spec, obj));
  writeInto(spec, obj, buf, 0);
  return buf;
}

// ---- reading ----

export class ProtocolDecodeError extends Error {}

// The varint just read, as two 32-bit halves: module state instead of a closure per decode call,
// which the hot path (every received message) would allocate.
let vlo = 0;
let vhi = 0;

/** Reads a varint at `pos` into vlo/vhi; returns the position after it. */
function readVarint(buf: Buffer, pos: number, end: number, name: string): number {
  vlo = 0;
  vhi = 0;
  let b: number;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw new ProtocolDecodeError(`${name}: truncated varint`);
    b = buf[pos++]!;
    vlo |= (b & 0x7f) << shift;
    if (b < 0x80) return pos;
  }
  if (pos >= end) throw new ProtocolDecodeError(`${name}: truncated varint`);
  b = buf[pos++]!;
  vlo |= (b & 0x0f) << 28;
  vhi = (b & 0x7f) >> 4;
  if (b < 0x80) return pos;
  for (let shift = 3; shift < 32; shift += 7) {
    if (pos >= end) throw new ProtocolDecodeError(`${name}: truncated varint`);
    b = buf[pos++]!;
    vhi |= (b & 0x7f) << shift;
    if (b < 0x80) return pos;
  }
  throw new ProtocolDecodeError(`${name}: varint longer than 10 bytes`);
}

/** Reads a protobuf message from `buf[start, end)`. */
export function decode<T = Obj>(spec: MessageSpec, buf: Buffer, start = 0, end = buf.length): T {
  const obj: Obj = {};
  let pos = start;
  while (pos < end) {
    pos = readVarint(buf, pos, end, spec.name);
    const no = vlo >>> 3;
    const wire = vlo & 7;
    const f = spec.byNo[no];
    let value: unknown;
    if (wire === 0) {
      pos = readVarint(buf, pos, end, spec.name);
      if (!f) continue;
      value = scalar(f.kind, vlo, vhi);
    } else if (wire === 2) {
      pos = readVarint(buf, pos, end, spec.name);
      const s = pos;
      pos += vlo >>> 0;
      if (pos > end) throw new ProtocolDecodeError(`${spec.name}: field ${no} runs past the end`);
      if (!f) continue;
      if (f.kind === 'string') value = buf.toString('utf8', s, pos);
      else if (f.kind === 'bytes') value = buf.subarray(s, pos);
      else if (f.kind === 'message') value = decode(f.message!(), buf, s, pos);
      else if (f.repeated) {
        // A packed repeated scalar: decode each element in place.
        const items = (obj[f.name] as unknown[] | undefined) ?? [];
        for (let p = s; p < pos; ) {
          p = readVarint(buf, p, pos, spec.name);
          items.push(scalar(f.kind, vlo, vhi));
        }
        obj[f.name] = items;
        continue;
      } else throw new ProtocolDecodeError(`${spec.name}: field ${f.name} has wire type 2, expected ${f.kind}`);
    } else if (wire === 1) {
      pos += 8;
      if (pos > end) throw new ProtocolDecodeError(`${spec.name}: field ${no} runs past the end`);
      if (!f) continue;
      value = buf.readDoubleLE(pos - 8);
    } else if (wire === 5) {
      pos += 4;
      continue;
    } else {
      throw new ProtocolDecodeError(`${spec.name}: unsupported wire type ${wire} for field ${no}`);
    }
    if (f.repeated) {
      const items = obj[f.name] as unknown[] | undefined;
      if (items) items.push(value);
      else obj[f.name] = [value];
    } else {
      obj[f.name] = value;
    }
  }
  return obj as T;
}

function scalar(kind: FieldKind, lo: number, hi: number): unknown {
  switch (kind) {
    case 'bool':
      return lo !== 0 || hi !== 0;
    case 'int32':
    case 'enum':
      return lo | 0;
    case 'uint32':
      return lo >>> 0;
    case 'int64big':
      return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    default:
      // uint64/int64: signed reading keeps Pulsar's -1 sentinels.
      return (hi | 0) * TWO32 + (lo >>> 0);
  }
}
