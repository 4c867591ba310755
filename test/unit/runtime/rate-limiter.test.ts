import { describe, expect, it } from '@jest/globals';
import {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from '../../../controller/runtime/rate-limiter.js';
import { Backoff } from '../../../controller/runtime/backoff.js';

describe('ItemExponentialRateLimiter', () => {
  it('doubles from 5 ms per key up to the cap of 1000 s', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 6 }, () => limiter.when('a'));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160]);
    for (let i = 0; i < 30; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1_000_000);
    expect(limiter.when('b')).toBe(5);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
  });
});

describe('TokenBucketRateLimiter', () => {
  it('lets a burst through, then spaces calls by 1/rate, and refills with time', () => {
    let now = 1_000;
    const bucket = new TokenBucketRateLimiter(10, 3, () => now);
    expect([bucket.when(), bucket.when(), bucket.when()]).toEqual([0, 0, 0]);
    expect(bucket.when()).toBe(100);
    expect(bucket.when()).toBe(200); // each call reserves the next future token
    now += 1_000; // 10 tokens' worth of time pays the debt of 2 and refills to the burst of 3
    expect([bucket.when(), bucket.when(), bucket.when()]).toEqual([0, 0, 0]);
    expect(bucket.when()).toBe(100);
  });
});

describe('MaxOfRateLimiter / default', () => {
  it('takes the longest delay: per-key backoff until the overall bucket runs dry', () => {
    const now = 0;
    const limiter = new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1000), new TokenBucketRateLimiter(10, 2, () => now));
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('a')).toBe(10);
    expect(limiter.when('b')).toBe(100); // bucket empty: 5 ms is not enough
    expect(limiter.retries('a')).toBe(2);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });

  it('defaults to client-go numbers: 5 ms first retry, burst of 100', () => {
    const limiter = defaultControllerRateLimiter();
    const first = Array.from({ length: 100 }, (_, i) => limiter.when(`k${i}`));
    expect(first.every((d) => d === 5)).toBe(true);
    expect(limiter.when('k100')).toBeGreaterThan(50); // ~100 ms at 10/s, less the refill since the burst began
  });
});

describe('Backoff', () => {
  it('grows by its factor up to the max, adds jitter, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 500, factor: 2, jitter: 0.5 }, () => 1);
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([150, 300, 600, 750]);
    b.reset();
    expect(b.next()).toBe(150);
  });
});
