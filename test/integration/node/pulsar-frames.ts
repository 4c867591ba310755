// Two Pulsar binary-protocol frames, hand-encoded, so a pod with only busybox `nc` can look a topic
// up on the broker port: [total size][command size][BaseCommand protobuf], sizes big-endian u32.
// Field numbers from PulsarApi.proto: BaseCommand.type = 1, .connect = 2, .lookupTopic = 23;
// Type CONNECT = 2, LOOKUP = 23; CommandConnect.client_version = 1, .protocol_version = 4;
// CommandLookupTopic.topic = 1, .request_id = 2.

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}

const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const int = (field: number, value: number) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field: number, value: Buffer) => Buffer.concat([key(field, 2), varint(value.length), value]);

function frame(command: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(command.length + 4, 0);
  head.writeUInt32BE(command.length, 4);
  return Buffer.concat([head, command]);
}

export function connectFrame(): Buffer {
  const connect = Buffer.concat([bytes(1, Buffer.from('function-mesh-node-test')), int(4, 21)]);
  return frame(Buffer.concat([int(1, 2), bytes(2, connect)]));
}

export function lookupFrame(topic: string, requestId: number): Buffer {
  const lookup = Buffer.concat([bytes(1, Buffer.from(topic)), int(2, requestId)]);
  return frame(Buffer.concat([int(1, 23), bytes(23, lookup)]));
}
