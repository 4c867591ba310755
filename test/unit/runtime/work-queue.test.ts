import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../../controller/runtime/work-queue.js';
import { ItemExponentialRateLimiter, type RateLimiter } from '../../../controller/runtime/rate-limiter.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  it('hands out a key added several times once, in FIFO order with other keys', async () => {
    const adds: string[] = [];
    const q = new WorkQueue(undefined, { added: (k) => adds.push(k) });
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    q.add('ns/a');
    expect(q.length).toBe(2);
    expect(adds).toEqual(['ns/a', 'ns/b']);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    q.done('ns/a');
    q.done('ns/b');
    expect(q.length).toBe(0);
  });

  it('re-queues a key added while it is processed once, after done, never to two workers', async () => {
    const q = new WorkQueue();
    q.add('k');
    expect(await q.get()).toBe('k');
    q.add('k');
    q.add('k');
    expect(q.length).toBe(0); // not handed to a second worker while in flight
    await tick(20);
    expect(q.length).toBe(0);
    q.done('k');
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('k');
    q.done('k');
    await tick(20);
    expect(q.length).toBe(0);
    expect(q.inFlight).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('late');
    expect(await next).toBe('late');
    expect(q.inFlight).toBe(1);
  });

  it('processes distinct keys in parallel with N workers', async () => {
    const q = new WorkQueue();
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    const worker = async () => {
      for (let key = await q.get(); key !== undefined; key = await q.get()) {
        running++;
        peak = Math.max(peak, running);
        await tick(10);
        seen.push(key);
        running--;
        q.done(key);
      }
    };
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) q.add(k);
    const workers = [worker(), worker(), worker()];
    while (seen.length < 6) await tick(5);
    await q.shutDown();
    await Promise.all(workers);
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('addAfter delays a key, and of two delays for one key the earliest wins', async () => {
    const q = new WorkQueue();
    const start = Date.now();
    q.addAfter('k', 200);
    q.addAfter('k', 40);
    expect(await q.get()).toBe('k');
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
    q.done('k');
    await tick(250);
    expect(q.length).toBe(0); // the 200 ms delay was replaced, not kept
  });

  it('retries failures with growing per-key delays, and forget() starts over', async () => {
    const retried: string[] = [];
    const q = new WorkQueue(new ItemExponentialRateLimiter(10, 1000), { retried: (k) => retried.push(k) });
    const start = Date.now();
    expect(q.addRateLimited('k')).toBe(10);
    expect(q.addRateLimited('k')).toBe(20);
    expect(q.addRateLimited('k')).toBe(40);
    expect(q.addRateLimited('other')).toBe(10);
    expect(q.retries('k')).toBe(3);
    q.forget('k');
    expect(q.retries('k')).toBe(0);
    expect(q.addRateLimited('k')).toBe(10);
    expect(retried).toEqual(['k', 'k', 'k', 'other', 'k']);
    const keys = [await q.get(), await q.get()];
    expect(keys.sort()).toEqual(['k', 'other']);
    expect(Date.now() - start).toBeGreaterThanOrEqual(9); // the earliest delay, 10 ms, held
  });

  it('asks its rate limiter for each retry delay', async () => {
    const asked: string[] = [];
    const fixed: RateLimiter = { when: (k) => (asked.push(k), 30), forget: () => {}, retries: () => 0 };
    const q = new WorkQueue(fixed);
    const start = Date.now();
    q.addRateLimited('k');
    expect(await q.get()).toBe('k');
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
    expect(asked).toEqual(['k']);
  });

  it('shutDown drops queued and delayed keys, releases idle workers, and waits for in-flight ones', async () => {
    const q = new WorkQueue();
    q.add('busy');
    q.add('queued');
    q.addAfter('delayed', 20);
    expect(await q.get()).toBe('busy');
    const idleWorker = (async () => {
      expect(await q.get()).toBe('queued');
      q.done('queued');
      return q.get();
    })();
    await tick(0);
    let drained = false;
    const shutdown = q.shutDown().then(() => (drained = true));
    expect(await idleWorker).toBeUndefined();
    await tick(40);
    expect(drained).toBe(false); // 'busy' is still in flight
    q.add('after-shutdown');
    expect(q.length).toBe(0);
    q.done('busy');
    await shutdown;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });
});
