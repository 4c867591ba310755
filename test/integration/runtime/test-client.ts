// A KubeClient for the running platform's apiserver, and the kinds these suites use: core
// objects only, so the runtime is tested without depending on the project's CRDs.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../controller/runtime/kube-client.js';
import type { ResourceRef } from '../../../controller/runtime/resource.js';
import { readPlatformEnv } from '../../support/platform.js';

export { metricValue } from '../../unit/runtime/metric-value.js';

export const CONFIG_MAPS: ResourceRef = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', kind: 'Service', plural: 'services' };

export function testClient(fieldManager = 'runtime-test'): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(readPlatformEnv().KUBECONFIG);
  return new KubeClient(kc, { fieldManager });
}
