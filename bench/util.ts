/** Small helpers shared by the benchmarks. */
import { sleep, until as waitUntil } from '../tests/support/wait.js';

export { sleep };

export const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
export const now = () => process.hrtime.bigint();

/** Polls fn until it returns a truthy value or the time is up (the tests' helper, polling faster). */
export const until = <T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string) =>
  waitUntil(fn, timeoutMs, what, 20);

/** Samples this process's RSS until stopped; returns the peak in MB. */
export function memorySampler(everyMs = 100) {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    stop: () => {
      clearInterval(t);
      return round(peak / 1048576, 0);
    },
  };
}

export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  target?: string;
  note?: string;
}
