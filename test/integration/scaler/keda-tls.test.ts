// The real KEDA operator (v2.20, from the local platform) calling the scaler over TLS: a
// ScaledObject whose trigger sets `enableTLS: "true"` (KEDA forwards that key to the scaler with
// every other) and whose TriggerAuthentication gives KEDA the scaler's CA as `caCert`. KEDA must
// get the metric spec and wake the Deployment from 0 on the backlog. A second ScaledObject
// without the CA shows that KEDA really verifies the scaler's certificate.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTopicName, topicPath } from '../../../adapters/pulsar/topic-name.js';
import type { Scaler } from '../../../scaler/app.js';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { makeCertificates } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { adminFor, produce, sharedPulsarUrl, startTestScaler, uniqueName } from './support.js';

interface ScaledObjectStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; externalMetricNames?: string[] };
}

describe('the real KEDA calling the scaler over TLS', () => {
  const web = sharedPulsarUrl();
  let dir: string;
  let scaler: Scaler;
  let ns: string;

  const replicas = async (name: string): Promise<number> =>
    (await kubectlJson<{ spec: { replicas?: number } }>(['-n', ns, 'get', 'deployment', name])).spec.replicas ?? 1;
  const apply = (objects: object[]) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'scaler-keda-tls-'));
    await makeCertificates(dir);
    scaler = await startTestScaler({ tls: { certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key') }, checkMs: 60_000 });
    ns = await createTestNamespace('scaler-tls');
  }, 120_000);

  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
    await scaler?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('wakes a Deployment from zero on the backlog, through enableTLS and a TriggerAuthentication caCert', async () => {
    const topic = parseTopicName(`public/default/${uniqueName('keda-tls')}`);
    await adminFor(web).createSubscription(topic, 'fn');
    await produce(web, topicPath(topic), 3);

    const deployment = (name: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: {
        replicas: 0, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'fn', image: 'example.invalid/fn:1' }] } },
      },
    });
    const scaledObject = (name: string, authenticationRef?: { name: string }) => ({
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name },
      spec: {
        scaleTargetRef: { name }, minReplicaCount: 0, maxReplicaCount: 2, pollingInterval: 1, cooldownPeriod: 300,
        triggers: [{
          type: 'external',
          metadata: {
            scalerAddress: `127.0.0.1:${scaler.server.port}`, enableTLS: 'true',
            adminURL: web, topics: `persistent://public/default/${topic.local}`, subscription: 'fn',
          },
          ...(authenticationRef && { authenticationRef }),
        }],
      },
    });
    await apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'scaler-ca' }, stringData: { 'ca.crt': readFileSync(path.join(dir, 'ca.crt'), 'utf8') } },
      {
        apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'scaler-ca' },
        spec: { secretTargetRef: [{ parameter: 'caCert', name: 'scaler-ca', key: 'ca.crt' }] },
      },
      deployment('trusted'),
      deployment('untrusted'),
    ]);
    await apply([scaledObject('trusted', { name: 'scaler-ca' }), scaledObject('untrusted')]);

    await waitFor('KEDA waking the Deployment over TLS', async () => (await replicas('trusted')) >= 1, { timeoutMs: 90_000, intervalMs: 500 });
    // KEDA scales the Deployment first and writes the ScaledObject's status after, so wait for that too.
    const active = async (name: string) =>
      (await kubectlJson<ScaledObjectStatus>(['-n', ns, 'get', 'scaledobject', name])).status?.conditions?.find((c) => c.type === 'Active')?.status;
    await waitFor('KEDA marking the ScaledObject active', async () => (await active('trusted')) === 'True', { timeoutMs: 30_000, intervalMs: 500 });
    const so = await kubectlJson<ScaledObjectStatus>(['-n', ns, 'get', 'scaledobject', 'trusted']);
    expect(so.status?.externalMetricNames).toEqual(['s0-pulsar-backlog-fn']);

    // Without the CA, KEDA refuses the scaler's certificate: that ScaledObject never wakes its Deployment.
    expect(await replicas('untrusted')).toBe(0);
    expect(await active('untrusted')).not.toBe('True');
  }, 150_000);
});
