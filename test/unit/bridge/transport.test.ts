// The binary transport's message mapping (ids read as on the WebSocket API, times as ISO text) and
// the WebSocket transport's explanation of a broker without the WebSocket service.
import { describe, expect, it } from '@jest/globals';
import { consumed, outgoing } from '../../../adapters/bridge/transport/binary.js';
import { explain } from '../../../adapters/bridge/transport/websocket.js';
import type { Message } from '../../../adapters/pulsar/binary/index.js';
import { MessageId } from '../../../adapters/pulsar/binary/index.js';
import { messageIdText } from '../../../adapters/pulsar/message-id.js';

const message = (over: Partial<Message> = {}): Message => ({
  id: new MessageId(12, 34, 2, 5, 10, 'persistent://t/ns/in-partition-2'),
  topic: 'persistent://t/ns/in-partition-2',
  properties: { a: '1' },
  publishTime: Date.UTC(2026, 11, 1, 1, 2, 3, 456),
  payload: Buffer.from('hello'),
  redeliveryCount: 1,
  producerName: 'p',
  sequenceId: 7,
  ...over,
});

describe('binary transport mapping', () => {
  it('hands the pump what the WebSocket API would: a base64 id that reads ledger:entry:partition:batch, ISO times', () => {
    const m = consumed(message({ key: 'k', eventTime: Date.UTC(2026, 0, 2, 3, 4, 5) }));
    expect(MessageId.deserialize(Buffer.from(m.messageId, 'base64')).toString()).toBe('12:34:2:5');
    expect(messageIdText(m.messageId)).toBe('12:34:2:5');
    expect(m).toMatchObject({ payload: Buffer.from('hello'), properties: { a: '1' }, key: 'k', redeliveryCount: 1, publishTime: '2026-12-01T01:02:03.456Z', eventTime: '2026-01-02T03:04:05.000Z' });
    expect(consumed(message())).not.toHaveProperty('key');
    expect(consumed(message())).not.toHaveProperty('eventTime');
  });

  it('produces the event time as ms, and leaves out what is not set or not a time', () => {
    expect(outgoing({ payload: Buffer.from('x'), key: 'k', properties: { p: 'v' }, eventTime: '2026-01-02T03:04:05Z' }))
      .toEqual({ payload: Buffer.from('x'), key: 'k', properties: { p: 'v' }, eventTime: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(outgoing({ payload: Buffer.from('x'), eventTime: 'not a time' })).toEqual({ payload: Buffer.from('x') });
  });
});

describe('websocket transport', () => {
  it('turns a 404 handshake into the fix, and leaves other errors as they are', () => {
    expect(explain('HTTP 404: <html>…')).toBe('HTTP 404 on the WebSocket handshake: this Pulsar serves no WebSocket API (webSocketServiceEnabled=false): use the binary transport (unset BRIDGE_TRANSPORT, set BRIDGE_BROKER_URL to the broker service URL)');
    expect(explain('HTTP 401: Unauthorized')).toBe('HTTP 401: Unauthorized');
    expect(explain(undefined)).toBeUndefined();
  });
});
