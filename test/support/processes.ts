// Starting and stopping real platform pieces of a test's own (never the shared platform's).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/** A port nothing listens on (just released by the kernel). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** n distinct free ports, held together while they are picked so none repeats. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface OwnPulsar { dir: string; webUrl: string; wsUrl: string; stop(): Promise<void>; restart(): Promise<void> }

/** A Pulsar standalone broker of the test's own, on free ports (hack/start-pulsar). */
export async function startOwnPulsar(confExtra = ''): Promise<OwnPulsar> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-pulsar-'));
  const [web, broker, bookie] = await freePorts(3) as [number, number, number];
  const args = [dir, String(web), String(broker), String(bookie)];
  const env = { ...process.env, PULSAR_CONF_EXTRA: confExtra };
  await run(path.join(repo, 'hack/start-pulsar'), args, { env, timeout: 240_000 });
  return {
    dir,
    webUrl: `http://127.0.0.1:${web}`,
    wsUrl: `ws://127.0.0.1:${web}`,
    stop: async () => { await run(path.join(repo, 'hack/stop-pulsar'), [dir], { timeout: 60_000 }); },
    restart: async () => { await run(path.join(repo, 'hack/start-pulsar'), ['--keep-data', ...args], { env, timeout: 240_000 }); },
  };
}

/** A kube-apiserver with its etcd, of the test's own (hack/local-up with the apiserver profile). */
export async function startOwnApiserver(): Promise<{ dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-apiserver-'));
  const env = { ...process.env, FM_PLATFORM_DIR: dir, FM_PLATFORM_PROFILE: 'apiserver' };
  await run(path.join(repo, 'hack/local-up'), [], { env, timeout: 120_000 });
  return { dir, stop: async () => { await run(path.join(repo, 'hack/local-down'), [], { env, timeout: 60_000 }); } };
}
