// CloudEvents HTTP protocol binding (v1.0): binary mode (ce-* headers, body = data) and
// structured mode (application/cloudevents+json). Reading accepts both; writing uses binary mode,
// which passes data through untouched. Header values are percent-encoded as the binding requires.
import type { IncomingHttpHeaders } from 'node:http';
import { assertValidCloudEvent, CloudEventError, type CloudEvent } from './cloud-event.js';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

export type HttpHeaders = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** True when the headers carry a CloudEvent in either mode (a reply may also be plain HTTP). */
export function hasCloudEvent(headers: HttpHeaders): boolean {
  return header(headers, 'ce-specversion') !== undefined || mediaType(headers).startsWith(STRUCTURED);
}

/** Reads a CloudEvent from an HTTP request or response; throws CloudEventError naming the problem. */
export function parseHttpCloudEvent(headers: HttpHeaders, body: Buffer): CloudEvent {
  const type = mediaType(headers);
  if (type.startsWith(BATCH)) throw new CloudEventError(`batched mode (${BATCH}) is not supported: send one event per request`);
  if (type.startsWith(STRUCTURED)) return assertValidCloudEvent(parseStructured(body));
  if (header(headers, 'ce-specversion') === undefined) {
    throw new CloudEventError(
      `not a CloudEvent: no ce-specversion header (binary mode) and content-type is not ${STRUCTURED} (structured mode)`,
    );
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('ce-') || value === undefined) continue;
    attributes[name.slice(3).toLowerCase()] = percentDecode(Array.isArray(value) ? value.join(',') : value);
  }
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  return assertValidCloudEvent(body.length ? { attributes, data: body } : { attributes });
}

/** Binary-mode headers and body for an event. */
export function toBinaryHttp(event: CloudEvent): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[`ce-${name}`] = percentEncode(value);
  }
  return { headers, body: event.data ?? Buffer.alloc(0) };
}

// What node:http accepts in a header value, and an RFC 9110 token (a header name).
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The same binary-mode headers as toBinaryHttp, as the header lines of an HTTP/1.1 message (each
 * ending in CRLF), for a client that writes requests itself. Throws CloudEventError for an
 * attribute that cannot travel in a header.
 */
export function binaryHeaderLines(event: CloudEvent): string {
  let lines = '';
  const { attributes } = event;
  for (const name in attributes) {
    const value = attributes[name]!;
    if (name === 'datacontenttype') {
      if (!HEADER_VALUE.test(value)) throw new CloudEventError(`datacontenttype ${JSON.stringify(value)} cannot be an HTTP header value: remove its control characters`);
      lines += `content-type: ${value}\r\n`;
    } else {
      if (!TOKEN.test(name)) throw new CloudEventError(`attribute name ${JSON.stringify(name)} cannot be an HTTP header name: use lowercase letters a-z and digits 0-9 only`);
      lines += `ce-${name}: ${percentEncode(value)}\r\n`;
    }
  }
  return lines;
}

function parseStructured(body: Buffer): CloudEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new CloudEventError(`structured CloudEvent is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CloudEventError('structured CloudEvent must be a JSON object');
  }
  const { data, data_base64: dataBase64, ...rest } = json as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw new CloudEventError(`attribute "${name}" must be a string, number or boolean, not an object`);
    attributes[name] = String(value);
  }
  if (data !== undefined && dataBase64 !== undefined) throw new CloudEventError('structured CloudEvent has both "data" and "data_base64": send one');
  if (dataBase64 !== undefined) {
    if (typeof dataBase64 !== 'string') throw new CloudEventError('"data_base64" must be a base64 string');
    return { attributes, data: Buffer.from(dataBase64, 'base64') };
  }
  if (data === undefined || data === null) return { attributes };
  // Data that is a JSON string under a non-JSON content type is the text itself, not its JSON form.
  const jsonData = isJsonType(attributes.datacontenttype);
  return { attributes, data: Buffer.from(typeof data === 'string' && !jsonData ? data : JSON.stringify(data), 'utf8') };
}

export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true; // the structured-mode default is application/json
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

function header(headers: HttpHeaders, name: string): string | undefined {
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function mediaType(headers: HttpHeaders): string {
  return (header(headers, 'content-type') ?? '').trim().toLowerCase();
}

// The binding percent-encodes space, '"', '%' and anything outside printable ASCII, as UTF-8.
export function percentEncode(value: string): string {
  return value.replace(/[^\x21-\x7e]|["%]/gu, (c) => encodeURIComponent(c));
}

export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a lone '%' from a sender that did not encode: keep the text as sent
  }
}
