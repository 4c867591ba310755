// Rewrites an object as etcd holds it, through etcd's JSON gateway: the only way to store a
// status that this project's CRD schema rejects, such as the map-shaped conditions Function
// Mesh's operator wrote under its own CRDs. The apiserver's watch on etcd sees the change, as it
// saw the old operator's writes. Custom resources are stored as JSON under /registry/<group>/<plural>.
import { readPlatformEnv } from '../../support/platform.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function call(path: string, body: unknown): Promise<{ kvs?: { value: string }[] }> {
  const url = readPlatformEnv().ETCD_URL;
  if (!url) throw new Error('the platform env file has no ETCD_URL: restart it with a current hack/local-up');
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { kvs?: { value: string }[] };
}

/** The custom resource as etcd holds it (the apiserver prunes what its schema lacks on the way out). */
export async function readStored(group: string, plural: string, namespace: string, name: string): Promise<Record<string, unknown>> {
  const key = `/registry/${group}/${plural}/${namespace}/${name}`;
  const value = (await call('/v3/kv/range', { key: b64(key) })).kvs?.[0]?.value;
  if (!value) throw new Error(`etcd has no ${key}`);
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** Replaces the stored custom resource with `mutate(stored)`. */
export async function rewriteStored(group: string, plural: string, namespace: string, name: string, mutate: (stored: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const stored = await readStored(group, plural, namespace, name);
  const key = `/registry/${group}/${plural}/${namespace}/${name}`;
  await call('/v3/kv/put', { key: b64(key), value: b64(`${JSON.stringify(mutate(stored))}\n`) });
}
