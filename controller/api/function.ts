// Function: consumes input topics, runs user code, publishes to an output topic.
import Type, { type Static } from 'typebox';
import { OutputConf, WindowConfig } from './io.js';
import { childName, consumerFields, consumerRules, workloadFields, workloadRules } from './common-spec.js';
import { FreeForm, FreeFormList, Int32, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

const ConnectorOverride = (kind: 'source' | 'sink') =>
  Type.Object(
    {
      archive: opt(Type.String({ description: 'Nar archive of the connector (builtin:// for built-in ones).' })),
      builtin: opt(Type.String({ description: 'Resolved name of a built-in connector.' })),
      ...(kind === 'sink' ? { sinkType: opt(Type.String({ description: 'Built-in sink name.' })) } : {}),
      className: opt(Type.String({ description: 'Connector class.' })),
      typeClassName: opt(Type.String({ description: 'Message type of the connector.' })),
      configs: opt(FreeForm('Connector settings.')),
    },
    { description: `Replaces the function's ${kind} with a connector.` },
  );

const functionFields = {
  ...workloadFields('runtime'),
  ...consumerFields,
  output: opt(OutputConf),
  funcConfig: opt(FreeForm('User configuration passed to the function.')),
  forwardSourceMessageProperty: opt(
    Type.Boolean({ default: true, description: 'Copy input message properties to output messages.' }),
  ),
  maxPendingAsyncRequests: opt(Int32({ minimum: 1, default: 1000, description: 'Async requests in flight.' })),
  skipToLatest: opt(Type.Boolean({ description: 'Skip to the latest message after a restart.' })),
  windowConfig: opt(WindowConfig),
  sourceConfig: opt(ConnectorOverride('source')),
  sinkConfig: opt(ConnectorOverride('sink')),
  volumeClaimTemplates: opt(FreeFormList('core/v1 PersistentVolumeClaims, one set per pod.')),
  persistentVolumeClaimRetentionPolicy: opt(FreeForm('apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy.')),
};

const functionRules = [
  ...workloadRules,
  ...consumerRules,
  cel(
    '!(has(self.output) && has(self.output.topic) && has(self.input) && has(self.input.topics)) || !(self.output.topic in self.input.topics)',
    'output.topic must not also be an input topic (the function would consume its own output): choose another output.topic',
    { fieldPath: '.output.topic' },
  ),
];

export const FunctionSpec = Type.Object(functionFields, { description: 'Desired state of a Function.', ...rules(...functionRules) });
export type FunctionSpec = Static<typeof FunctionSpec>;

export const MeshFunctionSpec = Type.Object({ ...functionFields, ...childName }, rules(...functionRules));
export type MeshFunctionSpec = Static<typeof MeshFunctionSpec>;
