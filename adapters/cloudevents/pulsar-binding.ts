// CloudEvent ↔ Pulsar message, modelled on the CloudEvents Kafka binding (binary mode):
//   attribute X           ↔ property `ce_X`      (core attributes and extensions alike)
//   datacontenttype       ↔ property `content-type`
//   partitionkey          ↔ message key
//   time                  → event time (and back, when no ce_time property is present)
//   data                  ↔ payload, byte for byte
// A plain Pulsar message (no ce_specversion) still becomes a complete event: its id is the Pulsar
// message id, its source the topic; its own properties become extensions when their names are
// valid extension names, the rest travel as JSON in the `pulsarproperties` extension.
import { messageIdText } from '../pulsar/message-id.js';
import type { ConsumedMessage, OutgoingMessage } from '../pulsar/ws-messages.js';
import { isValidAttributeName, type CloudEvent } from './cloud-event.js';

const PREFIX = 'ce_';
const CONTENT_TYPE = 'content-type';
const KEY_ATTRIBUTE = 'partitionkey';
export const EXTRA_PROPERTIES_ATTRIBUTE = 'pulsarproperties';

export interface MessageContext {
  /** Source for plain messages: the topic the message came from. */
  source: string;
  /** Type for plain messages. */
  type: string;
  /** Content type for plain messages without a content-type property. */
  dataContentType?: string;
}

export function messageToCloudEvent(message: ConsumedMessage, context: MessageContext): CloudEvent {
  const attributes: Record<string, string> = {
    specversion: '1.0',
    id: messageIdText(message.messageId),
    source: context.source,
    type: context.type,
    time: isoTime(message.eventTime ?? message.publishTime),
  };
  if (context.dataContentType) attributes.datacontenttype = context.dataContentType;
  if (message.key !== undefined) attributes[KEY_ATTRIBUTE] = message.key;
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties)) {
    if (name.startsWith(PREFIX) && isValidAttributeName(name.slice(PREFIX.length))) {
      attributes[name.slice(PREFIX.length)] = value;
    } else if (name === CONTENT_TYPE) {
      attributes.datacontenttype = value;
    } else if (isValidAttributeName(name) && !(name in attributes) && !message.properties[PREFIX + name]) {
      attributes[name] = value;
    } else {
      extra[name] = value;
    }
  }
  if (Object.keys(extra).length) attributes[EXTRA_PROPERTIES_ATTRIBUTE] = JSON.stringify(extra);
  return message.payload.length ? { attributes, data: message.payload } : { attributes };
}

/** `key` is the fallback message key (the input's key, for a function's reply). */
export function cloudEventToMessage(event: CloudEvent, fallback: { key?: string } = {}): OutgoingMessage {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') properties[CONTENT_TYPE] = value;
    else if (name !== KEY_ATTRIBUTE) properties[PREFIX + name] = value;
  }
  const message: OutgoingMessage = { payload: event.data ?? Buffer.alloc(0), properties };
  const key = event.attributes[KEY_ATTRIBUTE] ?? fallback.key;
  if (key !== undefined) message.key = key;
  if (event.attributes.time) message.eventTime = isoTime(event.attributes.time);
  return message;
}

// Pulsar prints times in its JVM's zone; CloudEvents wants RFC 3339: normalize to UTC. Text
// already in toISOString()'s form (the binary transport's, and most replies') is kept as it is.
function isoTime(text: string): string {
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84 && text.charCodeAt(19) === 46) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}
