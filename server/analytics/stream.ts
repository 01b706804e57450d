/**
 * Live summaries over Server-Sent Events, built so that listeners cost nothing per change: streams with the same
 * filter form one group, and a group computes its summary once per change (debounced, so a burst costs one
 * computation), serializes it once and hands the same bytes to every stream. The periodic refresh (which also picks
 * up changes made by other server processes and new deflections) is one timer per group, not per stream. Each
 * client (a console session, a link, the admin token) may hold only a few streams: 400 streams on one link once
 * made every ticket change cost 2.4 s of blocked server.
 *
 * A slow reader never piles up data: while a write to it is pending, only the newest summary is kept for it.
 */
import type { Context } from 'hono';
import { stream as honoStream } from 'hono/streaming';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AnalyticsEvents } from './events.js';
import { dayEnd, dayStart, type AnalyticsFilter } from './filter.js';
import type { AnalyticsQueries, Summary } from './queries.js';

/** A summary memo keyed by filter and invalidated by every published change. */
export function createSummaryCache(queries: AnalyticsQueries, events: AnalyticsEvents) {
  let version = 0;
  const memo = new Map<string, { version: number; value: Promise<Summary> }>();
  events.subscribe(() => {
    version++;
    memo.clear();
  });
  return {
    /** The summary for a filter, computed once per change however many callers ask. */
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
export type SummaryCache = ReturnType<typeof createSummaryCache>;

/** Who holds a stream: the cap counts per key; a link's streams close when it is revoked. */
export interface StreamClient {
  key: string;
  linkId?: number;
}

export interface HubDeps {
  events: AnalyticsEvents;
  cache: SummaryCache;
  log: Logger;
  /** Delay that coalesces bursts of changes (ms). */
  debounceMs?: number;
  /** Periodic refresh (ms). */
  refreshMs?: number;
  /** Streams one client may hold at once in this process. */
  maxPerClient?: number;
  /** Streams this process serves at once. */
  maxTotal?: number;
  /** Which of these link ids are still valid (checked on every refresh: a revocation in another process). */
  activeLinks?: (ids: number[]) => Promise<Set<number>>;
}

interface Sub {
  client: StreamClient;
  write(bytes: Uint8Array): Promise<void>;
  close(): void;
  busy: boolean;
  pending: Uint8Array | null;
}

interface Group {
  f: AnalyticsFilter;
  lo: number;
  hi: number;
  subs: Set<Sub>;
  seq: number;
  timer: NodeJS.Timeout | null;
  reason: 'change' | 'refresh';
  refresh: NodeJS.Timeout;
  running: boolean;
  again: 'change' | 'refresh' | null;
}

const enc = new TextEncoder();
const sse = (id: number, data: string) => enc.encode(`event: summary\nid: ${id}\ndata: ${data}\n\n`);
const PING = enc.encode(': ping\n\n');

/** Creates the hub: one bus subscription, one group per filter with open streams. */
export function createStreamHub(deps: HubDeps) {
  const debounceMs = deps.debounceMs ?? 250;
  const refreshMs = deps.refreshMs ?? 30_000;
  const maxPerClient = deps.maxPerClient ?? 3;
  const maxTotal = deps.maxTotal ?? 500;
  const groups = new Map<string, Group>();
  const perClient = new Map<string, number>();
  let total = 0;
  let computations = 0;

  /** Sends to one stream; while a write is pending only the newest payload is kept. */
  function push(s: Sub, bytes: Uint8Array) {
    if (s.busy) {
      s.pending = bytes;
      return;
    }
    s.busy = true;
    s.write(bytes)
      .catch(() => s.close())
      .finally(() => {
        s.busy = false;
        const next = s.pending;
        s.pending = null;
        if (next) push(s, next);
      });
  }

  /**
   * Computes and sends one summary to the whole group. One computation per group at a time: what is asked for
   * meanwhile is folded into a single follow-up (a change wins over a refresh), so a refresh that takes longer than
   * its period never piles up work, and older figures are never sent after newer ones.
   */
  function broadcast(g: Group, why: 'change' | 'refresh') {
    if (g.running) {
      g.again = g.again === 'change' || why === 'change' ? 'change' : 'refresh';
      return;
    }
    g.running = true;
    void (async () => {
      try {
        computations++;
        const summary = await deps.cache.get(g.f, why === 'refresh');
        const bytes = sse(++g.seq, JSON.stringify({ reason: why, summary }));
        for (const s of g.subs) push(s, bytes);
      } catch (err) {
        deps.log.warn({ err }, 'analytics stream: summary failed');
      } finally {
        g.running = false;
        const next = g.again;
        g.again = null;
        if (next && g.subs.size) broadcast(g, next);
      }
    })();
  }

  function schedule(g: Group, why: 'change' | 'refresh') {
    if (why === 'change') g.reason = 'change';
    if (g.timer) return;
    g.timer = setTimeout(() => {
      g.timer = null;
      const r = g.reason;
      g.reason = 'refresh';
      broadcast(g, r);
    }, debounceMs);
  }

  async function recheckLinks(g: Group) {
    if (!deps.activeLinks) return;
    const ids = [...new Set([...g.subs].flatMap((s) => (s.client.linkId ? [s.client.linkId] : [])))];
    if (!ids.length) return;
    const ok = await deps.activeLinks(ids).catch(() => null);
    if (!ok) return;
    // Only the links asked about: a stream that joined during the query is not judged by its answer.
    const asked = new Set(ids);
    for (const s of g.subs) if (s.client.linkId && asked.has(s.client.linkId) && !ok.has(s.client.linkId)) s.close();
  }

  deps.events.subscribe((ch) => {
    for (const g of groups.values())
      if (ch.createdAt == null || (ch.createdAt >= g.lo && ch.createdAt < g.hi)) schedule(g, 'change');
  });
  // A comment line every 20 s keeps idle proxies and load balancers from closing the connections.
  const ping = setInterval(() => {
    for (const g of groups.values()) for (const s of g.subs) push(s, PING);
  }, 20_000);
  ping.unref();

  function join(f: AnalyticsFilter, s: Sub): Group {
    const key = JSON.stringify(f);
    let g = groups.get(key);
    if (!g) {
      const group: Group = {
        f,
        lo: dayStart(f.from).getTime(),
        hi: dayEnd(f.to).getTime(),
        subs: new Set(),
        seq: 0,
        timer: null,
        reason: 'refresh',
        running: false,
        again: null,
        refresh: setInterval(() => {
          void recheckLinks(group);
          schedule(group, 'refresh');
        }, refreshMs),
      };
      groups.set(key, group);
      g = group;
    }
    g.subs.add(s);
    return g;
  }

  function release(client: StreamClient) {
    total--;
    const n = (perClient.get(client.key) ?? 1) - 1;
    if (n > 0) perClient.set(client.key, n);
    else perClient.delete(client.key);
  }

  function leave(key: string, g: Group, s: Sub) {
    if (!g.subs.delete(s)) return;
    if (!g.subs.size) {
      clearInterval(g.refresh);
      if (g.timer) clearTimeout(g.timer);
      groups.delete(key);
    }
  }

  return {
    /** The SSE response for one client: `event: summary` with `{reason, summary}` (initial | change | refresh). */
    open(c: Context, f: AnalyticsFilter, client: StreamClient) {
      if ((perClient.get(client.key) ?? 0) >= maxPerClient)
        throw new AppError(
          'rate_limited',
          `At most ${maxPerClient} live analytics streams per sign-in or link. Close another analytics tab.`,
        );
      if (total >= maxTotal) throw new AppError('unavailable', 'Too many live analytics streams right now.');
      perClient.set(client.key, (perClient.get(client.key) ?? 0) + 1);
      total++;
      c.header('Content-Type', 'text/event-stream');
      c.header('Cache-Control', 'no-cache, no-store');
      // Proxies such as nginx buffer responses unless told not to; an SSE stream must flow.
      c.header('X-Accel-Buffering', 'no');
      return honoStream(
        c,
        async (api) => {
          let closed!: () => void;
          const done = new Promise<void>((resolve) => {
            closed = resolve;
          });
          const sub: Sub = {
            client,
            write: (b) => api.write(b).then(() => undefined),
            close: () => closed(),
            busy: false,
            pending: null,
          };
          api.onAbort(() => closed());
          const key = JSON.stringify(f);
          let g: Group | null = null;
          try {
            g = join(f, sub);
            const summary = await deps.cache.get(f);
            push(sub, sse(g.seq, JSON.stringify({ reason: 'initial', summary })));
            await done;
          } catch (err) {
            deps.log.warn({ err }, 'analytics stream failed');
          } finally {
            if (g) leave(key, g, sub);
            release(client);
          }
        },
        async (err) => deps.log.warn({ err }, 'analytics stream failed'),
      );
    },
    /** Closes this process's streams of a revoked link. */
    closeLink(linkId: number) {
      for (const g of groups.values()) for (const s of g.subs) if (s.client.linkId === linkId) s.close();
    },
    /** Open streams, filter groups and summary computations so far (for /metrics and tests). */
    stats: () => ({ streams: total, groups: groups.size, computations }),
  };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
