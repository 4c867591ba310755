// The JSON frames of Pulsar's WebSocket API, and the decoded forms the rest of the code uses.

/** A message as the consumer hands it out (payload decoded from base64). */
export interface ConsumedMessage {
  /** Opaque id (base64 MessageIdData) to acknowledge with. */
  messageId: string;
  payload: Buffer;
  properties: Record<string, string>;
  publishTime: string;
  eventTime?: string;
  key?: string;
  redeliveryCount: number;
}

/** A message to produce. */
export interface OutgoingMessage {
  payload: Buffer;
  properties?: Record<string, string>;
  key?: string;
  /** ISO-8601 event time. */
  eventTime?: string;
}

export interface ConsumerFrame {
  messageId: string;
  payload: string;
  properties?: Record<string, string>;
  publishTime: string;
  redeliveryCount?: number;
  key?: string;
  eventTime?: string;
}

export interface ProducerReceiptFrame {
  result: string;
  messageId?: string;
  errorMsg?: string;
  context?: string;
}

export function decodeConsumerFrame(frame: ConsumerFrame): ConsumedMessage {
  const message: ConsumedMessage = {
    messageId: frame.messageId,
    payload: Buffer.from(frame.payload ?? '', 'base64'),
    properties: frame.properties ?? {},
    publishTime: frame.publishTime,
    redeliveryCount: frame.redeliveryCount ?? 0,
  };
  if (frame.key !== undefined) message.key = frame.key;
  if (frame.eventTime !== undefined) message.eventTime = frame.eventTime;
  return message;
}

export function encodeProducerFrame(message: OutgoingMessage, context: string): string {
  return JSON.stringify({
    payload: message.payload.toString('base64'),
    properties: message.properties,
    key: message.key,
    eventTime: message.eventTime,
    context,
  });
}
