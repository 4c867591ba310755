// npm's `prestart` and `pretest` hooks: on a fresh clone (or after package-lock.json changed) run
// `npm ci` first, so the README's `npm start` and `npm test` work exactly as written. Plain
// JavaScript on Node's own modules only: it runs before node_modules exists.
//
// `node hack/bootstrap.js --check` only says whether an install is needed (exit 1) or not (exit 0).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd(); // npm runs hooks in the package's root

/** Why node_modules does not match package-lock.json, or undefined when it does. */
function installNeeded(dir) {
  const lockFile = path.join(dir, 'package-lock.json');
  if (!existsSync(lockFile)) return 'package-lock.json is missing';
  if (!existsSync(path.join(dir, 'node_modules'))) return 'node_modules is missing';
  const { packages = {} } = JSON.parse(readFileSync(lockFile, 'utf8'));
  for (const [where, entry] of Object.entries(packages)) {
    // "" is the project itself; optional packages for other platforms are legitimately absent.
    if (!where.startsWith('node_modules/') || entry.link || entry.optional) continue;
    const manifest = path.join(dir, where, 'package.json');
    if (!existsSync(manifest)) return `${where} is not installed`;
    const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (version !== entry.version) return `${where} is ${version}, package-lock.json wants ${entry.version}`;
  }
  return undefined;
}

const reason = installNeeded(root);
if (process.argv.includes('--check')) {
  console.log(reason ?? 'node_modules matches package-lock.json');
  process.exit(reason ? 1 : 0);
}
if (reason) {
  console.error(`[bootstrap] ${reason}: running npm ci`);
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    console.error(`[bootstrap] npm ci failed (${err.status ?? err.message}): fix the error above, then run the command again`);
    process.exit(1);
  }
}
