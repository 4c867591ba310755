// Pulsar topic names: the full form `persistent://tenant/namespace/topic`, and the short forms
// Pulsar accepts (`topic` in public/default, `tenant/namespace/topic`). One parser for the
// controller's validation, the scaler and the bridge, so they agree on what a topic is.

export type TopicDomain = 'persistent' | 'non-persistent';

export interface TopicName {
  domain: TopicDomain;
  tenant: string;
  namespace: string;
  /** Local name, without any `-partition-N` suffix. */
  local: string;
  /** Set when the name addresses one partition of a partitioned topic. */
  partition?: number;
}

// Pulsar's NamedEntity rule for tenants and namespaces.
const ENTITY = /^[-=:.\w]+$/;
const PARTITION = /^(.*)-partition-(\d+)$/;

export class TopicNameError extends Error {}

export function parseTopicName(input: string): TopicName {
  const raw = input.trim();
  let domain: TopicDomain = 'persistent';
  let rest = raw;
  const scheme = /^([a-z-]+):\/\/(.*)$/.exec(raw);
  if (scheme) {
    if (scheme[1] !== 'persistent' && scheme[1] !== 'non-persistent') {
      throw new TopicNameError(`topic "${input}": domain must be persistent:// or non-persistent://, not ${scheme[1]}://`);
    }
    domain = scheme[1];
    rest = scheme[2]!;
  }
  const parts = rest.split('/');
  let tenant = 'public';
  let namespace = 'default';
  let local: string;
  if (parts.length === 1 && !scheme) {
    local = parts[0]!;
  } else if (parts.length === 3) {
    [tenant, namespace, local] = parts as [string, string, string];
  } else {
    throw new TopicNameError(
      `topic "${input}": expected persistent://tenant/namespace/topic, tenant/namespace/topic or a bare topic name`,
    );
  }
  if (!ENTITY.test(tenant)) throw new TopicNameError(`topic "${input}": invalid tenant "${tenant}"`);
  if (!ENTITY.test(namespace)) throw new TopicNameError(`topic "${input}": invalid namespace "${namespace}"`);
  if (!local || /[\s/]/.test(local)) throw new TopicNameError(`topic "${input}": invalid topic name "${local}"`);
  const p = PARTITION.exec(local);
  return p ? { domain, tenant, namespace, local: p[1]!, partition: Number(p[2]) } : { domain, tenant, namespace, local };
}

/** The full name, including the partition suffix when the name has one. */
export function formatTopicName(t: TopicName): string {
  return `${t.domain}://${t.tenant}/${t.namespace}/${localWithPartition(t)}`;
}

/** The path segment Pulsar's REST and WebSocket APIs use: `persistent/tenant/ns/topic`. */
export function topicPath(t: TopicName): string {
  return `${t.domain}/${t.tenant}/${t.namespace}/${encodeURIComponent(localWithPartition(t))}`;
}

function localWithPartition(t: TopicName): string {
  return t.partition === undefined ? t.local : `${t.local}-partition-${t.partition}`;
}
