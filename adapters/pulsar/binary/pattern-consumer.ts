// A consumer over every persistent topic of a namespace whose name matches a regex (Java's
// topicsPattern): the namespace's topic list from the broker, matched in full against the
// pattern, then checked again every patternAutoDiscoveryPeriodMs so that new topics join the
// subscription. Topics that go away are left to their consumers (they stop receiving).
import type { ClientContext } from './client-context.js';
import type { ConsumerOptions } from './consumer.js';
import { PulsarClientError } from './errors.js';
import { MultiTopicConsumer } from './multi-topic-consumer.js';

const PARTITION = /-partition-\d+$/;

/** tenant/namespace from a pattern that starts persistent://tenant/namespace/. */
export function patternNamespace(pattern: string): string {
  const m = /^persistent:\/\/([-=:.\w]+)\/([-=:.\w]+)\//.exec(pattern);
  if (!m) {
    throw new PulsarClientError(`topicsPattern "${pattern}": must start with persistent://tenant/namespace/ (a regex over the rest of the name follows)`);
  }
  return `${m[1]}/${m[2]}`;
}

export async function subscribePattern(ctx: ClientContext, opts: ConsumerOptions, pattern: string): Promise<MultiTopicConsumer> {
  const namespace = patternNamespace(pattern);
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new PulsarClientError(`topicsPattern "${pattern}": not a valid regular expression: ${(err as Error).message}`);
  }
  const matching = async (): Promise<string[]> => {
    const names = await ctx.lookup.topicsOfNamespace(namespace);
    return [...new Set(names.map((n) => n.replace(PARTITION, '')))].filter((t) => regex.test(t));
  };
  const withCounts = async (topics: string[]): Promise<[string, number][]> =>
    Promise.all(topics.map(async (t): Promise<[string, number]> => [t, await ctx.lookup.partitions(t)]));
  const initial = await matching();
  const consumer = await MultiTopicConsumer.create(ctx, opts, await withCounts(initial));
  const known = new Set(initial);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const fresh = (await matching()).filter((t) => !known.has(t));
        for (const [topic, partitions] of await withCounts(fresh)) {
          await consumer.addTopic(topic, partitions);
          known.add(topic);
        }
      } catch {
        // tried again at the next period
      } finally {
        busy = false;
      }
    })();
  }, opts.patternAutoDiscoveryPeriodMs ?? 60_000);
  timer.unref();
  consumer.onClose(() => clearInterval(timer));
  return consumer;
}
