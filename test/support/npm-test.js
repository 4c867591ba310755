// `npm test`: typecheck, lint and the unit suites one after another, beside the integration suites,
// which mostly wait on the platform and so leave CPU to spare. The integration run's output streams;
// each other step's is printed whole when it ends, so the two never interleave mid-report. Every
// step runs to its end; the exit code is 1 if any failed, and a summary names each with its time.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';

const lanes = [['typecheck', 'lint', 'test:unit'], ['test:integration']];
const streamed = new Set(['test:integration']);
const children = new Set();

function run(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], { stdio: streamed.has(script) ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const output = [];
    child.stdout?.on('data', (d) => output.push(d));
    child.stderr?.on('data', (d) => output.push(d));
    child.on('close', (code, signal) => {
      children.delete(child);
      const result = { script, ok: code === 0, how: signal ?? `exit ${code}`, seconds: Math.round((Date.now() - started) / 1000) };
      if (!streamed.has(script)) {
        process.stdout.write(`\n── npm run ${script}: ${result.ok ? 'passed' : `FAILED (${result.how})`} in ${result.seconds} s ──\n`);
        process.stdout.write(Buffer.concat(output));
      }
      resolve(result);
    });
    child.on('error', (err) => output.push(Buffer.from(`${err.message}\n`)));
  });
}

async function lane(scripts) {
  const results = [];
  for (const script of scripts) results.push(await run(script));
  return results;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exitCode = 1;
  });
}

const t0 = Date.now();
const results = (await Promise.all(lanes.map(lane))).flat();
process.stdout.write(`\n── npm test in ${Math.round((Date.now() - t0) / 1000)} s ──\n`);
for (const r of results) process.stdout.write(`${r.ok ? 'passed' : 'FAILED'}  ${r.script} (${r.seconds} s${r.ok ? '' : `, ${r.how}`})\n`);
if (results.some((r) => !r.ok)) process.exitCode = 1;
