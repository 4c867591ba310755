import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flagsOf } from '../../../process/config-table.js';
import { ConfigError, parseScalerFlags, SCALER_FLAGS } from '../../../scaler/config.js';

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parseScalerFlags(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseScalerFlags', () => {
  it('takes the flag, then the env var, then the default', () => {
    const defaults = parseScalerFlags([], {});
    expect(defaults).toMatchObject({ port: 9090, 'ops-port': 8081, 'backlog-source': 'metrics', 'fresh-ms': 5000, 'check-ms': 10_000, 'admin-url': undefined, 'activation-transport': 'binary' });
    expect(parseScalerFlags([], { SCALER_ACTIVATION_TRANSPORT: 'websocket' })).toMatchObject({ 'activation-transport': 'websocket' });
    const fromEnv = parseScalerFlags([], { SCALER_FRESH_MS: '100', PULSAR_ADMIN_URL: 'http://pulsar:8080/', PULSAR_TOKEN: 'jwt' });
    expect(fromEnv).toMatchObject({ 'fresh-ms': 100, 'admin-url': 'http://pulsar:8080', token: 'jwt' });
    expect(parseScalerFlags(['--fresh-ms=7', '--backlog-source', 'stats'], { SCALER_FRESH_MS: '100' })).toMatchObject({ 'fresh-ms': 7, 'backlog-source': 'stats' });
    expect(parseScalerFlags(['-h'], {})).toBe('help');
  });

  it('checks --admin-url as trigger metadata checks adminURL, naming the flag', () => {
    expect(problems(['--admin-url', 'pulsar:8080'])).toEqual(['--admin-url (env PULSAR_ADMIN_URL) must start with http:// or https://, got "pulsar:8080"']);
    expect(problems([], { PULSAR_ADMIN_URL: 'http://exa mple:8080' })).toEqual(['--admin-url (env PULSAR_ADMIN_URL) is not a URL (e.g. http://pulsar-broker:8080), got "http://exa mple:8080"']);
    const withPassword = problems(['--admin-url=http://admin:s3cret@pulsar:8080']);
    expect(withPassword).toEqual(['--admin-url (env PULSAR_ADMIN_URL): must not carry credentials: configure tokens on the scaler (--token-file or --tokens-file)']);
  });

  it('names every problem at once, the nearest flag for a typo, and the rules across flags', () => {
    expect(problems(['--chek-ms=5', '--fresh-ms=-1', '--backlog-source=rest', '--tls-key=k', '--tls-client-ca=ca'])).toEqual([
      '--chek-ms is not a flag: did you mean --check-ms?',
      '--backlog-source (env SCALER_BACKLOG_SOURCE) must be metrics or stats, got "rest"',
      '--fresh-ms (env SCALER_FRESH_MS) must be an integer from 0 up, got "-1"',
      '--tls-cert and --tls-key go together: set both or neither',
      '--tls-client-ca needs --tls-cert and --tls-key: mTLS is served over TLS',
    ]);
    expect(problems(['--token=jwt'])).toEqual(['--token is not a flag: see --help']);
    expect(problems(['--activation-transport=ws'])).toEqual(['--activation-transport (env SCALER_ACTIVATION_TRANSPORT) must be binary or websocket, got "ws"']);
  });
});

describe('scaler/main.ts', () => {
  it('fails start-up on a bad --admin-url, naming the flag, instead of failing every trigger later', async () => {
    const repo = path.resolve(import.meta.dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scaler/main.ts', '--port=0', '--ops-port=0', '--host=127.0.0.1', '--admin-url=http://admin:s3cret@pulsar:8080'], {
      cwd: repo, env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(2);
    expect(stderr).toContain('--admin-url (env PULSAR_ADMIN_URL): must not carry credentials');
    expect(stderr).not.toContain('s3cret');
  }, 20_000);
});

describe('docs/scaler.md', () => {
  it('names every flag', () => {
    const doc = readFileSync('docs/scaler.md', 'utf8');
    expect(flagsOf(SCALER_FLAGS).filter((f) => !doc.includes(`\`--${f}`))).toEqual([]);
    expect(doc).toContain('`PULSAR_TOKEN`');
  });
});
