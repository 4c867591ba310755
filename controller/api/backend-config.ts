// BackendConfig: defaults an administrator sets for every Function, Source and Sink, either
// cluster-wide (one object named by the controller's flags) or per namespace (an object of a fixed
// name in that namespace). Upstream's schema: env as a map, the same PodPolicy as the workloads,
// and autoUpdate. What it means for a workload is decided in controller/render/backend-config.ts.
import Type, { type Static } from 'typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { API_VERSION } from './constants.js';
import { PodPolicy } from './pod-policy.js';
import { Labels } from './schema-kit.js';

const opt = Type.Optional;

export const BACKEND_CONFIG_NAMES = {
  kind: 'BackendConfig',
  listKind: 'BackendConfigList',
  plural: 'backendconfigs',
  singular: 'backendconfig',
} as const;

export const BackendConfigSpec = Type.Object(
  {
    name: opt(Type.String({ description: 'Free-form name (upstream keeps it; nothing reads it).' })),
    env: opt(Labels('Environment variables put before each container\'s own (a container\'s own variable of the same name wins).')),
    pod: opt(PodPolicy),
    autoUpdate: opt(Type.Boolean({ description: 'Re-reconcile the affected Functions, Sources and Sinks when this object changes; otherwise they pick it up at their next reconcile.' })),
  },
  { description: 'Defaults for the workloads this BackendConfig covers.' },
);
export type BackendConfigSpec = Static<typeof BackendConfigSpec>;

export const BACKEND_CONFIG_SCHEMA = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description: `BackendConfig of ${API_VERSION}: defaults for Functions, Sources and Sinks.`,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: BackendConfigSpec,
    // Upstream defines no status fields: which revision a workload got is in the workload's status.
    status: { type: 'object', description: 'Unused (upstream defines no fields).' },
  },
  // As upstream: a root that keeps fields it does not know.
  'x-kubernetes-preserve-unknown-fields': true,
});

export interface BackendConfigResource {
  apiVersion: typeof API_VERSION;
  kind: 'BackendConfig';
  metadata: V1ObjectMeta;
  spec?: BackendConfigSpec;
}
