// Exponential backoff with full jitter, shared by WebSocket reconnects and the bridge's delivery
// retries: delay grows as initial × multiplier^(attempt-1), is capped, and is drawn uniformly
// from [cap/2, cap] so that many restarting pods do not retry in lockstep.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier?: number;
}

/** Delay before retry number `attempt` (1 = first retry). `random` is injectable for tests. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.multiplier ?? 2) ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
