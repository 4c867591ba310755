// Renders the field reference of docs/api.md from the schemas, so the docs list every field,
// default, constraint and rule exactly as the CRDs publish them. `npm run gen:crds` writes it
// between the markers; a unit test fails when the committed docs are stale.
import type { TSchema } from 'typebox';
import { KIND_NAMES, type Kind } from './constants.js';
import { toOpenApiSchema } from './crds.js';
import { LOCATION_PATTERN, OPTIONAL_TOPIC_PATTERN, TOPIC_PATTERN } from './patterns.js';
import { RESOURCE_SCHEMAS } from './resources.js';
import { BACKEND_CONFIG_SCHEMA } from './backend-config.js';

type Node = Record<string, unknown> & { properties?: Record<string, Node>; items?: Node; additionalProperties?: Node };

export const DOCS_FILE = 'docs/api.md';
const BEGIN_MARKER = '<!-- BEGIN GENERATED FIELD REFERENCE (npm run gen:crds) -->';
const END_MARKER = '<!-- END GENERATED FIELD REFERENCE -->';

const PATTERN_NAMES: Record<string, string> = {
  [TOPIC_PATTERN]: 'a topic name',
  [OPTIONAL_TOPIC_PATTERN]: 'a topic name or ""',
  [LOCATION_PATTERN]: 'a package location',
};

function typeOf(node: Node): string {
  if (node['x-kubernetes-int-or-string']) return 'quantity';
  if (node['x-kubernetes-preserve-unknown-fields']) return node.type === 'array' ? '[]object (free-form)' : 'object (free-form)';
  if (node.type === 'array') return `[]${typeOf(node.items!)}`;
  if (node.type === 'object' && node.additionalProperties) return `map[string]${typeOf(node.additionalProperties)}`;
  if (node.type === 'integer') return String(node.format ?? 'integer');
  return String(node.type);
}

function constraints(node: Node, required: boolean): string {
  const out: string[] = [];
  if (required) out.push('required');
  if (Array.isArray(node.enum)) out.push(`one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (node.minimum !== undefined) out.push(`≥ ${String(node.minimum)}`);
  if (node.maximum !== undefined) out.push(`≤ ${String(node.maximum)}`);
  if (node.minLength !== undefined) out.push(`min length ${String(node.minLength)}`);
  if (node.maxLength !== undefined) out.push(`max length ${String(node.maxLength)}`);
  if (node.maxItems !== undefined) out.push(`max ${String(node.maxItems)} items`);
  if (typeof node.pattern === 'string') out.push(PATTERN_NAMES[node.pattern] ?? `matches \`${node.pattern}\``);
  const item = node.items ?? node.additionalProperties;
  if (item && !item.properties) {
    const inner = constraints(item, false);
    if (inner) out.push(`each: ${inner}`);
  }
  return out.join('; ');
}

const escape = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (s: string) => escape(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

interface Section {
  title: string;
  lines: string[];
}

/** The object schema under a node, if it has fields of its own (objects, list items, map values). */
function objectBelow(node: Node): { node: Node; suffix: string } | undefined {
  if (node.properties && Object.keys(node.properties).length) return { node, suffix: '' };
  if (node.items?.properties) return { node: node.items, suffix: '[]' };
  if (node.additionalProperties?.properties) return { node: node.additionalProperties, suffix: '{}' };
  return undefined;
}

function renderObject(title: string, node: Node, sections: Section[], seen: Map<string, string>): string {
  const key = JSON.stringify(node);
  const known = seen.get(key);
  if (known) return known;
  const anchor = title;
  seen.set(key, anchor);
  const section: Section = { title, lines: [] };
  sections.push(section);
  const required = new Set((node.required as string[] | undefined) ?? []);
  section.lines.push('| field | type | default | constraints | description |', '|---|---|---|---|---|');
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const below = objectBelow(child);
    const ref = below ? renderObject(`${title}.${name}${below.suffix}`, below.node, sections, seen) : undefined;
    const def = child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``;
    const description = [child.description ?? '', ref ? `See [\`${ref}\`](#${slug(ref)}).` : ''].filter(Boolean).join(' ');
    section.lines.push(
      `| \`${name}\` | ${cell(typeOf(child))} | ${cell(def)} | ${cell(constraints(child, required.has(name)))} | ${cell(description)} |`,
    );
  }
  const rules = (node['x-kubernetes-validations'] ?? []) as { message: string }[];
  if (rules.length) section.lines.push('', 'Rules:', ...rules.map((r) => `- ${escape(r.message)}`));
  return anchor;
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function renderFieldReference(): string {
  const sections: Section[] = [];
  const seen = new Map<string, string>();
  for (const kind of Object.keys(KIND_NAMES) as Kind[]) {
    const root = toOpenApiSchema(RESOURCE_SCHEMAS[kind] as TSchema) as Node;
    const rootRules = ((root['x-kubernetes-validations'] ?? []) as { message: string }[]).map((r) => `- ${escape(r.message)}`);
    sections.push({ title: `${kind}`, lines: [`Resource-level rules:`, ...rootRules] });
    renderObject(`${kind}.spec`, root.properties!.spec!, sections, seen);
    renderObject(`${kind}.status`, root.properties!.status!, sections, seen);
  }
  const backend = toOpenApiSchema(BACKEND_CONFIG_SCHEMA) as Node;
  sections.push({ title: 'BackendConfig', lines: ['No resource-level rules; unknown top-level fields are kept, as upstream.'] });
  renderObject('BackendConfig.spec', backend.properties!.spec!, sections, seen);
  return sections.map((s) => `### ${s.title}\n\n${s.lines.join('\n')}\n`).join('\n');
}

/** docs/api.md with its generated part replaced by the current reference. */
export function withFieldReference(doc: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`${DOCS_FILE} lacks the markers ${BEGIN_MARKER} … ${END_MARKER}`);
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n\n${renderFieldReference()}\n${doc.slice(end)}`;
}
