// Pulsar tokens for the scaler: KEDA forwards no TriggerAuthentication to an external scaler, so
// tokens come from the scaler's own configuration — a default token file (e.g. a mounted Secret),
// a per-admin-URL map of token files, or the PULSAR_TOKEN env var. Files are re-read when they
// change (Secrets rotate), at most every `recheckMs`. Each may hold a bare JWT or Pulsar's
// `token:<jwt>` form. Token values are never logged.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { bearerToken } from '../adapters/pulsar/bearer-token.js';

export interface CredentialsOptions {
  /** File holding the token used for every admin URL without its own. */
  tokenFile?: string;
  /** YAML/JSON file mapping admin URL → token file, e.g. {"https://pulsar-a:8443": "/secrets/a/token"}. */
  tokensFile?: string;
  /** A literal default token (from the environment), used when no file is configured. */
  token?: string;
  recheckMs?: number;
  now?: () => number;
}

interface CachedFile {
  checkedAt: number;
  mtimeMs: number;
  value: string;
}

export class Credentials {
  private readonly perUrl = new Map<string, string>();
  private readonly files = new Map<string, CachedFile>();
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: CredentialsOptions = {}) {
    this.recheckMs = opts.recheckMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    if (opts.tokensFile) {
      const map = parseYaml(readFileSync(opts.tokensFile, 'utf8')) as unknown;
      if (!map || typeof map !== 'object' || Array.isArray(map)) {
        throw new Error(`tokens file ${opts.tokensFile}: expected a map of admin URL → token file path`);
      }
      for (const [url, file] of Object.entries(map)) {
        if (typeof file !== 'string') throw new Error(`tokens file ${opts.tokensFile}: entry "${url}" must be a token file path`);
        this.perUrl.set(normalizeUrl(url), file);
      }
    }
    // Fail at start, not at the first ask, when a configured file is unreadable.
    for (const file of [opts.tokenFile, ...this.perUrl.values()]) if (file) this.readFile(file);
  }

  /** A token getter for one admin URL (read on every request so rotation applies). */
  tokenFor(adminUrl: string): () => string | undefined {
    const file = this.perUrl.get(normalizeUrl(adminUrl)) ?? this.opts.tokenFile;
    if (file) return () => this.readFile(file);
    const token = bearerToken(this.opts.token);
    return () => token;
  }

  /** What is configured, without any secret: for the startup log line. */
  describe(): Record<string, unknown> {
    return {
      defaultToken: this.opts.tokenFile ? `file ${this.opts.tokenFile}` : this.opts.token ? 'env PULSAR_TOKEN' : 'none',
      perAdminUrl: [...this.perUrl.keys()],
    };
  }

  private readFile(path: string): string {
    const now = this.now();
    const cached = this.files.get(path);
    if (cached && now - cached.checkedAt < this.recheckMs) return cached.value;
    const mtimeMs = statSync(path).mtimeMs;
    if (cached && cached.mtimeMs === mtimeMs) {
      cached.checkedAt = now;
      return cached.value;
    }
    // A Pulsar token Secret holds `token:<jwt>`; Pulsar wants the JWT alone after `Bearer `.
    const value = bearerToken(readFileSync(path, 'utf8'));
    if (!value) throw new Error(`token file ${path} is empty`);
    this.files.set(path, { checkedAt: now, mtimeMs, value });
    return value;
  }
}

function normalizeUrl(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}
