// Pulsar's own Java client as the other side of interoperability tests and benches: runs
// test/support/java/*.java, compiled with javac against the jars hack/build-pulsar
// assembled, the classes cached by content under $FM_CACHE/java-interop/.
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const sources = path.resolve(import.meta.dirname, 'java');
const cache = process.env.FM_CACHE ?? path.join(os.homedir(), '.cache/function-mesh-ts');

/** The Pulsar classpath directory (a lib/ of jars), or an error saying how to get one. */
export function pulsarLib(): string {
  const lib = existsSync(cache)
    ? readdirSync(cache).filter((d) => /^pulsar-\d/.test(d)).sort().reverse()
      .map((d) => path.join(cache, d, 'lib'))
      .find((l) => existsSync(l) && readdirSync(l).some((j) => j.startsWith('pulsar-client-original-')))
    : undefined;
  if (!lib) throw new Error(`no Pulsar classpath with pulsar-client-original under ${cache}: run hack/build-pulsar`);
  return lib;
}

let compiled: Promise<string> | undefined;

/** The classpath to run test/support/java's classes with; compiles them once per sources and jar set. */
export function interopClasspath(): Promise<string> {
  compiled ??= (async () => {
    const lib = pulsarLib();
    const files = readdirSync(sources).filter((f) => f.endsWith('.java')).sort().map((f) => path.join(sources, f));
    const hash = createHash('sha256').update(readdirSync(lib).sort().join('\n'));
    for (const f of files) hash.update(path.basename(f)).update(readFileSync(f));
    const key = hash.digest('hex').slice(0, 16);
    const out = path.join(cache, 'java-interop', key);
    if (!existsSync(path.join(out, 'PulsarInterop.class'))) {
      const tmp = `${out}.${process.pid}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      await promisify(execFile)('javac', ['-nowarn', '-d', tmp, '-cp', `${lib}/*`, ...files], { timeout: 180_000 });
      rmSync(out, { recursive: true, force: true });
      renameSync(tmp, out);
    }
    return `${out}:${lib}/*`;
  })();
  return compiled;
}

/** A message as PulsarInterop reads it (produce) and prints it (consume). */
export interface JavaMessage {
  payload: string; // base64
  key?: string;
  properties?: Record<string, string>;
  eventTime?: number;
}

export interface JavaMessageId {
  ledgerId: number;
  entryId: number;
  partition: number;
  batchIndex: number;
  text: string;
}

export interface JavaReceived extends Required<Pick<JavaMessage, 'payload' | 'properties'>> {
  key?: string;
  eventTime: number;
  publishTime: number;
  producerName: string;
  redeliveryCount: number;
  id: JavaMessageId;
}

/** One running PulsarInterop: JSON lines in on stdin, JSON lines out on stdout. */
export class JavaSide {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<number>;
  private readonly stderr: string[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly describe: string) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.stderr.push(`(stdout) ${line}\n`);
      }
      this.wake();
    });
    child.stderr.on('data', (d: Buffer) => { this.stderr.push(d.toString()); if (this.stderr.length > 200) this.stderr.shift(); });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => { resolve(code ?? (signal ? 128 : 1)); this.wake(); }));
  }

  /** Starts `mode` on `topic` and waits for its {"ready":true} line (not for the bench modes). */
  static async start(mode: 'produce' | 'consume' | 'bench-produce' | 'bench-consume', url: string, topic: string, opts: Record<string, string | number | boolean> = {}): Promise<JavaSide> {
    const cp = await interopClasspath();
    const args = ['-Xms64m', '-Xmx384m', '-XX:+UseSerialGC', '-cp', cp, 'PulsarInterop', mode, url, topic,
      ...Object.entries(opts).flatMap(([k, v]) => [`--${k}`, String(v)])];
    const side = new JavaSide(spawn('java', args, { stdio: 'pipe' }), `java PulsarInterop ${mode} ${topic}`);
    if (!mode.startsWith('bench-')) await side.waitFor((l) => l.ready === true, 60_000);
    return side;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the first output line matching; fails on exit or time-out, with the Java log. */
  async waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => { exited = true; });
    for (;;) {
      const hit = this.lines.find(match);
      if (hit) return hit;
      if (exited) throw new Error(`${this.describe} exited (${await this.exited}) before the expected output; its log:\n${this.log()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.describe}: expected output not seen in ${timeoutMs} ms (${this.lines.length} lines); its log:\n${this.log()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Waits until `n` lines match. */
  async waitForCount(match: (line: Record<string, unknown>) => boolean, n: number, timeoutMs: number): Promise<Record<string, unknown>[]> {
    await this.waitFor(() => this.lines.filter(match).length >= n, timeoutMs).catch((err: Error) => {
      throw new Error(`${this.describe}: ${this.lines.filter(match).length} of ${n} expected lines. ${err.message}`);
    });
    return this.lines.filter(match);
  }

  send(message: JavaMessage): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Closes stdin (the producer then flushes and exits) and waits for the exit code. */
  async end(timeoutMs = 120_000): Promise<number> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  log(): string {
    return this.stderr.join('').slice(-4000);
  }
}

/** The messages a consumer printed, in order. */
export function received(side: JavaSide): JavaReceived[] {
  return side.lines.filter((l) => typeof l.payload === 'string') as unknown as JavaReceived[];
}
