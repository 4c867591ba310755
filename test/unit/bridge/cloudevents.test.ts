import { describe, expect, it } from '@jest/globals';
import { CloudEventError, cloudEventProblems } from '../../../adapters/cloudevents/cloud-event.js';
import { hasCloudEvent, parseHttpCloudEvent, percentEncode, toBinaryHttp } from '../../../adapters/cloudevents/http-binding.js';
import { cloudEventToMessage, messageToCloudEvent } from '../../../adapters/cloudevents/pulsar-binding.js';
import { decodeMessageId, messageIdText } from '../../../adapters/pulsar/message-id.js';
import type { ConsumedMessage } from '../../../adapters/pulsar/ws-messages.js';

// MessageIdData as the broker encodes it: ledgerId=1, entryId=2, partition=3, batch_index=4 (varints).
function encodeId(fields: Array<[number, bigint]>): string {
  const out: number[] = [];
  const varint = (v: bigint) => {
    let n = BigInt.asUintN(64, v);
    while (n >= 0x80n) { out.push(Number(n & 0x7fn) | 0x80); n >>= 7n; }
    out.push(Number(n));
  };
  for (const [field, value] of fields) { varint(BigInt(field << 3)); varint(value); }
  return Buffer.from(out).toString('base64');
}

const context = { source: 'persistent://public/default/in', type: 'io.functionmesh.pulsar.message' };

function message(over: Partial<ConsumedMessage> = {}): ConsumedMessage {
  return {
    messageId: encodeId([[1, 1234n], [2, 56n], [3, -1n]]),
    payload: Buffer.from('hello'),
    properties: {},
    publishTime: '2026-01-02T03:04:05.678+01:00',
    redeliveryCount: 0,
    ...over,
  };
}

describe('message ids', () => {
  it('decodes MessageIdData into Pulsar text form, negative int32 fields included', () => {
    expect(decodeMessageId(encodeId([[1, 300000000000n], [2, 7n], [3, 2n], [4, 5n]]))).toEqual({
      ledgerId: 300000000000n, entryId: 7n, partition: 2, batchIndex: 5,
    });
    expect(messageIdText(encodeId([[1, 9n], [2, 0n], [3, -1n], [4, -1n]]))).toBe('9:0:-1:-1');
    expect(messageIdText(encodeId([[1, 2n ** 53n + 1n], [2, 2n ** 32n], [3, 0n]]))).toBe(`${2n ** 53n + 1n}:${2n ** 32n}:0:-1`);
  });
  it('skips length-delimited fields (an ack set) wherever they are', () => {
    // field 5 (ack_set), wire type 2: length 3, then three bytes; field 2 after it still counts
    const withAckSet = Buffer.concat([Buffer.from(encodeId([[1, 11n]]), 'base64'), Buffer.from([(5 << 3) | 2, 3, 8, 1, 2]), Buffer.from(encodeId([[2, 22n]]), 'base64')]);
    expect(messageIdText(withAckSet.toString('base64'))).toBe('11:22:-1:-1');
  });
  it('falls back to the raw id when it is not a MessageIdData', () => {
    expect(messageIdText('%%%')).toBe('%%%');
  });
});

describe('Pulsar message → CloudEvent', () => {
  it('builds a complete event from a plain message', () => {
    const event = messageToCloudEvent(
      message({ key: 'k1', eventTime: '2026-01-01T00:00:00Z', properties: { region: 'eu', 'X-Trace': 'abc' } }),
      { ...context, dataContentType: 'text/plain' },
    );
    expect(event.attributes).toEqual({
      specversion: '1.0', id: '1234:56:-1:-1', source: context.source, type: context.type,
      time: '2026-01-01T00:00:00.000Z', datacontenttype: 'text/plain', partitionkey: 'k1', region: 'eu',
      pulsarproperties: JSON.stringify({ 'X-Trace': 'abc' }),
    });
    expect(event.data?.toString()).toBe('hello');
  });

  it('uses the publish time, in UTC, when there is no event time', () => {
    expect(messageToCloudEvent(message(), context).attributes.time).toBe('2026-01-02T02:04:05.678Z');
  });

  it('round-trips an event through a message exactly', () => {
    const original = {
      attributes: {
        specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.created', time: '2026-05-01T12:00:00.123456Z',
        datacontenttype: 'application/json', subject: 'o/1', partitionkey: 'customer-9', traceparent: '00-abc-def-01',
      },
      data: Buffer.from('{"a":1}'),
    };
    const out = cloudEventToMessage(original);
    expect(out.key).toBe('customer-9');
    expect(out.eventTime).toBe('2026-05-01T12:00:00.123Z');
    expect(out.properties).toMatchObject({ ce_id: 'e-1', ce_source: '/orders', 'content-type': 'application/json', ce_traceparent: '00-abc-def-01' });
    const back = messageToCloudEvent(message({ payload: out.payload, properties: out.properties!, key: out.key! }), context);
    expect(back).toEqual(original);
  });

  it('gives a reply the input key unless it names its own partitionkey', () => {
    const reply = { attributes: { specversion: '1.0', id: '1', source: 's', type: 't' } };
    expect(cloudEventToMessage(reply, { key: 'in-key' }).key).toBe('in-key');
    expect(cloudEventToMessage({ attributes: { ...reply.attributes, partitionkey: 'own' } }, { key: 'in-key' }).key).toBe('own');
  });
});

describe('HTTP binding', () => {
  it('reads binary mode, percent-decoding header values', () => {
    const event = parseHttpCloudEvent(
      { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-subject': 'caf%C3%A9%20au%20lait', 'content-type': 'text/plain' },
      Buffer.from('x'),
    );
    expect(event.attributes).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't', subject: 'café au lait', datacontenttype: 'text/plain' });
    expect(event.data?.toString()).toBe('x');
  });

  it('writes binary mode that reads back the same', () => {
    const event = { attributes: { specversion: '1.0', id: '1', source: '/s', type: 't', subject: '"50%" off ✓', datacontenttype: 'application/json' }, data: Buffer.from('{}') };
    const { headers, body } = toBinaryHttp(event);
    expect(headers['ce-subject']).toBe('%2250%25%22%20off%20%E2%9C%93');
    expect(headers['content-type']).toBe('application/json');
    expect(parseHttpCloudEvent(headers, body)).toEqual(event);
  });

  it('reads structured mode: JSON data as its JSON text, text data as text, data_base64 as bytes', () => {
    const base = { specversion: '1.0', id: '1', source: '/s', type: 't', count: 3 };
    const h = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
    const json = parseHttpCloudEvent(h, Buffer.from(JSON.stringify({ ...base, data: { a: [1] } })));
    expect(json.data?.toString()).toBe('{"a":[1]}');
    expect(json.attributes.count).toBe('3');
    const text = parseHttpCloudEvent(h, Buffer.from(JSON.stringify({ ...base, datacontenttype: 'text/plain', data: 'hi' })));
    expect(text.data?.toString()).toBe('hi');
    const bin = parseHttpCloudEvent(h, Buffer.from(JSON.stringify({ ...base, data_base64: Buffer.from([0, 255]).toString('base64') })));
    expect([...bin.data!]).toEqual([0, 255]);
  });

  it.each([
    [{ 'content-type': 'text/plain' }, '', /not a CloudEvent: no ce-specversion header/],
    [{ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }, '', /attribute "id" is required/],
    [{ 'ce-specversion': '0.3', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' }, '', /specversion "0.3" is not supported: use "1.0"/],
    [{ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-time': 'yesterday' }, '', /time "yesterday" is not an RFC 3339 timestamp/],
    [{ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-My_Ext': 'v' }, '', /attribute name "my_ext" is invalid/],
    [{ 'content-type': 'application/cloudevents+json' }, '{oops', /structured CloudEvent is not valid JSON/],
    [{ 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}', /both "data" and "data_base64"/],
    [{ 'content-type': 'application/cloudevents-batch+json' }, '[]', /batched mode .* is not supported/],
  ])('rejects an invalid event with a 400 naming the problem (%#)', (headers, body, message) => {
    let error: unknown;
    try {
      parseHttpCloudEvent(headers, Buffer.from(body));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CloudEventError);
    expect((error as CloudEventError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
  });

  it('tells CloudEvent responses from plain ones', () => {
    expect(hasCloudEvent({ 'ce-specversion': '1.0' })).toBe(true);
    expect(hasCloudEvent({ 'content-type': 'application/cloudevents+json' })).toBe(true);
    expect(hasCloudEvent({ 'content-type': 'text/plain' })).toBe(false);
  });

  it('lists every problem at once', () => {
    expect(cloudEventProblems({ specversion: '1.0', source: 'a b', time: '2026-13-45T00:00:00Z' })).toHaveLength(4);
    expect(percentEncode('plain-ascii_value')).toBe('plain-ascii_value');
  });
});
