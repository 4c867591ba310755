// Source mode: the HTTP endpoint the source container POSTs CloudEvents to (its K_SINK). An
// event is answered 202 only once Pulsar has confirmed it; 400 names what makes it invalid;
// 413 when it is larger than one message may be on the transport (the broker's maxMessageSize on
// the binary one, 700 KiB on the WebSocket one), naming the limit and what to change; 429 when
// too many are being persisted at once, 503 while Pulsar is unreachable — both with Retry-After,
// both safe to retry.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../process/logger.js';
import { CloudEventError } from '../cloudevents/cloud-event.js';
import { parseHttpCloudEvent } from '../cloudevents/http-binding.js';
import { cloudEventToMessage } from '../cloudevents/pulsar-binding.js';
import { MessageTooLargeError } from '../pulsar/binary/index.js';
import type { OutgoingMessage } from '../pulsar/ws-messages.js';
import type { BridgeMetrics } from './metrics.js';
import type { Sender } from './message-pump.js';
import type { PayloadLimit } from './transport/transport.js';

/** How far beyond the limit a body is still read (and dropped) so that its client gets the 413. */
const DRAIN_AT_MOST = 8 * 1024 * 1024;

export interface IngressDeps {
  host: string;
  port: number;
  maxPending: number;
  timeoutMs: number;
  producer: Sender & { readonly connected: boolean; readonly payloadLimit: PayloadLimit };
  metrics: BridgeMetrics;
  log: Logger;
}

export interface Ingress {
  readonly port: number;
  readonly pending: number;
  /** Refuses new events (503) and waits for those being persisted. */
  close(): Promise<void>;
}

export async function startIngress(deps: IngressDeps): Promise<Ingress> {
  let pending = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const answer = (res: http.ServerResponse, code: number, text?: string, retryAfter?: number): void => {
    deps.metrics.ingress.inc({ code: String(code) });
    const headers: Record<string, string> = {};
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    if (text) headers['content-type'] = 'text/plain; charset=utf-8';
    res.writeHead(code, headers).end(text ? `${text}\n` : undefined);
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') return answer(res, 405, 'POST a CloudEvent (binary or structured mode)');
    if (closing) return answer(res, 503, 'shutting down', 1);
    if (!deps.producer.connected) return answer(res, 503, 'Pulsar is not connected', 1);
    if (pending >= deps.maxPending) return answer(res, 429, `${pending} events are being persisted: retry later`, 1);
    // Read per request: the binary transport learns the broker's limit when it connects.
    const limit = deps.producer.payloadLimit;
    const declared = Number(req.headers['content-length'] ?? 0);
    // A client may send its whole body before it reads any answer, and gets EPIPE, not the 413, if
    // the server closes first: a body near the limit is read (and dropped) before the answer; only
    // a far larger one is refused at once, closing the connection.
    if (declared > limit.bytes + DRAIN_AT_MOST) return void tooLarge(res, declared, limit, true);
    pending++;
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit.bytes) chunks.push(c);
    });
    req.on('error', () => release());
    req.on('end', () => {
      if (size > limit.bytes) {
        release();
        return tooLarge(res, size, limit);
      }
      void persist(req, res, Buffer.concat(chunks)).finally(() => {
        deps.metrics.processingDuration.observe((performance.now() - started) / 1000);
        release();
      });
    });
  });

  function tooLarge(res: http.ServerResponse, size: number, limit: PayloadLimit, close = false): void {
    if (close) res.setHeader('connection', 'close');
    answer(res, 413, `event of ${size} bytes is larger than ${limit.bytes} bytes, the most one Pulsar message may carry here: ${limit.why}`);
  }

  function release(): void {
    pending--;
    if (closing && pending === 0) drained?.();
  }

  async function persist(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    let message: OutgoingMessage;
    try {
      message = cloudEventToMessage(parseHttpCloudEvent(req.headers, body));
    } catch (err) {
      return answer(res, err instanceof CloudEventError ? 400 : 500, (err as Error).message);
    }
    try {
      await deps.producer.send(message, deps.timeoutMs);
      answer(res, 202);
    } catch (err) {
      // Its attributes (message properties) can take a body under the limit over the broker's.
      if ((err as Error).cause instanceof MessageTooLargeError) return answer(res, 413, `not persisted: ${(err as Error).message}`);
      deps.log.warn({ err: (err as Error).message }, 'event not persisted');
      answer(res, 503, `not persisted: ${(err as Error).message}`, 1);
    }
  }

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  deps.log.info({ host: deps.host, port: (server.address() as AddressInfo).port }, 'source ingress listening');

  return {
    port: (server.address() as AddressInfo).port,
    get pending() {
      return pending;
    },
    close: async () => {
      closing = true;
      const idle = pending ? new Promise<void>((resolve) => (drained = resolve)) : Promise.resolve();
      await idle;
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
