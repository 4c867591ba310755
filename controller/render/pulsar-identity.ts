// A resource as Pulsar sees it: tenant/namespace/name, the subscription it consumes with, and
// its input and output topics in full form. The runner's FunctionDetails, the bridge, the
// scaler trigger and the mesh's topic graph all read these, so they agree.
import type { FunctionSpec, InputSpec, OutputSpec, SinkSpec, WorkloadResource } from '../api/index.js';
import { formatTopicName, parseTopicName } from '../../adapters/pulsar/topic-name.js';

export interface PulsarIdentity {
  tenant: string;
  namespace: string;
  name: string;
}

export function pulsarIdentity(resource: WorkloadResource): PulsarIdentity {
  const spec = resource.spec;
  return {
    tenant: spec.tenant || 'public',
    namespace: spec.namespace || 'default',
    name: spec.name || resource.metadata.name || '',
  };
}

/** The consuming part of a Function or Sink spec; undefined for a Source. */
export function consumerSpec(resource: WorkloadResource): FunctionSpec | SinkSpec | undefined {
  return resource.kind === 'Source' ? undefined : resource.spec;
}

export function inputOf(resource: WorkloadResource): InputSpec | undefined {
  return consumerSpec(resource)?.input;
}

export function outputOf(resource: WorkloadResource): OutputSpec | undefined {
  return resource.kind === 'Sink' ? undefined : resource.spec.output;
}

/** Pulsar's default subscription is the fully qualified function name. */
export function subscriptionOf(resource: WorkloadResource): string {
  const id = pulsarIdentity(resource);
  return consumerSpec(resource)?.subscriptionName || `${id.tenant}/${id.namespace}/${id.name}`;
}

/** Function Mesh starts a new subscription at the earliest message unless told otherwise. */
export function subscriptionPositionOf(resource: WorkloadResource): 'latest' | 'earliest' {
  return consumerSpec(resource)?.subscriptionPosition ?? 'earliest';
}

interface InputTopics {
  /** Full names of the topics consumed, in spec order, without duplicates. */
  topics: string[];
  /** Full `domain://tenant/namespace/<regex>` patterns consumed. */
  patterns: string[];
}

/** Every topic a spec consumes: `topics`, `topicPattern` and the keys of the per-topic maps. */
export function inputTopics(input: InputSpec | undefined): InputTopics {
  const topics = new Set<string>();
  const patterns = new Set<string>();
  if (!input) return { topics: [], patterns: [] };
  for (const t of input.topics ?? []) topics.add(fullTopicName(t));
  if (input.topicPattern) patterns.add(fullTopicPattern(input.topicPattern));
  for (const t of Object.keys(input.customSerdeSources ?? {})) topics.add(fullTopicName(t));
  for (const t of Object.keys(input.customSchemaSources ?? {})) topics.add(fullTopicName(t));
  for (const [t, conf] of Object.entries(input.sourceSpecs ?? {})) {
    if (conf.isRegexPattern) patterns.add(fullTopicPattern(t));
    else topics.add(fullTopicName(t));
  }
  return { topics: [...topics], patterns: [...patterns] };
}

/** `in` → `persistent://public/default/in`; a name Pulsar would reject is kept as written. */
export function fullTopicName(topic: string): string {
  try {
    return formatTopicName(parseTopicName(topic));
  } catch {
    return topic;
  }
}

/** Pulsar resolves a pattern like a topic name: `orders-.*` is in public/default. */
function fullTopicPattern(pattern: string): string {
  if (pattern.includes('://')) return pattern;
  const parts = pattern.split('/');
  return parts.length >= 3 ? `persistent://${pattern}` : `persistent://public/default/${pattern}`;
}
