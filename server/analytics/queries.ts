/**
 * The analytics summary: every figure on the page from a few small queries that run alike on SQLite and MySQL —
 * the monthly and daily roll-ups grouped by their dimensions, the per-day counts, deflections by day, and the
 * durations behind the medians (see rollup.ts for the tables). Everything counts tickets *created* in the range (a
 * cohort), so the figures add up with each other and with the CSV export; deflections count by their own date.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf } from '../db/database.js';
import { dayOf } from './rollup.js';
import { DAY_SUMS, PENDING_TABLE, pendingVal, SUMS } from './rollup-sql.js';
import { dayEnd, dayStart, isoDay, ticketWhere, type AnalyticsFilter } from './filter.js';
import { durationGroups, fetchDurations, EXACT_LIMIT } from './medians.js';
import { incidentFigures } from './incidents.js';
import { buildSummary, type RollupRow, type DayRow, type Summary } from './summary.js';

export type { Summary } from './summary.js';

/** Creates the query service; `exactLimit` is where medians switch from exact to sampled. */
export function createAnalyticsQueries(deps: { sequelize: Sequelize; clock?: () => Date; exactLimit?: number }) {
  const { sequelize } = deps;
  const clock = deps.clock ?? (() => new Date());
  const d = dialectOf(sequelize);
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  let options: { at: number; value: Summary['options'] } | null = null;

  /**
   * Whole months inside the range come from analytics_monthly, the days of partial months at either end from
   * analytics_daily, and the changes the fold job has not added to either yet from analytics_pending. One
   * statement reads all three, so a fold committing meanwhile is seen either entirely or not at all.
   */
  function spans(f: AnalyticsFilter) {
    const d0 = dayStart(f.from),
      after = dayEnd(f.to);
    const first = d0.getUTCDate() === 1 ? d0 : new Date(Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth() + 1, 1));
    const end = after.getUTCDate() === 1 ? after : new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), 1));
    return first < end ? { m0: isoDay(first), m1: isoDay(end) } : null;
  }

  const filters = (f: AnalyticsFilter) =>
    `${f.devCenter ? ' AND r.dev_center = :devCenter' : ''}${f.category ? ' AND r.category = :category' : ''}`;
  const groupCols = 'r.dev_center, r.category, r.route, r.agent_id, r.resolved_by';
  const pendingIn = (f: AnalyticsFilter, cs: readonly string[]) =>
    `SELECT ${cs.map((c) => `${pendingVal(c, 'r')} ${c}`).join(', ')} FROM ${PENDING_TABLE} r
     WHERE r.day >= :from AND r.day <= :to${filters(f)}`;

  async function groups(f: AnalyticsFilter): Promise<RollupRow[]> {
    const m = spans(f);
    const repl = { from: f.from, to: f.to, devCenter: f.devCenter ?? '', category: f.category ?? '', ...m };
    const daysWhere = m
      ? '((r.day >= :from AND r.day < :m0) OR (r.day >= :m1 AND r.day <= :to))'
      : 'r.day >= :from AND r.day <= :to';
    const cs = `${groupCols}, ${SUMS.map((c) => `r.${c}`).join(', ')}`;
    const parts = [
      ...(m ? [`SELECT ${cs} FROM analytics_monthly r WHERE r.month >= :m0 AND r.month < :m1${filters(f)}`] : []),
      `SELECT ${cs} FROM analytics_daily r WHERE ${daysWhere}${filters(f)}`,
      pendingIn(f, ['dev_center', 'category', 'route', 'agent_id', 'resolved_by', ...SUMS]),
    ];
    return select<RollupRow>(
      `SELECT ${groupCols}, ${SUMS.map((c) => `SUM(r.${c}) ${c}`).join(', ')} FROM (${parts.join(' UNION ALL ')}) r
       GROUP BY ${groupCols}`,
      repl,
    );
  }

  async function deflectionsByDay(f: AnalyticsFilter) {
    const w = ticketWhere(f, 'x');
    // Deflections have no category of their own: it is the category of the knowledge-base entry that helped.
    const join = f.category ? 'JOIN kb_entries k ON k.id = x.kb_entry_id' : '';
    const sql = w.sql.replace('x.category', 'k.category');
    return select<{ day: string | Date; n: number | string }>(
      `SELECT ${dayOf(d, 'x.created_at')} AS day, COUNT(*) AS n FROM deflections x ${join} WHERE ${sql} GROUP BY 1`,
      w.replacements,
    );
  }

  /** Development centres and categories that occur at all (for the filter menus); cached for a minute. */
  async function filterOptions(): Promise<Summary['options']> {
    if (options && clock().getTime() - options.at < 60_000) return options.value;
    const [centres, cats] = await Promise.all([
      select<{ v: string }>('SELECT DISTINCT dev_center AS v FROM tickets WHERE dev_center IS NOT NULL', {}),
      select<{ v: string }>('SELECT DISTINCT category AS v FROM tickets WHERE category IS NOT NULL', {}),
    ]);
    const sorted = (rows: { v: string }[]) =>
      rows
        .map((r) => r.v)
        .filter(Boolean)
        .sort((a, b) => a.localeCompare(b));
    options = { at: clock().getTime(), value: { devCenters: sorted(centres), categories: sorted(cats) } };
    return options.value;
  }

  return {
    /** The summary for a filter. */
    async summary(f: AnalyticsFilter): Promise<Summary> {
      const repl = { from: f.from, to: f.to, devCenter: f.devCenter ?? '', category: f.category ?? '' };
      const [rows, days, inRange, deflections, agents, opts, incidents] = await Promise.all([
        groups(f),
        select<DayRow>(
          `SELECT r.day, ${DAY_SUMS.map((c) => `SUM(r.${c}) ${c}`).join(', ')} FROM (
             SELECT r.day, ${DAY_SUMS.map((c) => `r.${c}`).join(', ')} FROM analytics_days r
             WHERE r.day >= :from AND r.day <= :to${filters(f)}
             UNION ALL ${pendingIn(f, ['day', ...DAY_SUMS])}) r GROUP BY r.day`,
          repl,
        ),
        // Unfiltered: how many fact rows a median read would walk through, whatever the centre or category.
        select<{ n: number | string | null }>(
          `SELECT SUM(r.tickets) n FROM (SELECT r.tickets FROM analytics_days r WHERE r.day >= :from AND r.day <= :to
           UNION ALL ${pendingIn({ from: f.from, to: f.to }, ['tickets'])}) r`,
          repl,
        ),
        deflectionsByDay(f),
        select<{ id: number; name: string }>(`SELECT id, name FROM agents WHERE kind = 'ai'`, {}),
        filterOptions(),
        incidentFigures(sequelize, f),
      ]);
      const durations = await fetchDurations(sequelize, f, Number(inRange[0]?.n ?? 0), deps.exactLimit ?? EXACT_LIMIT);
      const deflectionDays = new Map(deflections.map((r) => [normDay(r.day), Number(r.n)]));
      return buildSummary({
        filter: f,
        generatedAt: clock(),
        groups: rows,
        days: days.map((r) => ({ ...r, day: normDay(r.day) })),
        deflectionDays,
        agentNames: new Map(agents.map((a) => [Number(a.id), a.name])),
        durations: durationGroups(durations.rows),
        exact: durations.exact,
        options: opts,
        incidents,
      });
    },
    filterOptions,
    sequelize,
  };
}

/** mysql2 returns DATE columns as Date (midnight UTC with timezone +00:00) or text, SQLite as text. */
function normDay(v: string | Date): string {
  return v instanceof Date ? isoDay(v) : String(v).slice(0, 10);
}

export type AnalyticsQueries = ReturnType<typeof createAnalyticsQueries>;
