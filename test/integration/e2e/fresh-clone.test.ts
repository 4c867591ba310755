// The README's two commands on a fresh clone with nothing installed: npm's `pretest`/`prestart`
// hooks (hack/bootstrap.js) run `npm ci`, then the command itself runs. To keep it cheap the clone's
// `test` and `start` scripts are swapped for a harmless command that needs the installed tsx.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'fm-clone-'));
const clone = path.join(tmp, 'clone');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function npm(script: string): { code: number | null; out: string; err: string } {
  const r = spawnSync('npm', [script], {
    cwd: clone, encoding: 'utf8', timeout: 300_000,
    // The machine's npm cache serves the packages; nothing else of this checkout leaks in.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_prefer_offline: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('a fresh clone', () => {
  it('`npm test` installs what is missing, then runs; `npm start` then runs without installing again', () => {
    execFileSync('git', ['clone', '--quiet', repo, clone]);
    expect(existsSync(path.join(clone, 'node_modules'))).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(clone, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.pretest).toBe('node hack/bootstrap.js');
    expect(manifest.scripts.prestart).toBe('node hack/bootstrap.js');
    manifest.scripts.test = 'tsx -e "console.log(\'test ran\')"';
    manifest.scripts.start = 'tsx -e "console.log(\'start ran\')"';
    writeFileSync(path.join(clone, 'package.json'), JSON.stringify(manifest));

    const test = npm('test');
    expect(test.err).toContain('[bootstrap] node_modules is missing: running npm ci');
    expect(test.out).toContain('test ran');
    expect(test.code).toBe(0);

    const start = npm('start');
    expect(start.err).not.toContain('[bootstrap]');
    expect(start.out).toContain('start ran');
    expect(start.code).toBe(0);
  }, 360_000);
});
