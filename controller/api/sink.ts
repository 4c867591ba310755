// Sink: a connector that consumes topics and writes to an external system.
import Type, { type Static } from 'typebox';
import { childName, consumerFields, consumerRules, inputRule, workloadFields, workloadRules } from './common-spec.js';
import { FreeForm, Int32, rules } from './schema-kit.js';

const opt = Type.Optional;

const sinkFields = {
  ...workloadFields('sidecar'),
  ...consumerFields,
  sinkType: opt(Type.String({ description: 'Built-in connector name (as --sink-type).' })),
  sinkConfig: opt(FreeForm('Connector settings.')),
  negativeAckRedeliveryDelayMs: opt(Int32({ minimum: 0, description: 'Delay before a nacked message is redelivered.' })),
};

const sinkRules = [...workloadRules, inputRule(), ...consumerRules];

export const SinkSpec = Type.Object(sinkFields, { description: 'Desired state of a Sink.', ...rules(...sinkRules) });
export type SinkSpec = Static<typeof SinkSpec>;

export const MeshSinkSpec = Type.Object({ ...sinkFields, ...childName }, rules(...sinkRules));
export type MeshSinkSpec = Static<typeof MeshSinkSpec>;
