// Push activation when the broker its first lookup named goes away: the broker of this suite's
// own is stopped and comes back, once at the same address and once at another binary port (as a
// restarted pod with a new address, or another broker taking the topics over). The scaler's
// readers must find the topic's broker again through the admin URL's HTTP lookup, not keep
// dialling the first answer, and an idle function is still woken by its first message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import type { Scaler } from '../../../scaler/app.js';
import { freePorts } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { adminFor, AFTER_READER_OPENS_MS, KedaLikeClient, OwnPulsar, produce, ref, startTestScaler, uniqueName } from './support.js';

describe('push activation after the looked-up broker goes away', () => {
  let pulsar: OwnPulsar;
  let scaler: Scaler;
  let keda: KedaLikeClient;

  beforeAll(async () => {
    pulsar = await OwnPulsar.start();
    // A periodic check of a minute: only a reader can deliver `true` within the test's bounds.
    scaler = await startTestScaler({ checkMs: 60_000 });
    keda = new KedaLikeClient(scaler.server.port);
  }, 240_000);

  afterAll(async () => {
    keda?.close();
    await scaler?.close();
    await pulsar?.destroy();
  }, 60_000);

  const watched = parseTopicName(`public/default/${uniqueName('moves')}`);

  /** One message wakes the idle function; then its backlog is skipped, as if it consumed it. */
  async function expectWake(stream: { trues: number[] }): Promise<void> {
    const before = stream.trues.length;
    await produce(pulsar.webUrl, topicPath(watched), 1);
    await waitFor('stream true', async () => stream.trues.length > before, { timeoutMs: 10_000, intervalMs: 20 });
    await fetch(`${pulsar.webUrl}/admin/v2/${topicPath(watched)}/subscription/fn/skip_all`, { method: 'POST' });
  }

  it('wakes after a restart at the same address, and after the broker comes back at another one', async () => {
    await adminFor(pulsar.webUrl).createSubscription(watched, 'fn');
    const stream = keda.stream(ref('moves', { adminURL: pulsar.webUrl, topics: `persistent://public/default/${watched.local}`, subscription: 'fn' }));
    await waitFor('the idle topic to be watched', async () => scaler.watcher.connectedTopics === 1, { timeoutMs: 20_000, intervalMs: 50 });
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    await sleep(AFTER_READER_OPENS_MS);
    expect(stream.trues).toHaveLength(0);

    await pulsar.stop();
    await pulsar.restart();
    await waitFor('the watch to reconnect after the restart', async () => scaler.watcher.connectedTopics === 1, { timeoutMs: 90_000, intervalMs: 250 });
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    await sleep(AFTER_READER_OPENS_MS);
    await expectWake(stream);

    const first = pulsar.brokerUrl;
    await pulsar.stop();
    const [brokerPort] = (await freePorts(1)) as [number];
    await pulsar.restart({ brokerPort });
    expect(pulsar.brokerUrl).not.toBe(first);
    // The first address is dead for good: only a new lookup at the admin URL finds the broker.
    await waitFor('the watch to find the broker at its new address', async () => scaler.watcher.connectedTopics === 1, { timeoutMs: 150_000, intervalMs: 250 });
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    expect(scaler.binary!.connections).toBe(1);
    await sleep(AFTER_READER_OPENS_MS);
    await expectWake(stream);
    expect(stream.ended).toBe(false);
    stream.call.cancel();
  }, 480_000);
});
