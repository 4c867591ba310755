// The product images on the real node, by a tag of their content (hack/import-images): builds
// and imports what changed, and costs about a second when everything is in place.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { platformDir } from './platform.js';

const REPO = path.resolve(import.meta.dirname, '../..');

export type ImageName = 'controller' | 'scaler' | 'bridge' | 'example' | 'downloader' | 'java-runner';

/** Resolves with each image's content-tagged reference, as the node's containerd holds it. */
export async function importImages<N extends ImageName>(names: N[]): Promise<Record<N, string>> {
  const { stdout } = await promisify(execFile)(path.join(REPO, 'hack/import-images'), names, {
    cwd: REPO, env: { ...process.env, FM_PLATFORM_DIR: platformDir() }, timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024,
  });
  const refs = stdout.trim().split('\n').map((line) => line.split(' ')[1]!);
  if (refs.length !== names.length) throw new Error(`hack/import-images ${names.join(' ')} printed ${refs.length} images: ${stdout}`);
  return Object.fromEntries(names.map((n, i) => [n, refs[i]!])) as Record<N, string>;
}
