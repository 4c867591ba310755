// Writes test/support/suite-durations.json, which longest-first-sequencer.js orders the suites by,
// from the JSON reports of whole runs (`npm run test:integration -- --json --outputFile=run.json`):
// each suite's median over the reports, in ms. Time a run with one worker: under several workers a
// suite's duration includes the wait for the CPU.
//   node test/support/record-durations.js run1.json [run2.json ...]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const reports = process.argv.slice(2);
if (!reports.length) {
  console.error('usage: node test/support/record-durations.js <jest --json report>...');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '../..');
const samples = new Map();
for (const file of reports) {
  for (const r of JSON.parse(readFileSync(file, 'utf8')).testResults) {
    const suite = path.relative(root, r.name);
    samples.set(suite, [...(samples.get(suite) ?? []), r.endTime - r.startTime]);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const suites = Object.fromEntries([...samples].map(([s, xs]) => [s, Math.round(median(xs))]).sort((a, b) => b[1] - a[1]));
const out = path.join(root, 'test/support/suite-durations.json');
writeFileSync(out, `${JSON.stringify({ recordedAt: new Date().toISOString().slice(0, 10), runs: reports.length, suites }, null, 2)}\n`);
console.log(`${Object.keys(suites).length} suites written to ${path.relative(process.cwd(), out)}`);
