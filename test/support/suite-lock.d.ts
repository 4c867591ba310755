// Types of suite-lock.js (plain JavaScript: Jest loads it in the test environment, outside ts-jest).
export interface LockOptions { timeoutMs?: number }
export function acquireShared(dir: string, opts?: LockOptions): Promise<() => void>;
export function acquireExclusive(dir: string, opts?: LockOptions): Promise<() => void>;
