import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPlatformEnv } from '../support/platform.js';

describe('readPlatformEnv', () => {
  it('reads the env file local-up writes, quoted or not', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-env-'));
    writeFileSync(path.join(dir, 'env'), [
      'export KUBECONFIG="/x/kubeconfig"',
      'PULSAR_WEB_URL=http://127.0.0.1:1',
      'PULSAR_BROKER_URL=pulsar://127.0.0.1:2',
      'PULSAR_WS_URL=ws://127.0.0.1:1',
      'KUBECTL=/bin/kubectl',
    ].join('\n'));
    const env = readPlatformEnv(dir);
    expect(env.KUBECONFIG).toBe('/x/kubeconfig');
    expect(env.PULSAR_BROKER_URL).toBe('pulsar://127.0.0.1:2');
  });

  it('names the missing key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-env-'));
    writeFileSync(path.join(dir, 'env'), 'KUBECONFIG=/k\nKUBECTL=/k\n');
    expect(() => readPlatformEnv(dir)).toThrow(/lacks PULSAR_WEB_URL/);
  });
});
