/**
 * Medians of resolution and first-response times. Medians cannot be rolled up like sums, so they come from
 * per-ticket durations in analytics_facts: all of them while the date range holds at most EXACT_LIMIT tickets
 * (the common case: a few weeks), every 32nd ticket beyond, so a year at a million tickets reads ~31k short
 * rows instead of 1M. The summary says which one it used.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { ticketWhere, type AnalyticsFilter } from './filter.js';

/** Above this many tickets in the date range, medians are computed from the sample. */
export const EXACT_LIMIT = 40_000;

export interface DurationRow {
  dev_center: string;
  route: string;
  agent_id: number;
  resolved_by: string;
  res_s: number | null;
  frt_s: number | null;
}

/**
 * The durations behind the medians, from analytics_facts: every ticket of the range when the range holds at
 * most `limit` tickets (whatever the centre/category filter, since rows are read in created_at order), only the
 * sampled ones otherwise. `sampled IN (…)` lets the database read the clustered key as one or two ranges.
 */
export async function fetchDurations(
  sequelize: Sequelize,
  f: AnalyticsFilter,
  ticketsInRange: number,
  limit = EXACT_LIMIT,
): Promise<{ rows: DurationRow[]; exact: boolean }> {
  const exact = ticketsInRange <= limit;
  const w = ticketWhere(f, 's');
  const rows = await sequelize.query<DurationRow>(
    `SELECT s.dev_center, s.route, s.agent_id, s.resolved_by, s.res_s, s.frt_s FROM analytics_facts s WHERE s.sampled IN (${exact ? '0, 1' : '1'}) AND ${w.sql}`,
    { type: QueryTypes.SELECT, replacements: w.replacements },
  );
  return { rows, exact };
}

/** Median of numbers (mean of the two middle values for an even count); null when empty. */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Groups resolution and first-response seconds by the keys the summary reports medians for. */
export function durationGroups(rows: DurationRow[]) {
  const res = {
    ai: new Map<number, number[]>(),
    itTeam: [] as number[],
    all: [] as number[],
    byCenter: new Map<string, number[]>(),
  };
  const frt = { all: [] as number[], byRoute: new Map<string, number[]>() };
  const push = <K>(m: Map<K, number[]>, k: K, v: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (const r of rows) {
    // mysql2 returns DECIMAL/BIGINT expressions as strings.
    const rs = r.res_s == null ? null : Number(r.res_s);
    const fs = r.frt_s == null ? null : Number(r.frt_s);
    if (rs != null) {
      res.all.push(rs);
      push(res.byCenter, r.dev_center, rs);
      if (r.resolved_by === 'ai') push(res.ai, Number(r.agent_id), rs);
      else if (r.resolved_by === 'it_team') res.itTeam.push(rs);
    }
    if (fs != null) {
      frt.all.push(fs);
      push(frt.byRoute, r.route, fs);
    }
  }
  return { res, frt };
}

export type DurationGroups = ReturnType<typeof durationGroups>;
