import { afterEach, describe, expect, it } from '@jest/globals';
import { formatTopicName, type TopicName } from '../../../adapters/pulsar/topic-name.js';
import { createLogger } from '../../../process/logger.js';
import { ActivationWatcher, type OpenWatch } from '../../../scaler/activation-watcher.js';
import type { BacklogReport } from '../../../scaler/backlog-source.js';
import { parseTriggerMetadata } from '../../../scaler/metadata.js';

const log = createLogger('test', 'silent');
const tick = () => new Promise((r) => setTimeout(r, 5));

// A backlog source whose answers the test sets, and watches the test triggers: pure logic only.
function harness(initial: Record<string, { backlog: number; consumers?: number; exists?: boolean }>) {
  const state = { ...initial };
  const invalidated: string[] = [];
  const source = {
    read: async (): Promise<BacklogReport> => {
      const topics = Object.entries(state).map(([topic, t]) => ({ topic, exists: t.exists ?? true, subscriptionExists: true, backlog: t.backlog, consumers: t.consumers ?? 0 }));
      return { backlog: topics.reduce((n, t) => n + t.backlog, 0), topics };
    },
    invalidate: (_url: string, topics: TopicName[]) => void invalidated.push(...topics.map(formatTopicName)),
  };
  const watches = new Map<string, { onOpen: () => void; onMessage: () => void; closed: boolean; from: string }>();
  const openWatch: OpenWatch = ({ topic, from, onOpen, onMessage }) => {
    const w = { onOpen, onMessage, closed: false, from };
    watches.set(formatTopicName(topic), w);
    return { connected: true, close: () => void (w.closed = true) };
  };
  return { state, invalidated, source, watches, openWatch };
}

function stream(topics: string, activationBacklog = '0') {
  const pushes: boolean[] = [];
  const config = parseTriggerMetadata({ adminURL: 'http://p', topics, subscription: 'fn', activationBacklog });
  return { pushes, s: { key: 'ns/so', config, log, push: (a: boolean) => void pushes.push(a) } };
}

let watcher: ActivationWatcher | undefined;
afterEach(() => watcher?.close());

describe('ActivationWatcher', () => {
  const A = 'persistent://public/default/a';
  const B = 'persistent://public/default/b';

  it('watches the idle topics of a stream and pushes true on the first message', async () => {
    const h = harness({ [A]: { backlog: 0 }, [B]: { backlog: 0 } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000 });
    const { pushes, s } = stream(`${A},${B}`);
    watcher.add(s);
    await tick();
    expect([...h.watches.keys()].sort()).toEqual([A, B]);
    h.watches.get(B)!.onMessage();
    expect(pushes).toEqual([true]);
    // Active now: readers closed until a check finds the function idle again.
    expect([...h.watches.values()].every((w) => w.closed)).toBe(true);
    expect(watcher.watchedTopics).toBe(0);
  });

  it('pushes at once, without watching, when there already is work', async () => {
    const h = harness({ [A]: { backlog: 3 } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000 });
    const { pushes, s } = stream(A);
    watcher.add(s);
    await tick();
    expect(pushes).toEqual([true]);
    expect(h.watches.size).toBe(0);
  });

  it('does not watch busy topics (consumers connected) nor missing ones', async () => {
    const h = harness({ [A]: { backlog: 0, consumers: 1 }, [B]: { backlog: 0, exists: false } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000 });
    watcher.add(stream(`${A},${B}`).s);
    await tick();
    expect(h.watches.size).toBe(0);
  });

  it('watches a topic from its first message once a check finds it created, from latest otherwise', async () => {
    const h = harness({ [A]: { backlog: 0 }, [B]: { backlog: 0, exists: false } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 20 });
    const { pushes, s } = stream(`${A},${B}`);
    watcher.add(s);
    await tick();
    expect(h.watches.get(A)!.from).toBe('latest');
    expect(h.watches.has(B)).toBe(false);
    // A first publish creates B (no subscription yet, so its backlog stays 0): read B from the start.
    h.state[B] = { backlog: 0 };
    await new Promise((r) => setTimeout(r, 60));
    expect(h.watches.get(B)!.from).toBe('earliest');
    h.watches.get(B)!.onMessage();
    expect(pushes).toEqual([true]);
    // Idle again: B existed at the last check, so from now on only new messages count.
    h.watches.delete(B);
    await new Promise((r) => setTimeout(r, 60));
    expect(h.watches.get(B)!.from).toBe('latest');
  });

  it('shares one reader between streams on a topic and closes it with the last one', async () => {
    const h = harness({ [A]: { backlog: 0 } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000 });
    const one = stream(A);
    const two = stream(A);
    const stopOne = watcher.add(one.s);
    const stopTwo = watcher.add(two.s);
    await tick();
    expect(watcher.watchedTopics).toBe(1);
    stopOne();
    expect(h.watches.get(A)!.closed).toBe(false);
    stopTwo();
    expect(h.watches.get(A)!.closed).toBe(true);
  });

  it('above an activation threshold, re-reads the backlog (fresh) before pushing', async () => {
    const h = harness({ [A]: { backlog: 1 } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000, verifyDelayMs: 1 });
    const { pushes, s } = stream(A, '2');
    watcher.add(s);
    await tick();
    h.watches.get(A)!.onMessage();
    await tick();
    expect(pushes).toEqual([]); // backlog 1 is not above 2
    expect(h.invalidated).toEqual([A]);
    h.state[A] = { backlog: 3 };
    h.watches.get(A)!.onMessage();
    await tick();
    expect(pushes).toEqual([true]);
  });

  it('re-reads when a reader connects, catching a message published before it', async () => {
    const h = harness({ [A]: { backlog: 0 } });
    watcher = new ActivationWatcher({ source: h.source, openWatch: h.openWatch, log, checkMs: 60_000, verifyDelayMs: 1 });
    const { pushes, s } = stream(A);
    watcher.add(s);
    await tick();
    h.state[A] = { backlog: 1 };
    h.watches.get(A)!.onOpen();
    await tick();
    expect(pushes).toEqual([true]);
  });
});
