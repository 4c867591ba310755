// What the controller's rendering (controller/render/http-runtime.ts) and the bridge must agree
// on, stated once: the bridge's modes and the default dead-letter topic's name. The bridge never
// imports controller code, so this lives here and the renderer imports it.

export const BRIDGE_MODES = ['function', 'source', 'sink'] as const;
export type BridgeMode = (typeof BRIDGE_MODES)[number];

/**
 * The dead-letter topic when none is set: after the first input topic
 * (`{topic}-{subscription}-DLQ`), or for a pattern, which has no first topic, in the pattern's
 * namespace (`{namespace}/{subscription}-DLQ`). Slashes of a function's default subscription
 * (tenant/namespace/name) become dashes.
 */
export function defaultDeadLetterTopic(input: { topics: readonly string[] } | { pattern: string }, subscription: string): string | undefined {
  const suffix = `${subscription.replaceAll('/', '-')}-DLQ`;
  if ('pattern' in input) return `${input.pattern.replace(/^([^:]+:\/\/[^/]+\/[^/]+)\/.*$/, '$1')}/${suffix}`;
  const first = input.topics[0];
  return first === undefined ? undefined : `${first}-${suffix}`;
}
