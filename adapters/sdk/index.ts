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
import { CloudEvent } from 'cloudevents';
import { CloudEventError, type CloudEvent as EventRecord } from '../cloudevents/cloud-event.js';
import { isJsonType, parseHttpCloudEvent, toBinaryHttp, type HttpHeaders } from '../cloudevents/http-binding.js';
import { Http1Server, type HttpAnswer, type HttpRequest } from './http1/server.js';
import { forwardToSink, replyEvent } from './sink-binding.js';

export { CloudEvent };

export type Reply = CloudEvent<unknown> | string | Buffer | object | undefined | null;
export type Handler = (event: CloudEvent<unknown>) => Reply | Promise<Reply>;

/** Refuses an event for good: the bridge dead-letters it instead of retrying. */
export class Rejection extends Error {}

const EMPTY = Buffer.alloc(0);

const MAX_EVENT_BYTES = 10 * 1024 * 1024;
const TEXT = 'text/plain; charset=utf-8';

/**
 * The function's HTTP server as a plain request listener for node:http (serve() uses the SDK's
 * own server, http1/server.ts, with the same routes and answers).
 */
export function createRequestListener(handler: Handler, opts: { sink?: string } = {}): http.RequestListener {
  return (req, res) => {
    const write = (a: HttpAnswer) => void res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) }).end(a.body);
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    if (method !== 'POST' || path !== '/') return write(route(method, path));
    readBody(req).then(
      (body) => answerEvent(handler, req.headers, body, opts.sink).then(write),
      (err: Error) => write(plain(413, err.message)),
    );
  };
}

/** The answer off the event route: /healthz, 404, 405. */
function route(method: string, path: string): HttpAnswer {
  if (method === 'GET' && path === '/healthz') return plain(200, 'ok\n');
  if (path !== '/') return plain(404, `no route ${path}: events are POSTed to /\n`);
  return { status: 405, headers: { 'content-type': TEXT, allow: 'POST' }, body: `${method} /: events are POSTed\n` };
}

/** The answer to a request on the SDK's own server. */
function answerRequest(handler: Handler, request: HttpRequest, sink: string | undefined): HttpAnswer | Promise<HttpAnswer> {
  const query = request.target.indexOf('?');
  const path = query < 0 ? request.target : request.target.slice(0, query);
  if (request.method !== 'POST' || path !== '/') return route(request.method, path);
  return answerEvent(handler, request.headers, request.body, sink);
}

async function answerEvent(handler: Handler, headers: HttpHeaders, body: Buffer, sink: string | undefined): Promise<HttpAnswer> {
  let input: EventRecord;
  let event: CloudEvent<unknown>;
  try {
    input = parseHttpCloudEvent(headers, body);
    event = toSdkEvent(input);
  } catch (err) {
    return plain(err instanceof CloudEventError ? 400 : 500, (err as Error).message);
  }
  let reply: Reply;
  try {
    reply = await handler(event);
  } catch (err) {
    return plain(err instanceof Rejection ? 400 : 500, (err as Error)?.message ?? String(err));
  }
  if (reply === undefined || reply === null) return { status: 204, headers: {}, body: EMPTY };
  if (!sink) return replyAnswer(reply);
  const forwarded = await forwardToSink(sink, replyRecord(input, reply));
  const answer = plain(forwarded.status, `${forwarded.detail}\n`);
  if (forwarded.retryAfter) answer.headers['retry-after'] = forwarded.retryAfter;
  return answer;
}

/** A reply as an event: a CloudEvent as it is, plain data with the input's attributes. */
function replyRecord(input: EventRecord, reply: Exclude<Reply, undefined | null>): EventRecord {
  if (reply instanceof CloudEvent) return fromSdkEvent(reply);
  if (typeof reply === 'string') return replyEvent(input, Buffer.from(reply, 'utf8'), TEXT);
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

/**
 * Listens on `port` (default $PORT, else 8080) and stops gracefully on SIGTERM; replies go to
 * `sink` (default $K_SINK) when set. The server is the SDK's own HTTP/1.1 server (http1/server.ts).
 */
export async function serve(handler: Handler, opts: { port?: number; host?: string; sink?: string } = {}): Promise<Served> {
  const sink = opts.sink ?? (process.env.K_SINK || undefined);
  // Idle connections are kept longer than the bridge keeps them.
  const server = new Http1Server((request) => answerRequest(handler, request, sink), { maxBodyBytes: MAX_EVENT_BYTES, keepAliveTimeoutMs: 65_000 });
  const port = await server.listen(opts.port ?? Number(process.env.PORT ?? 8080), opts.host ?? '0.0.0.0');
  const close = () => server.close();
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  return { port, close };
}

function replyAnswer(reply: Exclude<Reply, undefined | null>): HttpAnswer {
  if (reply instanceof CloudEvent) {
    const { headers, body } = toBinaryHttp(fromSdkEvent(reply));
    return { status: 200, headers, body };
  }
  if (typeof reply === 'string') return plain(200, reply);
  if (Buffer.isBuffer(reply)) return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: reply };
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(reply) };
}

function plain(status: number, body: string): HttpAnswer {
  return { status, headers: { 'content-type': TEXT }, body };
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
