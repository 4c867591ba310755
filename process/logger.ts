// Structured JSON logs (pino) for every long-running process. Children carry the object key:
// `logger.child({ key: 'ns/name' })`.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Tokens and auth parameters never reach a log line, wherever they appear in an object.
    redact: { paths: ['*.token', '*.authorization', '*.Authorization', '*.authParams', 'token'], censor: '[redacted]' },
  });
}
