import { describe, expect, it } from '@jest/globals';
import { classifyStatus, retryAfterMs } from '../../../adapters/bridge/status.js';
import { nextStep, type RetryPolicy } from '../../../adapters/bridge/retry-policy.js';
import { backoffDelay } from '../../../adapters/pulsar/backoff.js';

describe('classifyStatus (Knative delivery rules)', () => {
  it.each([
    [200, 'delivered'], [202, 'delivered'], [204, 'delivered'],
    [400, 'reject'], [401, 'reject'], [403, 'reject'], [413, 'reject'], [415, 'reject'],
    [404, 'retry'], [409, 'retry'], [429, 'retry'],
    [500, 'retry'], [502, 'retry'], [503, 'retry'], [504, 'retry'],
    [302, 'reject'], [101, 'reject'],
  ])('%i → %s', (status, verdict) => {
    expect(classifyStatus(status)).toBe(verdict);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  it('doubles per attempt and stays within [cap/2, cap]', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});

describe('nextStep', () => {
  const policy: RetryPolicy = { maxRetries: 2, backoff: { initialMs: 100, maxMs: 1000 } };
  const retryable = { retryable: true, reason: 'HTTP 503' };

  it('retries with growing delays, then dead-letters once retries are spent', () => {
    expect(nextStep(1, retryable, policy, () => 1)).toEqual({ action: 'retry', delayMs: 100 });
    expect(nextStep(2, retryable, policy, () => 1)).toEqual({ action: 'retry', delayMs: 200 });
    expect(nextStep(3, retryable, policy, () => 1)).toEqual({ action: 'dead-letter', reason: 'gave up after 3 attempts: HTTP 503' });
  });

  it('dead-letters a non-retryable failure at once', () => {
    expect(nextStep(1, { retryable: false, reason: 'HTTP 400' }, policy)).toEqual({ action: 'dead-letter', reason: 'not retryable: HTTP 400' });
  });

  it('retries for ever without maxRetries', () => {
    expect(nextStep(1000, retryable, { backoff: policy.backoff }, () => 1)).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('honours a longer Retry-After, capped by the maximum backoff', () => {
    expect(nextStep(1, { ...retryable, retryAfterMs: 700 }, policy, () => 1)).toEqual({ action: 'retry', delayMs: 700 });
    expect(nextStep(1, { ...retryable, retryAfterMs: 60_000 }, policy, () => 1)).toEqual({ action: 'retry', delayMs: 1000 });
  });
});
