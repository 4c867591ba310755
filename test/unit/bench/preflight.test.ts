// `npm run bench -- <name>` without what it needs fails at once, naming it, instead of waiting for
// ever. Run as a user runs it (tsx bench/run.ts), against platforms that are not there.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts } from '../../support/processes.js';

const repo = path.resolve(import.meta.dirname, '../../..');

function bench(name: string, platformDir: string): { code: number | null; stderr: string } {
  const { PULSAR_WEB_URL: _web, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', name], {
    cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...env, FM_PLATFORM_DIR: platformDir },
  });
  return { code: r.status, stderr: r.stderr };
}

describe('bench preflight', () => {
  it.each(['controller', 'bridge', 'e2e'])('%s: no platform started → names `npm run local-up`', (name) => {
    const dir = path.join(tmpdir(), 'fm-no-platform');
    const r = bench(name, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bench ${name}: no local platform in ${dir} (no env file): start one with \`npm run local-up\``);
  });

  it.each(['scaler'])('%s: Pulsar not answering → names Pulsar and its address', async (name) => {
    const [web, api] = await freePorts(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-down-platform-'));
    writeFileSync(path.join(dir, 'env'), [
      `export KUBECONFIG="${dir}/kubeconfig"`, 'export KUBECTL="/bin/false"',
      `export PULSAR_WEB_URL="http://127.0.0.1:${web}"`, `export PULSAR_BROKER_URL="pulsar://127.0.0.1:${api}"`,
      `export PULSAR_WS_URL="ws://127.0.0.1:${web}"`,
    ].join('\n'));
    const r = bench(name, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bench ${name}: Pulsar is not answering at http://127.0.0.1:${web}`);
  });

  it('controller: the CRDs cannot be installed → says so and asks whether the kube-apiserver is up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-down-platform-'));
    writeFileSync(path.join(dir, 'env'), [
      `export KUBECONFIG="${dir}/kubeconfig"`, 'export KUBECTL="/bin/false"',
      'export PULSAR_WEB_URL="http://127.0.0.1:1"', 'export PULSAR_BROKER_URL="pulsar://127.0.0.1:1"', 'export PULSAR_WS_URL="ws://127.0.0.1:1"',
    ].join('\n'));
    const r = bench('controller', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bench controller: installing the CRDs from ${repo}/manifests/crds failed (kubectl apply)`);
    expect(r.stderr).toContain('is the platform\'s kube-apiserver up? `npm run local-up`');
  });
});
