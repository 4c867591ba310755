// How push activation finds a cluster's binary-protocol address from what a trigger already has,
// its admin URL: Pulsar's HTTP lookup (GET /lookup/v2/topic/<domain>/<tenant>/<namespace>/<topic>)
// answers with the pulsar:// and pulsar+ssl:// URLs of the broker that owns the topic. Any broker
// then serves the binary lookups of every other topic, so one answer per admin URL is enough, and
// existing ScaledObjects need no new key. An https:// admin URL gets the pulsar+ssl:// address
// (never a silent downgrade to plain text).
import { httpRequest, HttpTransportError } from '../adapters/pulsar/http-transport.js';
import { topicPath, type TopicName } from '../adapters/pulsar/topic-name.js';

export interface BrokerLookupOptions {
  adminUrl: string;
  /** Any topic of the cluster: the one about to be watched. */
  topic: TopicName;
  token?: () => string | undefined;
  ca?: string;
  timeoutMs: number;
}

/** The answer's fields this reads: Pulsar 4 names the TLS one brokerUrlTls or brokerUrlSsl. */
export interface LookupAnswer {
  brokerUrl?: string;
  brokerUrlTls?: string;
  brokerUrlSsl?: string;
}

const MAX_REDIRECTS = 5;

export class BrokerLookupError extends Error {
  override readonly name = 'BrokerLookupError';
}

export async function lookupBrokerUrl(opts: BrokerLookupOptions): Promise<string> {
  return pickBrokerUrl(opts.adminUrl, await getLookup(opts));
}

/** The lookup answer's address for this admin URL: pulsar+ssl:// for https://, else pulsar://. */
export function pickBrokerUrl(adminUrl: string, answer: LookupAnswer): string {
  const tls = adminUrl.startsWith('https:');
  const url = tls ? answer.brokerUrlTls || answer.brokerUrlSsl : answer.brokerUrl;
  if (!url) {
    throw new BrokerLookupError(
      tls
        ? `Pulsar lookup at ${adminUrl}: the broker advertises no pulsar+ssl:// URL for an https:// admin URL (brokerServicePortTls is not set); enable TLS on the broker's binary port, or run the scaler with --activation-transport websocket`
        : `Pulsar lookup at ${adminUrl}: the answer has no brokerUrl`,
    );
  }
  if (!/^pulsar(\+ssl)?:\/\//.test(url)) throw new BrokerLookupError(`Pulsar lookup at ${adminUrl}: "${url}" is not a pulsar:// or pulsar+ssl:// URL`);
  return url;
}

async function getLookup(opts: BrokerLookupOptions): Promise<LookupAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.token?.();
  if (token) headers.authorization = `Bearer ${token}`;
  let url = new URL(`${opts.adminUrl}/lookup/v2/topic/${topicPath(opts.topic)}`);
  for (let hop = 0; ; hop++) {
    let text: string;
    let status: number;
    try {
      const res = await httpRequest({ method: 'GET', url, headers, timeoutMs: opts.timeoutMs, ca: opts.ca });
      // The lookup may be answered by the broker that owns the topic, another origin.
      if (res.status >= 300 && res.status < 400 && res.location && hop < MAX_REDIRECTS) {
        res.discard();
        url = new URL(res.location, url);
        continue;
      }
      status = res.status;
      text = await res.text();
    } catch (err) {
      const reason = err instanceof HttpTransportError ? err.reason : (err as Error).message;
      throw new BrokerLookupError(`Pulsar lookup GET ${url.pathname} at ${url.origin} failed: ${reason}`, { cause: err });
    }
    if (status !== 200) throw new BrokerLookupError(`Pulsar lookup GET ${url.pathname} at ${url.origin}: HTTP ${status} ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as LookupAnswer;
    } catch {
      throw new BrokerLookupError(`Pulsar lookup GET ${url.pathname} at ${url.origin}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
  }
}
