// The downloader and runner images run the containers the controller renders, unchanged.
// Java: a Function whose jar is a `function://` package in Pulsar's package management; the init
// container's command downloads it in the downloader image, the runner's command starts Pulsar's
// Java instance with ExclamationFunction in the java-runner image. Python: the example
// ExclamationFunction that the python-runner image carries. Each time a message sent to the input
// topic comes back with "!" on the output topic. The containers run with runc (no kubelet), with
// the pod's user and an emptyDir-like shared directory, against a broker of the test's own with
// package management on. One runner at a time: they share the host's network and their ports.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Container } from '@kubernetes/client-node';
import { PulsarConsumer } from '../../../adapters/pulsar/ws-consumer.js';
import { PulsarProducer } from '../../../adapters/pulsar/ws-producer.js';
import type { FunctionResource } from '../../../controller/api/index.js';
import { defaultRenderSettings, renderChildren } from '../../../controller/render/index.js';
import { freePorts } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { runContainer, unpackImage, type RunningContainer } from './runc.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const CACHE = process.env.FM_CACHE ?? path.join(homedir(), '.cache/function-mesh-ts');
const work = mkdtempSync(path.join(tmpdir(), 'fm-runner-images-'));
const pulsarState = path.join(work, 'pulsar');
const running: RunningContainer[] = [];
const closers: (() => Promise<void>)[] = [];
let ports: { web: number; broker: number };
const images: Record<string, string> = {};

const hack = (script: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(path.join(REPO, 'hack', script), args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).toString();

beforeAll(async () => {
  const wanted = ['downloader', 'java-runner', 'python-runner'];
  hack('build-images', ['--list', ...wanted]).trim().split('\n').forEach((line, i) => (images[wanted[i]!] = line.split(' ')[1]!));
  const [web, broker, bookie] = (await freePorts(3)) as [number, number, number];
  ports = { web, broker };
  hack('start-pulsar', [pulsarState, String(web), String(broker), String(bookie)], {
    ...process.env, PULSAR_HEAP: '-Xms128m -Xmx512m', PULSAR_LOG_LEVEL: 'warn',
    // Package management on, stored in files: the broker classpath has the file-system storage
    // provider (Maven Central has no 4.0.7 BookKeeper package storage).
    PULSAR_CONF_EXTRA: [
      'enablePackagesManagement=true',
      'packagesManagementStorageProvider=org.apache.pulsar.packages.management.storage.filesystem.FileSystemPackagesStorageProvider',
      `STORAGE_PATH=${path.join(work, 'packages')}`,
    ].join('\n'),
  });
}, 900_000);

afterAll(async () => {
  await Promise.all(closers.map((c) => c().catch(() => undefined)));
  await Promise.all(running.map((c) => c.stop()));
  try { hack('stop-pulsar', [pulsarState], { ...process.env, PULSAR_STOP_TIMEOUT: '10' }); } catch { /* already down */ }
  rmSync(work, { recursive: true, force: true });
}, 120_000);

async function uploadPackage(name: string, file: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), path.basename(file));
  form.append('metadata', new Blob([JSON.stringify({ description: 'exclamation' })], { type: 'application/json' }));
  const [type, rest] = name.split('://') as [string, string];
  const [tenant, namespace, pkg] = rest.split('/') as [string, string, string];
  const [pkgName, version] = pkg.split('@') as [string, string];
  const res = await fetch(`http://127.0.0.1:${ports.web}/admin/v3/packages/${type}/${tenant}/${namespace}/${pkgName}/${version}`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`package upload: HTTP ${res.status} ${await res.text()}`);
}

async function declareStringSchema(topic: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${ports.web}/admin/v2/schemas/${topic.replace('persistent://', '')}/schema`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'STRING', schema: '', properties: {} }),
  });
  if (!res.ok) throw new Error(`schema of ${topic}: HTTP ${res.status} ${await res.text()}`);
}

/** Env a pod gives the container: its own env (the downward API's POD_NAME filled in) and the Pulsar ConfigMap. */
function containerEnv(c: V1Container, pulsarConfig: Record<string, string>, podName: string): Record<string, string> {
  const env: Record<string, string> = { ...pulsarConfig };
  for (const e of c.env ?? []) env[e.name] = e.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? podName : (e.value ?? '');
  return env;
}

describe('downloader and runner images run the rendered containers', () => {
  it('downloads a function:// package and runs ExclamationFunction with the rendered command lines', async () => {
    const id = randomBytes(3).toString('hex');
    const pkg = `function://public/default/exclamation-${id}@v1`;
    const jar = path.join(CACHE, 'pulsar-dist-4.0.8', 'examples', 'api-examples.jar');
    await uploadPackage(pkg, jar);

    const input = `persistent://public/default/in-${id}`;
    const output = `persistent://public/default/out-${id}`;
    // The function reads and writes STRING; declaring it on the topics first lets the test's
    // schemaless WebSocket clients attach without the broker refusing the function's producer.
    for (const topic of [input, output]) await declareStringSchema(topic);
    const pulsarConfig = { webServiceURL: `http://127.0.0.1:${ports.web}`, brokerServiceURL: `pulsar://127.0.0.1:${ports.broker}` };
    const fn = functionResource(`excl-${id}`, {
      className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
      // ExclamationFunction is a Function<String, String>, declared as the upstream sample does.
      input: { topics: [input], typeClassName: 'java.lang.String' }, output: { topic: output, typeClassName: 'java.lang.String' },
      java: { jar: 'exclamation.jar', jarLocation: pkg },
    });
    const { pod } = renderedPod(fn, pulsarConfig);
    const [init, main] = [pod.initContainers![0]!, pod.containers[0]!];
    const user = { uid: pod.securityContext.runAsUser, gid: pod.securityContext.fsGroup };
    const podName = `excl-${id}-7d9f8c6b4-x2k9q`;
    // The emptyDir both containers mount.
    const download = path.join(work, 'download');
    mkdirSync(download);
    chmodSync(download, 0o777);
    const mounts = [{ source: download, destination: init.volumeMounts![0]!.mountPath }];

    const downloaderBundle = path.join(work, 'downloader');
    const downloader = runContainer({
      bundle: downloaderBundle, image: await unpackImage(images['downloader']!, downloaderBundle), id: `dl-${id}`,
      args: [...init.command!, ...(init.args ?? [])], env: containerEnv(init, pulsarConfig, podName), ...user, mounts,
    });
    running.push(downloader);
    expect({ code: await downloader.exited, output: downloader.output() }).toEqual({ code: 0, output: expect.stringContaining('downloaded') });
    expect(readFileSync(path.join(download, 'exclamation.jar')).equals(readFileSync(jar))).toBe(true);

    const results = await consume(pulsarConfig.webServiceURL, output, id);

    const runnerBundle = path.join(work, 'runner');
    const runner = runContainer({
      bundle: runnerBundle, image: await unpackImage(images['java-runner']!, runnerBundle), id: `jr-${id}`,
      args: [...main.command!, ...(main.args ?? [])], env: containerEnv(main, pulsarConfig, podName), ...user, mounts,
    });
    running.push(runner);

    await produceAndExpect(pulsarConfig.webServiceURL, input, `hello-${id}`, results, runner);
    // The runner's own metrics endpoint answers, as the rendered liveness probe expects.
    const metrics = await fetch(`http://127.0.0.1:${main.ports!.find((p) => p.name === 'http-metrics')!.containerPort}/metrics`);
    expect(metrics.status).toBe(200);
    await runner.stop();
  }, 600_000);

  it('runs the Python ExclamationFunction with the rendered command line', async () => {
    const id = randomBytes(3).toString('hex');
    const input = `persistent://public/default/py-in-${id}`;
    const output = `persistent://public/default/py-out-${id}`;
    const pulsarConfig = { webServiceURL: `http://127.0.0.1:${ports.web}`, brokerServiceURL: `pulsar://127.0.0.1:${ports.broker}` };
    const fn = functionResource(`pyexcl-${id}`, {
      className: 'exclamation_function.ExclamationFunction',
      input: { topics: [input] }, output: { topic: output },
      python: { py: '/pulsar/examples/python-examples/exclamation_function.py' },
    });
    const { pod, main } = renderedPod(fn, pulsarConfig);
    expect(pod.initContainers ?? []).toEqual([]);
    const results = await consume(pulsarConfig.webServiceURL, output, id);
    const bundle = path.join(work, 'python-runner');
    const runner = runContainer({
      bundle, image: await unpackImage(images['python-runner']!, bundle), id: `py-${id}`,
      args: [...main.command!, ...(main.args ?? [])], env: containerEnv(main, pulsarConfig, `pyexcl-${id}-7d9f8c6b4-x2k9q`),
      uid: pod.securityContext.runAsUser, gid: pod.securityContext.fsGroup,
    });
    running.push(runner);
    await produceAndExpect(pulsarConfig.webServiceURL, input, `hello-py-${id}`, results, runner);
    await runner.stop();
  }, 600_000);
});

function functionResource(name: string, spec: Partial<FunctionResource['spec']>): FunctionResource {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Function',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { tenant: 'public', namespace: 'default', pulsar: { pulsarConfig: 'pulsar-cm' }, ...spec } as FunctionResource['spec'],
  };
}

interface RenderedPod { containers: V1Container[]; initContainers?: V1Container[]; securityContext: { runAsUser: number; fsGroup: number } }

function renderedPod(fn: FunctionResource, pulsarConfig: Record<string, string>): { pod: RenderedPod; main: V1Container } {
  const result = renderChildren(fn, { settings: defaultRenderSettings('fm'), pulsarConfig });
  const workload = result.objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as unknown as { spec: { template: { spec: RenderedPod } } };
  const pod = workload.spec.template.spec;
  return { pod, main: pod.containers[0]! };
}

async function consume(url: string, topic: string, id: string): Promise<string[]> {
  const results: string[] = [];
  const consumer = new PulsarConsumer({
    url, topics: [topic], subscription: `check-${id}`,
    onMessage: (m, session) => { results.push(m.payload.toString()); consumer.ack(m.messageId, session); },
  });
  closers.push(() => consumer.close());
  await consumer.waitConnected(30_000);
  return results;
}

async function produceAndExpect(url: string, topic: string, text: string, results: string[], runner: RunningContainer): Promise<void> {
  const producer = new PulsarProducer({ url, topic });
  closers.push(() => producer.close());
  await producer.waitConnected(30_000);
  await producer.send({ payload: Buffer.from(text) });
  try {
    await waitFor('the exclamation on the output topic', async () => results.includes(`${text}!`), { timeoutMs: 180_000, intervalMs: 500 });
  } catch (err) {
    throw new Error(`${(err as Error).message}\nrunner output (tail):\n${runner.output().slice(-3000)}`, { cause: err });
  }
}
