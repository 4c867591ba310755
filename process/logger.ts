// Structured logs (pino) for every long-running process: JSON lines, or readable ones on a terminal
// (process/log-format.ts). Children carry the object key: `logger.child({ key: 'ns/name' })`.
import { pino, type DestinationStream, type Logger } from 'pino';
import { chooseLogFormat, prettyLine, type LogFormat } from './log-format.js';

export type { Logger };

export interface LoggerOptions {
  /** Default: LOG_FORMAT, else pretty on a terminal and JSON otherwise. */
  format?: LogFormat;
  /** Where lines go (default stdout); colours only when it is stdout on a terminal. */
  destination?: DestinationStream;
}

export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info', opts: LoggerOptions = {}): Logger {
  const format = opts.format ?? chooseLogFormat(process.env, process.stdout.isTTY === true);
  const options = {
    level,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // Tokens and auth parameters never reach a log line, wherever they appear in an object.
    redact: { paths: ['*.token', '*.authorization', '*.Authorization', '*.authParams', 'token'], censor: '[redacted]' },
  };
  if (format === 'json') return opts.destination ? pino(options, opts.destination) : pino(options);
  const out = opts.destination ?? process.stdout;
  const color = !opts.destination && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return pino(options, { write: (line: string) => void out.write(prettyLine(line, { color })) });
}
