import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildOciImage, imageConfig, normalizeImageName, type ImageSpec } from '../../../hack/images/oci-image.js';
import { specFromArgs } from '../../../hack/images/make-oci-image-args.js';

const work = mkdtempSync(join(tmpdir(), 'oci-image-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tinyRootfs(dir: string, mtime: number): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  writeFileSync(join(dir, 'bin', 'hello'), '#!/bin/sh\necho hello\n');
  chmodSync(join(dir, 'bin', 'hello'), 0o755);
  writeFileSync(join(dir, 'etc-motd'), 'hi\n');
  for (const p of ['bin/hello', 'etc-motd', 'bin', 'tmp']) utimesSync(join(dir, p), mtime, mtime);
  return dir;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function unpack(archive: string): string {
  const dir = mkdtempSync(join(work, 'unpacked-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  return dir;
}

const runtime: Omit<ImageSpec, 'rootfs' | 'output'> = {
  name: 'function-mesh-ts/tiny:dev',
  entrypoint: ['/bin/hello'],
  cmd: ['--loud'],
  user: '1000:1000',
  workdir: '/app',
  env: ['NODE_ENV=production'],
  exposedPorts: ['8080', '9090/udp'],
};

describe('make-oci-image', () => {
  it('gives the same digest for the same files, whatever their mtimes, and a different one for other contents', async () => {
    const a = await buildOciImage({ ...runtime, rootfs: tinyRootfs(join(work, 'a'), 1_000_000), output: join(work, 'a.tar') });
    const b = await buildOciImage({ ...runtime, rootfs: tinyRootfs(join(work, 'b'), 2_000_000), output: join(work, 'b.tar') });
    expect(b.digest).toBe(a.digest);
    expect(readFileSync(b.archive).equals(readFileSync(a.archive))).toBe(true);

    writeFileSync(join(work, 'b', 'etc-motd'), 'changed\n');
    const c = await buildOciImage({ ...runtime, rootfs: join(work, 'b'), output: join(work, 'c.tar') });
    expect(c.digest).not.toBe(a.digest);
  });

  it.each(['gzip', 'none'] as const)('writes a valid OCI layout (%s layer) that names the image for ctr import', async (compression) => {
    const built = await buildOciImage({ ...runtime, compression, rootfs: tinyRootfs(join(work, `v-${compression}`), 5), output: join(work, `v-${compression}.tar`) });
    const dir = unpack(built.archive);
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    // Every blob is named by its own sha256.
    for (const f of readdirSync(join(dir, 'blobs', 'sha256'))) {
      expect(sha(readFileSync(join(dir, 'blobs', 'sha256', f)))).toBe(`sha256:${f}`);
    }
    const blob = (digest: string) => readFileSync(join(dir, 'blobs', 'sha256', digest.replace('sha256:', '')));

    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests).toHaveLength(1);
    const entry = index.manifests[0];
    expect(entry.digest).toBe(built.digest);
    expect(entry.annotations).toEqual({ 'io.containerd.image.name': 'docker.io/function-mesh-ts/tiny:dev', 'org.opencontainers.image.ref.name': 'dev' });

    const manifestBytes = blob(entry.digest);
    expect(entry.size).toBe(manifestBytes.length);
    const manifest = JSON.parse(manifestBytes.toString());
    expect(manifest.schemaVersion).toBe(2);
    const layer = manifest.layers[0];
    expect(layer.mediaType).toBe(compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar');
    expect(layer.size).toBe(blob(layer.digest).length);

    const config = JSON.parse(blob(manifest.config.digest).toString());
    const layerTar = compression === 'gzip' ? gunzipSync(blob(layer.digest)) : blob(layer.digest);
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [sha(layerTar)] });
    expect(config.os).toBe('linux');
    expect(config.config).toEqual({
      User: '1000:1000',
      ExposedPorts: { '8080/tcp': {}, '9090/udp': {} },
      Env: ['NODE_ENV=production'],
      Entrypoint: ['/bin/hello'],
      Cmd: ['--loud'],
      WorkingDir: '/app',
    });

    // The layer: sorted entries, root-owned, mtime 0, modes kept.
    writeFileSync(join(dir, 'layer.tar'), layerTar);
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', join(dir, 'layer.tar')], { env: { ...process.env, TZ: 'UTC' } })
      .toString().trim().split('\n');
    const names = listing.map((l) => l.split(/\s+/).pop());
    expect(names).toEqual(['bin/', 'bin/hello', 'etc-motd', 'tmp/']);
    for (const line of listing) expect(line).toMatch(/^\S+ 0\/0 +\d+ 1970-01-01 00:00:00 /);
    expect(listing[1]).toMatch(/^-rwxr-xr-x/);
    expect(listing[3]).toMatch(/^drwxrwxrwt/);
  });

  it('normalises names the way kubelet and containerd spell them', () => {
    expect(normalizeImageName('function-mesh-ts/controller:dev')).toBe('docker.io/function-mesh-ts/controller:dev');
    expect(normalizeImageName('pause:3.10')).toBe('docker.io/library/pause:3.10');
    expect(normalizeImageName('apachepulsar/pulsar-functions-java-runner')).toBe('docker.io/apachepulsar/pulsar-functions-java-runner:latest');
    expect(normalizeImageName('localhost:5000/x/y:1')).toBe('localhost:5000/x/y:1');
    expect(() => normalizeImageName('Bad Name')).toThrow(/image name "Bad Name"/);
  });

  it('rejects bad config fields by name', () => {
    expect(() => imageConfig({ exposedPorts: ['http'] }, 'sha256:x')).toThrow(/exposed port "http"/);
    expect(() => imageConfig({ env: ['=x'] }, 'sha256:x')).toThrow(/env "=x"/);
    expect(() => imageConfig({ workdir: 'app' }, 'sha256:x')).toThrow(/workdir "app": must be an absolute path/);
    expect(() => specFromArgs(['--rootfs', '/x', '--name', 'a:b', '--output', 'o', '--entrypoint', 'node main.js'])).toThrow(/--entrypoint node main.js: not JSON/);
    expect(() => specFromArgs(['--name', 'a:b', '--output', 'o'])).toThrow(/--rootfs is required/);
  });

  it('fails clearly on a missing root filesystem', async () => {
    await expect(buildOciImage({ ...runtime, rootfs: join(work, 'nope'), output: join(work, 'nope.tar') })).rejects.toThrow(/rootfs ".*nope": not a directory/);
  });
});
