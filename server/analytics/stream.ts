/**
 * Live summaries over Server-Sent Events. Each stream sends a summary at once, then again shortly after any
 * ticket change inside its date range (debounced, so a burst of changes costs one recomputation), and every
 * `refreshMs` regardless, which also picks up changes made by other server processes and new deflections.
 * Streams with the same filter share one computation per change.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from '../log.js';
import type { AnalyticsEvents } from './events.js';
import { dayEnd, dayStart, type AnalyticsFilter } from './filter.js';
import type { AnalyticsQueries, Summary } from './queries.js';

export interface StreamDeps {
  queries: AnalyticsQueries;
  events: AnalyticsEvents;
  log: Logger;
  /** Delay that coalesces bursts of changes (ms). */
  debounceMs?: number;
  /** Periodic refresh (ms). */
  refreshMs?: number;
}

/** A summary memo keyed by filter and invalidated by every published change. */
export function createSummaryCache(queries: AnalyticsQueries, events: AnalyticsEvents) {
  let version = 0;
  const memo = new Map<string, { version: number; value: Promise<Summary> }>();
  events.subscribe(() => {
    version++;
    memo.clear();
  });
  return {
    /** The summary for a filter, computed once per change however many streams ask. */
    get(f: AnalyticsFilter, fresh = false): Promise<Summary> {
      const key = JSON.stringify(f);
      const hit = memo.get(key);
      if (hit && hit.version === version && !fresh) return hit.value;
      const value = queries.summary(f);
      memo.set(key, { version, value });
      value.catch(() => memo.delete(key));
      return value;
    },
  };
}

/** The SSE response for one client: `event: summary` with `{reason, summary}`; reason is initial | change | refresh. */
export function summaryStream(
  c: Context,
  f: AnalyticsFilter,
  deps: StreamDeps,
  cache: ReturnType<typeof createSummaryCache>,
) {
  const debounceMs = deps.debounceMs ?? 250;
  const refreshMs = deps.refreshMs ?? 30_000;
  const lo = dayStart(f.from).getTime();
  const hi = dayEnd(f.to).getTime();
  // Proxies such as nginx buffer responses unless told not to; an SSE stream must flow.
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(
    c,
    async (stream) => {
      let seq = 0;
      let timer: NodeJS.Timeout | null = null;
      let reason: 'change' | 'refresh' = 'refresh';
      let busy: Promise<void> = Promise.resolve();
      const send = (why: 'initial' | 'change' | 'refresh') => {
        busy = busy.then(async () => {
          if (stream.aborted || stream.closed) return;
          try {
            const summary = await cache.get(f, why === 'refresh');
            await stream.writeSSE({
              event: 'summary',
              id: String(++seq),
              data: JSON.stringify({ reason: why, summary }),
            });
          } catch (err) {
            deps.log.warn({ err }, 'analytics stream: summary failed');
          }
        });
        return busy;
      };
      const schedule = (why: 'change' | 'refresh') => {
        if (why === 'change') reason = 'change';
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          const r = reason;
          reason = 'refresh';
          void send(r);
        }, debounceMs);
      };
      const unsubscribe = deps.events.subscribe((ch) => {
        if (ch.createdAt == null || (ch.createdAt >= lo && ch.createdAt < hi)) schedule('change');
      });
      const refresh = setInterval(() => schedule('refresh'), refreshMs);
      // A comment line every 20 s keeps idle proxies and load balancers from closing the connection.
      const ping = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), 20_000);
      const done = new Promise<void>((resolve) => stream.onAbort(resolve));
      await send('initial');
      await done;
      unsubscribe();
      clearInterval(refresh);
      clearInterval(ping);
      if (timer) clearTimeout(timer);
    },
    async (err) => {
      deps.log.warn({ err }, 'analytics stream failed');
    },
  );
}
