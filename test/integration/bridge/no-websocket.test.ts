// The bridge against a broker of this suite's own with the WebSocket service off
// (webSocketServiceEnabled=false, the default on every Pulsar that is not a standalone): on the
// binary transport a function (consume → POST → reply produced) and a source work end to end;
// choosing the WebSocket fallback leaves the bridge unready, saying why and what to do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { OwnPulsar } from '../../support/processes.js';
import { collect, freePort, produceAll, startBridge, startFunction, stopBridge, uniqueName, waitFor, type TestFunction } from './support.js';

const ns = 'persistent://public/default';

describe('bridge against a Pulsar without the WebSocket service', () => {
  let pulsar: OwnPulsar;
  let fn: TestFunction;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    pulsar = await OwnPulsar.start({ conf: ['webSocketServiceEnabled=false'] });
    fn = await startFunction((req, res) => void res.status(200).type('text/plain').send(`${(req.body as Buffer).toString()}!`));
  }, 240_000);

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await fn?.close();
    await pulsar?.destroy();
  }, 60_000);

  it('has no WebSocket API indeed: the handshake is answered 404', async () => {
    const req = http.get(`${pulsar.webUrl}/ws/v2/consumer/persistent/public/default/t/s`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    res.resume();
    expect(res.statusCode).toBe(404);
  });

  it('function mode: consumes, calls the function, produces every reply, acknowledges', async () => {
    const input = `${ns}/${uniqueName('in')}`;
    const output = `${ns}/${uniqueName('out')}`;
    const replies = await collect(pulsar.brokerUrl, output);
    cleanups.push(() => replies.close());
    await produceAll(pulsar.brokerUrl, input, Array.from({ length: 200 }, (_, i) => ({ payload: Buffer.from(`m${i}`), key: `k${i % 5}` })));
    const bridge = await startBridge({
      BRIDGE_MODE: 'function', BRIDGE_BROKER_URL: pulsar.brokerUrl, BRIDGE_INPUTS: input, BRIDGE_SUBSCRIPTION: 'fn',
      BRIDGE_SUBSCRIPTION_POSITION: 'earliest', BRIDGE_OUTPUT: output, BRIDGE_TARGET_URL: fn.url,
    });
    cleanups.push(() => stopBridge(bridge));
    await bridge.waitReady(60_000);
    await waitFor('200 replies', () => replies.messages.length >= 200, 60_000);
    expect(new Set(replies.messages.map((m) => m.payload.toString()))).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `m${i}!`)));
    expect(replies.messages.find((m) => m.payload.toString() === 'm7!')?.key).toBe('k2');
    const admin = new PulsarAdmin({ url: pulsar.webUrl, timeoutMs: 10_000 });
    let backlog = -1;
    for (let i = 0; i < 50 && backlog !== 0; i++) {
      backlog = (await admin.topicStats(parseTopicName(input)))?.subscriptions.fn?.msgBacklog ?? -1;
      if (backlog) await new Promise((r) => setTimeout(r, 200));
    }
    expect(backlog).toBe(0);
  }, 120_000);

  it('source mode: answers 202 once Pulsar has the event', async () => {
    const topic = `${ns}/${uniqueName('source')}`;
    const out = await collect(pulsar.brokerUrl, topic);
    cleanups.push(() => out.close());
    const port = await freePort();
    const bridge = await startBridge({ BRIDGE_MODE: 'source', BRIDGE_BROKER_URL: pulsar.brokerUrl, BRIDGE_OUTPUT: topic, BRIDGE_INGRESS_PORT: String(port) });
    cleanups.push(() => stopBridge(bridge));
    await bridge.waitReady(60_000);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': `e-${i}`, 'ce-source': '/test', 'ce-type': 'test.event', 'content-type': 'text/plain' },
        body: `event ${i}`,
      });
      expect(res.status).toBe(202);
    }
    await waitFor('20 events on the topic', () => out.messages.length >= 20, 20_000);
    expect(out.messages.map((m) => m.properties.ce_id)).toEqual(Array.from({ length: 20 }, (_, i) => `e-${i}`));
  }, 120_000);

  it('choosing the WebSocket transport: unready, and the log and /readyz say to use the binary one', async () => {
    const bridge = await startBridge({
      BRIDGE_MODE: 'sink', BRIDGE_TRANSPORT: 'websocket', BRIDGE_PULSAR_URL: pulsar.webUrl, BRIDGE_INPUTS: `${ns}/${uniqueName('ws')}`,
      BRIDGE_SUBSCRIPTION: 'fn', BRIDGE_TARGET_URL: fn.url,
    });
    cleanups.push(() => stopBridge(bridge));
    const why = /HTTP 404 on the WebSocket handshake: this Pulsar serves no WebSocket API \(webSocketServiceEnabled=false\): use the binary transport/;
    await waitFor('the missing WebSocket API in the log', () => why.test(bridge.logs.join('')), 30_000);
    const ready = await fetch(`${bridge.opsUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(why);
  }, 60_000);
});
