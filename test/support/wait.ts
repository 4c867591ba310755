// Polls until a condition holds, failing with the last observation so a timeout explains itself.
// `failIf` names a reason to stop at once (a process that exited will never become ready).
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 250, failIf }: { timeoutMs?: number; intervalMs?: number; failIf?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const fatal = failIf?.();
    if (fatal) throw new Error(`gave up waiting for ${what}: ${fatal}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
