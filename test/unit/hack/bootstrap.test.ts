// hack/bootstrap.js decides whether `npm start` / `npm test` must run `npm ci` first. It is spawned
// as npm spawns it (plain node, in the package root), on small made-up package trees.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '../../../hack/bootstrap.js');

const lock = {
  name: 'x', lockfileVersion: 3, requires: true,
  packages: {
    '': { name: 'x' },
    'node_modules/a': { version: '1.0.0' },
    'node_modules/@s/b': { version: '2.0.0', dev: true },
    'node_modules/fsevents': { version: '2.3.3', optional: true },
  },
};

function tree(installed: Record<string, string> | undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-bootstrap-'));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
  for (const [name, version] of Object.entries(installed ?? {})) {
    mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  }
  if (installed) mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  return dir;
}

function check(dir: string): { code: number | null; says: string } {
  const r = spawnSync(process.execPath, [script, '--check'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, says: r.stdout.trim() };
}

describe('hack/bootstrap.js --check', () => {
  it('a fresh clone (no node_modules) needs an install', () => {
    expect(check(tree(undefined))).toEqual({ code: 1, says: 'node_modules is missing' });
  });

  it('a package the lock lists but node_modules lacks needs an install', () => {
    expect(check(tree({ a: '1.0.0' }))).toEqual({ code: 1, says: 'node_modules/@s/b is not installed' });
  });

  it('a package at another version than the lock\'s (a stale install) needs an install', () => {
    expect(check(tree({ a: '0.9.0', '@s/b': '2.0.0' }))).toEqual({ code: 1, says: 'node_modules/a is 0.9.0, package-lock.json wants 1.0.0' });
  });

  it('node_modules matching the lock needs nothing; optional packages of other platforms may be absent', () => {
    expect(check(tree({ a: '1.0.0', '@s/b': '2.0.0' }))).toEqual({ code: 0, says: 'node_modules matches package-lock.json' });
  });
});
