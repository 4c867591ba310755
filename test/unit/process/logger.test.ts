import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../process/logger.js';
import { chooseLogFormat, prettyLine } from '../../../process/log-format.js';

function capture(): { lines: string[]; destination: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

describe('chooseLogFormat', () => {
  it('is readable on a terminal and JSON anywhere else', () => {
    expect(chooseLogFormat({}, true)).toBe('pretty');
    expect(chooseLogFormat({}, false)).toBe('json');
  });

  it('LOG_FORMAT overrides the terminal check either way', () => {
    expect(chooseLogFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(chooseLogFormat({ LOG_FORMAT: '' }, false)).toBe('json');
  });

  it('refuses an unknown LOG_FORMAT, naming the variable and its values', () => {
    expect(() => chooseLogFormat({ LOG_FORMAT: 'text' }, true))
      .toThrow('LOG_FORMAT=text is not a log format: set LOG_FORMAT to json or pretty, or unset it');
  });
});

describe('prettyLine', () => {
  it('puts time, level, component and message first, then the other fields as key=value', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-11-30T12:03:04.567Z', pid: 1, hostname: 'h', component: 'controller', key: 'default/echo', ms: 12, msg: 'reconciled' });
    expect(prettyLine(line)).toBe('12:03:04.567  INFO   controller  reconciled  key=default/echo  ms=12\n');
  });

  it('quotes strings with spaces, writes objects as JSON, and prints an error\'s stack below', () => {
    const line = JSON.stringify({
      level: 'error', time: '2026-11-30T12:03:04.567Z', component: 'scaler', msg: 'failed', why: 'two words', at: { a: 1 },
      err: { type: 'Error', message: 'boom', status: 403, stack: 'Error: boom\n    at f (x.ts:1:1)\n    at g (y.ts:2:2)' },
    });
    expect(prettyLine(line)).toBe('12:03:04.567  ERROR  scaler  failed  why="two words"  at={"a":1}  err=boom  err.status=403\n    at f (x.ts:1:1)\n    at g (y.ts:2:2)\n');
  });

  it('colours the level and component when asked', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-11-30T12:03:04.567Z', component: 'bridge', msg: 'slow' });
    expect(prettyLine(line, { color: true })).toBe('12:03:04.567  \u001b[33mWARN \u001b[0m  \u001b[36mbridge\u001b[0m  slow\n');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line in the json format, tokens redacted', () => {
    const { lines, destination } = capture();
    createLogger('scaler', 'info', { format: 'json', destination }).info({ key: 'ns/f', auth: { token: 'secret' } }, 'hello');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', component: 'scaler', key: 'ns/f', auth: { token: '[redacted]' }, msg: 'hello' });
    expect(typeof entry.time).toBe('string');
  });

  it('writes readable lines, without colours, in the pretty format, tokens redacted too', () => {
    const { lines, destination } = capture();
    createLogger('start', 'info', { format: 'pretty', destination }).info({ auth: { token: 'secret' } }, 'platform up');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}INFO {3}start {2}platform up {2}auth=\{"token":"\[redacted\]"\}\n$/);
  });
});
