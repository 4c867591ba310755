// Function: consumes input topics, runs user code, publishes to an output topic.
import Type, { type Static } from 'typebox';
import { BatchSourceConfig, OutputConf, WindowConfig } from './io.js';
import { childName, consumerFields, consumerRules, inputRule, workloadFields, workloadRules } from './common-spec.js';
import { FreeForm, FreeFormList, Int32, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

// Upstream's SourceConnectorSpec / SinkConnectorSpec (#823): a built-in or custom connector in
// place of the function's input or output. `configs` may also carry archive (builtin://name),
// builtin, className and typeClassName, which upstream reads from there.
const connectorFields = {
  className: opt(Type.String({ description: 'Connector class.' })),
  typeClassName: opt(Type.String({ description: 'Message type of the connector.' })),
  configs: opt(FreeForm('Connector settings; archive (builtin://name), builtin, className and typeClassName here are read too.')),
};

const SourceConnector = Type.Object(
  {
    sourceType: opt(Type.String({ description: 'Built-in source name (as --source-type).' })),
    batchSourceConfig: opt(BatchSourceConfig),
    ...connectorFields,
  },
  { description: "Replaces the function's input topics with a source connector." },
);

const SinkConnector = Type.Object(
  {
    sinkType: opt(Type.String({ description: 'Built-in sink name (as --sink-type).' })),
    ...connectorFields,
  },
  { description: "Replaces the function's output topic with a sink connector." },
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
  sourceConfig: opt(SourceConnector),
  sinkConfig: opt(SinkConnector),
  volumeClaimTemplates: opt(FreeFormList('core/v1 PersistentVolumeClaims, one set per pod.')),
  persistentVolumeClaimRetentionPolicy: opt(FreeForm('apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy.')),
};

const functionRules = [
  ...workloadRules,
  // As upstream's webhook: a source connector is the input, so no input topic is needed.
  inputRule('has(self.sourceConfig)', ' (or a source connector in sourceConfig)'),
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
