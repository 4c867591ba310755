// `npm run bench -- controller [--count=1000] [--replicas=0] [--workers=8] [--deployments]`:
// creates N Functions at once in a fresh namespace of the platform, with the real controller
// (controller/main.ts) running as a child process, and measures the seconds until every Function
// has its children and Ready=True for its generation, and the controller's peak RSS (VmHWM).
// Baseline, same run: the same rendered children applied directly with the same concurrency and
// no controller — the floor any controller on this apiserver could reach.
//
// The controller runs compiled (`npm run build` → dist/controller/main.js, as in its image):
// under tsx the TypeScript loader alone adds ~150 MB of RSS.
//
// Defaults: replicas 0 (no pods: measures the controller, not kwok and the controller-manager's
// 20 QPS), and StatefulSets with headless Services (`statefulConfig`), as first measured when the
// platform's Service range was a /24 (~250 ClusterIPs; it is a /16 now); `--deployments` uses
// Deployments with ClusterIP Services.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER_NAME } from '../controller/reconcile/field-manager.js';
import { refOf, childKinds, FUNCTIONS, CONFIG_MAPS, OPTIONAL_CHILD_KINDS } from '../controller/reconcile/kinds.js';
import { defaultRenderSettings, renderChildren } from '../controller/render/index.js';
import { KubeApiError, KubeClient, type KubeObject } from '../controller/runtime/index.js';
import type { WorkloadResource } from '../controller/api/index.js';
import { exitedHow, freePort } from '../test/support/processes.js';
import { waitFor } from '../test/support/wait.js';
import { preflight } from './preflight.js';

const NAMESPACES = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };

function fn(namespace: string, i: number, replicas: number, stateful: boolean): WorkloadResource {
  return {
    apiVersion: 'compute.functionmesh.io/v1alpha1',
    kind: 'Function',
    metadata: { name: `bench-${i}`, namespace },
    spec: {
      className: 'org.apache.pulsar.functions.api.examples.ExclamationFunction',
      image: 'apachepulsar/pulsar-functions-java-sample:4.0.8',
      input: { topics: [`persistent://public/default/bench-${i}-in`] },
      output: { topic: `persistent://public/default/bench-${i}-out` },
      replicas,
      pulsar: { pulsarConfig: 'pulsar' },
      java: { jar: '/pulsar/examples/api-examples.jar' },
      ...(stateful ? { statefulConfig: { pulsar: { serviceUrl: 'bk://bookie.invalid:4181' } } } : {}),
    },
  } as WorkloadResource;
}

/** Runs `work` over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** Retries what the apiserver refuses for a moment (429 while a CRD's storage re-initializes, 5xx). */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = err instanceof KubeApiError ? err.status : 0;
      if (attempt >= 10 || (status !== 429 && status < 500)) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

interface Listed {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** Builds dist/ (tsc emits even when another module has type errors) and returns main.js. */
function compiledController(): string {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  const main = path.resolve('dist/controller/main.js');
  if (!existsSync(main)) throw new Error(`npm run build produced no ${main} (tsc exit ${build.status})`);
  return main;
}

export default async function bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { count: { type: 'string', default: '1000' }, replicas: { type: 'string', default: '0' }, workers: { type: 'string', default: '8' }, deployments: { type: 'boolean', default: false }, 'timeout-s': { type: 'string', default: '600' } },
  });
  const count = Number(values.count);
  const replicas = Number(values.replicas);
  const workers = Number(values.workers);
  const stateful = !values.deployments;
  const env = await preflight('controller', { crds: true });
  const kc = new KubeConfig();
  kc.loadFromFile(env.KUBECONFIG);
  const client = new KubeClient(kc, { fieldManager: 'bench-controller' });
  const suffix = randomBytes(3).toString('hex');
  const ns = `bench-ctl-${suffix}`;
  const baseNs = `bench-direct-${suffix}`;
  const configMap = { metadata: { name: 'pulsar' }, data: { webServiceURL: 'http://pulsar.invalid:8080', brokerServiceURL: 'pulsar://pulsar.invalid:6650' } };
  for (const n of [ns, baseNs]) {
    await client.create(NAMESPACES, { metadata: { name: n } });
    await client.create(CONFIG_MAPS, { ...configMap, metadata: { ...configMap.metadata, namespace: n } });
  }

  const main = compiledController();
  const opsPort = await freePort();
  const controller = spawn(process.execPath, [main, `--ops-port=${opsPort}`, `--watch-namespace=${ns}`, '--leader-elect=false', `--workers=${workers}`, '--log-level=warn'], {
    env: { ...process.env, KUBECONFIG: env.KUBECONFIG },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor('the controller ready (/readyz)', () => fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok), {
      timeoutMs: 60_000, intervalMs: 200, failIf: () => exitedHow(controller, 'the controller'),
    });
    const rssAtStart = peakRssMb(controller.pid!);

    // Controller: create all Functions at once (64 in flight), then poll until all are Ready.
    const started = Date.now();
    const functions = Array.from({ length: count }, (_, i) => fn(ns, i, replicas, stateful));
    await pool(functions, 64, (f) => retrying(() => client.create(FUNCTIONS, f as unknown as KubeObject)));
    const createdS = (Date.now() - started) / 1000;
    // A failed list (429 while a CRD is re-applied elsewhere) is polled again, like a short count.
    await waitFor(`${count} Functions Ready`, async () => {
      const list = await client.list<KubeObject & Listed>(FUNCTIONS, { namespace: ns });
      const ready = list.items.filter((o) => o.status?.observedGeneration === o.metadata.generation && o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (ready < count) throw new Error(`${ready} of ${count} Ready`);
      return true;
    }, { timeoutMs: started + Number(values['timeout-s']) * 1000 - Date.now(), intervalMs: 500, failIf: () => exitedHow(controller, 'the controller') });
    const seconds = (Date.now() - started) / 1000;
    const peak = peakRssMb(controller.pid!);

    // Baseline: the same children applied directly, `workers` at a time, no controller.
    const kinds = childKinds(OPTIONAL_CHILD_KINDS);
    const baseStarted = Date.now();
    const objects = Array.from({ length: count }, (_, i) => fn(baseNs, i, replicas, stateful)).flatMap(
      (f) => renderChildren(f, { settings: defaultRenderSettings('functionmesh-system'), pulsarConfig: configMap.data }).objects,
    );
    await pool(objects, workers, (o) => retrying(() => client.apply(refOf(o, kinds)!, o, { fieldManager: FIELD_MANAGER_NAME })));
    const baseSeconds = (Date.now() - baseStarted) / 1000;

    console.log(JSON.stringify({
      bench: 'controller',
      functions: count,
      replicas,
      workload: stateful ? 'StatefulSet+headless Service' : 'Deployment+ClusterIP Service',
      workers,
      seconds_to_all_ready: seconds,
      seconds_creating_functions: createdS,
      functions_per_second: Math.round(count / seconds),
      peak_rss_mb: peak,
      rss_mb_idle_at_start: rssAtStart,
      baseline_direct_apply_seconds: baseSeconds,
      ratio_vs_direct_apply: Number((seconds / baseSeconds).toFixed(2)),
      targets: { seconds: 60, peak_rss_mb: 200 },
    }));
  } finally {
    controller.kill('SIGTERM');
    for (const n of [ns, baseNs]) await client.delete(NAMESPACES, undefined, n).catch(() => undefined);
    client.close();
  }
}
