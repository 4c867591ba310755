// The controller as a process (controller/main.ts): killed mid-reconcile and restarted it
// converges with no duplicate children; with two replicas only the Lease holder writes, and
// when it stops gracefully the other takes over.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestNamespace, deleteNamespace, kubectlJson, kubectlOk } from '../../support/kubectl.js';
import { exitedHow } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { condition, listObjects, spawnController, waitForReady, type ControllerProcess } from './harness.js';
import { javaFunction, list, pulsarConfigMap } from './manifests.js';

let ns = '';
const started: ControllerProcess[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  if (ns) await deleteNamespace(ns);
});

async function spawn(args: string[], env: Record<string, string> = {}): Promise<ControllerProcess> {
  const p = await spawnController(args, env);
  started.push(p);
  return p;
}

async function reconcileCount(p: ControllerProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.opsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('fm_controller_reconcile_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const ready = async (p: ControllerProcess) => (await fetch(`http://127.0.0.1:${p.opsPort}/readyz`).catch(() => undefined))?.status === 200;

// Each controller is a tsx process that compiles main.ts as it starts: seconds on a quiet machine,
// tens of seconds beside other suites (a 30 s wait for two of them timed out in CI). The waits
// are long, a process that exits fails them at once, and each test may take minutes.
const START_MS = 120_000;
const TEST_MS = 400_000;
const running = (...ps: ControllerProcess[]) => () => ps.map((p, i) => exitedHow(p.child, `controller ${i + 1}`)).find(Boolean);

describe('controller process', () => {
  it('converges after being killed mid-reconcile, with no duplicate children', async () => {
    ns = await createTestNamespace('ctl-kill');
    const count = 60;
    // The backlog exists before the controller starts; one worker takes seconds to get through it.
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap(), ...Array.from({ length: count }, (_, i) => javaFunction(`f${i}`))) });
    const first = await spawn([`--watch-namespace=${ns}`, '--leader-elect=false', '--workers=1']);
    // Kill it right after its first reconcile that created children: mid-way through the batch.
    await waitFor('a first reconcile creating children', async () => first.output().includes('created children') || undefined, { timeoutMs: START_MS, intervalMs: 5, failIf: running(first) });
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await listObjects('deployments', ns)).length).toBeLessThan(count);

    const second = await spawn([`--watch-namespace=${ns}`, '--leader-elect=false']);
    await waitFor(`all ${count} Functions Ready`, async () => {
      const fns = await listObjects('functions', ns);
      return fns.filter((f) => condition(f, 'Ready')?.status === 'True').length === count || undefined;
    }, { timeoutMs: START_MS, intervalMs: 1000, failIf: running(second) });
    const deployments = await listObjects('deployments', ns);
    const services = await listObjects('services', ns);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Array.from({ length: count }, (_, i) => `f${i}-function`).sort());
    expect(services).toHaveLength(count);
    for (const d of deployments) expect(d.metadata.ownerReferences).toHaveLength(1);

    // Graceful stop: workers end, the process exits 0 and says so.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('shutting down');
  }, TEST_MS);

  it('with two replicas only the leader writes; the other takes over when it stops', async () => {
    ns = await createTestNamespace('ctl-leader');
    const args = [`--watch-namespace=${ns}`, '--leader-elect=true', `--lease-namespace=${ns}`, '--lease-name=controller'];
    const a = await spawn(args, { POD_NAME: 'replica-a' });
    const b = await spawn(args, { POD_NAME: 'replica-b' });
    await waitFor('both ready', async () => (await ready(a)) && (await ready(b)), { timeoutMs: START_MS, failIf: running(a, b) });
    const lease = await waitFor('a lease holder', async () => {
      const l = await kubectlJson<{ spec?: { holderIdentity?: string } }>(['-n', ns, 'get', 'lease', 'controller']).catch(() => undefined);
      return l?.spec?.holderIdentity || undefined;
    });
    const [leader, follower, leaderName, followerName] = lease.startsWith('replica-a_') ? [a, b, 'replica-a', 'replica-b'] : [b, a, 'replica-b', 'replica-a'];

    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(pulsarConfigMap(), javaFunction('one')) });
    await waitForReady('function', ns, 'one');
    const reporters = async (name: string) =>
      new Set((await kubectlJson<{ items: { reportingInstance?: string; reportingComponent?: string }[] }>(['-n', ns, 'get', 'events', '--field-selector', `involvedObject.name=${name}`])).items
        .filter((e) => e.reportingComponent === 'functionmesh-controller')
        .map((e) => e.reportingInstance));
    expect([...(await reporters('one'))]).toEqual([leaderName]);
    expect(await reconcileCount(leader)).toBeGreaterThan(0);
    expect(await reconcileCount(follower)).toBe(0);

    leader.child.kill('SIGTERM');
    expect(await leader.exited).toBe(0);
    await waitFor('follower leads', async () => {
      const l = await kubectlJson<{ spec?: { holderIdentity?: string } }>(['-n', ns, 'get', 'lease', 'controller']);
      return l.spec?.holderIdentity?.startsWith(`${followerName}_`) || undefined;
    }, { timeoutMs: 60_000 });
    await kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: list(javaFunction('two')) });
    await waitForReady('function', ns, 'two');
    expect([...(await reporters('two'))]).toEqual([followerName]);
  }, TEST_MS);
});
