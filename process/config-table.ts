// One declarative table per configuration (controller flags, scaler flags, bridge env), walked by
// one loop, in the spirit of KEDA's typed scaler config: each key states its help, the modes it
// applies in, its type and range, and its default; rules across keys stay in each config's own
// `validate`. Every problem is collected (the caller throws them all at once), and each names the
// key and what would be accepted.

/** Why a raw value was refused; `echo: false` keeps the raw value out of the message (it may hold a secret). */
export class Rejection {
  constructor(
    readonly text: string,
    readonly echo = true,
  ) {}
}

/** How one raw string becomes a typed value. `hint` names the value in usage lines: `<n>`, `<url>`. */
export interface ValueType<T> {
  readonly hint: string;
  parse(raw: string): T | Rejection;
}

export interface Setting<T = unknown> {
  readonly type: ValueType<T>;
  readonly help: string;
  /** Raw text, parsed like a given value. */
  readonly default?: string;
  /** A default computed from other keys, for usage and docs only (the config's validate sets it). */
  readonly derivedDefault?: string;
  /** The environment variable (flag tables; env tables use the key itself). */
  readonly env?: string;
  /** Environment only, never a flag (secrets stay off the command line). */
  readonly envOnly?: boolean;
  /** The modes the key applies in; absent: all. */
  readonly modes?: readonly string[];
  /** Must be set (in every mode it applies in); a string is appended to "is required". */
  readonly required?: true | string;
}

export type SettingsTable = Readonly<Record<string, Setting>>;

type ValueOf<S> = S extends { type: ValueType<infer V> } ? (S extends { default: string } ? V : V | undefined) : never;
export type Values<T extends SettingsTable> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/** How problems name a key: `--workers (env FM_WORKERS) must be …, got "0"` or `BRIDGE_X "0" must be …`. */
type Naming = 'flag' | 'key';

interface ReadOptions<T extends SettingsTable> {
  /** The raw value of a key, or undefined. Blank values count as unset. */
  lookup: (key: keyof T & string, setting: Setting) => string | undefined;
  naming: Naming;
  /** The mode in effect, for tables whose keys apply only in some modes. */
  mode?: string;
  /** Problems are appended here. */
  problems: string[];
}

/** Walks the table once: each key looked up, checked against the mode, parsed, or defaulted. */
export function readSettings<T extends SettingsTable>(table: T, opts: ReadOptions<T>): Values<T> {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table) as [keyof T & string, Setting][]) {
    const name = nameOf(key, setting, opts.naming);
    const raw = blankless(opts.lookup(key, setting));
    const applies = !setting.modes || opts.mode === undefined || setting.modes.includes(opts.mode);
    const fallback = setting.default === undefined ? undefined : parseOrThrow(setting, setting.default);
    values[key] = fallback;
    if (raw === undefined) {
      if (setting.required && applies) {
        const tail = setting.required === true ? (setting.modes && opts.mode ? ` in ${opts.mode} mode` : '') : setting.required;
        opts.problems.push(`${name} is required${tail}`);
      }
      continue;
    }
    if (!applies) {
      opts.problems.push(`${name} does not apply in ${opts.mode} mode (only in ${setting.modes!.join(', ')}): remove it`);
      continue;
    }
    const parsed = setting.type.parse(raw);
    if (parsed instanceof Rejection) opts.problems.push(describeRejection(name, raw, parsed, opts.naming));
    else values[key] = parsed;
  }
  return values as Values<T>;
}

/** A refused value, named in the table's style; a value that may hold a secret is not repeated. */
function describeRejection(name: string, raw: string, rejection: Rejection, naming: Naming): string {
  if (!rejection.echo) return `${name}: ${rejection.text}`;
  return naming === 'flag' ? `${name} ${rejection.text}, got "${raw}"` : `${name} "${raw}" ${rejection.text}`;
}

function nameOf(key: string, setting: Setting, naming: Naming): string {
  if (naming === 'key') return key;
  return setting.envOnly ? `env ${setting.env}` : `--${key}${setting.env ? ` (env ${setting.env})` : ''}`;
}

function blankless(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value === '' ? undefined : value;
}

function parseOrThrow(setting: Setting, raw: string): unknown {
  const parsed = setting.type.parse(raw);
  if (parsed instanceof Rejection) throw new Error(`a table default does not parse: "${raw}" ${parsed.text}`);
  return parsed;
}

/** Flag tables: the flag wins, then the env var, then the default. */
export function flagOrEnv(args: Record<string, string>, env: Record<string, string | undefined>) {
  return (key: string, setting: Setting): string | undefined =>
    blankless(setting.envOnly ? undefined : args[key]) ?? blankless(setting.env ? env[setting.env] : undefined);
}

interface ParsedArgs {
  /** flag name → raw value */
  values: Record<string, string>;
  help: boolean;
  problems: string[];
}

/**
 * `--name=value`, `--name value`, `-h`/`--help`. With `known`, an unknown flag is a problem that
 * suggests the nearest known one.
 */
export function readArgs(argv: readonly string[], known?: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { values: {}, help: false, problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      parsed.help = true;
      continue;
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      parsed.problems.push(`argument "${arg}" is not --key=value`);
      continue;
    }
    const name = m[1]!;
    let value = m[2];
    if (value === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i];
    if (known && !known.includes(name)) {
      const near = nearest(name, known);
      parsed.problems.push(`--${name} is not a flag: ${near ? `did you mean --${near}?` : 'see --help'}`);
      continue;
    }
    if (value === undefined) parsed.problems.push(`argument --${name} has no value`);
    else parsed.values[name] = value;
  }
  return parsed;
}

/** The flags a table accepts on the command line. */
export function flagsOf(table: SettingsTable): string[] {
  return Object.entries(table).filter(([, s]) => !s.envOnly).map(([k]) => k);
}

/** The candidate nearest to `key`, within 3 edits. */
export function nearest(key: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of candidates) {
    const d = editDistance(key, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** Usage lines of a flag table: flag, value hint, help, env var and default. */
export function usageLines(table: SettingsTable): string[] {
  const rows = Object.entries(table).map(([key, s]) => [s.envOnly ? `env ${s.env}` : `--${key} ${s.type.hint}`, `${s.help}${sources(s)}`] as const);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

function sources(s: Setting): string {
  const parts = [s.env && !s.envOnly ? `env ${s.env}` : undefined, describeDefault(s)].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** `default 8`, `default: max(…)`, or undefined. */
function describeDefault(s: Setting): string | undefined {
  if (s.default !== undefined) return `default ${s.default}`;
  return s.derivedDefault ? `default ${s.derivedDefault}` : undefined;
}

/** The markdown table of an env table (key, modes, meaning), as docs/bridge.md carries it. */
export function settingsMarkdown(table: SettingsTable): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = Object.entries(table).map(([key, s]) => {
    const notes = [describeDefault(s), s.required ? (s.modes ? `required in ${s.modes.join(' and ')}` : 'required') : undefined].filter(Boolean);
    return `| \`${key}\` | ${s.modes ? s.modes.join(', ') : 'all'} | ${cell(s.help)}${notes.length ? ` (${notes.join('; ')})` : ''} |`;
  });
  return ['| key | modes | meaning |', '|---|---|---|', ...rows].join('\n');
}
