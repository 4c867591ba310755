// Warnings about a lasting state (a kind the cluster does not serve, the HPA standing in for KEDA,
// a setting the render ignores) are recorded once, when the state begins, not at every reconcile: the
// previous status, which survives restarts, says whether it was already reported.
import { storedConditions } from '../api/index.js';

/**
 * Whether the condition `type` in the status as it was already says `message`. A status written by
 * upstream's operator (conditions as a map) has said nothing of ours.
 */
export function alreadySaid(status: { conditions?: unknown } | undefined, type: string, message: string): boolean {
  return (storedConditions(status) ?? []).some((c) => c.type === type && typeof c.message === 'string' && c.message.includes(message));
}
