// What goes to the dead-letter topic: the original message untouched (payload, key, event time,
// properties), plus why it failed. Pulsar's own ORIGIN_MESSAGE_ID property names the original;
// Knative's error extensions (as ce_ properties, so they read back as CloudEvent extensions)
// name the destination and the HTTP status.
import { messageIdText } from '../pulsar/message-id.js';
import type { ConsumedMessage, OutgoingMessage } from '../pulsar/ws-messages.js';

export interface FailureRecord {
  reason: string;
  status?: number;
  target: string;
}

export function deadLetterMessage(message: ConsumedMessage, failure: FailureRecord): OutgoingMessage {
  const properties: Record<string, string> = {
    ...message.properties,
    ORIGIN_MESSAGE_ID: messageIdText(message.messageId),
    DEAD_LETTER_REASON: failure.reason.slice(0, 1000),
    ce_knativeerrordest: failure.target,
  };
  if (failure.status !== undefined) properties.ce_knativeerrorcode = String(failure.status);
  const out: OutgoingMessage = { payload: message.payload, properties };
  if (message.key !== undefined) out.key = message.key;
  if (message.eventTime !== undefined) out.eventTime = message.eventTime;
  return out;
}
