// The Pulsar binary-protocol client's public surface. Everything else in this folder is internal.
export { PulsarClient, type ClientOptions, type TlsAuthentication, type TokenSource } from './client.js';
export type { Producer, ProducerOptions, ProducerMessage, CompressionName } from './producer.js';
export type { Consumer, ConsumerOptions, SubscriptionType } from './consumer.js';
export { Reader, type ReaderOptions } from './reader.js';
export type { Message } from './message.js';
export { MessageId } from './message-id.js';
export type { SchemaInfo } from './schema.js';
export { DEFAULT_MAX_MESSAGE_SIZE, type Authentication, type TlsOptions } from './connection.js';
export { BrokerError, ConnectionClosedError, PulsarClientError, TimeoutError, AlreadyClosedError, MessageTooLargeError } from './errors.js';
export { murmur3Hash32 } from './murmur3.js';
