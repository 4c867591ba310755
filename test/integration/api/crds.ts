// Installs the generated CRDs the way a user does (server-side apply of manifests/crds/) and
// waits until the apiserver serves them.
import { BACKEND_CONFIG_NAMES, KIND_NAMES, GROUP, type Kind } from '../../../controller/api/index.js';
import { kubectl, kubectlOk } from '../../support/kubectl.js';

export const FIELD_MANAGER = 'function-mesh-ts-api-tests';

export async function installCrds(): Promise<string> {
  const out = await kubectlOk([
    'apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', 'manifests/crds/',
  ]);
  const names = [...(Object.keys(KIND_NAMES) as Kind[]).map((k) => KIND_NAMES[k].plural), BACKEND_CONFIG_NAMES.plural].map((plural) => `crd/${plural}.${GROUP}`);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
  // Refreshes kubectl's discovery cache, which may predate a change of short names or categories.
  await kubectlOk(['api-resources', `--api-group=${GROUP}`, '--cached=false']);
  return out;
}

/** Applies one object (as JSON) server-side; resolves with kubectl's result to assert on. */
export function applyObject(namespace: string, object: unknown) {
  return kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-n', namespace, '-f', '-'], {
    input: JSON.stringify(object),
  });
}
