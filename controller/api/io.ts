// What a function consumes and produces: input topics with per-topic consumer settings,
// the output topic with producer settings, and window settings.
import Type from 'typebox';
import { OPTIONAL_TOPIC_PATTERN, TOPICS_MAX_ITEMS, TOPIC_MAX_LENGTH, TOPIC_PATTERN } from './patterns.js';
import { Int32, Int64, Labels, StringEnum, StringMap, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

/** One topic of a list: must be a topic name. */
export const Topic = (description: string) =>
  Type.String({ maxLength: TOPIC_MAX_LENGTH, pattern: TOPIC_PATTERN, description });

/** A single optional topic field: a topic name, or "" meaning unset (as upstream's omitempty). */
export const OptionalTopic = (description: string) =>
  Type.Optional(Type.String({ maxLength: TOPIC_MAX_LENGTH, pattern: OPTIONAL_TOPIC_PATTERN, description }));

const TypeClassName = opt(
  Type.String({ default: '[B', description: 'Java type of the messages; "[B" (bytes) by default.' }),
);

export const CryptoConfig = Type.Object(
  {
    cryptoKeyReaderClassName: opt(Type.String()),
    cryptoKeyReaderConfig: opt(Labels('Settings of the CryptoKeyReader.')),
    encryptionKeys: opt(Type.Array(Type.String())),
    producerCryptoFailureAction: opt(Type.String()),
    consumerCryptoFailureAction: opt(Type.String()),
    cryptoSecrets: opt(
      Type.Array(
        Type.Object({ secretName: Type.String(), secretKey: Type.String(), asVolume: opt(Type.String()) }),
      ),
    ),
  },
  { description: 'End-to-end message encryption.' },
);

export const ConsumerConfig = Type.Object({
  schemaType: opt(Type.String()),
  serdeClassname: opt(Type.String()),
  isRegexPattern: opt(Type.Boolean()),
  schemaProperties: opt(Labels('Schema properties.')),
  consumerProperties: opt(Labels('Consumer properties.')),
  receiverQueueSize: opt(Int32({ minimum: 0 })),
  cryptoConfig: opt(CryptoConfig),
});

export const InputConf = Type.Object(
  {
    typeClassName: TypeClassName,
    topics: opt(
      Type.Array(Topic('An input topic.'), { maxItems: TOPICS_MAX_ITEMS, description: 'Topics to consume.' }),
    ),
    topicPattern: opt(Type.String({ maxLength: TOPIC_MAX_LENGTH, description: 'Regex of topics to consume.' })),
    customSerdeSources: opt(Labels('Topic → SerDe class name.')),
    customSchemaSources: opt(Labels('Topic → schema type or class.')),
    sourceSpecs: opt(StringMap(ConsumerConfig, { description: 'Topic → consumer settings.' })),
  },
  { description: 'Topics consumed.' },
);

export const ProducerConfig = Type.Object({
  maxPendingMessages: opt(Int32({ minimum: 0 })),
  maxPendingMessagesAcrossPartitions: opt(Int32({ minimum: 0 })),
  useThreadLocalProducers: opt(Type.Boolean()),
  cryptoConfig: opt(CryptoConfig),
  batchBuilder: opt(Type.String()),
  compressionType: opt(StringEnum(['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'])),
});

export const OutputConf = Type.Object(
  {
    typeClassName: TypeClassName,
    topic: OptionalTopic('Topic results are published to.'),
    sinkSerdeClassName: opt(Type.String()),
    sinkSchemaType: opt(Type.String()),
    producerConf: opt(ProducerConfig),
    customSchemaSinks: opt(Labels('Topic → schema type or class.')),
  },
  { description: 'Topic produced.' },
);

export const WindowConfig = Type.Object(
  {
    actualWindowFunctionClassName: Type.String({ minLength: 1 }),
    windowLengthCount: opt(Int32({ minimum: 1 })),
    windowLengthDurationMs: opt(Int64({ minimum: 1 })),
    slidingIntervalCount: opt(Int32({ minimum: 1 })),
    slidingIntervalDurationMs: opt(Int64({ minimum: 1 })),
    lateDataTopic: OptionalTopic('Topic late messages go to.'),
    maxLagMs: opt(Int64({ minimum: 0 })),
    watermarkEmitIntervalMs: opt(Int64({ minimum: 0 })),
    timestampExtractorClassName: opt(Type.String()),
    processingGuarantees: opt(StringEnum(['ATLEAST_ONCE', 'ATMOST_ONCE'])),
  },
  {
    description: 'Window function settings: exactly one window length (count or duration).',
    ...rules(
      cel(
        'has(self.windowLengthCount) != has(self.windowLengthDurationMs)',
        'windowConfig needs exactly one window length: set either windowLengthCount or windowLengthDurationMs',
      ),
      cel(
        '!(has(self.slidingIntervalCount) && has(self.slidingIntervalDurationMs))',
        'windowConfig takes at most one sliding interval: remove slidingIntervalCount or slidingIntervalDurationMs',
      ),
    ),
  },
);
