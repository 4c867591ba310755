// A small SDK for TypeScript function authors: `serve(async (event) => reply)` runs the HTTP
// container the bridge POSTs CloudEvents to. The handler gets a `cloudevents` CloudEvent (data
// decoded: JSON parsed, text as a string, anything else a Buffer) and returns
//   a CloudEvent        → the reply event (binary mode)
//   a string / Buffer   → reply data (text/plain / application/octet-stream); the bridge wraps it
//   another value       → reply data as JSON
//   undefined or null   → no reply (204)
// Throwing `new Rejection(reason)` answers 400: the event is dead-lettered, not retried. Any
// other error answers 500 and the bridge retries.
// With K_SINK set (a Source's container, or any container given one) the reply is sent there
// instead, and the request answered 202 once K_SINK accepted it (sink-binding.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent } from 'cloudevents';
import { CloudEventError, type CloudEvent as EventRecord } from '../cloudevents/cloud-event.js';
import { isJsonType, parseHttpCloudEvent, toBinaryHttp } from '../cloudevents/http-binding.js';
import { forwardToSink, replyEvent } from './sink-binding.js';

export { CloudEvent };

export type Reply = CloudEvent<unknown> | string | Buffer | object | undefined | null;
export type Handler = (event: CloudEvent<unknown>) => Reply | Promise<Reply>;

/** Refuses an event for good: the bridge dead-letters it instead of retrying. */
export class Rejection extends Error {}

const MAX_EVENT_BYTES = 10 * 1024 * 1024;

/**
 * The function's HTTP server as a plain request listener: two routes need no framework, and a
 * function answers thousands of events a second, where a router's per-request cost shows.
 */
export function createRequestListener(handler: Handler, opts: { sink?: string } = {}): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/healthz') return answer(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    if (path !== '/') return answer(res, 404, 'text/plain; charset=utf-8', `no route ${path}: events are POSTed to /\n`);
    if (req.method !== 'POST') return answer(res, 405, 'text/plain; charset=utf-8', `${req.method} /: events are POSTed\n`, { allow: 'POST' });
    readBody(req).then(
      (body) => handle(handler, req, body, res, opts.sink),
      (err: Error) => answer(res, 413, 'text/plain; charset=utf-8', err.message),
    );
  };
}

async function handle(handler: Handler, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, sink: string | undefined): Promise<void> {
  let input: EventRecord;
  let event: CloudEvent<unknown>;
  try {
    input = parseHttpCloudEvent(req.headers, body);
    event = toSdkEvent(input);
  } catch (err) {
    return answer(res, err instanceof CloudEventError ? 400 : 500, 'text/plain; charset=utf-8', (err as Error).message);
  }
  let reply: Reply;
  try {
    reply = await handler(event);
  } catch (err) {
    return answer(res, err instanceof Rejection ? 400 : 500, 'text/plain; charset=utf-8', (err as Error)?.message ?? String(err));
  }
  if (!sink) return send(res, reply);
  if (reply === undefined || reply === null) return void res.writeHead(204).end();
  const forwarded = await forwardToSink(sink, replyRecord(input, reply));
  answer(res, forwarded.status, 'text/plain; charset=utf-8', `${forwarded.detail}\n`, forwarded.retryAfter ? { 'retry-after': forwarded.retryAfter } : {});
}

/** A reply as an event: a CloudEvent as it is, plain data with the input's attributes. */
function replyRecord(input: EventRecord, reply: Exclude<Reply, undefined | null>): EventRecord {
  if (reply instanceof CloudEvent) return fromSdkEvent(reply);
  if (typeof reply === 'string') return replyEvent(input, Buffer.from(reply, 'utf8'), 'text/plain; charset=utf-8');
  if (Buffer.isBuffer(reply)) return replyEvent(input, reply, 'application/octet-stream');
  return replyEvent(input, Buffer.from(JSON.stringify(reply), 'utf8'), 'application/json; charset=utf-8');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_EVENT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_EVENT_BYTES ? reject(new Error(`event body over ${MAX_EVENT_BYTES} bytes\n`)) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

export interface Served {
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (default $PORT, else 8080) and stops gracefully on SIGTERM; replies go to `sink` (default $K_SINK) when set. */
export async function serve(handler: Handler, opts: { port?: number; host?: string; sink?: string } = {}): Promise<Served> {
  const server = http.createServer(createRequestListener(handler, { sink: opts.sink ?? (process.env.K_SINK || undefined) }));
  server.keepAliveTimeout = 65_000; // longer than the bridge keeps idle connections
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? Number(process.env.PORT ?? 8080), opts.host ?? '0.0.0.0', () => resolve());
  });
  const close = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  return { port: (server.address() as AddressInfo).port, close };
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (reply === undefined || reply === null) return void res.writeHead(204).end();
  if (reply instanceof CloudEvent) {
    const { headers, body } = toBinaryHttp(fromSdkEvent(reply));
    return void res.writeHead(200, headers).end(body);
  }
  if (typeof reply === 'string') return answer(res, 200, 'text/plain; charset=utf-8', reply);
  if (Buffer.isBuffer(reply)) return answer(res, 200, 'application/octet-stream', reply);
  answer(res, 200, 'application/json; charset=utf-8', JSON.stringify(reply));
}

function answer(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra }).end(body);
}

function toSdkEvent(event: EventRecord): CloudEvent<unknown> {
  const type = event.attributes.datacontenttype;
  let data: unknown = event.data;
  if (event.data && type !== undefined && isJsonType(type)) {
    try {
      data = JSON.parse(event.data.toString('utf8'));
    } catch {
      data = event.data.toString('utf8');
    }
  } else if (event.data && type?.startsWith('text/')) {
    data = event.data.toString('utf8');
  }
  return new CloudEvent<unknown>({ ...event.attributes, ...(data !== undefined && { data }) }, false);
}

function fromSdkEvent(event: CloudEvent<unknown>): EventRecord {
  const { data, data_base64: base64, ...rest } = event.toJSON() as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) if (value !== undefined && value !== null) attributes[name] = String(value);
  let bytes: Buffer | undefined;
  if (typeof base64 === 'string') bytes = Buffer.from(base64, 'base64');
  else if (Buffer.isBuffer(data) || data instanceof Uint8Array) bytes = Buffer.from(data);
  else if (typeof data === 'string') bytes = Buffer.from(data, 'utf8');
  else if (data !== undefined) {
    bytes = Buffer.from(JSON.stringify(data), 'utf8');
    attributes.datacontenttype ??= 'application/json';
  }
  return bytes ? { attributes, data: bytes } : { attributes };
}
