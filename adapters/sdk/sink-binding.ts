// Knative's SinkBinding contract: a container told K_SINK sends its events there instead of
// answering them. The controller sets K_SINK in a Source's container (the bridge's ingress); a
// Sink's container may be given one (spec.http.env) to pass every event on to a service outside
// Pulsar. The request is answered only after K_SINK accepted the event, so whoever sent it (the
// bridge, or a Source's client) retries what was not delivered.
import http from 'node:http';
import type { CloudEvent as EventRecord } from '../cloudevents/cloud-event.js';
import { toBinaryHttp } from '../cloudevents/http-binding.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface Forwarded {
  /** The status to answer the sender with: 202 once K_SINK accepted, K_SINK's own error status, or 502. */
  status: number;
  retryAfter?: string;
  detail: string;
}

/** POSTs the event (binary mode) to the sink URL. */
export function forwardToSink(sink: string, event: EventRecord, timeoutMs = 30_000): Promise<Forwarded> {
  const { headers, body } = toBinaryHttp(event);
  return new Promise((resolve) => {
    const req = http.request(sink, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 502;
      if (status >= 200 && status < 300) return resolve({ status: 202, detail: `accepted by ${sink}` });
      const retryAfter = res.headers['retry-after'];
      // K_SINK's refusal is passed on (a 4xx dead-letters, 429/5xx are retried); a redirect is a bad gateway.
      resolve({ status: status >= 400 ? status : 502, ...(retryAfter && { retryAfter }), detail: `K_SINK ${sink} answered ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 502, detail: `K_SINK ${sink}: ${err.message}` }));
    req.end(body);
  });
}

/** The event a plain reply becomes: the input's attributes with the reply as data. */
export function replyEvent(input: EventRecord, data: Buffer, contentType: string): EventRecord {
  const { datacontenttype: _dropped, ...attributes } = input.attributes;
  return { attributes: { ...attributes, datacontenttype: contentType }, data };
}
