// Function Mesh's CRDs (v0.27, as its Helm chart installs them), derived from this project's own
// by the differences docs/api.md ("Migrating from Function Mesh") and docs/migration.md list, so
// that no file of upstream's is needed: its YAML cannot be committed here. The differences:
//   - validation and defaults live in its webhook: no CEL rules, no schema defaults, no required
//     fields (but `windowConfig.actualWindowFunctionClassName`);
//   - the root of the schema keeps unknown fields (`x-kubernetes-preserve-unknown-fields`);
//   - its status: conditions as a map of {condition, status, action} keyed by child kind, with
//     `pendingChange`; a FunctionMesh's as maps per member kind and one `condition`;
//   - a conversion webhook stanza (its chart's admission-webhook subchart), Helm's ownership
//     metadata, and no printer columns, short names or categories.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

type Schema = Record<string, unknown>;
export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; shortNames?: string[]; categories?: string[] } & Record<string, unknown>;
    conversion?: unknown;
    versions: ({ name: string; schema: { openAPIV3Schema: Schema }; additionalPrinterColumns?: unknown[] } & Record<string, unknown>)[];
  } & Record<string, unknown>;
}

export const CRD_DIR = path.resolve(import.meta.dirname, '../../../manifests/crds');

/** This project's CRDs, as `kubectl replace -f manifests/crds/` sends them. */
export function ourCrds(): Crd[] {
  return ['functions', 'sources', 'sinks', 'functionmeshes', 'backendconfigs'].map((plural) => YAML.parse(readFileSync(path.join(CRD_DIR, `compute.functionmesh.io_${plural}.yaml`), 'utf8')) as Crd);
}

const resourceCondition = { type: 'object', properties: { condition: { type: 'string' }, status: { type: 'string' }, action: { type: 'string' } } };
const conditionMap = { type: 'object', additionalProperties: resourceCondition };

const WORKLOAD_STATUS: Schema = {
  type: 'object',
  required: ['conditions', 'replicas', 'selector'],
  properties: {
    conditions: conditionMap,
    replicas: { type: 'integer', format: 'int32' },
    selector: { type: 'string' },
    observedGeneration: { type: 'integer', format: 'int64' },
    pendingChange: { type: 'string' },
    globalBackendConfigRevision: { type: 'string' },
    namespacedBackendConfigRevision: { type: 'string' },
  },
};

const MESH_STATUS: Schema = {
  type: 'object',
  properties: {
    functionConditions: conditionMap,
    sourceConditions: conditionMap,
    sinkConditions: conditionMap,
    condition: resourceCondition,
    observedGeneration: { type: 'integer', format: 'int64' },
  },
};

/** Our CRD with upstream's differences applied (see the top of this file). */
export function upstreamShapedCrd(ours: Crd): Crd {
  const crd = structuredClone(ours);
  const { kind } = crd.spec.names;
  delete crd.spec.names.shortNames;
  delete crd.spec.names.categories;
  crd.metadata.labels = { 'app.kubernetes.io/managed-by': 'Helm' };
  crd.metadata.annotations = { 'meta.helm.sh/release-name': 'function-mesh', 'meta.helm.sh/release-namespace': 'function-mesh' };
  crd.spec.conversion = {
    strategy: 'Webhook',
    webhook: { conversionReviewVersions: ['v1', 'v1beta1'], clientConfig: { service: { name: 'function-mesh-admission-webhook-service', namespace: 'function-mesh', path: '/convert', port: 443 } } },
  };
  for (const version of crd.spec.versions) {
    delete version.additionalPrinterColumns;
    const root = withoutValidation(version.schema.openAPIV3Schema) as Schema & { properties: Record<string, Schema> };
    root['x-kubernetes-preserve-unknown-fields'] = true;
    if (kind !== 'BackendConfig') root.properties.status = kind === 'FunctionMesh' ? MESH_STATUS : WORKLOAD_STATUS;
    const window = (root.properties.spec?.properties as Record<string, Schema> | undefined)?.windowConfig;
    if (window) window.required = ['actualWindowFunctionClassName'];
    version.schema.openAPIV3Schema = root;
  }
  return crd;
}

/** The schema without CEL rules, defaults and required lists (all the webhook's business upstream). */
function withoutValidation(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-kubernetes-validations' || key === 'default' || key === 'required') continue;
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Schema).map(([field, sub]) => [field, withoutValidation(sub)]));
    else if (key === 'items' || key === 'additionalProperties' || key === 'not') out[key] = withoutValidation(value);
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = (value as unknown[]).map(withoutValidation);
    else out[key] = value;
  }
  return out;
}
