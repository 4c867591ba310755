// How push activation finds a cluster's binary-protocol address from what a trigger already has,
// its admin URL: Pulsar's HTTP lookup (PulsarAdmin.lookupTopic, the admin client's one HTTP path
// with its token and TLS settings) answers with the pulsar:// and pulsar+ssl:// URLs of the broker
// that owns the topic. Any broker then serves the binary lookups of every other topic, so one
// answer per admin URL is enough to start, and existing ScaledObjects need no new key; when that
// broker goes away the client asks again (binary-watches.ts). An https:// admin URL gets the
// pulsar+ssl:// address (never a silent downgrade to plain text).
import type { PulsarAdmin, TopicLookup } from '../adapters/pulsar/admin-client.js';
import type { TopicName } from '../adapters/pulsar/topic-name.js';

export class BrokerLookupError extends Error {
  override readonly name = 'BrokerLookupError';
}

/** The binary-protocol address of the broker that owns `topic`, through the admin URL's lookup. */
export async function lookupBrokerUrl(admin: PulsarAdmin, topic: TopicName): Promise<string> {
  return pickBrokerUrl(admin.url, await admin.lookupTopic(topic));
}

/** The lookup answer's address for this admin URL: pulsar+ssl:// for https://, else pulsar://. */
export function pickBrokerUrl(adminUrl: string, answer: TopicLookup): string {
  const tls = adminUrl.startsWith('https:');
  const url = tls ? answer.brokerUrlTls : answer.brokerUrl;
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
