import { describe, expect, it } from '@jest/globals';
import { FreshCache } from '../../../scaler/fresh-cache.js';

// A fetch function whose calls the test resolves or rejects by hand.
function deferredFetch<V>() {
  const calls: { resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  const fetch = () => new Promise<V>((resolve, reject) => void calls.push({ resolve, reject }));
  return { calls, fetch };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('FreshCache', () => {
  it('shares one fetch between concurrent asks (single-flight)', async () => {
    const now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, now: () => now });
    const f = deferredFetch<number>();
    const asks = [cache.get('k', f.fetch), cache.get('k', f.fetch), cache.get('k', f.fetch)];
    await tick();
    expect(f.calls).toHaveLength(1);
    f.calls[0]!.resolve(7);
    expect(await Promise.all(asks)).toEqual([7, 7, 7]);
    expect(cache.fetches).toBe(1);
  });

  it('reuses a value within the freshness window, fetches again after it', async () => {
    let now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, now: () => now });
    let n = 0;
    const fetch = () => Promise.resolve(++n);
    expect(await cache.get('k', fetch)).toBe(1);
    now = 999;
    expect(await cache.get('k', fetch)).toBe(1);
    now = 1000;
    expect(await cache.get('k', fetch)).toBe(2);
    expect(await cache.get('other', fetch)).toBe(3);
  });

  it('with jitter, spreads the refreshes of keys fetched together over part of the window', async () => {
    let now = 0;
    const draws = [0, 0.5, 0.999];
    const cache = new FreshCache<string, number>({ freshMs: 1000, jitter: 0.2, now: () => now, random: () => draws.shift()! });
    let n = 0;
    const fetch = () => Promise.resolve(++n);
    for (const k of ['a', 'b', 'c']) await cache.get(k, fetch);
    // Fresh for 1000, 900 and just over 800 ms: each expires at its own time, none later than freshMs.
    now = 801;
    expect([await cache.get('a', fetch), await cache.get('b', fetch), await cache.get('c', fetch)]).toEqual([1, 2, 4]);
    now = 900;
    expect([await cache.get('a', fetch), await cache.get('b', fetch)]).toEqual([1, 5]);
    now = 1000;
    expect(await cache.get('a', fetch)).toBe(6);
  });

  it('refuses a jitter outside [0, 1)', () => {
    expect(() => new FreshCache({ freshMs: 1000, jitter: 1 })).toThrow('jitter must be in [0, 1), got 1');
  });

  it('keeps keys apart', async () => {
    const cache = new FreshCache<string, string>({ freshMs: 1000, now: () => 0 });
    expect(await cache.get('a', () => Promise.resolve('A'))).toBe('A');
    expect(await cache.get('b', () => Promise.resolve('B'))).toBe('B');
    expect(await cache.get('a', () => Promise.resolve('changed'))).toBe('A');
  });

  it('serves an error to every waiter and reuses it for errorFreshMs', async () => {
    let now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, errorFreshMs: 200, now: () => now });
    const f = deferredFetch<number>();
    const asks = [cache.get('k', f.fetch), cache.get('k', f.fetch)];
    await tick();
    f.calls[0]!.reject(new Error('pulsar down'));
    for (const ask of asks) await expect(ask).rejects.toThrow('pulsar down');
    now = 100;
    await expect(cache.get('k', f.fetch)).rejects.toThrow('pulsar down');
    expect(f.calls).toHaveLength(1);
    now = 200;
    const retry = cache.get('k', f.fetch);
    await tick();
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(5);
    expect(await retry).toBe(5);
  });

  it('invalidate: the next ask fetches anew, even while an older fetch is in flight', async () => {
    const cache = new FreshCache<string, number>({ freshMs: 1000, now: () => 0 });
    const f = deferredFetch<number>();
    const before = cache.get('k', f.fetch);
    await tick();
    cache.invalidate('k');
    const after = cache.get('k', f.fetch);
    await tick();
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(2);
    f.calls[0]!.resolve(1);
    expect(await before).toBe(1);
    expect(await after).toBe(2);
    // the older result, fetched before the invalidation, was not stored
    expect(await cache.get('k', f.fetch)).toBe(2);
  });

  it('serves a stale value while one background refresh runs (stale-while-revalidate)', async () => {
    let now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, staleMs: 1000, now: () => now });
    const f = deferredFetch<number>();
    const first = cache.get('k', f.fetch);
    await tick();
    f.calls[0]!.resolve(1);
    expect(await first).toBe(1);
    now = 1500;
    expect(await cache.get('k', f.fetch)).toBe(1); // stale, served at once
    expect(await cache.get('k', f.fetch)).toBe(1);
    await tick();
    expect(f.calls).toHaveLength(2); // one refresh for both asks
    f.calls[1]!.resolve(2);
    await tick();
    expect(await cache.get('k', f.fetch)).toBe(2);
    now = 4000; // too old to serve: wait for the fetch
    const waited = cache.get('k', f.fetch);
    await tick();
    f.calls[2]!.reject(new Error('pulsar down'));
    await expect(waited).rejects.toThrow('pulsar down');
  });

  it('a failed background refresh surfaces as an error, not as the old value', async () => {
    let now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, staleMs: 1000, errorFreshMs: 500, now: () => now });
    await cache.get('k', () => Promise.resolve(1));
    now = 1200;
    expect(await cache.get('k', () => Promise.reject(new Error('pulsar down')))).toBe(1);
    await tick();
    await expect(cache.get('k', () => Promise.resolve(3))).rejects.toThrow('pulsar down');
  });

  it('sweeps keys nobody asked for', async () => {
    let now = 0;
    const cache = new FreshCache<string, number>({ freshMs: 1000, now: () => now });
    await cache.get('old', () => Promise.resolve(1));
    now = 5000;
    await cache.get('new', () => Promise.resolve(2));
    expect(cache.sweep(1000)).toBe(1);
    expect(cache.size).toBe(1);
  });
});
