// What the bridge needs from Pulsar, whichever way it speaks to it: a consumer of the inputs that
// hands messages to the pump and takes its acks, and producers that resolve once Pulsar has the
// message. binary.ts speaks Pulsar's own protocol (the default); websocket.ts the broker's
// WebSocket API (a fallback chosen with BRIDGE_TRANSPORT=websocket).
import type { ConsumedMessage } from '../../pulsar/ws-messages.js';
import type { SubscriptionType } from '../config.js';
import type { Acknowledger, Sender } from '../message-pump.js';

export interface InputConsumer extends Acknowledger {
  readonly connected: boolean;
  readonly lastError: string | undefined;
  /** The pump has room again (binary: the consumer takes the next message only then). */
  wake(): void;
  close(): Promise<void>;
}

export interface OutputProducer extends Sender {
  readonly connected: boolean;
  readonly lastError: string | undefined;
  /** The largest payload one message may carry on this transport, and what to change for more. */
  readonly payloadLimit: PayloadLimit;
  close(): Promise<void>;
}

export interface PayloadLimit {
  bytes: number;
  /** Why that is the limit and how to raise it, for the 413 answer. */
  why: string;
}

export interface InputSpec {
  input: { topics: string[] } | { pattern: string };
  subscription: string;
  subscriptionType: SubscriptionType;
  /** Where a subscription that does not exist yet starts. */
  position: 'latest' | 'earliest';
  /** Messages the bridge holds unacknowledged at most. */
  receiverQueueSize: number;
  consumerName: string;
  /** How long a handed-back (negatively acknowledged) message waits before Pulsar redelivers it. */
  negativeAckRedeliveryDelayMs: number;
  onMessage(message: ConsumedMessage, session: number): void;
  /** False while the pump holds receiverQueueSize messages, or drains. */
  hasRoom(): boolean;
}

export interface PulsarTransport {
  /** Where it connects, without credentials: for logs. */
  readonly endpoint: string;
  consumer(spec: InputSpec): InputConsumer;
  producer(topic: string, producerName: string): OutputProducer;
  /** After every consumer and producer it made is closed. */
  close(): Promise<void>;
}
