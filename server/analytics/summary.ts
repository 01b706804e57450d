/** Turns roll-up rows and durations into the summary JSON (pure: no I/O, so its arithmetic is easy to check). */
import { dayStart, isoDay, type AnalyticsFilter } from './filter.js';
import type { IncidentFigures } from './incidents.js';
import { median, type DurationGroups } from './medians.js';

/** A roll-up group (mysql2 returns SUMs as strings, hence the unions). */
export interface RollupRow {
  dev_center: string;
  category: string;
  route: string;
  agent_id: number | string;
  resolved_by: string;
  tickets: number | string;
  resolved: number | string;
  res_sum: number | string;
  escalated: number | string;
  frt_n: number | string;
  frt_sum: number | string;
  fb1: number | string;
  fb2: number | string;
  fb3: number | string;
  fb4: number | string;
  fb5: number | string;
}
export interface DayRow {
  day: string;
  tickets: number | string;
  resolved: number | string;
  escalated: number | string;
  ai: number | string;
  it_team: number | string;
  pool: number | string;
}

/** Duration figures in hours (3 decimals); null when nothing was measured. */
export interface TimeStats {
  count: number;
  avgHours: number | null;
  medianHours: number | null;
}

/** The JSON of GET /api/analytics/summary (documented in the README). */
export interface Summary {
  filter: AnalyticsFilter;
  generatedAt: string;
  /** 'exact': medians over every ticket; 'sampled': over every 32nd ticket (large ranges). Counts and averages are always exact. */
  medians: 'exact' | 'sampled';
  totals: { tickets: number; resolved: number; open: number; escalated: number; feedback: number; deflections: number };
  distribution: { ai: number; itTeam: number; pool: number; untriaged: number };
  /** `suggestion`: the requester confirmed the article their acknowledgment suggested ("This solved it"). */
  resolvedBy: { ai: number; itTeam: number; suggestion: number };
  feedback: { counts: { score: number; count: number }[]; average: number | null };
  resolutionTime: {
    overall: TimeStats;
    itTeam: TimeStats;
    aiAgents: (TimeStats & { agentId: number; agent: string })[];
  };
  firstResponse: TimeStats & { byRoute: (TimeStats & { route: string })[] };
  devCenters: {
    devCenter: string;
    tickets: number;
    resolved: number;
    open: number;
    escalated: number;
    byCategory: Record<string, number>;
    resolution: TimeStats;
  }[];
  categories: string[];
  overTime: {
    day: string;
    created: number;
    resolved: number;
    escalated: number;
    ai: number;
    itTeam: number;
    pool: number;
    deflections: number;
  }[];
  escalations: { count: number; rate: number | null };
  /** Major incidents detected in the range (server/analytics/incidents.ts). */
  incidents: IncidentFigures;
  options: { devCenters: string[]; categories: string[] };
}

const hours = (seconds: number | null) => (seconds == null ? null : Math.round(seconds / 3.6) / 1000);
const stats = (count: number, sumSeconds: number, medianOf: number[] | undefined): TimeStats => ({
  count,
  avgHours: count ? hours(sumSeconds / count) : null,
  medianHours: hours(median(medianOf ?? [])),
});

/** Every day from..to, for zero-filled series. */
export function daysOf(f: AnalyticsFilter): string[] {
  const out: string[] = [];
  for (let t = dayStart(f.from).getTime(), end = dayStart(f.to).getTime(); t <= end; t += 86_400_000)
    out.push(isoDay(new Date(t)));
  return out;
}

interface Acc {
  n: number;
  sum: number;
}
const acc = (): Acc => ({ n: 0, sum: 0 });

/** Assembles the summary from the query results. */
export function buildSummary(x: {
  filter: AnalyticsFilter;
  generatedAt: Date;
  groups: RollupRow[];
  days: DayRow[];
  deflectionDays: Map<string, number>;
  agentNames: Map<number, string>;
  durations: DurationGroups;
  exact: boolean;
  options: Summary['options'];
  incidents: IncidentFigures;
}): Summary {
  const N = (v: number | string) => Number(v) || 0;
  const t = { tickets: 0, resolved: 0, escalated: 0 };
  const dist = { ai: 0, itTeam: 0, pool: 0, untriaged: 0 };
  const fb = [0, 0, 0, 0, 0];
  const res = { all: acc(), it: acc(), suggestion: 0, ai: new Map<number, Acc>() };
  const frt = { all: acc(), byRoute: new Map<string, Acc>() };
  const centres = new Map<string, Summary['devCenters'][number] & { sum: number }>();
  const categories = new Set<string>();
  for (const g of x.groups) {
    const n = N(g.tickets),
      resolved = N(g.resolved),
      resSum = N(g.res_sum);
    if (!n && !resolved && !N(g.frt_n)) continue; // rows left at zero by triggers after moves
    t.tickets += n;
    t.resolved += resolved;
    t.escalated += N(g.escalated);
    if (g.route === 'ai') dist.ai += n;
    else if (g.route === 'it_team') dist.itTeam += n;
    else if (g.route === 'pool') dist.pool += n;
    else dist.untriaged += n;
    for (const [i, v] of [g.fb1, g.fb2, g.fb3, g.fb4, g.fb5].entries()) fb[i]! += N(v);
    res.all.n += resolved;
    res.all.sum += resSum;
    if (g.resolved_by === 'it_team') {
      res.it.n += resolved;
      res.it.sum += resSum;
    }
    if (g.resolved_by === 'suggestion') res.suggestion += resolved;
    if (g.resolved_by === 'ai') {
      const a = res.ai.get(N(g.agent_id)) ?? res.ai.set(N(g.agent_id), acc()).get(N(g.agent_id))!;
      a.n += resolved;
      a.sum += resSum;
    }
    frt.all.n += N(g.frt_n);
    frt.all.sum += N(g.frt_sum);
    const fr = frt.byRoute.get(g.route) ?? frt.byRoute.set(g.route, acc()).get(g.route)!;
    fr.n += N(g.frt_n);
    fr.sum += N(g.frt_sum);
    const c =
      centres.get(g.dev_center) ??
      centres
        .set(g.dev_center, {
          devCenter: g.dev_center,
          tickets: 0,
          resolved: 0,
          open: 0,
          escalated: 0,
          byCategory: {},
          resolution: stats(0, 0, []),
          sum: 0,
        })
        .get(g.dev_center)!;
    c.tickets += n;
    c.resolved += resolved;
    c.escalated += N(g.escalated);
    c.sum += resSum;
    if (n) {
      c.byCategory[g.category] = (c.byCategory[g.category] ?? 0) + n;
      categories.add(g.category);
    }
  }
  const feedbackTotal = fb.reduce((a, b) => a + b, 0);
  const byDay = new Map(x.days.map((r) => [r.day, r]));
  const overTime = daysOf(x.filter).map((day) => {
    const r = byDay.get(day);
    return {
      day,
      created: r ? N(r.tickets) : 0,
      resolved: r ? N(r.resolved) : 0,
      escalated: r ? N(r.escalated) : 0,
      ai: r ? N(r.ai) : 0,
      itTeam: r ? N(r.it_team) : 0,
      pool: r ? N(r.pool) : 0,
      deflections: x.deflectionDays.get(day) ?? 0,
    };
  });
  const D = x.durations;
  return {
    filter: x.filter,
    generatedAt: x.generatedAt.toISOString(),
    medians: x.exact ? 'exact' : 'sampled',
    totals: {
      tickets: t.tickets,
      resolved: t.resolved,
      open: t.tickets - t.resolved,
      escalated: t.escalated,
      feedback: feedbackTotal,
      deflections: overTime.reduce((a, r) => a + r.deflections, 0),
    },
    distribution: dist,
    resolvedBy: {
      ai: [...res.ai.values()].reduce((a, r) => a + r.n, 0),
      itTeam: res.it.n,
      suggestion: res.suggestion,
    },
    feedback: {
      counts: fb.map((count, i) => ({ score: i + 1, count })),
      average: feedbackTotal
        ? Math.round((fb.reduce((a, c, i) => a + c * (i + 1), 0) / feedbackTotal) * 1000) / 1000
        : null,
    },
    resolutionTime: {
      overall: stats(res.all.n, res.all.sum, D.res.all),
      itTeam: stats(res.it.n, res.it.sum, D.res.itTeam),
      aiAgents: [...res.ai.entries()]
        .filter(([, a]) => a.n)
        .map(([id, a]) => ({
          agentId: id,
          agent: x.agentNames.get(id) ?? (id ? `agent ${id}` : 'AI agent'),
          ...stats(a.n, a.sum, D.res.ai.get(id)),
        }))
        .sort((p, q) => p.agent.localeCompare(q.agent)),
    },
    firstResponse: {
      ...stats(frt.all.n, frt.all.sum, D.frt.all),
      byRoute: [...frt.byRoute.entries()]
        .filter(([, a]) => a.n)
        .map(([route, a]) => ({ route, ...stats(a.n, a.sum, D.frt.byRoute.get(route)) }))
        .sort((p, q) => p.route.localeCompare(q.route)),
    },
    devCenters: [...centres.values()]
      .filter((c) => c.tickets)
      .map(({ sum, ...c }) => ({
        ...c,
        open: c.tickets - c.resolved,
        resolution: stats(c.resolved, sum, D.res.byCenter.get(c.devCenter)),
      }))
      .sort((p, q) => p.devCenter.localeCompare(q.devCenter)),
    categories: [...categories].sort((a, b) => a.localeCompare(b)),
    overTime,
    escalations: { count: t.escalated, rate: t.tickets ? Math.round((t.escalated / t.tickets) * 1000) / 1000 : null },
    incidents: x.incidents,
    options: x.options,
  };
}
