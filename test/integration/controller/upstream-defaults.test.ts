// Manifests in Function Mesh's shape that lean on its webhook's defaults (there is no webhook
// here): each applies unchanged, reconciles to Ready, and its runner gets the values upstream's
// webhook and renderer would have filled in (docs/api.md, Defaults).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { installCrds } from '../api/crds.js';
import { startController, waitForReady, type RunningController } from './harness.js';
import { list, pulsarConfigMap, type Json } from './manifests.js';

let ns: string;
let controller: RunningController;
beforeAll(async () => {
  // This branch's CRDs: the relaxed rules are what is under test.
  await installCrds();
  ns = await createTestNamespace('ctl-upstream');
  controller = await startController(ns);
});
afterAll(async () => {
  await controller.stop();
  await deleteNamespace(ns);
});

const API = 'compute.functionmesh.io/v1alpha1';
const JAVA_IMAGE = 'apachepulsar/pulsar-functions-java-sample:4.0.8';

/** An upstream-shaped resource: only what its samples write, on the Java sample image. */
const manifest = (kind: string, name: string, spec: Json): Json => ({
  apiVersion: API,
  kind,
  metadata: { name },
  spec: { image: JAVA_IMAGE, pulsar: { pulsarConfig: 'pulsar' }, ...spec },
});

/** Upstream's samples name no tenant, namespace, replicas, autoAck or types: the webhook did. */
const MANIFESTS: Json[] = [
  manifest('Function', 'window-fn', {
    className: 'org.apache.pulsar.functions.api.examples.window.WindowFunction',
    input: { topics: ['persistent://public/default/window-in'] },
    output: { topic: 'persistent://public/default/window-out' },
    windowConfig: { windowLengthDurationMs: 5000 },
    maxMessageRetry: 3,
    java: { jar: '/pulsar/examples/api-examples.jar' },
  }),
  manifest('Function', 'kafka-fn', {
    className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
    sourceConfig: { sourceType: 'kafka', configs: { bootstrapServers: 'kafka:9092', topic: 'in', groupId: 'fm' } },
    output: { topic: 'persistent://public/default/kafka-out' },
    java: { jar: '/pulsar/examples/api-examples.jar' },
  }),
  manifest('Source', 'gen-source', {
    className: 'org.apache.pulsar.io.datagenerator.DataGeneratorSource',
    output: { topic: 'persistent://public/default/gen-out' },
    sourceConfig: { sleepBetweenMessages: '1000' },
    java: { jar: 'connectors/pulsar-io-data-generator.nar' },
  }),
];

type Details = Record<string, unknown> & { source?: Record<string, unknown>; sink?: Record<string, unknown>; retryDetails?: Record<string, unknown> };

/** The `--function_details` JSON in the Deployment's runner command. */
async function functionDetails(deployment: string): Promise<Details> {
  const obj = await kubectlJson<{ spec: { template: { spec: { containers: { command?: string[]; args?: string[] }[] } } } }>(['-n', ns, 'get', 'deployment', deployment]);
  const script = [...(obj.spec.template.spec.containers[0]!.command ?? []), ...(obj.spec.template.spec.containers[0]!.args ?? [])].join(' ');
  const match = /--function_details '(\{.*?\})'/.exec(script);
  if (!match) throw new Error(`no --function_details in ${deployment}: ${script.slice(0, 300)}`);
  return JSON.parse(match[1]!) as Details;
}

describe('manifests that relied on upstream webhook defaults', () => {
  beforeAll(async () => {
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap('pulsar'), ...MANIFESTS) });
  });

  it.each(MANIFESTS.map((m) => [m.kind as string, (m.metadata as { name: string }).name]))('%s %s reconciles to Ready', async (kind, name) => {
    await waitForReady(kind.toLowerCase(), ns, name);
  });

  it('a window function: the className is the window function, sliding by its length; the default dead-letter topic', async () => {
    const d = await functionDetails('window-fn-function');
    expect(JSON.parse(d.userConfig as string)).toEqual({
      __WINDOWCONFIGS__: {
        actualWindowFunctionClassName: 'org.apache.pulsar.functions.api.examples.window.WindowFunction',
        windowLengthDurationMs: 5000,
        slidingIntervalDurationMs: 5000,
      },
    });
    expect(d.retryDetails).toEqual({ maxMessageRetries: 3, deadLetterTopic: 'public-default-window-fn-DLQ' });
  });

  it('a Function with an embedded source: no input topics needed, the connector in the SourceSpec', async () => {
    const d = await functionDetails('kafka-fn-function');
    expect(d.source?.builtin).toBe('kafka');
    expect(JSON.parse(d.source?.configs as string)).toEqual({ bootstrapServers: 'kafka:9092', topic: 'in', groupId: 'fm' });
    expect(d.source?.inputSpecs).toBeUndefined();
  });

  it("a Source without producerConf: upstream's producer settings", async () => {
    const d = await functionDetails('gen-source-source');
    expect(d.sink).toMatchObject({ producerSpec: { maxPendingMessages: 1000, maxPendingMessagesAcrossPartitions: 1000, useThreadLocalProducers: true } });
  });
});
