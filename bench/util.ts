/** Small helpers shared by the benchmarks. */
export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
export const now = () => process.hrtime.bigint();
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Polls fn until it returns a truthy value or the time is up. */
export async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Samples this process's RSS until stopped; returns the peak in MB. */
export function memorySampler(everyMs = 100) {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return { stop: () => (clearInterval(t), round(peak / 1048576, 0)) };
}

export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  target?: string;
  note?: string;
}
