// Combining abort signals without leaks: a long-lived signal (a worker term, a stop signal)
// joins many short requests, and every listener a request adds to it must go when it ends.
// (AbortSignal.any keeps its sources' listeners until garbage collection, which has leaked in
// long-running Node 20 processes.)

export interface LinkedSignal {
  signal: AbortSignal;
  /** Detaches from the sources and clears the timer; call when the guarded work ends. */
  dispose(): void;
}

/** A signal that aborts when any source aborts or, if given, after `timeoutMs`. */
export function linkSignals(sources: (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const live = sources.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const source of live) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener('abort', onAbort, { once: true });
  }
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      for (const source of live) source.removeEventListener('abort', onAbort);
    },
  };
}
