// A single-layer OCI image archive from a root filesystem directory, without a registry, a
// container daemon or a base image: the layer is a GNU tar of the directory made reproducible
// (entries sorted by name, every mtime fixed, owners numeric 0:0), and the config, manifest and
// index are JSON blobs named by their sha256. Identical inputs give an identical manifest digest,
// which is what lets hack/build-images cache by content and lets containerd skip a re-import.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** containerd names an imported image from this annotation before the OCI ref name. */
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The runtime part of an image config (the fields a Containerfile's stage sets). */
export interface ImageRuntimeConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** `uid`, `uid:gid` or a user name the root filesystem's /etc/passwd knows. */
  user?: string;
  workdir?: string;
  /** `KEY=value` entries, in order. */
  env?: string[];
  /** `8080` or `8080/tcp`. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface ImageSpec extends ImageRuntimeConfig {
  /** Root filesystem directory; it becomes the image's only layer. */
  rootfs: string;
  /** `name:tag`, e.g. `function-mesh-ts/controller:dev` (normalised to `docker.io/...`). */
  name: string;
  /** Where the archive (a tar of the OCI layout) is written. */
  output: string;
  compression?: 'gzip' | 'none';
}

export interface BuiltImage {
  /** Fully qualified name as containerd will list it. */
  name: string;
  /** Digest of the manifest: the image's identity. */
  digest: string;
  /** Digest of the uncompressed layer (the config's diff_id). */
  diffId: string;
  layerSize: number;
  archive: string;
}

/** Docker's reference normalisation: `app:1` → `docker.io/library/app:1`, `a/b` → `docker.io/a/b:latest`. */
export function normalizeImageName(name: string): string {
  const trimmed = name.trim();
  if (!/^[a-z0-9][a-z0-9._/:@-]*$/.test(trimmed)) {
    throw new Error(`image name "${name}": use lower-case letters, digits and . _ - / : (e.g. function-mesh-ts/controller:dev)`);
  }
  const slash = trimmed.indexOf('/');
  const first = slash < 0 ? '' : trimmed.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let full = hasRegistry ? trimmed : slash < 0 ? `docker.io/library/${trimmed}` : `docker.io/${trimmed}`;
  const lastPart = full.slice(full.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) full += ':latest';
  return full;
}

/** The image config JSON (OCI image-spec config), without any time stamp so it is reproducible. */
export function imageConfig(runtime: ImageRuntimeConfig, diffId: string): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (runtime.user) config.User = runtime.user;
  if (runtime.exposedPorts?.length) {
    config.ExposedPorts = Object.fromEntries(runtime.exposedPorts.map((p) => [portKey(p), {}]));
  }
  config.Env = runtime.env?.length ? runtime.env.map(envEntry) : ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (runtime.entrypoint?.length) config.Entrypoint = runtime.entrypoint;
  if (runtime.cmd?.length) config.Cmd = runtime.cmd;
  if (runtime.workdir) {
    if (!runtime.workdir.startsWith('/')) throw new Error(`workdir "${runtime.workdir}": must be an absolute path`);
    config.WorkingDir = runtime.workdir;
  }
  if (runtime.labels && Object.keys(runtime.labels).length) config.Labels = sortedObject(runtime.labels);
  return {
    architecture: ociArchitecture(process.arch),
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
}

function portKey(port: string): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(port.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new Error(`exposed port "${port}": write it as PORT or PORT/tcp|udp|sctp (1-65535)`);
  return `${m[1]}/${m[2] ?? 'tcp'}`;
}

function envEntry(entry: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry)) throw new Error(`env "${entry}": write it as NAME=value`);
  return entry;
}

function ociArchitecture(arch: string): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  const oci = map[arch];
  if (!oci) throw new Error(`unsupported architecture ${arch}`);
  return oci;
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Canonical JSON bytes (no whitespace) whose sha256 names the blob. */
function jsonBlob(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Passes bytes through while hashing and counting them. */
class Digester extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** GNU tar flags that make the archive a function of the files' names, contents and modes only. */
const REPRODUCIBLE_TAR = [
  '--format=gnu', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner',
  '--no-acls', '--no-xattrs', '--no-selinux',
];

/** Top-level entries of the root filesystem, sorted by bytes (tar sorts only below them). */
async function topLevelEntries(rootfs: string): Promise<string[]> {
  const info = await stat(rootfs).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`rootfs "${rootfs}": not a directory; pass the root filesystem to pack`);
  const entries = (await readdir(rootfs)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (!entries.length) throw new Error(`rootfs "${rootfs}": empty directory`);
  return entries;
}

/** Writes the layer blob into `blobs`, returning its digest, the diff_id and the blob's size. */
async function writeLayer(rootfs: string, blobs: string, gzip: boolean): Promise<{ digest: string; diffId: string; size: number }> {
  const entries = await topLevelEntries(rootfs);
  const tar = spawn('tar', ['--create', '--file=-', ...REPRODUCIBLE_TAR, '-C', rootfs, '--', ...entries], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => resolve(code ?? 1));
  });
  const uncompressed = new Digester();
  const compressed = new Digester();
  const partial = join(blobs, 'layer.partial');
  const stages = gzip
    ? [tar.stdout, uncompressed, createGzip({ level: 6 }), compressed, createWriteStream(partial)]
    : [tar.stdout, uncompressed, compressed, createWriteStream(partial)];
  await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
  const code = await exited;
  if (code !== 0) throw new Error(`tar of ${rootfs} failed (exit ${code}): ${stderr.trim()}`);
  const digest = compressed.digest();
  await rename(partial, join(blobs, digest.slice('sha256:'.length)));
  return { digest, diffId: uncompressed.digest(), size: compressed.size };
}

async function writeBlob(blobs: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(data);
  await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
  return { digest, size: data.length };
}

export async function buildOciImage(spec: ImageSpec): Promise<BuiltImage> {
  const name = normalizeImageName(spec.name);
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const gzip = (spec.compression ?? 'gzip') === 'gzip';
  const work = await mkdtemp(join(tmpdir(), 'oci-image-'));
  try {
    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });

    const layer = await writeLayer(spec.rootfs, blobs, gzip);
    const config = await writeBlob(blobs, jsonBlob(imageConfig(spec, layer.diffId)));
    const manifest = await writeBlob(blobs, jsonBlob({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: gzip ? MEDIA.layerGzip : MEDIA.layerTar, digest: layer.digest, size: layer.size }],
    }));
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [{
        mediaType: MEDIA.manifest,
        digest: manifest.digest,
        size: manifest.size,
        annotations: { [CONTAINERD_NAME_ANNOTATION]: name, [OCI_REF_NAME_ANNOTATION]: tag },
      }],
    };
    await writeFile(join(layout, 'index.json'), jsonBlob(index));
    await writeFile(join(layout, 'oci-layout'), jsonBlob({ imageLayoutVersion: '1.0.0' }));

    await mkdir(dirname(spec.output), { recursive: true });
    const partial = `${spec.output}.partial`;
    await runTar(['--create', `--file=${partial}`, ...REPRODUCIBLE_TAR, '-C', layout, 'blobs', 'index.json', 'oci-layout']);
    await rename(partial, spec.output);
    return { name, digest: manifest.digest, diffId: layer.diffId, layerSize: layer.size, archive: spec.output };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`))));
  });
}
