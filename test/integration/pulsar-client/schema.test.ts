// What this client declares on topics where a Java runner registered a schema: a Java function
// over Strings registers STRING on its topics. Declaring nothing (bytes) works on such a topic
// unless the namespace enforces schema validation; declaring STRING matches it; a conflicting
// declaration fails with the broker's IncompatibleSchema. The other way round: once bytes were
// written to a topic without a schema, the broker refuses a STRING consumer (a Java String
// runner) there, so a producer whose topic a Java String function reads declares STRING.
import { describe, expect, it } from '@jest/globals';
import { admin, broker, suiteClient, uniqueTopic, uploadSchema } from './support.js';

const { webUrl } = broker();
const client = suiteClient();

describe('schemas', () => {
  it('reads and writes bytes, or declares STRING, on a topic with a STRING schema', async () => {
    const topic = uniqueTopic('schema-string');
    await uploadSchema(webUrl, topic, 'STRING');
    const bytesConsumer = await client().subscribe({ topic, subscription: 'bytes' });
    const stringConsumer = await client().subscribe({ topic, subscription: 'string', schema: { type: 'STRING' } });
    const bytesProducer = await client().createProducer({ topic });
    const stringProducer = await client().createProducer({ topic, schema: { type: 'STRING' } });
    await bytesProducer.send({ payload: 'from bytes' });
    await stringProducer.send({ payload: 'from string' });
    for (const c of [bytesConsumer, stringConsumer]) {
      const got = [(await c.receive(5000)), (await c.receive(5000))];
      expect(got.map((m) => m.payload.toString())).toEqual(['from bytes', 'from string']);
      // The STRING producer's messages name the schema version the broker gave it.
      expect(got[1]!.schemaVersion?.length).toBeGreaterThan(0);
    }
    const info = await (await admin(webUrl, 'GET', `/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`)).json() as { type: string };
    expect(info.type).toBe('STRING');
    await Promise.all([bytesConsumer, stringConsumer, bytesProducer, stringProducer].map((x) => x.close()));
  });

  it('fails with IncompatibleSchema when a declaration conflicts with the topic', async () => {
    const topic = uniqueTopic('schema-conflict');
    await uploadSchema(webUrl, topic, 'STRING');
    const json = { type: 'JSON' as const, schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] }) };
    await expect(client().createProducer({ topic, schema: json })).rejects.toThrow(/IncompatibleSchema/);
  });

  it('refuses a STRING consumer on a topic written as bytes, and accepts it where the producer declared STRING', async () => {
    const bytesTopic = uniqueTopic('schema-bytes-first');
    const bytesProducer = await client().createProducer({ topic: bytesTopic });
    await bytesProducer.send({ payload: 'bytes' });
    await expect(client().subscribe({ topic: bytesTopic, subscription: 'java-like', schema: { type: 'STRING' } })).rejects.toThrow(/IncompatibleSchema/);
    const stringTopic = uniqueTopic('schema-string-first');
    const stringProducer = await client().createProducer({ topic: stringTopic, schema: { type: 'STRING' } });
    await stringProducer.send({ payload: 'text' });
    const consumer = await client().subscribe({ topic: stringTopic, subscription: 'java-like', schema: { type: 'STRING' }, subscriptionInitialPosition: 'Earliest' });
    expect((await consumer.receive(5000)).payload.toString()).toBe('text');
    await Promise.all([bytesProducer.close(), stringProducer.close(), consumer.close()]);
  });
});
