import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { lookupBrokerUrl, pickBrokerUrl } from '../../../scaler/broker-lookup.js';

// A local HTTP server standing in for Pulsar's lookup endpoint: what the admin client's
// lookupTopic asks, and what the scaler makes of the answer.
let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const topic = parseTopicName('persistent://public/default/orders');

describe('lookupBrokerUrl', () => {
  it('asks the topic\'s lookup with the token, follows a redirect and takes the pulsar:// URL', async () => {
    const seen: { url?: string; auth?: string }[] = [];
    const adminUrl = await serve((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      if (req.url === '/lookup/v2/topic/persistent/public/default/orders') {
        res.writeHead(307, { location: '/owner/lookup' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ brokerUrl: 'pulsar://broker-1:6650', brokerUrlSsl: 'pulsar+ssl://broker-1:6651' }));
    });
    expect(await lookupBrokerUrl(new PulsarAdmin({ url: adminUrl, token: () => 'jwt', timeoutMs: 2_000 }), topic)).toBe('pulsar://broker-1:6650');
    expect(seen).toEqual([
      { url: '/lookup/v2/topic/persistent/public/default/orders', auth: 'Bearer jwt' },
      { url: '/owner/lookup', auth: 'Bearer jwt' },
    ]);
  });

  it('reads the TLS address under either of its names (Pulsar 4 says brokerUrlSsl)', async () => {
    const bodies = [{ brokerUrl: 'pulsar://b:6650', brokerUrlSsl: 'pulsar+ssl://b:6651' }, { brokerUrl: 'pulsar://b:6650', brokerUrlTls: 'pulsar+ssl://b:6652' }];
    let next = 0;
    const adminUrl = await serve((_req, res) => res.writeHead(200).end(JSON.stringify(bodies[next++])));
    const admin = new PulsarAdmin({ url: adminUrl, timeoutMs: 2_000 });
    expect(await admin.lookupTopic(topic)).toEqual({ brokerUrl: 'pulsar://b:6650', brokerUrlTls: 'pulsar+ssl://b:6651' });
    expect(await admin.lookupTopic(topic)).toEqual({ brokerUrl: 'pulsar://b:6650', brokerUrlTls: 'pulsar+ssl://b:6652' });
  });

  it('names what is wrong: an error status, an answer without a broker URL, not JSON', async () => {
    const answers = [
      [404, 'Namespace not found'],
      [200, JSON.stringify({ brokerUrl: '' })],
      [200, JSON.stringify({ brokerUrl: 'http://broker-1:8080' })],
      [200, '<html>'],
    ] as const;
    let next = 0;
    const adminUrl = await serve((_req, res) => {
      const [status, body] = answers[next++]!;
      res.writeHead(status).end(body);
    });
    const ask = () => lookupBrokerUrl(new PulsarAdmin({ url: adminUrl, timeoutMs: 2_000 }), topic);
    await expect(ask()).rejects.toThrow(`Pulsar admin GET /lookup/v2/topic/persistent/public/default/orders at ${adminUrl}: HTTP 404 (Namespace not found)`);
    await expect(ask()).rejects.toThrow(`Pulsar lookup at ${adminUrl}: the answer has no brokerUrl`);
    await expect(ask()).rejects.toThrow('"http://broker-1:8080" is not a pulsar:// or pulsar+ssl:// URL');
    await expect(ask()).rejects.toThrow('the answer is not JSON: <html>');
  });

  it('takes the TLS address for an https:// admin URL and never falls back to plain text', () => {
    expect(pickBrokerUrl('https://p:8443', { brokerUrl: 'pulsar://b:6650', brokerUrlTls: 'pulsar+ssl://b:6651' })).toBe('pulsar+ssl://b:6651');
    expect(() => pickBrokerUrl('https://p:8443', { brokerUrl: 'pulsar://b:6650', brokerUrlTls: undefined })).toThrow(
      'Pulsar lookup at https://p:8443: the broker advertises no pulsar+ssl:// URL for an https:// admin URL (brokerServicePortTls is not set); enable TLS on the broker\'s binary port, or run the scaler with --activation-transport websocket',
    );
    expect(pickBrokerUrl('http://p:8080', { brokerUrl: 'pulsar://b:6650', brokerUrlTls: 'pulsar+ssl://b:6651' })).toBe('pulsar://b:6650');
  });

  it('reports an unreachable admin URL with the cause', async () => {
    const adminUrl = await serve((_req, res) => res.end());
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(lookupBrokerUrl(new PulsarAdmin({ url: adminUrl, timeoutMs: 2_000 }), topic)).rejects.toThrow(/failed: .*ECONNREFUSED/);
  });
});
