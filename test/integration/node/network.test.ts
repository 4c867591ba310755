// The pod network exists only on this machine: pods reach the platform on the gateway address, and
// nothing they send can leave. Checked without sending a packet anywhere else: the pod's routes,
// route look-ups (`ip route get` sends nothing), the host's forwarding rules, and connections to
// the gateway only.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestNamespace, deleteNamespace } from '../../support/kubectl.js';
import { exec, realNode, runPod } from './real-node.js';

// Outside addresses used only as routing questions, never as destinations of a packet.
const OUTSIDE = ['192.0.2.200', '198.51.100.7', '8.8.8.8', '10.0.99.99'];

let ns: string;
let podIP: string;
beforeAll(async () => {
  ns = await createTestNamespace('node-net');
  podIP = (await runPod(ns, 'probe', 'exec sleep 3600')).status.podIP!;
}, 120_000);
afterAll(async () => { await deleteNamespace(ns); });

describe('pod network', () => {
  it('gives pods routes to the pod subnet and the service range only', async () => {
    const node = realNode();
    const routes = await exec(ns, 'probe', ['ip', 'route']);
    expect(routes.code).toBe(0);
    const lines = routes.stdout.trim().split('\n').map((l) => l.trim()).sort();
    expect(lines).toEqual([
      `10.0.0.0/16 via ${node.gateway} dev eth0 `.trim(),
      expect.stringMatching(new RegExp(`^${node.subnet.replace(/\./g, '\\.')} dev eth0 .*src ${podIP.replace(/\./g, '\\.')}`)),
    ].sort());
    expect(routes.stdout).not.toMatch(/default/);
    for (const address of OUTSIDE.slice(0, 3)) {
      const lookup = await exec(ns, 'probe', ['ip', 'route', 'get', address]);
      expect(lookup.code).not.toBe(0);
      expect(lookup.stderr).toMatch(/unreachable/i);
    }
  });

  it('routes nothing from the pod subnet off this machine, on the host', () => {
    const node = realNode();
    for (const address of OUTSIDE) {
      // What the host would do with a packet from a pod to this address (a look-up, nothing sent).
      let answer: string;
      try {
        answer = execFileSync('ip', ['route', 'get', address, 'from', podIP, 'iif', 'fmbr0'], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        answer = String((err as { stderr?: string }).stderr);
      }
      expect(answer).toMatch(/No route to host|unreachable/);
    }
    // The gateway and the host's own addresses stay local.
    const local = execFileSync('ip', ['route', 'get', node.gateway, 'from', podIP, 'iif', 'fmbr0'], { encoding: 'utf8' });
    expect(local).toMatch(/^local /);
    // The host's own traffic to the service range goes to the bridge, not out of the machine.
    expect(execFileSync('ip', ['route', 'get', '10.0.99.99'], { encoding: 'utf8' })).toMatch(/ dev fmbr0 /);
    // And the filter agrees: nothing is forwarded between the pod subnet and anywhere else.
    const forward = execFileSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8' }).split('\n');
    // kube-proxy's resyncs may put its firewall jump (drops only) above the guard; nothing that
    // accepts (an ACCEPT, or KUBE-FORWARD's) may stand before it.
    const guardAt = forward.indexOf('-A FORWARD -j FM-REAL-NODE');
    expect(guardAt).toBeGreaterThan(0);
    expect(forward.slice(1, guardAt).filter((rule) => /-j (ACCEPT|KUBE-FORWARD)\b/.test(rule))).toEqual([]);
    const guard = execFileSync('iptables', ['-w', '-S', 'FM-REAL-NODE'], { encoding: 'utf8' }).trim().split('\n');
    expect(guard).toEqual([
      '-N FM-REAL-NODE',
      `-A FM-REAL-NODE -s ${node.subnet} -d ${node.subnet} -j RETURN`,
      `-A FM-REAL-NODE -s ${node.subnet} -j DROP`,
      `-A FM-REAL-NODE -d ${node.subnet} -j DROP`,
    ]);
    // No masquerading of the pod subnet (only kube-proxy's marked service traffic).
    const nat = execFileSync('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'], { encoding: 'utf8' });
    expect(nat).not.toMatch(new RegExp(`-s ${node.subnet.replace(/\./g, '\\.')}.*MASQUERADE`));
  });

  it('gives pods cluster DNS on the gateway as their only name server', async () => {
    const node = realNode();
    const resolv = await exec(ns, 'probe', ['cat', '/etc/resolv.conf']);
    expect(resolv.stdout.match(/^nameserver .*$/gm)).toEqual([`nameserver ${node.gateway}`]);
    const svc = await exec(ns, 'probe', ['nslookup', 'kubernetes.default.svc.cluster.local']);
    expect(svc.stdout).toMatch(/Address:\s*10\.0\.0\.1\b/);
    // A name outside the cluster is not forwarded anywhere: cluster DNS has no upstream.
    const outside = await exec(ns, 'probe', ['nslookup', 'example.com']);
    expect(outside.stdout + outside.stderr).not.toMatch(/Address:\s*(?!10\.123\.0\.1\b)\d+\.\d+\.\d+\.\d+/);
  });

  it('keeps the gateway\'s MAC address while pods come and go', () => {
    // A bridge whose address was never set takes the lowest MAC of its ports, so a veth coming or
    // going changed it under the pods' ARP caches; once set ("3": NET_ADDR_SET) the kernel keeps it.
    const device = execFileSync('ip', ['-o', '-4', 'addr', 'show', 'to', `${realNode().gateway}/32`], { encoding: 'utf8' }).split(/\s+/)[1]!;
    expect(readFileSync(`/sys/class/net/${device}/addr_assign_type`, 'utf8').trim()).toBe('3');
  });

  it('reaches a server on the gateway address', async () => {
    const node = realNode();
    const server = http.createServer((req, res) => res.end(`seen ${req.socket.remoteAddress}`));
    await new Promise<void>((r) => server.listen(0, node.gateway, r));
    try {
      const port = (server.address() as AddressInfo).port;
      const got = await exec(ns, 'probe', ['timeout', '5', 'wget', '-q', '-O', '-', `http://${node.gateway}:${port}/`]);
      expect(got.code).toBe(0);
      expect(got.stdout).toBe(`seen ${podIP}`);
    } finally {
      server.close();
    }
  });
});
