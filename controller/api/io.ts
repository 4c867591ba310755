// What a function consumes and produces: input topics with per-topic consumer settings,
// the output topic with producer settings, and window settings.
import Type from 'typebox';
import { OPTIONAL_TOPIC_PATTERN, TOPICS_MAX_ITEMS, TOPIC_MAX_LENGTH, TOPIC_PATTERN } from './patterns.js';
import { FreeForm, Int32, Int64, Labels, MatchingString, StringEnum, StringMap, cel, rules } from './schema-kit.js';

const opt = Type.Optional;

const TOPIC_FORMS = 'persistent://tenant/namespace/topic, non-persistent://..., tenant/namespace/topic or a bare topic name';

/**
 * One topic of a list. An OpenAPI pattern, not a CEL rule: per item, times 1000 topics, times 50
 * mesh children, a CEL match is over the apiserver's cost budget.
 */
const Topic = (description: string) =>
  Type.String({ maxLength: TOPIC_MAX_LENGTH, pattern: TOPIC_PATTERN, description: `${description} ${TOPIC_FORMS}.` });

/** A single optional topic field: a topic name, or "" meaning unset (as upstream's omitempty). */
export const OptionalTopic = (description: string) =>
  Type.Optional(
    MatchingString({
      maxLength: TOPIC_MAX_LENGTH,
      pattern: OPTIONAL_TOPIC_PATTERN,
      description,
      what: `a Pulsar topic name or empty: ${TOPIC_FORMS}`,
    }),
  );

const TypeClassName = opt(
  Type.String({ default: '[B', description: 'Java type of the messages; "[B" (bytes) by default.' }),
);

const CryptoConfig = Type.Object(
  {
    cryptoKeyReaderClassName: Type.String({ minLength: 1, description: 'CryptoKeyReader implementation class.' }),
    cryptoKeyReaderConfig: opt(Labels('Settings of the CryptoKeyReader.')),
    encryptionKeys: opt(Type.Array(Type.String(), { description: 'Names of the keys messages are encrypted with.' })),
    producerCryptoFailureAction: opt(Type.String({ description: 'What a producer does when encryption fails (FAIL, SEND).' })),
    consumerCryptoFailureAction: opt(Type.String({ description: 'What a consumer does when decryption fails (FAIL, DISCARD, CONSUME).' })),
    cryptoSecrets: opt(
      Type.Array(
        Type.Object({
          secretName: Type.String({ description: 'Secret holding a key.' }),
          secretKey: Type.String({ description: 'Key inside that Secret.' }),
          asVolume: opt(Type.String({ description: 'Mount path when the key is mounted as a file.' })),
        }),
        { description: 'Secrets holding the encryption keys.' },
      ),
    ),
  },
  { description: 'End-to-end message encryption.' },
);

const ConsumerConfig = Type.Object({
  schemaType: opt(Type.String({ description: 'Schema type or class of the topic.' })),
  serdeClassname: opt(Type.String({ description: 'SerDe class of the topic.' })),
  isRegexPattern: opt(Type.Boolean({ description: 'The key is a topic regex.' })),
  schemaProperties: opt(Labels('Schema properties.')),
  consumerProperties: opt(Labels('Consumer properties.')),
  receiverQueueSize: opt(Int32({ minimum: 0, description: 'Consumer receiver queue size.' })),
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

const ProducerConfig = Type.Object(
  {
    maxPendingMessages: opt(Int32({ minimum: 0, description: 'Messages a producer may have in flight.' })),
    maxPendingMessagesAcrossPartitions: opt(Int32({ minimum: 0, description: 'The same, over all partitions.' })),
    useThreadLocalProducers: opt(Type.Boolean({ description: 'One producer per thread.' })),
    cryptoConfig: opt(CryptoConfig),
    batchBuilder: opt(Type.String({ description: 'Batch builder: DEFAULT or KEY_BASED.' })),
    compressionType: opt(StringEnum(['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'], { description: 'Message compression.' })),
  },
  {
    description: 'Producer settings.',
    ...rules(
      cel(
        '!has(self.cryptoConfig) || (has(self.cryptoConfig.encryptionKeys) && size(self.cryptoConfig.encryptionKeys) > 0)',
        'producerConf.cryptoConfig.encryptionKeys needs at least one key name: list the keys to encrypt with, or remove cryptoConfig',
        { fieldPath: '.cryptoConfig.encryptionKeys', reason: 'FieldValueRequired' },
      ),
    ),
  },
);

export const OutputConf = Type.Object(
  {
    typeClassName: TypeClassName,
    topic: OptionalTopic('Topic results are published to.'),
    sinkSerdeClassName: opt(Type.String({ description: 'SerDe class of the output.' })),
    sinkSchemaType: opt(Type.String({ description: 'Schema type or class of the output.' })),
    producerConf: opt(ProducerConfig),
    customSchemaSinks: opt(Labels('Topic → schema type or class.')),
  },
  { description: 'Topic produced.' },
);

export const WindowConfig = Type.Object(
  {
    actualWindowFunctionClassName: opt(
      Type.String({ description: "The window function class; the Function's className when that is set (as upstream)." }),
    ),
    windowLengthCount: opt(Int32({ minimum: 1, description: 'Window length in messages.' })),
    windowLengthDurationMs: opt(Int64({ minimum: 1, description: 'Window length in ms.' })),
    slidingIntervalCount: opt(Int32({ minimum: 1, description: 'Slide every N messages; windowLengthCount when no interval is set. Wins over slidingIntervalDurationMs (Pulsar\'s window executor).' })),
    slidingIntervalDurationMs: opt(Int64({ minimum: 1, description: 'Slide every N ms; windowLengthDurationMs when no interval is set. Unused when slidingIntervalCount is set.' })),
    lateDataTopic: OptionalTopic('Topic late messages go to.'),
    maxLagMs: opt(Int64({ minimum: 0, description: 'Largest lateness accepted, in ms.' })),
    watermarkEmitIntervalMs: opt(Int64({ minimum: 0, description: 'Watermark interval in ms.' })),
    timestampExtractorClassName: opt(Type.String({ description: 'Extracts event time from messages.' })),
    processingGuarantees: opt(StringEnum(['ATLEAST_ONCE', 'ATMOST_ONCE'], { description: 'Guarantee of the window.' })),
  },
  {
    description: 'Window function settings: exactly one window length (count or duration).',
    ...rules(
      cel(
        'has(self.windowLengthCount) != has(self.windowLengthDurationMs)',
        'windowConfig needs exactly one window length: set either windowLengthCount or windowLengthDurationMs',
      ),
      cel(
        '!has(self.timestampExtractorClassName) || ((!has(self.maxLagMs) || self.maxLagMs > 0) && (!has(self.watermarkEmitIntervalMs) || self.watermarkEmitIntervalMs > 0))',
        'windowConfig.maxLagMs and watermarkEmitIntervalMs must be > 0 with a timestampExtractorClassName: set positive values or remove them',
      ),
    ),
  },
);

/** Runs a source as a batch source (a Source's, or a Function's embedded source connector). */
export const BatchSourceConfig = Type.Object(
  {
    discoveryTriggererClassName: Type.String({ minLength: 1, description: 'Class that triggers discovery.' }),
    discoveryTriggererConfig: opt(FreeForm('Settings of the discovery triggerer.')),
  },
  { description: 'Runs the source as a batch source.' },
);
