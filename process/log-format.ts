// Readable log lines for a person at a terminal. pino writes one JSON object per line; on a TTY the
// logger hands each line to `prettyLine` instead of the terminal. Elsewhere (pods, CI, files, pipes)
// the JSON stays, as log collectors and pino users expect.

export type LogFormat = 'json' | 'pretty';

/** `LOG_FORMAT` (json | pretty) when set, else pretty on a terminal and JSON anywhere else. */
export function chooseLogFormat(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): LogFormat {
  const wanted = env.LOG_FORMAT?.trim();
  if (!wanted) return stdoutIsTTY ? 'pretty' : 'json';
  if (wanted === 'json' || wanted === 'pretty') return wanted;
  throw new Error(`LOG_FORMAT=${wanted} is not a log format: set LOG_FORMAT to json or pretty, or unset it`);
}

const LEVEL_COLORS: Record<string, string> = { fatal: '35', error: '31', warn: '33', info: '32', debug: '90', trace: '90' };

/**
 * `12:03:04.567 INFO  controller  reconciled  key=default/echo ms=12`, from one pino JSON line:
 * time (UTC, as logged), level, component, message, then every other field as key=value; an error's
 * stack follows on indented lines. A line that is not JSON is passed through.
 */
export function prettyLine(json: string, { color = false } = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, component, msg, err, pid: _pid, hostname: _hostname, ...fields } = entry;
  const label = String(level ?? '').toUpperCase().padEnd(5);
  const paint = (code: string | undefined, text: string): string => (color && code ? `\u001b[${code}m${text}\u001b[0m` : text);
  const head = [
    typeof time === 'string' ? time.slice(11, 23) : '',
    paint(LEVEL_COLORS[String(level)], label),
    component === undefined ? '' : paint('36', String(component)),
    String(msg ?? ''),
  ].filter(Boolean).join('  ');
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${formatValue(v)}`);
  const { message, stack, type: _type, ...details } = (err ?? {}) as { message?: string; stack?: string; type?: string };
  if (message !== undefined) rest.push(`err=${formatValue(message)}`);
  rest.push(...Object.entries(details).map(([k, v]) => `err.${k}=${formatValue(v)}`));
  const trace = stack ? `\n${stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n')}` : '';
  return `${[head, ...rest].join('  ')}${trace}\n`;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
