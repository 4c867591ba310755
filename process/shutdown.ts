// Graceful shutdown: on SIGTERM/SIGINT run the registered steps in reverse order of registration
// (last started, first stopped), each bounded, then exit. A second signal exits at once.
import type { Logger } from './logger.js';

export type ShutdownStep = { name: string; run: () => Promise<void> | void };

export function onShutdown(log: Logger, steps: ShutdownStep[], timeoutMs = 25_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const shutdown = (signal = 'shutdown'): Promise<void> => {
    if (running) return running;
    log.info({ signal }, 'shutting down');
    running = (async () => {
      for (const step of [...steps].reverse()) {
        const started = Date.now();
        try {
          await withTimeout(Promise.resolve(step.run()), timeoutMs, step.name);
          log.info({ step: step.name, ms: Date.now() - started }, 'stopped');
        } catch (err) {
          log.error({ step: step.name, err }, 'shutdown step failed');
        }
      }
    })();
    return running;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (running) process.exit(1);
      void shutdown(signal).then(() => process.exit(0));
    });
  }
  return shutdown;
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
