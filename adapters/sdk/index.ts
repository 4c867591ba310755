// A small SDK for TypeScript function authors: `serve(async (event) => reply)` runs the HTTP
// container the bridge POSTs CloudEvents to. The handler gets a `cloudevents` CloudEvent (data
// decoded: JSON parsed, text as a string, anything else a Buffer) and returns
//   a CloudEvent        → the reply event (binary mode)
//   a string / Buffer   → reply data (text/plain / application/octet-stream); the bridge wraps it
//   another value       → reply data as JSON
//   undefined or null   → no reply (204)
// Throwing `new Rejection(reason)` answers 400: the event is dead-lettered, not retried. Any
// other error answers 500 and the bridge retries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent } from 'cloudevents';
import express from 'express';
import { CloudEventError, type CloudEvent as EventRecord } from '../cloudevents/cloud-event.js';
import { isJsonType, parseHttpCloudEvent, toBinaryHttp } from '../cloudevents/http-binding.js';

export { CloudEvent };

export type Reply = CloudEvent<unknown> | string | Buffer | object | undefined | null;
export type Handler = (event: CloudEvent<unknown>) => Reply | Promise<Reply>;

/** Refuses an event for good: the bridge dead-letters it instead of retrying. */
export class Rejection extends Error {}

export function createApp(handler: Handler): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.status(200).send('ok\n'));
  app.post('/', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
    let event: CloudEvent<unknown>;
    try {
      event = toSdkEvent(parseHttpCloudEvent(req.headers, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)));
    } catch (err) {
      return void res.status(err instanceof CloudEventError ? 400 : 500).type('text/plain').send((err as Error).message);
    }
    let reply: Reply;
    try {
      reply = await handler(event);
    } catch (err) {
      const status = err instanceof Rejection ? 400 : 500;
      return void res.status(status).type('text/plain').send((err as Error).message ?? String(err));
    }
    send(res, reply);
  });
  return app;
}

export interface Served {
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (default $PORT, else 8080) and stops gracefully on SIGTERM. */
export async function serve(handler: Handler, opts: { port?: number; host?: string } = {}): Promise<Served> {
  const server = http.createServer(createApp(handler));
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

function send(res: express.Response, reply: Reply): void {
  if (reply === undefined || reply === null) return void res.status(204).end();
  if (reply instanceof CloudEvent) {
    const { headers, body } = toBinaryHttp(fromSdkEvent(reply));
    return void res.writeHead(200, headers).end(body); // express's set() would append a charset
  }
  if (typeof reply === 'string') return void res.status(200).type('text/plain').send(reply);
  if (Buffer.isBuffer(reply)) return void res.status(200).type('application/octet-stream').send(reply);
  res.status(200).json(reply);
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
