// A node killed with SIGKILL (kubelet, containerd, shims, kube-proxy, cluster DNS) leaves shims,
// mounts, cgroups and veths behind; hack/stop-node clears them by what is left, not by what runs,
// and the node comes back Ready and runs pods again. (hack/local-up takes the same path, plus the
// network, after a killed run: see docs/development.md.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readPlatformEnv } from '../../support/platform.js';
import { createTestNamespace, deleteNamespace, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { exec, realNode, runPod } from './real-node.js';

const hack = (name: string) => path.resolve(import.meta.dirname, '../../../hack', name);

function nodeDir(): string {
  return path.join(readPlatformEnv().FM_PLATFORM_DIR, 'node');
}

/** Every process the node runs: its agents by pid file, shims by their containerd address. */
function nodeProcesses(): number[] {
  const dir = nodeDir();
  const pids = existsSync(`${dir}/pids`)
    ? readFileSync(`${dir}/pids`, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.split(' ')[1]))
    : [];
  const alive = pids.filter((p) => existsSync(`/proc/${p}`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes('containerd-shim-runc-v2') && cmd.includes(`${dir}/containerd/containerd.sock`)) alive.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return alive;
}

const mountsUnder = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
  .map((l) => l.split(' ')[4]).filter((m): m is string => !!m && m.startsWith(`${dir}/`));
const vethsOnBridge = () => execFileSync('ip', ['-o', 'link', 'show', 'master', 'fmbr0'], { encoding: 'utf8' }).trim();
const podCgroups = () => existsSync('/sys/fs/cgroup/pids/kubepods')
  ? execFileSync('find', ['/sys/fs/cgroup/pids/kubepods', '-name', 'pod*', '-type', 'd'], { encoding: 'utf8' }).trim() : '';

let ns: string;
beforeAll(async () => { ns = await createTestNamespace('node-recovery'); });
afterAll(async () => { await deleteNamespace(ns); });

describe('a killed real node', () => {
  it('is cleared and comes back Ready', async () => {
    const node = realNode();
    const platform = readPlatformEnv().FM_PLATFORM_DIR;
    await runPod(ns, 'before', 'exec sleep 3600');
    const dir = nodeDir();
    const victims = nodeProcesses();
    expect(victims.length).toBeGreaterThanOrEqual(5); // containerd, kubelet, kube-proxy, coredns, a shim
    expect(mountsUnder(dir).length).toBeGreaterThan(0);
    expect(vethsOnBridge()).not.toBe('');

    execFileSync('kill', ['-KILL', ...victims.map(String)]);
    await waitFor('the node processes gone', async () => victims.every((p) => !existsSync(`/proc/${p}/cmdline`) || readFileSync(`/proc/${p}/cmdline`).length === 0));
    // What the kill left: container processes, mounts, cgroups, veths.
    expect(podCgroups()).not.toBe('');

    execFileSync(hack('stop-node'), ['--keep-network', platform], { stdio: 'pipe' });
    expect(nodeProcesses()).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    expect(podCgroups()).toBe('');
    expect(vethsOnBridge()).toBe('');

    const started = Date.now();
    execFileSync(hack('start-node'), ['node', platform], { stdio: 'pipe', timeout: 180_000 });
    console.log(JSON.stringify({ measure: 'real-node.restart-to-ready', ms: Date.now() - started }));
    await kubectlOk(['wait', '--for=condition=Ready', `node/${node.name}`, '--timeout=60s']);
    // The pod from before runs again (a new sandbox), and new pods start.
    await waitFor('the old pod running again', async () => (await exec(ns, 'before', ['true'])).code === 0, { timeoutMs: 90_000 });
    const after = await runPod(ns, 'after', 'echo back; exec sleep 3600');
    expect(after.spec.nodeName).toBe(node.name);
  }, 300_000);
});
