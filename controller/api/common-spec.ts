// The fields and rules Function, Source and Sink share, and those of the two consuming kinds
// (Function, Sink). Each kind's file composes these; FunctionMesh reuses the kinds' specs.
import Type from 'typebox';
import { ImagePullPolicy, ResourceRequirements, SecretRef, VolumeMount } from './core-v1.js';
import { OptionalTopic, InputConf } from './io.js';
import { PodPolicy } from './pod-policy.js';
import { PulsarMessaging, StatefulConfig } from './pulsar-messaging.js';
import { RUNTIME_FIELDS, RuntimeFields } from './runtimes.js';
import { Scaling } from './scaling.js';
import { Int32, StringEnum, StringMap, cel, type CelRule } from './schema-kit.js';
import { DNS_LABEL_PATTERN, MAX_CHILD_NAME_LENGTH } from './patterns.js';

const opt = Type.Optional;

const PROCESSING_GUARANTEES = ['atleast_once', 'atmost_once', 'effectively_once', 'manual'] as const;

/** Fields every workload kind has. `logTopicAgent`'s default differs per kind, as upstream. */
export function workloadFields(logTopicAgent: 'runtime' | 'sidecar') {
  return {
    name: opt(Type.String({ maxLength: 256, description: 'Pulsar name of the function/connector; metadata.name by default.' })),
    className: opt(Type.String({ description: 'Class (Java) or module.Class (Python) to run; required for java and python.' })),
    tenant: opt(Type.String({ default: 'public', description: 'Pulsar tenant.' })),
    namespace: opt(Type.String({ default: 'default', description: 'Pulsar namespace.' })),
    clusterName: opt(Type.String({ default: 'kubernetes', description: 'Pulsar cluster name.' })),
    replicas: opt(Int32({ minimum: 0, description: 'Desired pods; minReplicas, else 1, when unset.' })),
    minReplicas: opt(Int32({ minimum: 0, description: 'Fewest pods; 0 turns on scale to zero (KEDA).' })),
    maxReplicas: opt(Int32({ minimum: 1, description: 'Most pods; turns on autoscaling.' })),
    showPreciseParallelism: opt(Type.Boolean({ description: 'Report parallelism = replicas to the function.' })),
    image: opt(Type.String({ description: 'Runner image of the main container.' })),
    imagePullPolicy: opt(ImagePullPolicy),
    downloaderImage: opt(Type.String({ description: 'Image that downloads packages in an init container.' })),
    cleanupImage: opt(Type.String({ description: 'Image of the subscription cleanup Job.' })),
    filebeatImage: opt(Type.String({ description: 'Image of the log sidecar (logTopicAgent sidecar).' })),
    imageHasPulsarctl: opt(Type.Boolean({ description: 'The image has pulsarctl to download packages.' })),
    imageHasGet: opt(Type.Boolean({ description: 'The image has wget to download http packages (upstream spelling).' })),
    imageHasWget: opt(Type.Boolean({ description: 'Alias of imageHasGet.' })),
    imageWithPulsarctl: opt(Type.Boolean({ description: 'Alias of imageHasPulsarctl (upstream Sink spelling).' })),
    logTopic: OptionalTopic('Topic the function logs are published to.'),
    logTopicAgent: opt(StringEnum(['runtime', 'sidecar'], { default: logTopicAgent, description: 'Who publishes logs to logTopic.' })),
    resources: opt(ResourceRequirements),
    secretsMap: opt(StringMap(SecretRef, { description: 'Env var name → Secret (path) and key.' })),
    volumeMounts: opt(Type.Array(VolumeMount, { description: 'Mounts into the main container.' })),
    processingGuarantee: opt(
      StringEnum(PROCESSING_GUARANTEES, { default: 'atleast_once', description: 'Delivery guarantee.' }),
    ),
    runtimeFlags: opt(Type.String({ description: 'Extra runtime flags.' })),
    pod: opt(PodPolicy),
    pulsar: opt(PulsarMessaging),
    pulsarPackageService: opt(PulsarMessaging),
    statefulConfig: opt(StatefulConfig),
    scaling: opt(Scaling),
    ...RuntimeFields,
  };
}

/** Fields of the kinds that consume topics (Function, Sink). */
export const consumerFields = {
  input: opt(InputConf),
  timeout: opt(Int32({ minimum: 0, description: 'Message timeout in ms.' })),
  autoAck: opt(Type.Boolean({ default: true, description: 'Acknowledge messages automatically.' })),
  maxMessageRetry: opt(Int32({ minimum: 0, description: 'Redeliveries before a message goes to deadLetterTopic.' })),
  retainOrdering: opt(Type.Boolean({ description: 'Process messages in order (one consumer).' })),
  retainKeyOrdering: opt(Type.Boolean({ description: 'Process messages with the same key in order.' })),
  deadLetterTopic: OptionalTopic('Topic for messages that failed maxMessageRetry times.'),
  subscriptionName: opt(Type.String({ description: 'Subscription name; the function FQN by default.' })),
  cleanupSubscription: opt(Type.Boolean({ description: 'Delete the subscription when the resource is deleted.' })),
  subscriptionPosition: opt(StringEnum(['latest', 'earliest'], { description: 'Where a new subscription starts.' })),
};

const runtimeList = RUNTIME_FIELDS.join(', ');
const set = (f: string) => `has(self.${f})`;
const nonEmpty = (f: string) => `(has(self.${f}) && size(self.${f}) > 0)`;
const isTrue = (f: string) => `(has(self.${f}) && self.${f})`;

export const workloadRules: CelRule[] = [
  cel(
    `[${RUNTIME_FIELDS.map(set).join(', ')}].exists_one(r, r)`,
    `exactly one runtime must be set: choose one of ${runtimeList}`,
  ),
  cel(
    `!(has(self.java) || has(self.python)) || ${nonEmpty('className')}`,
    'className is required with the java and python runtimes: set the class (Java) or module.Class (Python) to run',
    { fieldPath: '.className', reason: 'FieldValueRequired' },
  ),
  cel(
    '!(has(self.minReplicas) && has(self.replicas)) || self.minReplicas <= self.replicas',
    'minReplicas must be <= replicas: lower minReplicas or raise replicas',
    { fieldPath: '.minReplicas' },
  ),
  cel(
    '!(has(self.maxReplicas) && has(self.replicas)) || self.replicas <= self.maxReplicas',
    'replicas must be <= maxReplicas: lower replicas or raise maxReplicas',
    { fieldPath: '.replicas' },
  ),
  cel(
    '!(has(self.minReplicas) && has(self.maxReplicas)) || self.minReplicas <= self.maxReplicas',
    'minReplicas must be <= maxReplicas: lower minReplicas or raise maxReplicas',
    { fieldPath: '.maxReplicas' },
  ),
  cel(
    '!(has(self.golang) && has(self.statefulConfig) && has(self.statefulConfig.pulsar))',
    'statefulConfig.pulsar is not supported with the golang runtime: remove statefulConfig or use java or python',
    { fieldPath: '.statefulConfig', reason: 'FieldValueForbidden' },
  ),
  cel(
    'has(self.pulsar)',
    'pulsar.pulsarConfig is required: name the ConfigMap holding webServiceURL and brokerServiceURL',
    { fieldPath: '.pulsar', reason: 'FieldValueRequired' },
  ),
];

const inputSet = ['topics', 'topicPattern', 'sourceSpecs', 'customSerdeSources', 'customSchemaSources']
  .map((f) => nonEmpty(`input.${f}`))
  .join(' || ');
const effectivelyOnce = "(has(self.processingGuarantee) && self.processingGuarantee == 'effectively_once')";

/** At least one input topic, unless `unless` (a CEL condition) holds. */
export function inputRule(unless?: string, alternative = ''): CelRule {
  const needs = `has(self.input) && (${inputSet})`;
  return cel(unless ? `${unless} || (${needs})` : needs, `input needs at least one topic: set input.topics or input.topicPattern${alternative}`, {
    fieldPath: '.input',
    reason: 'FieldValueRequired',
  });
}

/** Rules of the consuming kinds; each kind adds its own inputRule. */
export const consumerRules: CelRule[] = [
  cel(
    `!${nonEmpty('deadLetterTopic')} || (has(self.maxMessageRetry) && self.maxMessageRetry > 0)`,
    'maxMessageRetry must be > 0 when deadLetterTopic is set: set maxMessageRetry or remove deadLetterTopic',
    { fieldPath: '.maxMessageRetry' },
  ),
  cel(
    `!(${isTrue('retainOrdering')} && ${isTrue('retainKeyOrdering')})`,
    'retainOrdering and retainKeyOrdering are exclusive: set only one of them',
    { fieldPath: '.retainKeyOrdering', reason: 'FieldValueForbidden' },
  ),
  cel(
    `!${effectivelyOnce} || !has(self.timeout) || self.timeout == 0`,
    'timeout cannot be used with processingGuarantee effectively_once: remove timeout or choose another guarantee',
    { fieldPath: '.timeout', reason: 'FieldValueForbidden' },
  ),
  cel(
    `!${effectivelyOnce} || !has(self.maxMessageRetry) || self.maxMessageRetry == 0`,
    'maxMessageRetry cannot be used with processingGuarantee effectively_once: remove maxMessageRetry or choose another guarantee',
    { fieldPath: '.maxMessageRetry', reason: 'FieldValueForbidden' },
  ),
  cel(
    `!${effectivelyOnce} || !${isTrue('retainKeyOrdering')}`,
    'retainKeyOrdering cannot be used with processingGuarantee effectively_once: remove retainKeyOrdering or choose another guarantee',
    { fieldPath: '.retainKeyOrdering', reason: 'FieldValueForbidden' },
  ),
];

/** In a FunctionMesh, `name` names the child (`<mesh>-<name>`), so it is required and a DNS label. */
export const childName = {
  name: Type.String({
    minLength: 1,
    maxLength: MAX_CHILD_NAME_LENGTH,
    pattern: DNS_LABEL_PATTERN,
    description: 'Child name, unique in the mesh; the child resource is named <mesh>-<name>.',
  }),
};
