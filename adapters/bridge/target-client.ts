// POSTs one CloudEvent (binary mode) to the function or sink container and says what came of
// it: delivered (with the reply event, if any), retry, or reject. Kept-alive connections
// (http1/connection-pool.ts: each request written as one buffer, the reply parsed without
// node:http's streams), one time-out per attempt, and an abort signal so shutdown can cut a
// delivery short.
import { isIP } from 'node:net';
import { CloudEventError, type CloudEvent } from '../cloudevents/cloud-event.js';
import { binaryHeaderLines, hasCloudEvent, parseHttpCloudEvent } from '../cloudevents/http-binding.js';
import { ConnectionPool, type HttpResponse } from './http1/connection-pool.js';
import { classifyStatus, retryAfterMs } from './status.js';

export type DeliveryResult =
  | { verdict: 'delivered'; status: number; reply?: CloudEvent }
  | { verdict: 'retry' | 'reject'; status?: number; reason: string; retryAfterMs?: number; body?: Buffer };

export interface TargetClientOptions {
  url: string;
  timeoutMs: number;
  maxSockets: number;
  /** Builds the reply event around a plain (non-CloudEvent) response body. */
  plainReply(input: CloudEvent, body: Buffer, contentType: string | undefined): CloudEvent;
}

const MAX_ERROR_BODY = 1024;
const EMPTY = Buffer.alloc(0);
const ABORTED = 'delivery aborted by shutdown';

export class TargetClient {
  private readonly pool: ConnectionPool;
  private readonly origin: string;
  /** Request line and the headers every request carries. */
  private readonly prefix: string;
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(private readonly opts: TargetClientOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`target URL ${opts.url}: use http:// or https://`);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.pool = new ConnectionPool({
      protocol: url.protocol,
      host,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ...(url.protocol === 'https:' && !isIP(host) && { servername: host }),
    }, opts.maxSockets);
    this.origin = url.origin;
    this.prefix = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  }

  deliver(event: CloudEvent, signal?: AbortSignal): Promise<DeliveryResult> {
    if (signal?.aborted) return Promise.resolve({ verdict: 'retry', reason: ABORTED });
    if (signal && !this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.pool.cutAll(new Error('aborted')), { once: true });
    }
    let bytes: Buffer;
    try {
      bytes = this.requestBytes(event);
    } catch (err) {
      if (err instanceof CloudEventError) return Promise.resolve({ verdict: 'reject', reason: `the event cannot be sent over HTTP: ${err.message}` });
      throw err;
    }
    // Exactly one verdict per delivery, whichever ends it: the answer, an error, a cut-off
    // answer (the function died mid-reply) or the time-out. A delivery that never settled
    // would hold its in-flight slot, and in ordered mode its key, for ever.
    return new Promise((resolve) => {
      const req = this.pool.request(bytes, (err, res) => {
        clearTimeout(timer);
        if (err) resolve({ verdict: 'retry', reason: signal?.aborted ? ABORTED : `${this.origin}: ${err.message}` });
        else resolve(this.judge(event, res!));
      });
      const timer = setTimeout(() => {
        this.pool.cancel(req);
        resolve({ verdict: 'retry', reason: `${this.origin}: no response within ${this.opts.timeoutMs} ms` });
      }, this.opts.timeoutMs);
    });
  }

  close(): void {
    this.pool.close();
  }

  /** The whole request, head and body, in one buffer: one write, one syscall. */
  private requestBytes(event: CloudEvent): Buffer {
    const body = event.data ?? EMPTY;
    const head = `${this.prefix}${binaryHeaderLines(event)}content-length: ${body.length}\r\n\r\n`;
    const bytes = Buffer.allocUnsafe(head.length + body.length);
    bytes.write(head, 0, 'latin1');
    body.copy(bytes, head.length);
    return bytes;
  }

  private judge(input: CloudEvent, res: HttpResponse): DeliveryResult {
    const { status, headers, body } = res;
    const verdict = classifyStatus(status);
    if (verdict !== 'delivered') {
      const result: DeliveryResult = { verdict, status, reason: `HTTP ${status}${body.length ? `: ${body.subarray(0, 200).toString().trim()}` : ''}`, body: body.subarray(0, MAX_ERROR_BODY) };
      const after = retryAfterMs(headers['retry-after']);
      if (after !== undefined) result.retryAfterMs = after;
      return result;
    }
    if (status === 202 || status === 204) return { verdict, status };
    try {
      if (hasCloudEvent(headers)) return { verdict, status, reply: parseHttpCloudEvent(headers, body) };
    } catch (err) {
      if (err instanceof CloudEventError) return { verdict: 'reject', status, reason: `the reply is ${err.message}` };
      throw err;
    }
    if (!body.length) return { verdict, status };
    return { verdict, status, reply: this.opts.plainReply(input, body, headers['content-type']) };
  }
}
