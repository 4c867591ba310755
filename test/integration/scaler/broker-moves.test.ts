// Push activation when the broker its first lookup named goes away: the broker of this suite's
// own is stopped and comes back, once at the same address and once at another binary port (as a
// restarted pod with a new address, or another broker taking the topics over). The scaler's
// readers must find the topic's broker again through the admin URL's HTTP lookup, not keep
// dialling the first answer, and an idle function is still woken by its first message.
import { describe, expect, it } from '@jest/globals';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import { freePorts } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { ownPulsarWithPushScaler } from './own-pulsar-suite.js';
import { adminFor, expectWake, idleWatched, produce, ref, uniqueName, type ActiveStream } from './support.js';

describe('push activation after the looked-up broker goes away', () => {
  const suite = ownPulsarWithPushScaler();
  const watched = parseTopicName(`public/default/${uniqueName('moves')}`);
  const scaledObject = () => ref('moves', { adminURL: suite.pulsar.webUrl, topics: `persistent://public/default/${watched.local}`, subscription: 'fn' });

  /**
   * The woken function consumes its backlog and is idle again. Having pushed `true`, the scaler
   * stops watching until a check finds the function idle; its periodic check never runs here
   * (so that only a reader can wake), so a new stream, which is checked as it opens, brings the
   * watch back.
   */
  async function consumedAndIdle(stream: ActiveStream): Promise<ActiveStream> {
    const { pulsar, scaler, keda } = suite;
    await fetch(`${pulsar.webUrl}/admin/v2/${topicPath(watched)}/subscription/fn/skip_all`, { method: 'POST' });
    stream.call.cancel();
    await waitFor('the stream and its watch closed', async () => scaler.watcher.openStreams === 0 && scaler.watcher.watchedTopics === 0);
    const next = keda.stream(scaledObject());
    await idleWatched(scaler, () => scaler.watcher.connectedTopics === 1);
    return next;
  }

  it('wakes after a restart at the same address, and after the broker comes back at another one', async () => {
    const { pulsar, scaler, keda } = suite;
    await adminFor(pulsar.webUrl).createSubscription(watched, 'fn');
    let stream = keda.stream(scaledObject());
    await idleWatched(scaler, () => scaler.watcher.connectedTopics === 1);
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    expect(stream.trues).toHaveLength(0);

    await pulsar.stop();
    await pulsar.restart();
    // The reconnect waits are long: the readers back off while the broker is down.
    await idleWatched(scaler, () => scaler.watcher.connectedTopics === 1, 90_000);
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    await expectWake(stream, () => produce(pulsar.webUrl, topicPath(watched), 1));
    stream = await consumedAndIdle(stream);

    const first = pulsar.brokerUrl;
    await pulsar.stop();
    const [brokerPort] = (await freePorts(1)) as [number];
    await pulsar.restart({ brokerPort });
    expect(pulsar.brokerUrl).not.toBe(first);
    // The first address is dead for good: only a new lookup at the admin URL finds the broker.
    await idleWatched(scaler, () => scaler.watcher.connectedTopics === 1, 150_000);
    expect(scaler.binary!.serviceUrls[pulsar.webUrl]).toBe(pulsar.brokerUrl);
    expect(scaler.binary!.connections).toBe(1);
    await expectWake(stream, () => produce(pulsar.webUrl, topicPath(watched), 1));
    expect(stream.ended).toBe(false);
    stream.call.cancel();
  }, 480_000);
});
