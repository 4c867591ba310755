// Starting and stopping real platform pieces of a test's own (never the shared platform's).
import { execFile, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readEnvFile } from '../../hack/platform-env.js';
import { readPlatformEnv } from './platform.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/** How a child process ended, or undefined while it runs: a `failIf` for waitFor. */
export function exitedHow(child: ChildProcess, name = 'the process'): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  return `${name} exited (${child.signalCode ?? `code ${child.exitCode}`})`;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on (just released by the kernel). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * n distinct free ports, held together while they are picked so none repeats. Picked on the
 * wildcard address: with the real node, Pulsar and the apiserver listen on the pod gateway, and a
 * port free on 127.0.0.1 alone may be theirs (the scaler, which listens on all addresses, then
 * failed with EADDRINUSE). Nothing is served: each socket is closed at once.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer();
    s.listen(0, '0.0.0.0', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A Pulsar standalone broker of the test's own, on free ports (hack/start-pulsar): the shared
 * platform's broker is never stopped or reconfigured.
 */
export class OwnPulsar {
  /** With `auth`: a token for the super-user `admin`. */
  token?: string;
  /** With `auth`: the HS256 key the broker verifies tokens with (to sign more, e.g. expiring ones). */
  tokenSecret?: Buffer;
  /**
   * With `tls`: the web service's https:// port, the broker's pulsar+ssl:// port and the CA (PEM
   * file) that signed their certificate.
   */
  tls?: { port: number; brokerPort: number; caFile: string };

  private constructor(
    readonly dir: string,
    readonly ports: { web: number; broker: number; bookie: number },
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get webUrl(): string {
    return `http://127.0.0.1:${this.ports.web}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.ports.web}`;
  }

  get brokerUrl(): string {
    return `pulsar://127.0.0.1:${this.ports.broker}`;
  }

  /** The pulsar+ssl:// broker service; needs `tls`. */
  get tlsBrokerUrl(): string {
    if (!this.tls) throw new Error('this broker was started without tls');
    return `pulsar+ssl://127.0.0.1:${this.tls.brokerPort}`;
  }

  /** The https:// web service (also wss:// for the WebSocket API); needs `tls`. */
  get tlsWebUrl(): string {
    if (!this.tls) throw new Error('this broker was started without tls');
    return `https://127.0.0.1:${this.tls.port}`;
  }

  /**
   * `auth`: token authentication with an HS256 secret key. hack/start-pulsar probes readiness
   * with curl: a .curlrc (CURL_HOME) gives that probe the token too.
   * `tls`: the web service also on https:// (plain http stays, for the probe), with a certificate
   * for 127.0.0.1 signed by a CA made for this broker; the broker service also on pulsar+ssl://.
   * `conf`: more standalone.conf lines (key=value).
   */
  static async start(opts: { auth?: boolean; tls?: boolean; conf?: string[] } = {}): Promise<OwnPulsar> {
    // The ports are free when picked, but the JVM binds them seconds later: meanwhile another
    // suite's server, or any outgoing connection (its local port comes from the same range), may
    // take one. Then the start fails naming the port, and a second pick is tried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await OwnPulsar.startOnFreePorts(opts);
      } catch (err) {
        if (attempt === 3 || !/already in use/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      }
    }
  }

  private static async startOnFreePorts(opts: { auth?: boolean; tls?: boolean; conf?: string[] }): Promise<OwnPulsar> {
    const dir = mkdtempSync(path.join(tmpdir(), 'fm-pulsar-'));
    const [web, broker, bookie, webTls, brokerTls] = (await freePorts(5)) as [number, number, number, number, number];
    const env: NodeJS.ProcessEnv = { ...process.env, PULSAR_HEAP: '-Xms128m -Xmx512m', PULSAR_LOG_LEVEL: 'warn', PULSAR_STOP_TIMEOUT: '10' };
    const conf: string[] = [];
    let token: string | undefined;
    let secret: Buffer | undefined;
    if (opts.tls) {
      await makeCertificates(dir);
      conf.push(
        `webServicePortTls=${webTls}`,
        `brokerServicePortTls=${brokerTls}`,
        `tlsCertificateFilePath=${path.join(dir, 'server.crt')}`,
        `tlsKeyFilePath=${path.join(dir, 'server.key')}`,
        `tlsTrustCertsFilePath=${path.join(dir, 'ca.crt')}`,
      );
    }
    if (opts.auth) {
      secret = randomBytes(32);
      token = signToken('admin', secret);
      conf.push(
        'authenticationEnabled=true',
        'authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
        `tokenSecretKey=data:;base64,${secret.toString('base64')}`,
        'superUserRoles=admin',
        'authenticateMetricsEndpoint=true',
        'brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken',
        `brokerClientAuthenticationParameters=token:${token}`,
      );
      writeFileSync(path.join(dir, '.curlrc'), `header = "Authorization: Bearer ${token}"\n`, { mode: 0o600 });
      env.CURL_HOME = dir;
    }
    conf.push(...(opts.conf ?? []));
    env.PULSAR_CONF_EXTRA = conf.join('\n');
    const pulsar = new OwnPulsar(dir, { web, broker, bookie }, env);
    pulsar.token = token;
    pulsar.tokenSecret = secret;
    if (opts.tls) pulsar.tls = { port: webTls, brokerPort: brokerTls, caFile: path.join(dir, 'ca.crt') };
    try {
      await pulsar.run('start-pulsar', [path.join(dir, 'state'), String(web), String(broker), String(bookie)]);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return pulsar;
  }

  stop(): Promise<void> {
    return this.run('stop-pulsar', [path.join(this.dir, 'state')]);
  }

  /** Starts again on the same data and ports; with `brokerPort`, the broker comes back at that binary port. */
  restart(opts: { brokerPort?: number } = {}): Promise<void> {
    if (opts.brokerPort) this.ports.broker = opts.brokerPort;
    return this.run('start-pulsar', ['--keep-data', path.join(this.dir, 'state'), String(this.ports.web), String(this.ports.broker), String(this.ports.bookie)]);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(script: string, args: string[]): Promise<void> {
    await run(path.join(repo, 'hack', script), args, { env: this.env, timeout: 240_000 });
  }
}

/**
 * A CA and a server certificate for 127.0.0.1 signed by it (RSA, PKCS#8 keys: what Pulsar loads),
 * as ca.crt, server.crt and server.key in `dir`.
 */
export async function makeCertificates(dir: string): Promise<void> {
  const at = (f: string): string => path.join(dir, f);
  writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const openssl = (...args: string[]) => run('openssl', args, { timeout: 30_000 });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '2', '-subj', '/CN=fm-test-ca');
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('server.key'));
  await openssl('req', '-new', '-key', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  await openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '2', '-extfile', at('server.ext'));
}

/** An HS256 JWT as Pulsar's AuthenticationProviderToken verifies it (subject = role); `expiresAt` in ms. */
export function signToken(subject: string, secret: Buffer, expiresAt?: number): string {
  const b64 = (v: object | Buffer): string => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
  const claims = expiresAt === undefined ? { sub: subject } : { sub: subject, exp: Math.floor(expiresAt / 1000) };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export interface OwnApiserver {
  dir: string;
  kubeconfig: string;
  /** kubectl against this apiserver; rejects with kubectl's stderr. */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A kube-apiserver with its etcd, of the test's own (hack/local-up with the apiserver profile). */
export async function startOwnApiserver(): Promise<OwnApiserver> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fm-apiserver-'));
  const env = { ...process.env, FM_PLATFORM_DIR: dir, FM_PLATFORM_PROFILE: 'apiserver' };
  await run(path.join(repo, 'hack/local-up'), [], { env, timeout: 120_000 });
  const kubeconfig = readEnvFile(path.join(dir, 'env')).KUBECONFIG!;
  const kubectl = (args: string[], input?: string) => new Promise<string>((resolve, reject) => {
    const child = execFile(readPlatformEnv().KUBECTL, ['--kubeconfig', kubeconfig, ...args], (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    if (input !== undefined) child.stdin?.end(input);
  });
  return { dir, kubeconfig, kubectl, stop: async () => { await run(path.join(repo, 'hack/local-down'), [], { env, timeout: 60_000 }); } };
}
