// After a failed attempt: retry later, or give up and dead-letter. Pure, so the schedule is
// unit-tested without a clock.
import { backoffDelay, type BackoffPolicy } from '../pulsar/backoff.js';

export interface RetryPolicy {
  /** Retries after the first attempt; undefined retries for ever (nothing is dropped). */
  maxRetries?: number;
  backoff: BackoffPolicy;
}

export interface Failure {
  retryable: boolean;
  reason: string;
  /** The receiver's Retry-After, honoured when longer than our own backoff. */
  retryAfterMs?: number;
}

export type NextStep = { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: string };

/** `attempt` is the number of the attempt that just failed (1 = the first delivery). */
export function nextStep(attempt: number, failure: Failure, policy: RetryPolicy, random?: () => number): NextStep {
  if (!failure.retryable) return { action: 'dead-letter', reason: `not retryable: ${failure.reason}` };
  if (policy.maxRetries !== undefined && attempt > policy.maxRetries) {
    return { action: 'dead-letter', reason: `gave up after ${attempt} attempts: ${failure.reason}` };
  }
  const delay = backoffDelay(attempt, policy.backoff, random);
  const asked = Math.min(failure.retryAfterMs ?? 0, policy.backoff.maxMs);
  return { action: 'retry', delayMs: Math.max(delay, asked) };
}
