// Compacts the platform's etcd history (its JSON gateway on the client port), so that a watch
// from an old resourceVersion is answered 410 Gone however young the cluster is: recent
// apiservers serve a watch older than their cache from etcd, as long as etcd still has it.
import { readPlatformEnv } from './platform.js';

export async function compactEtcd(): Promise<number> {
  const url = readPlatformEnv().ETCD_URL;
  if (!url) throw new Error('the platform env file has no ETCD_URL: restart it with a current hack/local-up');
  const post = async (path: string, body: unknown): Promise<{ header?: { revision?: string } }> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { header?: { revision?: string } };
  };
  const revision = Number((await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') })).header?.revision);
  await post('/v3/kv/compaction', { revision, physical: true });
  return revision;
}
