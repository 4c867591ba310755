// What a producer or consumer declares about the topic's schema. Declaring nothing is Pulsar's
// BYTES: the broker accepts it on a topic with any schema unless the namespace enforces schema
// validation. A declared schema must be compatible with the one registered on the topic.
import { SchemaType, type SchemaData } from './commands.js';

export interface SchemaInfo {
  /** STRING, JSON, AVRO, PROTOBUF or NONE (raw bytes, the same as declaring no schema). */
  type: 'NONE' | 'BYTES' | 'STRING' | 'JSON' | 'AVRO' | 'PROTOBUF';
  /** The schema definition (JSON for AVRO/JSON), empty for STRING. */
  schema?: string;
  name?: string;
  properties?: Record<string, string>;
}

const codes: Record<SchemaInfo['type'], number | undefined> = {
  NONE: undefined, BYTES: undefined, STRING: SchemaType.String, JSON: SchemaType.Json, AVRO: SchemaType.Avro, PROTOBUF: SchemaType.Protobuf,
};

/** The Schema field of CommandProducer/CommandSubscribe, or undefined for bytes. */
export function schemaData(info: SchemaInfo | undefined): SchemaData | undefined {
  if (!info) return undefined;
  if (!(info.type in codes)) throw new Error(`schema.type "${info.type}": expected one of ${Object.keys(codes).join(', ')}`);
  const type = codes[info.type];
  if (type === undefined) return undefined;
  const data: SchemaData = { name: info.name ?? '', schemaData: Buffer.from(info.schema ?? ''), type };
  if (info.properties) data.properties = Object.entries(info.properties).map(([key, value]) => ({ key, value }));
  return data;
}
