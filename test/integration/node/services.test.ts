// ClusterIP Services route (kube-proxy, iptables mode) and `<svc>.<ns>.svc` names resolve (cluster
// DNS), from pods and from a host process that resolves as KEDA does (hack/start-keda: its own
// /etc/resolv.conf naming cluster DNS, in a private mount namespace).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { readPlatformEnv } from '../../support/platform.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { exec, realNode, runPod } from './real-node.js';

const run = promisify(execFile);

let ns: string;
let serverIP: string;
beforeAll(async () => {
  ns = await createTestNamespace('node-svc');
  const server = await runPod(ns, 'web', 'mkdir -p /www && echo "served by $(hostname)" > /www/index.html && exec httpd -f -p 9090 -h /www');
  serverIP = server.status.podIP!;
  await runPod(ns, 'client', 'exec sleep 3600');
  await kubectlOk(['-n', ns, 'create', 'service', 'clusterip', 'web', '--tcp=9090:9090']);
  await waitFor('the Service endpoint', async () => {
    const slices = await kubectlJson<{ items: { endpoints?: { addresses: string[] }[] }[] }>(
      ['-n', ns, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
    return slices.items.some((s) => s.endpoints?.some((e) => e.addresses.includes(serverIP)));
  });
}, 180_000);
afterAll(async () => { await deleteNamespace(ns); });

describe('Services on the real node', () => {
  it('route a pod to another pod by the Service name', async () => {
    const got = await waitFor('an answer through the Service', async () => {
      const r = await exec(ns, 'client', ['timeout', '3', 'wget', '-q', '-O', '-', `http://web.${ns}.svc:9090/`]);
      return r.code === 0 ? r.stdout : undefined;
    }, { timeoutMs: 30_000 });
    expect(got.trim()).toBe('served by web');
  });

  it('are what KEDA resolves through: its operator sees cluster DNS as its only name server', () => {
    const platform = readPlatformEnv().FM_PLATFORM_DIR;
    const pid = readFileSync(path.join(platform, 'pids'), 'utf8').split('\n').find((l) => l.startsWith('keda-operator '))?.split(' ')[1];
    expect(pid).toBeDefined();
    // The operator's own view of /etc/resolv.conf (its mount namespace), not the host's.
    const seen = readFileSync(`/proc/${pid}/root/etc/resolv.conf`, 'utf8');
    expect(seen.match(/^nameserver .*$/gm)).toEqual([`nameserver ${realNode().gateway}`]);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).not.toContain(realNode().gateway);
  });

  it('route a host process that resolves through cluster DNS, as KEDA does', async () => {
    const resolvConf = path.join(readPlatformEnv().FM_PLATFORM_DIR, 'node', 'cluster-resolv.conf');
    const client = `require('http').get('http://web.${ns}.svc:9090/', (res) => res.pipe(process.stdout)).on('error', (e) => { console.error(e.message); process.exit(1); })`;
    const body = await waitFor('an answer through the Service', async () => {
      const { stdout } = await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
        'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, process.execPath, '-e', client], { timeout: 10_000 });
      return stdout;
    }, { timeoutMs: 30_000 });
    expect(body.trim()).toBe('served by web');
  });
});
