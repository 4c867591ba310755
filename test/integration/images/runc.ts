// Runs a process from one of our OCI image archives with runc directly (no daemon): the layer is
// unpacked into a bundle, the image config supplies env, user and working directory as a
// container runtime would, and the container shares the host's network (like hostNetwork) so it
// reaches a broker on 127.0.0.1. runc keeps its state under the bundle, apart from any node's.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface ImageConfig { Env?: string[]; User?: string; WorkingDir?: string }

function readMember(archive: string, member: string): string {
  return execFileSync('tar', ['-xOf', archive, member], { maxBuffer: 4 << 20 }).toString();
}

/** Unpacks the image's only layer into `dir`/rootfs and returns its config. */
export async function unpackImage(archive: string, dir: string): Promise<ImageConfig> {
  const blob = (digest: string) => `blobs/sha256/${digest.replace('sha256:', '')}`;
  const index = JSON.parse(readMember(archive, 'index.json')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(readMember(archive, blob(index.manifests[0]!.digest))) as {
    config: { digest: string }; layers: { digest: string; mediaType: string }[];
  };
  const layer = manifest.layers[0]!;
  mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
  const z = layer.mediaType.endsWith('+gzip') ? 'z' : '';
  await exec('bash', ['-o', 'pipefail', '-c', `tar -xOf "$1" "$2" | tar -x${z}f - --numeric-owner -C "$3"`, '_', archive, blob(layer.digest), path.join(dir, 'rootfs')]);
  return (JSON.parse(readMember(archive, blob(manifest.config.digest))) as { config: ImageConfig }).config;
}

export interface ContainerRun {
  /** Bundle directory (made by unpackImage). */
  bundle: string;
  image: ImageConfig;
  id: string;
  args: string[];
  env?: Record<string, string>;
  uid: number;
  gid: number;
  mounts?: { source: string; destination: string; readonly?: boolean }[];
}

export interface RunningContainer {
  output(): string;
  exited: Promise<number>;
  stop(): Promise<void>;
}

/** Starts the container in the foreground of a child process; `stop` kills and deletes it. */
export function runContainer(run: ContainerRun): RunningContainer {
  const env = new Map((run.image.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  for (const [k, v] of Object.entries(run.env ?? {})) env.set(k, v);
  const spec = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: run.uid, gid: run.gid },
      args: run.args,
      env: [...env].map(([k, v]) => `${k}=${v}`),
      cwd: run.image.WorkingDir || '/',
      // As the controller renders it: every capability dropped, no privilege escalation.
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: run.id,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...(run.mounts ?? []).map((m) => ({ destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.readonly ? 'ro' : 'rw'] })),
    ],
    // No network namespace: the host's, as a hostNetwork pod.
    linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
  };
  writeFileSync(path.join(run.bundle, 'config.json'), JSON.stringify(spec));
  const state = path.join(run.bundle, 'runc-state');
  const child: ChildProcess = spawn('runc', ['--root', state, 'run', '--bundle', run.bundle, run.id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    output: () => output,
    exited,
    async stop() {
      await exec('runc', ['--root', state, 'kill', run.id, 'KILL']).catch(() => undefined);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      await exec('runc', ['--root', state, 'delete', '--force', run.id]).catch(() => undefined);
    },
  };
}
