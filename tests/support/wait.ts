/** Waiting in tests and benchmarks: poll a condition instead of sleeping a guessed time. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls fn until it returns a truthy value (errors count as "not yet": the server may be restarting) or the time is
 * up, then fails naming what it waited for.
 */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  ms = 8000,
  what = 'condition',
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
