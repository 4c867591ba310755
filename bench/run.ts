// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose default export prints one JSON
// line per result (with the baseline measured in the same run).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]; benchmarks: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { default: (args: string[]) => Promise<void> };
try {
  await mod.default(args);
} catch (err) {
  // A bench's own errors (preflight, deadlines) explain themselves: the message, not a stack.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
