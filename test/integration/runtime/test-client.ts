// A KubeClient for the running platform's apiserver, the kinds these suites use (core objects
// only, so the runtime is tested without depending on the project's CRDs), and metric readings.
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { KubeClient } from '../../../controller/runtime/kube-client.js';
import type { ResourceRef } from '../../../controller/runtime/resource.js';
import { readPlatformEnv } from '../../support/platform.js';

export const CONFIG_MAPS: ResourceRef = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', kind: 'Service', plural: 'services' };

export function testClient(fieldManager = 'runtime-test'): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(readPlatformEnv().KUBECONFIG);
  return new KubeClient(kc, { fieldManager });
}

/** The sum of a metric's samples whose labels include `labels`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}
