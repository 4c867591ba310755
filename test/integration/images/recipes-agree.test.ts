// The release recipe (Containerfile, for anyone with a container engine) and the local one
// (hack/build-images) must describe the same images: this builds the local images (cached by
// content, so usually instant) and compares their configs with the Containerfile stages.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { defaultRenderSettings } from '../../../controller/render/context.js';
import { parseContainerfile, type StageConfig } from './containerfile.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

interface ImageConfig {
  config: { Entrypoint?: string[]; Cmd?: string[]; User?: string; WorkingDir?: string; Env?: string[]; ExposedPorts?: Record<string, object> };
}

function readBlob(archive: string, file: string): string {
  return execFileSync('tar', ['-xOf', archive, file], { maxBuffer: 1 << 20 }).toString();
}

/** The image config inside an OCI archive: index → manifest → config. */
function imageConfig(archive: string): ImageConfig {
  const blob = (digest: string) => readBlob(archive, `blobs/sha256/${digest.replace('sha256:', '')}`);
  const index = JSON.parse(readBlob(archive, 'index.json')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(index.manifests[0]!.digest)) as { config: { digest: string } };
  return JSON.parse(blob(manifest.config.digest)) as ImageConfig;
}

// Which stage of which Containerfile each local image stands for ('' = the file's last stage).
const PAIRS = [
  { image: 'controller', file: 'Containerfile', stage: 'controller' },
  { image: 'scaler', file: 'Containerfile', stage: 'scaler' },
  { image: 'bridge', file: 'Containerfile', stage: 'bridge' },
  { image: 'example', file: 'adapters/sdk/example/Containerfile', stage: '' },
];

const built = new Map<string, { name: string; config: ImageConfig['config'] }>();

beforeAll(() => {
  const out = execFileSync(path.join(REPO, 'hack/build-images'), ['--list', ...PAIRS.map((p) => p.image)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  }).toString();
  const lines = out.trim().split('\n');
  PAIRS.forEach((p, i) => {
    const [name, archive] = lines[i]!.split(' ');
    built.set(p.image, { name: name!, config: imageConfig(archive!).config });
  });
}, 900_000);

function stageOf(file: string, stage: string): StageConfig {
  const stages = parseContainerfile(readFileSync(path.join(REPO, file), 'utf8'));
  const config = stages.get(stage);
  if (!config) throw new Error(`${file} has no stage "${stage}"`);
  return config;
}

describe('Containerfile and hack/build-images describe the same images', () => {
  it.each(PAIRS)('$image: entrypoint, cmd, user, workdir, ports and env agree with $file', ({ image, file, stage }) => {
    const want = stageOf(file, stage);
    const got = built.get(image)!.config;
    expect({
      entrypoint: got.Entrypoint ?? null,
      cmd: got.Cmd ?? null,
      user: got.User ?? null,
      workdir: got.WorkingDir ?? null,
      exposedPorts: Object.keys(got.ExposedPorts ?? {}).sort(),
    }).toEqual({
      entrypoint: want.entrypoint ?? null,
      cmd: want.cmd ?? null,
      user: want.user ?? null,
      workdir: want.workdir ?? null,
      exposedPorts: [...want.exposedPorts].sort(),
    });
    // Every variable the recipe sets is in the image with the same value.
    const env = Object.fromEntries((got.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    for (const [name, value] of Object.entries(want.env)) expect({ [name]: env[name] }).toEqual({ [name]: value });
  });

  it('names the images as the manifests and the controller reference them', () => {
    const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const manifests = ['manifests/controller/deployment.yaml', 'manifests/scaler/deployment.yaml', 'manifests/samples/exclamation-http.yaml']
      .map((f) => readFileSync(path.join(REPO, f), 'utf8')).join('\n');
    for (const image of ['controller', 'scaler', 'example']) {
      const short = built.get(image)!.name.replace(/^docker\.io\//, '');
      expect(manifests).toContain(`image: ${short}`);
    }
    expect(built.get('bridge')!.name).toBe(`docker.io/${defaultRenderSettings().bridgeImage}`);
    expect(built.get('controller')!.name).toBe(`docker.io/functionmesh-ts/controller:${version}`);
  });
});
