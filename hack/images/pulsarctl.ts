// The downloader image's `pulsarctl`: a stand-in that runs the exact command lines the controller
// renders into the package-download init container (controller/render/package-download.ts,
// pulsar-connection.ts), since pulsarctl itself is not available from the registries this
// project builds from. It knows only those commands:
//   pulsarctl [--admin-service-url URL] [--auth-plugin P --auth-params A] [--tls-allow-insecure=B]
//             [--tls-enable-hostname-verification=B] [--tls-trust-cert-path F]
//             packages download TYPE://TENANT/NS/NAME[@VERSION] --path FILE
//   pulsarctl context set NAME --admin-service-url URL --issuer-endpoint URL --audience A --key-file F [--scope S]
//   pulsarctl oauth2 activate
// and fails with a clear message on anything else. The download is the admin REST call
// GET /admin/v3/packages/{type}/{tenant}/{namespace}/{name}/{version}.
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

export interface Invocation {
  flags: Record<string, string>;
  command: string[];
}

const BOOLEAN_FLAGS = new Set(['tls-allow-insecure', 'tls-enable-hostname-verification']);

/** Splits `--flag value`, `--flag=value` and positional words, wherever they appear. */
export function parseInvocation(argv: string[]): Invocation {
  const flags: Record<string, string> = {};
  const command: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--')) { command.push(word); continue; }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags[name] = word.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) flags[name] = 'true';
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return { flags, command };
}

/** `function://public/default/fn@v1` → the admin REST path; no version means `latest`, as Pulsar reads it. */
export function packagePath(name: string): string {
  const m = /^(function|source|sink):\/\/([^/]+)\/([^/]+)\/([^/@]+)(?:@(.+))?$/.exec(name);
  if (!m) throw new Error(`package name "${name}": write it as function|source|sink://tenant/namespace/name[@version]`);
  const [, type, tenant, namespace, pkg, version] = m;
  return ['/admin/v3/packages', type!, tenant!, namespace!, pkg!, version ?? 'latest'].map(encodeURIComponent).join('/').replace(/%2F/g, '/');
}

export interface Credentials {
  headers: Record<string, string>;
  cert?: Buffer;
  key?: Buffer;
}

/** The two client auth plugins pulsarctl's flags carry: token and TLS. */
export function credentials(plugin: string | undefined, params: string | undefined, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): Credentials {
  if (!plugin) return { headers: {} };
  const p = params ?? '';
  if (/AuthenticationToken$|^token$/.test(plugin)) {
    let token: string;
    if (p.startsWith('token:')) token = p.slice('token:'.length);
    else if (p.startsWith('file:')) token = read(new URL(p).pathname).trim();
    else if (p.trim().startsWith('{')) token = String((JSON.parse(p) as { token?: string }).token ?? '');
    else token = p;
    if (!token) throw new Error('--auth-params: the token is empty; pass token:<jwt>, file:///path or {"token":"<jwt>"}');
    return { headers: { Authorization: `Bearer ${token}` } };
  }
  if (/AuthenticationTls$|^tls$/.test(plugin)) {
    const kv: Record<string, string> = p.trim().startsWith('{')
      ? (JSON.parse(p) as Record<string, string>)
      : Object.fromEntries(p.split(',').map((s) => [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)]));
    if (!kv.tlsCertFile || !kv.tlsKeyFile) throw new Error('--auth-params: TLS auth needs tlsCertFile and tlsKeyFile');
    return { headers: {}, cert: Buffer.from(read(kv.tlsCertFile)), key: Buffer.from(read(kv.tlsKeyFile)) };
  }
  throw new Error(`--auth-plugin ${plugin}: this pulsarctl stand-in supports token and TLS auth (or an OAuth2 context)`);
}

interface Context { adminServiceUrl: string; issuerEndpoint: string; audience: string; keyFile: string; scope?: string; accessToken?: string }

function contextFile(): string {
  return join(process.env.HOME || '/tmp', '.config', 'pulsarctl-standin', 'context.json');
}

function get(url: URL, options: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; insecure: boolean; verifyHost: boolean }, body?: string): Promise<IncomingMessage> {
  const tls = url.protocol === 'https:';
  const request = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? options.headers : { ...options.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(tls ? {
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        rejectUnauthorized: !options.insecure,
        ...(options.verifyHost ? {} : { checkServerIdentity: () => undefined }),
      } : {}),
    }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function readBody(res: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
}

async function oauth2Token(ctx: Context): Promise<string> {
  const key = JSON.parse(readFileSync(ctx.keyFile, 'utf8')) as { client_id?: string; client_secret?: string };
  const plain = { headers: {}, insecure: false, verifyHost: true };
  const wellKnown = new URL('.well-known/openid-configuration', ctx.issuerEndpoint.replace(/\/?$/, '/'));
  const discovery = JSON.parse(await readBody(await get(wellKnown, plain))) as { token_endpoint?: string };
  if (!discovery.token_endpoint) throw new Error(`${wellKnown}: no token_endpoint`);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: key.client_id ?? '', client_secret: key.client_secret ?? '', audience: ctx.audience });
  if (ctx.scope) form.set('scope', ctx.scope);
  const res = await get(new URL(discovery.token_endpoint), plain, form.toString());
  const token = JSON.parse(await readBody(res)) as { access_token?: string; error?: string };
  if (!token.access_token) throw new Error(`OAuth2 token request failed (HTTP ${res.statusCode}): ${token.error ?? 'no access_token'}`);
  return token.access_token;
}

async function download(flags: Record<string, string>, name: string): Promise<void> {
  const dest = flags.path;
  if (!dest) throw new Error('packages download: --path is required (where to write the package)');
  let ctx: Context | undefined;
  try { ctx = JSON.parse(readFileSync(contextFile(), 'utf8')) as Context; } catch { ctx = undefined; }
  const admin = flags['admin-service-url'] || ctx?.adminServiceUrl;
  if (!admin) throw new Error('--admin-service-url is required (the Pulsar web service URL)');
  const creds = credentials(flags['auth-plugin'], flags['auth-params']);
  if (!flags['auth-plugin'] && ctx?.accessToken) creds.headers.Authorization = `Bearer ${ctx.accessToken}`;
  const url = new URL(packagePath(name), admin.replace(/\/+$/, '') + '/');
  const res = await get(url, {
    ...creds,
    ...(flags['tls-trust-cert-path'] ? { ca: readFileSync(flags['tls-trust-cert-path']) } : {}),
    insecure: flags['tls-allow-insecure'] === 'true',
    verifyHost: flags['tls-enable-hostname-verification'] === 'true',
  });
  if (res.statusCode !== 200) {
    throw new Error(`download ${name} from ${url.origin}: HTTP ${res.statusCode} ${(await readBody(res)).slice(0, 300)}`);
  }
  mkdirSync(dirname(dest), { recursive: true });
  await pipeline(res, createWriteStream(dest));
  process.stdout.write(`The package '${name}' downloaded to path '${dest}' successfully\n`);
}

export async function run(argv: string[]): Promise<void> {
  const { flags, command } = parseInvocation(argv);
  const [group, verb, arg] = command;
  if (group === 'packages' && verb === 'download' && arg) return download(flags, arg);
  if (group === 'context' && verb === 'set' && arg) {
    const missing = ['admin-service-url', 'issuer-endpoint', 'audience', 'key-file'].filter((f) => !flags[f]);
    if (missing.length) throw new Error(`context set: missing ${missing.map((f) => `--${f}`).join(', ')}`);
    const ctx: Context = { adminServiceUrl: flags['admin-service-url']!, issuerEndpoint: flags['issuer-endpoint']!, audience: flags.audience!, keyFile: flags['key-file']!, ...(flags.scope ? { scope: flags.scope } : {}) };
    mkdirSync(dirname(contextFile()), { recursive: true });
    writeFileSync(contextFile(), JSON.stringify(ctx));
    return;
  }
  if (group === 'oauth2' && verb === 'activate') {
    const ctx = JSON.parse(readFileSync(contextFile(), 'utf8')) as Context;
    writeFileSync(contextFile(), JSON.stringify({ ...ctx, accessToken: await oauth2Token(ctx) }));
    return;
  }
  throw new Error(`"${command.join(' ')}": this pulsarctl stand-in runs only "packages download", "context set" and "oauth2 activate"`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`[✖]  ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
