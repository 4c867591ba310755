// Pods reach the platform as in-cluster clients do: the apiserver through the `kubernetes` Service
// (kube-proxy), by its ClusterIP, its cluster DNS name and KUBERNETES_SERVICE_HOST, Pulsar through a topic lookup on its binary port whose
// answer is an address a pod can use, and Pulsar's package management over HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readPlatformEnv } from '../../support/platform.js';
import { createTestNamespace, deleteNamespace, kubectlJson } from '../../support/kubectl.js';
import { exec, realNode, runPod } from './real-node.js';
import { connectFrame, lookupFrame } from './pulsar-frames.js';

let ns: string;
beforeAll(async () => {
  ns = await createTestNamespace('node-platform');
  await runPod(ns, 'client', 'exec sleep 3600');
}, 120_000);
afterAll(async () => { await deleteNamespace(ns); });

/** A shell word that makes busybox printf write these bytes. */
const printfBytes = (bytes: Buffer) => [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');

describe('the platform, from a pod', () => {
  it('reaches the apiserver through the kubernetes Service, by its cluster DNS name', async () => {
    const node = realNode();
    const endpoints = await kubectlJson<{ subsets: { addresses: { ip: string }[] }[] }>(['-n', 'default', 'get', 'endpoints', 'kubernetes']);
    expect(endpoints.subsets[0]!.addresses.map((a) => a.ip)).toEqual([node.gateway]);
    const env = await exec(ns, 'client', ['sh', '-c', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT']);
    expect(env.stdout.trim()).toBe('10.0.0.1:443');
    // busybox speaks no TLS the apiserver accepts, so plain HTTP to its TLS port: the answer is the
    // apiserver's own (Go's TLS server names the mistake), reached through the Service's rules.
    for (const host of ['10.0.0.1', 'kubernetes.default.svc', '$KUBERNETES_SERVICE_HOST']) {
      const got = await exec(ns, 'client', ['sh', '-c', `printf 'GET /version HTTP/1.0\\r\\n\\r\\n' | timeout 10 nc ${host} 443`]);
      expect({ host, answer: got.stdout }).toEqual({ host, answer: expect.stringContaining('Client sent an HTTP request to an HTTPS server') });
    }
  });

  it('looks a topic up on Pulsar\'s binary port and gets an address on the pod network', async () => {
    const node = realNode();
    const broker = new URL(readPlatformEnv().PULSAR_BROKER_URL);
    expect(broker.hostname).toBe(node.gateway); // the same URL serves the host and pods
    const topic = `persistent://public/default/node-lookup-${randomBytes(3).toString('hex')}`;
    const script = `(printf '${printfBytes(Buffer.concat([connectFrame(), lookupFrame(topic, 1)]))}'; sleep 3) `
      + `| timeout 6 nc ${broker.hostname} ${broker.port}`;
    const got = await exec(ns, 'client', ['sh', '-c', script]);
    // CONNECTED, then LOOKUP_RESPONSE naming the broker that owns the topic, by its pod-reachable URL.
    expect(got.stdout).toContain(`pulsar://${node.gateway}:${broker.port}`);
  });

  it('downloads a function:// package from Pulsar\'s package management', async () => {
    const web = readPlatformEnv().PULSAR_WEB_URL;
    const name = `node-pkg-${randomBytes(3).toString('hex')}`;
    const content = `package ${name} ${randomBytes(8).toString('hex')}\n`;
    const path = `/admin/v3/packages/function/public/default/${name}/v1`;
    const form = new FormData();
    form.append('file', new Blob([content]), `${name}.jar`);
    form.append('metadata', new Blob([JSON.stringify({ description: 'node test', contact: 'tests', properties: { origin: 'node' } })], { type: 'application/json' }));
    const upload = await fetch(`${web}${path}`, { method: 'POST', body: form });
    expect({ status: upload.status, body: await upload.text() }).toEqual({ status: 204, body: '' });

    const meta = await (await fetch(`${web}${path}/metadata`)).json() as { description: string; properties: Record<string, string> };
    expect(meta).toEqual(expect.objectContaining({ description: 'node test', properties: expect.objectContaining({ origin: 'node' }) }));
    const host = await fetch(`${web}${path}`);
    expect(await host.text()).toBe(content);

    const fromPod = await exec(ns, 'client', ['timeout', '30', 'wget', '-q', '-O', '-', `${web}${path}`]);
    expect(fromPod.code).toBe(0);
    expect(fromPod.stdout).toBe(content);
  });
});
