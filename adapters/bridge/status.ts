// What an HTTP answer from the function or sink means for the message, by Knative's delivery
// rules: 2xx delivered; 404, 409, 429 and 5xx retried; any other 4xx is the receiver refusing
// this event for good, so retrying cannot help. Network errors and time-outs are retried.

export type Verdict = 'delivered' | 'retry' | 'reject';

const RETRYABLE_CLIENT_ERRORS = new Set([404, 409, 429]);

export function classifyStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || RETRYABLE_CLIENT_ERRORS.has(status)) return 'retry';
  return 'reject';
}

/** Retry-After in ms (seconds or an HTTP date), when the receiver asked for a pause. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
