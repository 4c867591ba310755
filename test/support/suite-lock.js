// A readers-writer lock across Jest's worker processes, in a directory: most integration suites
// hold it shared and run side by side; a suite that disturbs the whole platform (it kills the real
// node, say) holds it exclusive and runs alone. Files, not sockets, because the workers share
// nothing else. A waiting exclusive holder goes first: shared holders that come after it wait.
//
//   <dir>/shared/<token>      one per shared holder
//   <dir>/waiting/<token>     one per exclusive holder waiting for its turn
//   <dir>/exclusive/          the exclusive holder, with its token inside
//
// A token is <pid>.<the process's start time>-<n>. Entries of processes that died (a killed
// worker) are removed when seen, so they never block a run; the start time tells a dead holder
// from a new process that got its pid.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;
let counter = 0;

/** Holds the lock shared until the returned function is called. */
export async function acquireShared(dir, { timeoutMs } = {}) {
  const { shared, token, deadline } = prepare(dir, timeoutMs);
  for (;;) {
    if (!exclusiveWanted(dir)) {
      writeFileSync(path.join(shared, token), '');
      // An exclusive holder may have come between the check and the write: it waits for this
      // entry, so step back and let it go first.
      if (!exclusiveWanted(dir)) return () => rmSync(path.join(shared, token), { force: true });
      rmSync(path.join(shared, token), { force: true });
    }
    await pause(deadline, 'a suite that runs alone to finish');
  }
}

/** Holds the lock exclusive (no shared holder, no other exclusive one) until the returned function is called. */
export async function acquireExclusive(dir, { timeoutMs } = {}) {
  const { shared, token, deadline } = prepare(dir, timeoutMs);
  const waiting = path.join(dir, 'waiting', token);
  const mine = path.join(dir, 'exclusive');
  writeFileSync(waiting, '');
  try {
    for (;;) {
      // The directory appears with the token already inside (a rename is atomic, and fails onto
      // a directory that is there), so nobody sees it empty and takes it for a dead holder's.
      const draft = path.join(dir, `draft-${token}`);
      mkdirSync(draft);
      writeFileSync(path.join(draft, token), '');
      try {
        renameSync(draft, mine);
        break;
      } catch (err) {
        rmSync(draft, { recursive: true, force: true });
        if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
        if (!livingEntries(mine).length) rmSync(mine, { recursive: true, force: true }); // its holder died
        else await pause(deadline, 'another suite that runs alone to finish');
      }
    }
  } finally {
    rmSync(waiting, { force: true });
  }
  const release = () => rmSync(mine, { recursive: true, force: true });
  try {
    while (livingEntries(shared).length) await pause(deadline, `the suites running beside it to finish (${livingEntries(shared).length} left)`);
  } catch (err) {
    release();
    throw err;
  }
  return release;
}

function prepare(dir, timeoutMs = 30 * 60_000) {
  const shared = path.join(dir, 'shared');
  mkdirSync(shared, { recursive: true });
  mkdirSync(path.join(dir, 'waiting'), { recursive: true });
  return { shared, token: `${process.pid}.${startTime(process.pid)}-${counter++}`, deadline: Date.now() + timeoutMs };
}

function exclusiveWanted(dir) {
  return livingEntries(path.join(dir, 'waiting')).length > 0 || livingEntries(path.join(dir, 'exclusive')).length > 0;
}

/** The tokens in `dir` whose process still runs; the others are removed. */
function livingEntries(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((name) => {
    const [pid, start] = name.split('-')[0].split('.');
    if (start !== undefined && startTime(pid) === start) return true;
    rmSync(path.join(dir, name), { recursive: true, force: true });
    return false;
  });
}

/** When the process started (clock ticks after boot, /proc/<pid>/stat field 22), or undefined if none runs. */
function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function pause(deadline, what) {
  if (Date.now() > deadline) throw new Error(`suite lock: gave up waiting for ${what}`);
  await sleep(POLL_MS);
}
