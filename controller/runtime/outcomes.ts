// Named outcomes of a call or a reconcile, decided in one place: a NotFound that means "already
// gone" (controller-runtime's client.IgnoreNotFound), and a failure that retrying cannot fix
// (its reconcile.TerminalError), which the controller reports and does not retry with backoff.
import { isNotFound } from './kube-error.js';

/** The call's result, or undefined when the apiserver answered NotFound; other errors propagate. */
export async function ignoreNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * A failure that waits for the user (a spec to fix, a foreign object to remove): the controller
 * does not retry it with backoff; a change to the watched objects queues the key again.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(
    /** For a condition: CamelCase, e.g. `ChildConflict`. */
    readonly reason: string,
    /** What is wrong and how to fix it. */
    message: string,
    /** Look again after this long: what the failure waits for is not watched. */
    readonly recheckAfterMs?: number,
  ) {
    super(message);
  }
}
