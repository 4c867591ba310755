// The real node runs real containers next to the kwok nodes: pods that ask for it (toleration +
// selector) run there, everything else stays on kwok; logs, exec and deletion behave as on any
// cluster.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { createTestNamespace, deleteNamespace, kubectl, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { waitFor } from '../../support/wait.js';
import { exec, onRealNode, type Pod, realNode, runPod } from './real-node.js';

interface Node {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; value?: string; effect: string }[] };
  status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] };
}

let ns: string;
beforeAll(async () => { ns = await createTestNamespace('node-pods'); });
afterAll(async () => { await deleteNamespace(ns); });

describe('the real node', () => {
  it('is Ready next to the kwok nodes, tainted and labelled, on the gateway address', async () => {
    const node = realNode();
    const nodes = await kubectlJson<{ items: Node[] }>(['get', 'nodes']);
    const real = nodes.items.find((n) => n.metadata.name === node.name);
    expect(real).toBeDefined();
    expect(real!.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    expect(real!.spec.taints).toEqual([expect.objectContaining({ key: node.taint, value: 'true', effect: 'NoSchedule' })]);
    expect(real!.metadata.labels[node.taint]).toBe('true');
    expect(real!.status.addresses).toEqual(expect.arrayContaining([{ type: 'InternalIP', address: node.gateway }]));
    expect(nodes.items.filter((n) => n.metadata.labels.type === 'kwok').length).toBeGreaterThan(0);
  });

  it('keeps pods that do not ask for it on kwok', async () => {
    await kubectlOk(['-n', ns, 'create', 'deployment', 'fake', '--image=example.invalid/web:1', '--replicas=4']);
    const pods = await waitFor('4 scheduled pods', async () => {
      const list = await kubectlJson<{ items: Pod[] }>(['-n', ns, 'get', 'pods', '-l', 'app=fake']);
      return list.items.length === 4 && list.items.every((p) => p.spec.nodeName) ? list.items : undefined;
    });
    for (const pod of pods) expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
  });

  it('runs a real container: logs, exec, and deletion that stops its processes', async () => {
    const node = realNode();
    const created = Date.now();
    const pod = await runPod(ns, 'hello', 'echo "hello from $(hostname)"; exec sleep 3600');
    console.log(JSON.stringify({ measure: 'real-node.pod-start', ms: Date.now() - created }));
    expect(pod.spec.nodeName).toBe(node.name);
    expect(pod.status.podIP).toMatch(/^10\.123\.0\.\d+$/);

    const logs = await waitFor('the log line', async () => {
      const out = await kubectlOk(['-n', ns, 'logs', 'hello']);
      return out.includes('hello from hello') ? out : undefined;
    });
    expect(logs.trim()).toBe('hello from hello');

    const ps = await exec(ns, 'hello', ['ps', '-o', 'pid,comm']);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/^\s*1\s+sleep$/m); // the container's own PID namespace: sleep is 1
    const failing = await exec(ns, 'hello', ['sh', '-c', 'exit 7']);
    expect(failing.code).toBe(7);

    // The pod's processes (sandbox and container), counted by the host in the pod's cgroup.
    const podCgroup = `/sys/fs/cgroup/pids/kubepods/besteffort/pod${pod.metadata.uid}`;
    const hostProcesses = () => existsSync(podCgroup) ? Number(readFileSync(`${podCgroup}/pids.current`, 'utf8')) : 0;
    expect(hostProcesses()).toBeGreaterThanOrEqual(2);

    const started = Date.now();
    await kubectlOk(['-n', ns, 'delete', 'pod', 'hello', '--wait=true', '--timeout=60s']);
    const deleteMs = Date.now() - started;
    const gone = await kubectl(['-n', ns, 'get', 'pod', 'hello']);
    expect(gone.stderr).toMatch(/NotFound/);
    await waitFor('the pod cgroup emptied', async () => hostProcesses() === 0, { timeoutMs: 30_000 });
    console.log(JSON.stringify({ measure: 'real-node.pod-delete', ms: deleteMs }));
  });

  it('pulls no image from outside: a missing image fails at a closed port on this machine', async () => {
    const node = realNode();
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nopull', namespace: ns },
      spec: { ...onRealNode(node), containers: [{ name: 'main', image: 'example.invalid/nothing:1', imagePullPolicy: 'Always' }] },
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const waiting = await waitFor('the pull to fail', async () => {
      const p = await kubectlJson<Pod>(['-n', ns, 'get', 'pod', 'nopull']);
      const w = p.status.containerStatuses?.[0]?.state.waiting as { reason?: string; message?: string } | undefined;
      return w?.message ? w : undefined;
    });
    expect(waiting.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(waiting.message).toContain('127.0.0.1:9');
  });
});
