// Which member of a FunctionMesh feeds which: an edge for every output topic a member consumes
// (by name or by pattern), plus the topics that enter the mesh from outside and leave it. Cycles
// are allowed (a function may feed an earlier one). Pure, for the mesh status.
import type { FunctionMeshSpec, InputSpec, TopicEdge } from '../api/index.js';
import { fullTopicName, inputTopics } from './pulsar-identity.js';

interface Member {
  name: string;
  output?: string;
  inputs: { topics: string[]; patterns: string[] };
}

function members(spec: FunctionMeshSpec): Member[] {
  const out: Member[] = [];
  const add = (name: string, input: InputSpec | undefined, output: string | undefined) =>
    out.push({ name, inputs: inputTopics(input), ...(output ? { output: fullTopicName(output) } : {}) });
  for (const f of spec.functions ?? []) add(f.name, f.input, f.output?.topic);
  for (const s of spec.sources ?? []) add(s.name, undefined, s.output?.topic);
  for (const s of spec.sinks ?? []) add(s.name, s.input, undefined);
  return out;
}

/** `persistent://tenant/ns/<regex>` matches full topic names in that namespace, like Pulsar. */
function patternMatches(pattern: string, topic: string): boolean {
  const p = /^([a-z-]+:\/\/[^/]+\/[^/]+)\/(.+)$/.exec(pattern);
  const t = /^([a-z-]+:\/\/[^/]+\/[^/]+)\/(.+)$/.exec(topic);
  if (!p || !t || p[1] !== t[1]) return false;
  try {
    return new RegExp(`^(?:${p[2]})$`).test(t[2]!);
  } catch {
    return false;
  }
}

export function meshTopicGraph(spec: FunctionMeshSpec): TopicEdge[] {
  const all = members(spec);
  const edges: TopicEdge[] = [];
  const fedInputs = new Set<string>();
  for (const producer of all) {
    if (!producer.output) continue;
    const topic = producer.output;
    const consumers = all.filter((c) => c.inputs.topics.includes(topic) || c.inputs.patterns.some((p) => patternMatches(p, topic)));
    for (const c of consumers) {
      edges.push({ from: producer.name, to: c.name, topic });
      fedInputs.add(`${c.name}\n${topic}`);
      for (const p of c.inputs.patterns) if (patternMatches(p, topic)) fedInputs.add(`${c.name}\n${p}`);
    }
    if (!consumers.length) edges.push({ from: producer.name, topic });
  }
  // Inputs no member produces come from outside the mesh.
  for (const c of all) {
    for (const topic of [...c.inputs.topics, ...c.inputs.patterns]) {
      if (!fedInputs.has(`${c.name}\n${topic}`)) edges.push({ to: c.name, topic });
    }
  }
  return edges;
}
