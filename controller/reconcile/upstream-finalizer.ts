// Function Mesh's Go operator marks a Function, Sink or batch Source whose subscription it cleans up with its
// own finalizer. A resource it left behind keeps that finalizer; nothing else would ever remove
// it, so this controller treats it as its own: swapped for ours while the resource lives, and on
// delete the subscription is cleaned up and both are released.
import { SUBSCRIPTION_FINALIZER } from './subscription-cleanup.js';

/** The name in Function Mesh v0.27 (controllers/common.go). */
export const UPSTREAM_SUBSCRIPTION_FINALIZER = 'cleanup.subscription.finalizer';

const CLEANUP_FINALIZERS = new Set([SUBSCRIPTION_FINALIZER, UPSTREAM_SUBSCRIPTION_FINALIZER]);

/** Either operator's cleanup finalizer is present: a delete must clean up, then release it. */
export function hasCleanupFinalizer(finalizers: readonly string[] | undefined): boolean {
  return (finalizers ?? []).some((f) => CLEANUP_FINALIZERS.has(f));
}

/** The finalizers without either cleanup finalizer, other owners' untouched and in order. */
export function withoutCleanupFinalizers(finalizers: readonly string[] | undefined): string[] {
  return (finalizers ?? []).filter((f) => !CLEANUP_FINALIZERS.has(f));
}

/**
 * The finalizers a live resource should have: upstream's replaced by ours when cleanup is wanted,
 * dropped when not; undefined when they are right already.
 */
export function wantedFinalizers(finalizers: readonly string[] | undefined, wantsCleanup: boolean): string[] | undefined {
  const current = finalizers ?? [];
  const next = wantsCleanup
    ? current.includes(SUBSCRIPTION_FINALIZER)
      ? current.filter((f) => f !== UPSTREAM_SUBSCRIPTION_FINALIZER)
      : [...withoutCleanupFinalizers(current), SUBSCRIPTION_FINALIZER]
    : withoutCleanupFinalizers(current);
  return next.length === current.length && next.every((f, i) => f === current[i]) ? undefined : next;
}
