// Source: a connector that reads an external system and publishes to a topic.
import Type, { type Static } from 'typebox';
import { BatchSourceConfig, OutputConf } from './io.js';
import { childName, workloadFields, workloadRules } from './common-spec.js';
import { FreeForm, rules } from './schema-kit.js';

const opt = Type.Optional;

const sourceFields = {
  ...workloadFields('sidecar'),
  sourceType: opt(Type.String({ description: 'Built-in connector name (as --source-type).' })),
  output: opt(OutputConf),
  sourceConfig: opt(FreeForm('Connector settings.')),
  batchSourceConfig: opt(BatchSourceConfig),
  forwardSourceMessageProperty: opt(
    Type.Boolean({ default: true, description: 'Copy source record properties to messages.' }),
  ),
};

export const SourceSpec = Type.Object(sourceFields, { description: 'Desired state of a Source.', ...rules(...workloadRules) });
export type SourceSpec = Static<typeof SourceSpec>;

export const MeshSourceSpec = Type.Object({ ...sourceFields, ...childName }, rules(...workloadRules));
export type MeshSourceSpec = Static<typeof MeshSourceSpec>;
