// Upstream Function Mesh's operator config file (`--config-file`, a ConfigMap's config.yaml): the
// default runner images, the pull secrets and pull policy of runner pods, and labels and
// annotations for every pod. Parsed strictly: a key upstream does not know is most likely a typo,
// so each problem names its key and the fix, all at once.
import { parse as parseYaml } from 'yaml';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export interface OperatorConfig {
  runnerImages: { java?: string; python?: string; go?: string; genericRuntime: Record<string, string> };
  runnerImagePullSecrets: { name: string }[];
  imagePullPolicy?: PullPolicy;
  resourceLabels: Record<string, string>;
  resourceAnnotations: Record<string, string>;
}

export const EMPTY_OPERATOR_CONFIG: OperatorConfig = { runnerImages: { genericRuntime: {} }, runnerImagePullSecrets: [], resourceLabels: {}, resourceAnnotations: {} };

export class OperatorConfigError extends Error {
  override readonly name = 'OperatorConfigError';
}

// Upstream's struct reads `runnerImagePullPolicy` (its chart writes that key; the yaml tag says
// `imagePullPolicy`, which its JSON-based parser ignores): both are accepted here.
const TOP_KEYS = ['runnerImages', 'runnerImagePullSecrets', 'imagePullPolicy', 'runnerImagePullPolicy', 'resourceLabels', 'resourceAnnotations'];
const IMAGE_KEYS = ['java', 'python', 'go', 'genericRuntime'];

/** The file's content as an OperatorConfig; `source` names the file in errors. */
export function parseOperatorConfig(text: string, source: string): OperatorConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new OperatorConfigError(`${source}: not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (doc === null || doc === undefined) return EMPTY_OPERATOR_CONFIG; // an empty file: the defaults, as upstream
  const problems: string[] = [];
  const at = (key: string, message: string) => problems.push(`${source}: ${key} ${message}`);
  const top = mapping(doc, '(top level)', at);
  unknownKeys(top, TOP_KEYS, '', at);

  const images = mapping(top.runnerImages, 'runnerImages', at);
  unknownKeys(images, IMAGE_KEYS, 'runnerImages.', at);
  const runnerImages: OperatorConfig['runnerImages'] = { genericRuntime: stringMap(images.genericRuntime, 'runnerImages.genericRuntime', at) };
  for (const lang of ['java', 'python', 'go'] as const) {
    const image = images[lang];
    if (image === undefined || image === null) continue;
    if (typeof image === 'string' && image.trim()) runnerImages[lang] = image.trim();
    else at(`runnerImages.${lang}`, 'must be an image reference (e.g. apachepulsar/pulsar-functions-java-runner:4.0.7)');
  }

  const secrets = top.runnerImagePullSecrets ?? [];
  const runnerImagePullSecrets: { name: string }[] = [];
  if (!Array.isArray(secrets)) at('runnerImagePullSecrets', 'must be a list of {name: <Secret name>}');
  else {
    secrets.forEach((s: unknown, i) => {
      const name = (s as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name) runnerImagePullSecrets.push({ name });
      else at(`runnerImagePullSecrets[${i}]`, 'must be {name: <Secret name>}');
    });
  }

  const policies = ['imagePullPolicy', 'runnerImagePullPolicy'].flatMap((key) => (top[key] === undefined || top[key] === null || top[key] === '' ? [] : [{ key, value: top[key] }]));
  let imagePullPolicy: PullPolicy | undefined;
  for (const { key, value } of policies) {
    const policy = PULL_POLICIES.find((p) => p === value);
    if (!policy) at(key, `must be ${PULL_POLICIES.join(', ')} or empty, got ${JSON.stringify(value)}`);
    else if (imagePullPolicy && imagePullPolicy !== policy) at(key, `says ${policy} but imagePullPolicy says ${imagePullPolicy}: keep one of the two keys`);
    else imagePullPolicy = policy;
  }

  const config: OperatorConfig = {
    runnerImages,
    runnerImagePullSecrets,
    ...(imagePullPolicy ? { imagePullPolicy } : {}),
    resourceLabels: stringMap(top.resourceLabels, 'resourceLabels', at),
    resourceAnnotations: stringMap(top.resourceAnnotations, 'resourceAnnotations', at),
  };
  if (problems.length) throw new OperatorConfigError(problems.join('\n'));
  return config;
}

type At = (key: string, message: string) => void;

function mapping(value: unknown, key: string, at: At): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  at(key, 'must be a mapping of keys to values');
  return {};
}

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string, at: At): void {
  for (const key of Object.keys(obj)) if (!known.includes(key)) at(`${prefix}${key}`, `is not a key of the operator config: use one of ${known.join(', ')}`);
}

/** Strings to strings; numbers and booleans are taken as written (YAML reads `8080` and `true` as such). */
function stringMap(value: unknown, key: string, at: At): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapping(value, key, at))) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else at(`${key}.${k}`, 'must be a string');
  }
  return out;
}
