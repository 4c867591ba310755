// Backlog arithmetic: what one subscription has left to consume on one topic, from what Pulsar
// reports about the topic. Pure: the Pulsar reads live in backlog-source.ts.
import type { SubscriptionPosition, TopicStats } from '../adapters/pulsar/admin-client.js';

/** What the scaler knows of one topic (all partitions together). */
export type TopicSnapshot =
  | { exists: false }
  | {
      exists: true;
      partitions: number;
      /** Per subscription that exists: msgBacklog, and consumers connected when known. */
      subscriptions: Record<string, SubscriptionSnapshot>;
    };

export interface SubscriptionSnapshot {
  backlog: number;
  consumers: number;
}

export const MISSING_TOPIC: TopicSnapshot = { exists: false };

export function snapshotFromStats(stats: TopicStats | undefined, partitions: number): TopicSnapshot {
  if (!stats) return MISSING_TOPIC;
  const subscriptions: Record<string, SubscriptionSnapshot> = {};
  for (const [name, sub] of Object.entries(stats.subscriptions ?? {})) {
    subscriptions[name] = { backlog: sub.msgBacklog ?? 0, consumers: sub.consumers?.length ?? 0 };
  }
  return { exists: true, partitions, subscriptions };
}

export type BacklogNeed =
  | { kind: 'known'; backlog: number; subscriptionExists: boolean; consumers: number }
  /** The subscription does not exist yet and starts at earliest: its backlog is the whole topic. */
  | { kind: 'retained-entries' };

/**
 * A missing topic has no backlog; a missing subscription counts what it would receive once
 * created: nothing at `latest`, every retained entry at `earliest` (read separately).
 */
export function subscriptionBacklog(topic: TopicSnapshot, subscription: string, position: SubscriptionPosition): BacklogNeed {
  const none = { kind: 'known', backlog: 0, subscriptionExists: false, consumers: 0 } as const;
  if (!topic.exists) return none;
  const sub = topic.subscriptions[subscription];
  if (sub) return { kind: 'known', backlog: sub.backlog, subscriptionExists: true, consumers: sub.consumers };
  return position === 'latest' ? none : { kind: 'retained-entries' };
}

/** KEDA's rule for external triggers: active strictly above the activation threshold. */
export function isActive(backlog: number, activationBacklog: number): boolean {
  return backlog > activationBacklog;
}
