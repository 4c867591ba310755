// What a resource needs before it can be rendered: the pulsarConfig ConfigMap (read from the
// watched cache, so its appearance triggers a reconcile) and the auth/TLS Secrets it names
// (checked for existence with a GET: the controller does not cache Secrets).
import type { PulsarMessagingSpec } from '../api/index.js';
import { ignoreNotFound, keyOf, type KubeObject, type ObjectClient, type Store } from '../runtime/index.js';
import { CONDITION, type ConditionInput } from './conditions.js';
import { SECRETS } from './kinds.js';

export interface ConfigMapObject extends KubeObject {
  data?: Record<string, string>;
}

export interface ResolvedInputs {
  /** The ConfigMap's data, when it exists and has the keys the workload needs. */
  pulsarConfig: Record<string, string> | undefined;
  condition: ConditionInput;
}

export const REQUIRED_PULSAR_KEYS = ['webServiceURL', 'brokerServiceURL'] as const;

/** The Secrets named by the `pulsar` section, with the field that names each. */
export function referencedSecrets(pulsar: PulsarMessagingSpec | undefined): { field: string; name: string }[] {
  if (!pulsar) return [];
  const refs: { field: string; name: string }[] = [];
  const add = (field: string, name: string | undefined) => {
    if (name && !refs.some((r) => r.name === name)) refs.push({ field, name });
  };
  add('spec.pulsar.authSecret', pulsar.authSecret);
  add('spec.pulsar.tlsSecret', pulsar.tlsSecret);
  if (pulsar.tlsConfig?.enabled !== false) add('spec.pulsar.tlsConfig.certSecretName', pulsar.tlsConfig?.certSecretName);
  add('spec.pulsar.authConfig.oauth2Config.keySecretName', pulsar.authConfig?.oauth2Config?.keySecretName);
  return refs;
}

/** Checks the ConfigMap's content; the condition names the object, the namespace and the fix. */
export function pulsarConfigCondition(name: string | undefined, namespace: string, configMap: ConfigMapObject | undefined): ResolvedInputs {
  const fail = (reason: string, message: string): ResolvedInputs => ({
    pulsarConfig: undefined,
    condition: { type: CONDITION.PulsarConfigResolved, status: 'False', reason, message },
  });
  if (!name) return fail('PulsarConfigNotSet', 'spec.pulsar.pulsarConfig is not set: name the ConfigMap holding webServiceURL and brokerServiceURL');
  if (!configMap) {
    return fail('ConfigMapNotFound', `ConfigMap ${name} not found in namespace ${namespace} (spec.pulsar.pulsarConfig): create it with webServiceURL and brokerServiceURL`);
  }
  const data = configMap.data ?? {};
  const missing = REQUIRED_PULSAR_KEYS.filter((k) => !data[k]);
  if (missing.length) {
    return fail('ConfigMapIncomplete', `ConfigMap ${name} in namespace ${namespace} lacks ${missing.join(' and ')}: add ${missing.length > 1 ? 'them' : 'it'} to its data`);
  }
  return {
    pulsarConfig: data,
    condition: { type: CONDITION.PulsarConfigResolved, status: 'True', reason: 'Resolved', message: `ConfigMap ${name}: web service ${data.webServiceURL}` },
  };
}

/** Resolves the ConfigMap from the cache and the Secrets by GET. */
export async function resolveInputs(
  pulsar: PulsarMessagingSpec | undefined,
  namespace: string,
  configMaps: Store<ConfigMapObject>,
  client: ObjectClient,
  signal: AbortSignal,
): Promise<ResolvedInputs> {
  const name = pulsar?.pulsarConfig;
  const resolved = pulsarConfigCondition(name, namespace, name ? configMaps.get(keyOf(namespace, name)) : undefined);
  if (!resolved.pulsarConfig) return resolved;
  const missing: string[] = [];
  for (const ref of referencedSecrets(pulsar)) {
    if (!(await ignoreNotFound(client.get(SECRETS, namespace, ref.name, { signal })))) missing.push(`Secret ${ref.name} (${ref.field})`);
  }
  if (missing.length === 0) return resolved;
  return {
    pulsarConfig: undefined,
    condition: {
      type: CONDITION.PulsarConfigResolved,
      status: 'False',
      reason: 'SecretNotFound',
      message: `${missing.join(', ')} not found in namespace ${namespace}: create ${missing.length > 1 ? 'them' : 'it'}`,
    },
  };
}
