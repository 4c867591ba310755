// Running the controller against the platform for integration tests: in-process (a Manager with
// the real reconcilers, watching only the test's namespace) or as a child process (the real
// main.ts, for kill/restart and leader election), plus small readers of what it produced.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { createLogger } from '../../../process/logger.js';
import { FIELD_MANAGER_NAME } from '../../../controller/reconcile/field-manager.js';
import { servedKinds } from '../../../controller/reconcile/discovery.js';
import { OPTIONAL_CHILD_KINDS } from '../../../controller/reconcile/kinds.js';
import { registerReconcilers, type ReconcilerOptions } from '../../../controller/reconcile/register.js';
import { defaultRenderSettings, renderChildren } from '../../../controller/render/index.js';
import { KubeClient, Manager } from '../../../controller/runtime/index.js';
import { kubectl, kubectlJson } from '../../support/kubectl.js';
import { readPlatformEnv } from '../../support/platform.js';
import { waitFor } from '../../support/wait.js';

export { SAMPLES_DIR } from '../../support/samples.js';
import { SAMPLES_DIR } from '../../support/samples.js';
import { freePort } from '../../support/processes.js';
export { freePort };

export function platformClient(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(readPlatformEnv().KUBECONFIG);
  return new KubeClient(kc, { fieldManager: FIELD_MANAGER_NAME });
}

export interface RunningController {
  manager: Manager;
  stop(): Promise<void>;
}

/** The reconcilers in this process, watching `namespace` only. */
export async function startController(namespace: string, overrides: Partial<ReconcilerOptions> = {}): Promise<RunningController> {
  const client = platformClient();
  const log = createLogger('controller-test', process.env.TEST_LOG_LEVEL ?? 'error');
  const manager = new Manager({ client, log, registry: new Registry(), namespace });
  registerReconcilers(manager, {
    client,
    log,
    render: renderChildren,
    settings: defaultRenderSettings('functionmesh-system'),
    servedOptionalKinds: await servedKinds(client, OPTIONAL_CHILD_KINDS, log),
    workers: 2,
    instance: 'controller-test',
    ...overrides,
  });
  manager.start();
  return {
    manager,
    stop: async () => {
      await manager.stop();
      client.close();
    },
  };
}

export interface ControllerProcess {
  child: ChildProcess;
  opsPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** The real controller/main.ts as a child process. */
export async function spawnController(args: string[], env: Record<string, string> = {}): Promise<ControllerProcess> {
  const opsPort = await freePort();
  const root = path.resolve('.');
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'controller/main.ts'), `--ops-port=${opsPort}`, ...args], {
    cwd: root,
    env: { ...process.env, KUBECONFIG: readPlatformEnv().KUBECONFIG, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, opsPort, output: () => output, exited };
}

/** A sample's documents without `metadata.namespace`, so `kubectl -n <test ns>` places them. */
export function sampleManifest(file: string): string {
  const docs = parseAllDocuments(readFileSync(path.join(SAMPLES_DIR, file), 'utf8'));
  return docs
    .map((d) => d.toJS() as { metadata?: { namespace?: string } } | null)
    .filter((d): d is { metadata?: { namespace?: string } } => d !== null)
    .map((d) => {
      delete d.metadata?.namespace;
      return JSON.stringify(d);
    })
    .join('\n---\n');
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface LiveObject {
  metadata: { name: string; generation?: number; uid: string; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[]; managedFields?: { manager: string; operation: string; fieldsV1?: Record<string, unknown>; subresource?: string }[]; deletionTimestamp?: string; finalizers?: string[] };
  spec?: Record<string, unknown> & { replicas?: number };
  status?: { conditions?: Condition[]; observedGeneration?: number; replicas?: number; selector?: string; children?: { name: string; ready: boolean }[]; edges?: unknown[] };
}

export function condition(obj: LiveObject | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The object, or undefined when the apiserver says NotFound; any other kubectl failure throws. */
export async function getObject(kind: string, namespace: string, name: string): Promise<LiveObject | undefined> {
  const r = await kubectl(['-n', namespace, 'get', kind, name, '--show-managed-fields', '-o', 'json']);
  if (r.code === 0) return JSON.parse(r.stdout) as LiveObject;
  if (/\(NotFound\)/.test(r.stderr)) return undefined;
  throw new Error(`kubectl get ${kind} ${name} -n ${namespace} failed (${r.code}): ${r.stderr.trim()}`);
}

export async function listObjects(kind: string, namespace: string): Promise<LiveObject[]> {
  return (await kubectlJson<{ items: LiveObject[] }>(['-n', namespace, 'get', kind])).items;
}

/** Waits until the resource's Ready condition has `status` for its current generation. */
export async function waitForReady(kind: string, namespace: string, name: string, status = 'True', timeoutMs = 60_000): Promise<LiveObject> {
  return waitFor(
    `${kind} ${namespace}/${name} Ready=${status}`,
    async () => {
      const obj = await getObject(kind, namespace, name);
      const ready = condition(obj, 'Ready');
      if (ready?.status === status && obj?.status?.observedGeneration === obj?.metadata.generation) return obj;
      return undefined;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

export async function runningPods(namespace: string, selector: string): Promise<string[]> {
  const pods = await kubectlJson<{ items: { metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }[] }>(['-n', namespace, 'get', 'pods', '-l', selector]);
  return pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
}
