// POSTs one CloudEvent (binary mode) to the function or sink container and says what came of
// it: delivered (with the reply event, if any), retry, or reject. Keep-alive connections, one
// time-out per attempt, and an abort signal so shutdown can cut a delivery short.
import http from 'node:http';
import https from 'node:https';
import { CloudEventError, type CloudEvent } from '../cloudevents/cloud-event.js';
import { hasCloudEvent, parseHttpCloudEvent, toBinaryHttp } from '../cloudevents/http-binding.js';
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

export class TargetClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  /** Requests being answered: an aborted signal cuts them all (one listener per signal, not per request). */
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(private readonly opts: TargetClientOptions) {
    this.url = new URL(opts.url);
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    // Every socket stays open for reuse: with the default of 256 free sockets kept, a higher
    // concurrency closed and reopened connections all the time (a third of the bridge's CPU).
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets });
  }

  deliver(event: CloudEvent, signal?: AbortSignal): Promise<DeliveryResult> {
    if (signal?.aborted) return Promise.resolve({ verdict: 'retry', reason: 'delivery aborted by shutdown' });
    if (signal && !this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => {
        for (const req of this.inFlight) req.destroy(new Error('aborted'));
      }, { once: true });
    }
    const { headers, body } = toBinaryHttp(event);
    const request = this.url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      // Exactly one verdict per delivery, whichever ends it: the answer, an error, a cut-off
      // answer (the function died mid-reply) or the time-out. A delivery that never settled
      // would hold its in-flight slot, and in ordered mode its key, for ever.
      let settled = false;
      const settle = (result: DeliveryResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        resolve(result);
      };
      const retry = (why: string): void => settle({ verdict: 'retry', reason: signal?.aborted ? 'delivery aborted by shutdown' : `${this.url.origin}: ${why}` });
      const req = request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, 'content-length': String(body.length) },
      });
      this.inFlight.add(req);
      const timer = setTimeout(() => {
        retry(`no response within ${this.opts.timeoutMs} ms`);
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('error', (err) => retry(err.message));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => retry(`the response was cut off (${err.message})`));
        res.on('close', () => {
          if (!res.complete) retry('the response was cut off');
        });
        res.on('end', () => settle(this.judge(event, res, Buffer.concat(chunks))));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private judge(input: CloudEvent, res: http.IncomingMessage, body: Buffer): DeliveryResult {
    const status = res.statusCode ?? 0;
    const verdict = classifyStatus(status);
    if (verdict !== 'delivered') {
      const result: DeliveryResult = { verdict, status, reason: `HTTP ${status}${body.length ? `: ${body.subarray(0, 200).toString().trim()}` : ''}`, body: body.subarray(0, MAX_ERROR_BODY) };
      const after = retryAfterMs(res.headers['retry-after']);
      if (after !== undefined) result.retryAfterMs = after;
      return result;
    }
    if (status === 202 || status === 204) return { verdict, status };
    try {
      if (hasCloudEvent(res.headers)) return { verdict, status, reply: parseHttpCloudEvent(res.headers, body) };
    } catch (err) {
      if (err instanceof CloudEventError) return { verdict: 'reject', status, reason: `the reply is ${err.message}` };
      throw err;
    }
    if (!body.length) return { verdict, status };
    return { verdict, status, reply: this.opts.plainReply(input, body, res.headers['content-type']) };
  }
}
