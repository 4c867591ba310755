// Keeps the operator config file current while the controller runs. A ConfigMap mounted as a
// volume changes by the kubelet swapping a symlink in the file's directory, so the directory is
// watched (not the file, whose inode is replaced), with a slow poll as a safety net for file
// systems without change events. Only a changed, valid content is passed on; an invalid one is
// logged and the last good config stays in force.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../process/logger.js';
import { parseOperatorConfig, type OperatorConfig } from './operator-config.js';

export interface OperatorConfigWatch {
  close(): void;
}

export interface WatchOptions {
  /** Waits this long after a change event before reading (a swap comes as several events). */
  debounceMs?: number;
  pollMs?: number;
}

export function watchOperatorConfig(file: string, initial: string, onChange: (config: OperatorConfig) => void, log: Logger, opts: WatchOptions = {}): OperatorConfigWatch {
  let last = initial;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = async () => {
    timer = undefined;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log.error({ file, err: String(err) }, 'operator config file unreadable: the last good config stays in force');
      return;
    }
    if (closed || text === last) return;
    last = text;
    try {
      const config = parseOperatorConfig(text, file);
      log.info({ file }, 'operator config changed: re-rendering every resource');
      onChange(config);
    } catch (err) {
      log.error({ file, err: err instanceof Error ? err.message : String(err) }, 'operator config file is invalid: the last good config stays in force');
    }
  };
  const soon = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void check(), opts.debounceMs ?? 200);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(file), soon);
    watcher.on('error', (err) => log.warn({ file, err: String(err) }, 'operator config directory watch failed: polling only'));
  } catch (err) {
    log.warn({ file, err: String(err) }, 'cannot watch the operator config directory: polling only');
  }
  const poll = setInterval(soon, opts.pollMs ?? 10_000);
  poll.unref();
  return {
    close() {
      closed = true;
      watcher?.close();
      clearInterval(poll);
      clearTimeout(timer);
    },
  };
}
