// The part of Pulsar's binary protocol this client speaks: each command's field numbers and kinds
// (facts of the wire format, written down here in the project's own tables), the BaseCommand type
// codes, and TypeScript shapes for the decoded objects. Only commands the client sends or handles.
import { defineMessage, type FieldKind, type FieldSpec, type MessageSpec } from './protobuf.js';

const f = (no: number, name: string, kind: FieldKind, more: Partial<FieldSpec> = {}): FieldSpec => ({ no, name, kind, ...more });
const msg = (no: number, name: string, spec: () => MessageSpec, repeated = false): FieldSpec => ({ no, name, kind: 'message', message: spec, repeated });
const rep = { repeated: true };

// ---- shared pieces ----

export const KeyValueSpec = defineMessage('KeyValue', [f(1, 'key', 'string'), f(2, 'value', 'string')]);
export interface KeyValue { key: string; value: string }

export const MessageIdDataSpec: MessageSpec = defineMessage('MessageIdData', [
  f(1, 'ledgerId', 'uint64'),
  f(2, 'entryId', 'uint64'),
  f(3, 'partition', 'int32'),
  f(4, 'batchIndex', 'int32'),
  f(5, 'ackSet', 'int64big', rep),
  f(6, 'batchSize', 'int32'),
  msg(7, 'firstChunkMessageId', () => MessageIdDataSpec),
]);
export interface MessageIdData {
  ledgerId: number;
  entryId: number;
  partition?: number;
  batchIndex?: number;
  ackSet?: bigint[];
  batchSize?: number;
}

/** Schema.Type codes on the wire. */
export const SchemaType = { None: 0, String: 1, Json: 2, Protobuf: 3, Avro: 4, KeyValue: 15, ProtobufNative: 20 } as const;
export const SchemaSpec = defineMessage('Schema', [
  f(1, 'name', 'string'),
  f(3, 'schemaData', 'bytes'),
  f(4, 'type', 'enum'),
  msg(5, 'properties', () => KeyValueSpec, true),
]);
export interface SchemaData { name: string; schemaData: Uint8Array; type: number; properties?: KeyValue[] }

export const CompressionType = { NONE: 0, LZ4: 1, ZLIB: 2, ZSTD: 3, SNAPPY: 4 } as const;
export type CompressionCode = (typeof CompressionType)[keyof typeof CompressionType];

export const MessageMetadataSpec = defineMessage('MessageMetadata', [
  f(1, 'producerName', 'string'),
  f(2, 'sequenceId', 'uint64'),
  f(3, 'publishTime', 'uint64'),
  msg(4, 'properties', () => KeyValueSpec, true),
  f(5, 'replicatedFrom', 'string'),
  f(6, 'partitionKey', 'string'),
  f(8, 'compression', 'enum'),
  f(9, 'uncompressedSize', 'uint32'),
  f(11, 'numMessagesInBatch', 'int32'),
  f(12, 'eventTime', 'uint64'),
  f(13, 'encryptionKeys', 'bytes', rep), // only checked for presence: this client does not decrypt
  f(16, 'schemaVersion', 'bytes'),
  f(17, 'partitionKeyB64Encoded', 'bool'),
  f(18, 'orderingKey', 'bytes'),
  f(19, 'deliverAtTime', 'int64'),
  f(20, 'markerType', 'int32'),
  f(24, 'highestSequenceId', 'uint64'),
  f(25, 'nullValue', 'bool'),
  f(26, 'uuid', 'string'),
  f(27, 'numChunksFromMsg', 'int32'),
  f(28, 'totalChunkMsgSize', 'int32'),
  f(29, 'chunkId', 'int32'),
  f(30, 'nullPartitionKey', 'bool'),
]);
export interface MessageMetadata {
  producerName: string;
  sequenceId: number;
  publishTime: number;
  properties?: KeyValue[];
  replicatedFrom?: string;
  partitionKey?: string;
  compression?: number;
  uncompressedSize?: number;
  numMessagesInBatch?: number;
  eventTime?: number;
  encryptionKeys?: Uint8Array[];
  schemaVersion?: Uint8Array;
  partitionKeyB64Encoded?: boolean;
  orderingKey?: Uint8Array;
  deliverAtTime?: number;
  markerType?: number;
  highestSequenceId?: number;
  nullValue?: boolean;
  uuid?: string;
  numChunksFromMsg?: number;
  totalChunkMsgSize?: number;
  chunkId?: number;
  nullPartitionKey?: boolean;
}

export const SingleMessageMetadataSpec = defineMessage('SingleMessageMetadata', [
  msg(1, 'properties', () => KeyValueSpec, true),
  f(2, 'partitionKey', 'string'),
  f(3, 'payloadSize', 'int32'),
  f(4, 'compactedOut', 'bool'),
  f(5, 'eventTime', 'uint64'),
  f(6, 'partitionKeyB64Encoded', 'bool'),
  f(7, 'orderingKey', 'bytes'),
  f(8, 'sequenceId', 'uint64'),
  f(9, 'nullValue', 'bool'),
  f(10, 'nullPartitionKey', 'bool'),
]);
export interface SingleMessageMetadata {
  properties?: KeyValue[];
  partitionKey?: string;
  payloadSize: number;
  compactedOut?: boolean;
  eventTime?: number;
  partitionKeyB64Encoded?: boolean;
  orderingKey?: Uint8Array;
  sequenceId?: number;
  nullValue?: boolean;
  nullPartitionKey?: boolean;
}

export const BrokerEntryMetadataSpec = defineMessage('BrokerEntryMetadata', [f(1, 'brokerTimestamp', 'uint64'), f(2, 'index', 'uint64')]);

// ---- commands ----

/** ServerError codes the client reacts to by name. */
export const ServerError = {
  UnknownError: 0, MetadataError: 1, PersistenceError: 2, AuthenticationError: 3, AuthorizationError: 4, ConsumerBusy: 5,
  ServiceNotReady: 6, ProducerBlockedQuotaExceededError: 7, ProducerBlockedQuotaExceededException: 8, ChecksumError: 9,
  UnsupportedVersionError: 10, TopicNotFound: 11, SubscriptionNotFound: 12, ConsumerNotFound: 13, TooManyRequests: 14,
  TopicTerminatedError: 15, ProducerBusy: 16, InvalidTopicName: 17, IncompatibleSchema: 18, ConsumerAssignError: 19,
  NotAllowedError: 22, ProducerFenced: 25,
} as const;
export const serverErrorName = (code: number): string => Object.entries(ServerError).find(([, v]) => v === code)?.[0] ?? `ServerError(${code})`;

const FeatureFlagsSpec = defineMessage('FeatureFlags', [
  f(1, 'supportsAuthRefresh', 'bool'), f(2, 'supportsBrokerEntryMetadata', 'bool'),
  f(3, 'supportsPartialProducer', 'bool'), f(4, 'supportsTopicWatchers', 'bool'),
]);
const ConnectSpec = defineMessage('CommandConnect', [
  f(1, 'clientVersion', 'string'), f(3, 'authData', 'bytes'), f(4, 'protocolVersion', 'int32'),
  f(5, 'authMethodName', 'string'), f(6, 'proxyToBrokerUrl', 'string'), msg(10, 'featureFlags', () => FeatureFlagsSpec),
]);
const ConnectedSpec = defineMessage('CommandConnected', [
  f(1, 'serverVersion', 'string'), f(2, 'protocolVersion', 'int32'), f(3, 'maxMessageSize', 'int32'), msg(4, 'featureFlags', () => FeatureFlagsSpec),
]);
const AuthDataSpec = defineMessage('AuthData', [f(1, 'authMethodName', 'string'), f(2, 'authData', 'bytes')]);
const AuthChallengeSpec = defineMessage('CommandAuthChallenge', [f(1, 'serverVersion', 'string'), msg(2, 'challenge', () => AuthDataSpec), f(3, 'protocolVersion', 'int32')]);
const AuthResponseSpec = defineMessage('CommandAuthResponse', [f(1, 'clientVersion', 'string'), msg(2, 'response', () => AuthDataSpec), f(3, 'protocolVersion', 'int32')]);

const KeySharedMetaSpec = defineMessage('KeySharedMeta', [f(1, 'keySharedMode', 'enum'), f(4, 'allowOutOfOrderDelivery', 'bool')]);
export const SubType = { Exclusive: 0, Shared: 1, Failover: 2, Key_Shared: 3 } as const;
export const InitialPosition = { Latest: 0, Earliest: 1 } as const;
const SubscribeSpec = defineMessage('CommandSubscribe', [
  f(1, 'topic', 'string'), f(2, 'subscription', 'string'), f(3, 'subType', 'enum'), f(4, 'consumerId', 'uint64'),
  f(5, 'requestId', 'uint64'), f(6, 'consumerName', 'string'), f(7, 'priorityLevel', 'int32'), f(8, 'durable', 'bool'),
  msg(9, 'startMessageId', () => MessageIdDataSpec), msg(10, 'metadata', () => KeyValueSpec, true), f(11, 'readCompacted', 'bool'),
  msg(12, 'schema', () => SchemaSpec), f(13, 'initialPosition', 'enum'), f(14, 'replicateSubscriptionState', 'bool'),
  f(15, 'forceTopicCreation', 'bool'), f(16, 'startMessageRollbackDurationSec', 'uint64'), msg(17, 'keySharedMeta', () => KeySharedMetaSpec),
  f(19, 'consumerEpoch', 'uint64'),
]);
const PartitionedMetadataSpec = defineMessage('CommandPartitionedTopicMetadata', [f(1, 'topic', 'string'), f(2, 'requestId', 'uint64')]);
const PartitionedMetadataResponseSpec = defineMessage('CommandPartitionedTopicMetadataResponse', [
  f(1, 'partitions', 'uint32'), f(2, 'requestId', 'uint64'), f(3, 'response', 'enum'), f(4, 'error', 'enum'), f(5, 'message', 'string'),
]);
const LookupSpec = defineMessage('CommandLookupTopic', [f(1, 'topic', 'string'), f(2, 'requestId', 'uint64'), f(3, 'authoritative', 'bool')]);
export const LookupType = { Redirect: 0, Connect: 1, Failed: 2 } as const;
const LookupResponseSpec = defineMessage('CommandLookupTopicResponse', [
  f(1, 'brokerServiceUrl', 'string'), f(2, 'brokerServiceUrlTls', 'string'), f(3, 'response', 'enum'), f(4, 'requestId', 'uint64'),
  f(5, 'authoritative', 'bool'), f(6, 'error', 'enum'), f(7, 'message', 'string'), f(8, 'proxyThroughServiceUrl', 'bool'),
]);
const ProducerSpec = defineMessage('CommandProducer', [
  f(1, 'topic', 'string'), f(2, 'producerId', 'uint64'), f(3, 'requestId', 'uint64'), f(4, 'producerName', 'string'),
  f(5, 'encrypted', 'bool'), msg(6, 'metadata', () => KeyValueSpec, true), msg(7, 'schema', () => SchemaSpec), f(8, 'epoch', 'uint64'),
  f(9, 'userProvidedProducerName', 'bool'), f(10, 'producerAccessMode', 'enum'),
]);
const SendSpec = defineMessage('CommandSend', [
  f(1, 'producerId', 'uint64'), f(2, 'sequenceId', 'uint64'), f(3, 'numMessages', 'int32'), f(6, 'highestSequenceId', 'uint64'),
  f(7, 'isChunk', 'bool'),
]);
const SendReceiptSpec = defineMessage('CommandSendReceipt', [
  f(1, 'producerId', 'uint64'), f(2, 'sequenceId', 'uint64'), msg(3, 'messageId', () => MessageIdDataSpec), f(4, 'highestSequenceId', 'uint64'),
]);
const SendErrorSpec = defineMessage('CommandSendError', [f(1, 'producerId', 'uint64'), f(2, 'sequenceId', 'uint64'), f(3, 'error', 'enum'), f(4, 'message', 'string')]);
const MessageSpec_ = defineMessage('CommandMessage', [
  f(1, 'consumerId', 'uint64'), msg(2, 'messageId', () => MessageIdDataSpec), f(3, 'redeliveryCount', 'uint32'),
  f(4, 'ackSet', 'int64big', rep), f(5, 'consumerEpoch', 'uint64'),
]);
export const AckType = { Individual: 0, Cumulative: 1 } as const;
/** CommandAck.validation_error: why a consumer acknowledged an entry it could not read. */
export const ValidationError = { UncompressedSizeCorruption: 0, DecompressionError: 1, ChecksumMismatch: 2, BatchDeSerializeError: 3, DecryptionError: 4 } as const;
const AckSpec = defineMessage('CommandAck', [
  f(1, 'consumerId', 'uint64'), f(2, 'ackType', 'enum'), msg(3, 'messageId', () => MessageIdDataSpec, true), f(4, 'validationError', 'enum'),
  f(8, 'requestId', 'uint64'),
]);
const ActiveConsumerChangeSpec = defineMessage('CommandActiveConsumerChange', [f(1, 'consumerId', 'uint64'), f(2, 'isActive', 'bool')]);
const FlowSpec = defineMessage('CommandFlow', [f(1, 'consumerId', 'uint64'), f(2, 'messagePermits', 'uint32')]);
const UnsubscribeSpec = defineMessage('CommandUnsubscribe', [f(1, 'consumerId', 'uint64'), f(2, 'requestId', 'uint64'), f(3, 'force', 'bool')]);
const SeekSpec = defineMessage('CommandSeek', [
  f(1, 'consumerId', 'uint64'), f(2, 'requestId', 'uint64'), msg(3, 'messageId', () => MessageIdDataSpec), f(4, 'messagePublishTime', 'uint64'),
]);
const ReachedEndOfTopicSpec = defineMessage('CommandReachedEndOfTopic', [f(1, 'consumerId', 'uint64')]);
const CloseProducerSpec = defineMessage('CommandCloseProducer', [
  f(1, 'producerId', 'uint64'), f(2, 'requestId', 'uint64'), f(3, 'assignedBrokerServiceUrl', 'string'), f(4, 'assignedBrokerServiceUrlTls', 'string'),
]);
const CloseConsumerSpec = defineMessage('CommandCloseConsumer', [
  f(1, 'consumerId', 'uint64'), f(2, 'requestId', 'uint64'), f(3, 'assignedBrokerServiceUrl', 'string'), f(4, 'assignedBrokerServiceUrlTls', 'string'),
]);
const RedeliverSpec = defineMessage('CommandRedeliverUnacknowledgedMessages', [
  f(1, 'consumerId', 'uint64'), msg(2, 'messageIds', () => MessageIdDataSpec, true), f(3, 'consumerEpoch', 'uint64'),
]);
const SuccessSpec = defineMessage('CommandSuccess', [f(1, 'requestId', 'uint64'), msg(2, 'schema', () => SchemaSpec)]);
const ProducerSuccessSpec = defineMessage('CommandProducerSuccess', [
  f(1, 'requestId', 'uint64'), f(2, 'producerName', 'string'), f(3, 'lastSequenceId', 'int64'), f(4, 'schemaVersion', 'bytes'),
  f(5, 'topicEpoch', 'uint64'), f(6, 'producerReady', 'bool'),
]);
const ErrorSpec = defineMessage('CommandError', [f(1, 'requestId', 'uint64'), f(2, 'error', 'enum'), f(3, 'message', 'string')]);
const EmptySpec = defineMessage('Empty', []);
const GetLastMessageIdSpec = defineMessage('CommandGetLastMessageId', [f(1, 'consumerId', 'uint64'), f(2, 'requestId', 'uint64')]);
const GetLastMessageIdResponseSpec = defineMessage('CommandGetLastMessageIdResponse', [
  msg(1, 'lastMessageId', () => MessageIdDataSpec), f(2, 'requestId', 'uint64'), msg(3, 'consumerMarkDeletePosition', () => MessageIdDataSpec),
]);
export const TopicsMode = { PERSISTENT: 0, NON_PERSISTENT: 1, ALL: 2 } as const;
const GetTopicsOfNamespaceSpec = defineMessage('CommandGetTopicsOfNamespace', [
  f(1, 'requestId', 'uint64'), f(2, 'namespace', 'string'), f(3, 'mode', 'enum'), f(4, 'topicsPattern', 'string'), f(5, 'topicsHash', 'string'),
]);
const GetTopicsOfNamespaceResponseSpec = defineMessage('CommandGetTopicsOfNamespaceResponse', [
  f(1, 'requestId', 'uint64'), f(2, 'topics', 'string', rep), f(3, 'filtered', 'bool'), f(4, 'topicsHash', 'string'), f(5, 'changed', 'bool'),
]);
const AckResponseSpec = defineMessage('CommandAckResponse', [f(1, 'consumerId', 'uint64'), f(4, 'error', 'enum'), f(5, 'message', 'string'), f(6, 'requestId', 'uint64')]);
const TopicMigratedSpec = defineMessage('CommandTopicMigrated', [
  f(1, 'resourceId', 'uint64'), f(2, 'resourceType', 'enum'), f(3, 'brokerServiceUrl', 'string'), f(4, 'brokerServiceUrlTls', 'string'),
]);

/** BaseCommand.Type codes; each command travels in the BaseCommand field of the same number. */
export const CommandType = {
  CONNECT: 2, CONNECTED: 3, SUBSCRIBE: 4, PRODUCER: 5, SEND: 6, SEND_RECEIPT: 7, SEND_ERROR: 8, MESSAGE: 9, ACK: 10, FLOW: 11,
  UNSUBSCRIBE: 12, SUCCESS: 13, ERROR: 14, CLOSE_PRODUCER: 15, CLOSE_CONSUMER: 16, PRODUCER_SUCCESS: 17, PING: 18, PONG: 19,
  REDELIVER_UNACKNOWLEDGED_MESSAGES: 20, PARTITIONED_METADATA: 21, PARTITIONED_METADATA_RESPONSE: 22, LOOKUP: 23,
  LOOKUP_RESPONSE: 24, REACHED_END_OF_TOPIC: 27, SEEK: 28, GET_LAST_MESSAGE_ID: 29, GET_LAST_MESSAGE_ID_RESPONSE: 30,
  ACTIVE_CONSUMER_CHANGE: 31, GET_TOPICS_OF_NAMESPACE: 32, GET_TOPICS_OF_NAMESPACE_RESPONSE: 33, AUTH_CHALLENGE: 36, AUTH_RESPONSE: 37, ACK_RESPONSE: 38, TOPIC_MIGRATED: 68,
} as const;

/** The BaseCommand field name that carries each type, and its table. */
const bodies: [number, string, MessageSpec][] = [
  [CommandType.CONNECT, 'connect', ConnectSpec],
  [CommandType.CONNECTED, 'connected', ConnectedSpec],
  [CommandType.SUBSCRIBE, 'subscribe', SubscribeSpec],
  [CommandType.PRODUCER, 'producer', ProducerSpec],
  [CommandType.SEND, 'send', SendSpec],
  [CommandType.SEND_RECEIPT, 'sendReceipt', SendReceiptSpec],
  [CommandType.SEND_ERROR, 'sendError', SendErrorSpec],
  [CommandType.MESSAGE, 'message', MessageSpec_],
  [CommandType.ACK, 'ack', AckSpec],
  [CommandType.FLOW, 'flow', FlowSpec],
  [CommandType.UNSUBSCRIBE, 'unsubscribe', UnsubscribeSpec],
  [CommandType.SUCCESS, 'success', SuccessSpec],
  [CommandType.ERROR, 'error', ErrorSpec],
  [CommandType.CLOSE_PRODUCER, 'closeProducer', CloseProducerSpec],
  [CommandType.CLOSE_CONSUMER, 'closeConsumer', CloseConsumerSpec],
  [CommandType.PRODUCER_SUCCESS, 'producerSuccess', ProducerSuccessSpec],
  [CommandType.PING, 'ping', EmptySpec],
  [CommandType.PONG, 'pong', EmptySpec],
  [CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES, 'redeliverUnacknowledgedMessages', RedeliverSpec],
  [CommandType.PARTITIONED_METADATA, 'partitionMetadata', PartitionedMetadataSpec],
  [CommandType.PARTITIONED_METADATA_RESPONSE, 'partitionMetadataResponse', PartitionedMetadataResponseSpec],
  [CommandType.LOOKUP, 'lookupTopic', LookupSpec],
  [CommandType.LOOKUP_RESPONSE, 'lookupTopicResponse', LookupResponseSpec],
  [CommandType.REACHED_END_OF_TOPIC, 'reachedEndOfTopic', ReachedEndOfTopicSpec],
  [CommandType.SEEK, 'seek', SeekSpec],
  [CommandType.GET_LAST_MESSAGE_ID, 'getLastMessageId', GetLastMessageIdSpec],
  [CommandType.GET_LAST_MESSAGE_ID_RESPONSE, 'getLastMessageIdResponse', GetLastMessageIdResponseSpec],
  [CommandType.ACTIVE_CONSUMER_CHANGE, 'activeConsumerChange', ActiveConsumerChangeSpec],
  [CommandType.GET_TOPICS_OF_NAMESPACE, 'getTopicsOfNamespace', GetTopicsOfNamespaceSpec],
  [CommandType.GET_TOPICS_OF_NAMESPACE_RESPONSE, 'getTopicsOfNamespaceResponse', GetTopicsOfNamespaceResponseSpec],
  [CommandType.AUTH_CHALLENGE, 'authChallenge', AuthChallengeSpec],
  [CommandType.AUTH_RESPONSE, 'authResponse', AuthResponseSpec],
  [CommandType.ACK_RESPONSE, 'ackResponse', AckResponseSpec],
  [CommandType.TOPIC_MIGRATED, 'topicMigrated', TopicMigratedSpec],
];

export const BaseCommandSpec = defineMessage('BaseCommand', [
  f(1, 'type', 'enum'),
  ...bodies.map(([no, name, spec]) => msg(no, name, () => spec)),
]);

// ---- decoded shapes the client reads ----

export interface CommandConnected { serverVersion: string; protocolVersion?: number; maxMessageSize?: number }
export interface CommandAuthChallenge { serverVersion?: string; challenge?: { authMethodName?: string; authData?: Uint8Array } }
export interface CommandSendReceipt { producerId: number; sequenceId: number; messageId?: MessageIdData; highestSequenceId?: number }
export interface CommandSendError { producerId: number; sequenceId: number; error: number; message: string }
export interface CommandMessage { consumerId: number; messageId: MessageIdData; redeliveryCount?: number; ackSet?: bigint[]; consumerEpoch?: number }
export interface CommandLookupTopicResponse {
  brokerServiceUrl?: string; brokerServiceUrlTls?: string; response?: number; requestId: number; authoritative?: boolean;
  error?: number; message?: string; proxyThroughServiceUrl?: boolean;
}
export interface CommandPartitionedTopicMetadataResponse { partitions?: number; requestId: number; response?: number; error?: number; message?: string }
export interface CommandProducerSuccess { requestId: number; producerName: string; lastSequenceId?: number; schemaVersion?: Uint8Array; producerReady?: boolean }
export interface CommandError { requestId: number; error: number; message: string }
export interface CommandGetLastMessageIdResponse { lastMessageId: MessageIdData; requestId: number; consumerMarkDeletePosition?: MessageIdData }
export interface CommandCloseProducer { producerId: number; requestId: number; assignedBrokerServiceUrl?: string; assignedBrokerServiceUrlTls?: string }
export interface CommandCloseConsumer { consumerId: number; requestId: number; assignedBrokerServiceUrl?: string; assignedBrokerServiceUrlTls?: string }
export interface CommandActiveConsumerChange { consumerId: number; isActive?: boolean }
export interface CommandTopicMigrated { resourceId: number; resourceType: number; brokerServiceUrl?: string; brokerServiceUrlTls?: string }
export interface CommandAckResponse { consumerId: number; error?: number; message?: string; requestId?: number }

/** A decoded BaseCommand: `type` plus the one body field that goes with it. */
export interface BaseCommand {
  type: number;
  connected?: CommandConnected;
  authChallenge?: CommandAuthChallenge;
  sendReceipt?: CommandSendReceipt;
  sendError?: CommandSendError;
  message?: CommandMessage;
  success?: { requestId: number; schema?: SchemaData };
  error?: CommandError;
  closeProducer?: CommandCloseProducer;
  closeConsumer?: CommandCloseConsumer;
  producerSuccess?: CommandProducerSuccess;
  partitionMetadataResponse?: CommandPartitionedTopicMetadataResponse;
  lookupTopicResponse?: CommandLookupTopicResponse;
  reachedEndOfTopic?: { consumerId: number };
  getLastMessageIdResponse?: CommandGetLastMessageIdResponse;
  activeConsumerChange?: CommandActiveConsumerChange;
  getTopicsOfNamespaceResponse?: { requestId: number; topics?: string[]; filtered?: boolean; topicsHash?: string; changed?: boolean };
  ackResponse?: CommandAckResponse;
  topicMigrated?: CommandTopicMigrated;
  [body: string]: unknown;
}

const typeToField = new Map(bodies.map(([no, name]) => [no, name]));
/** The BaseCommand field name that carries a command type. */
export function bodyField(type: number): string {
  const name = typeToField.get(type);
  if (!name) throw new Error(`command type ${type} is not one this client speaks`);
  return name;
}
