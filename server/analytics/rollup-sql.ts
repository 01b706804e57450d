/** SQL fragments of the roll-up: per-dialect date arithmetic, a ticket's dimensions, and each summed column's value. */
import type { Dialect } from '../db/database.js';

/** Tickets whose id is a multiple of this are flagged `sampled` in analytics_facts. */
export const SAMPLE_EVERY = 32;

export const SUMS = [
  'tickets',
  'resolved',
  'res_sum',
  'escalated',
  'frt_n',
  'frt_sum',
  'fb1',
  'fb2',
  'fb3',
  'fb4',
  'fb5',
] as const;
/** What analytics_days counts per (day, centre, category). */
export const DAY_SUMS = ['tickets', 'resolved', 'escalated', 'ai', 'it_team', 'pool'] as const;
const FULL_KEY = ['dev_center', 'category', 'route', 'agent_id', 'resolved_by'];

/** One roll-up table: its key (time first) and the columns it sums. */
export interface Rollup {
  table: string;
  time: 'day' | 'month';
  key: string[];
  sums: readonly string[];
}
export const ROLLUPS: Rollup[] = [
  { table: 'analytics_daily', time: 'day', key: ['day', ...FULL_KEY], sums: SUMS },
  { table: 'analytics_monthly', time: 'month', key: ['month', ...FULL_KEY], sums: SUMS },
  {
    table: 'analytics_days',
    time: 'day',
    key: ['day', 'dev_center', 'category'],
    sums: DAY_SUMS,
  },
];

export const FACT_COLS = [
  'sampled',
  'created_at',
  'ticket_id',
  'dev_center',
  'category',
  'route',
  'agent_id',
  'resolved_by',
  'res_s',
  'frt_s',
];

/**
 * analytics_pending: one row per change of a ticket or its feedback (signed deltas under the full key), appended by
 * the triggers and folded into the roll-ups by a job. A route's counts for analytics_days follow from `route`.
 */
export const PENDING_TABLE = 'analytics_pending';
export const PENDING_COLS = ['day', ...FULL_KEY, ...SUMS];

/** The value a pending row `p` adds to a roll-up's column. */
export function pendingVal(col: string, p: string): string {
  return col === 'ai' || col === 'it_team' || col === 'pool'
    ? `CASE WHEN ${p}.route = '${col}' THEN ${p}.tickets ELSE 0 END`
    : `${p}.${col}`;
}

/** SQL for the UTC day of a DATETIME column ('YYYY-MM-DD'; SQLite stores Sequelize dates as UTC text). */
export const dayOf = (d: Dialect, col: string) => (d === 'sqlite' ? `substr(${col}, 1, 10)` : `DATE(${col})`);
/** SQL for the first day of the UTC month of a DATETIME column. */
export const monthOf = (d: Dialect, col: string) =>
  d === 'sqlite' ? `substr(${col}, 1, 7) || '-01'` : `DATE_FORMAT(${col}, '%Y-%m-01')`;

/** SQL for whole seconds from a to b (NULL when either is NULL). */
export const secondsBetween = (d: Dialect, a: string, b: string) =>
  d === 'sqlite'
    ? `CAST(round((julianday(${b}) - julianday(${a})) * 86400) AS INTEGER)`
    : `ROUND(TIMESTAMPDIFF(MICROSECOND, ${a}, ${b}) / 1000000)`;

/** Per-row dimensions of a ticket alias `r` (NEW, OLD or a table alias). */
export function dims(r: string) {
  return {
    devCenter: `COALESCE(${r}.dev_center, '')`,
    category: `COALESCE(${r}.category, '')`,
    route: `COALESCE(${r}.route, '')`,
    // Only AI agents are told apart: IT team members are one group, so the roll-up stays small.
    agent: `CASE WHEN ${r}.route = 'ai' OR ${r}.resolved_by = 'ai' THEN COALESCE(${r}.assignee_id, 0) ELSE 0 END`,
    // A reopened ticket keeps resolved_by but loses resolved_at: it is not resolved any more.
    resolvedBy: `CASE WHEN ${r}.resolved_at IS NULL THEN '' ELSE COALESCE(${r}.resolved_by, '') END`,
    resS: (d: Dialect) => secondsBetween(d, `${r}.created_at`, `${r}.resolved_at`),
    frtS: (d: Dialect) => secondsBetween(d, `${r}.created_at`, `${r}.first_response_at`),
  };
}

/** One ticket's value for a summed column; `score` is the SQL of its feedback score (or NULL). */
export function ticketVal(d: Dialect, col: string, r: string, score: string): string {
  const x = dims(r);
  switch (col) {
    case 'tickets':
      return '1';
    case 'resolved':
      return `CASE WHEN ${r}.resolved_at IS NULL THEN 0 ELSE 1 END`;
    case 'res_sum':
      return `COALESCE(${x.resS(d)}, 0)`;
    case 'escalated':
      return `CASE WHEN ${r}.escalated THEN 1 ELSE 0 END`;
    case 'frt_n':
      return `CASE WHEN ${r}.first_response_at IS NULL THEN 0 ELSE 1 END`;
    case 'frt_sum':
      return `COALESCE(${x.frtS(d)}, 0)`;
    case 'ai':
    case 'it_team':
    case 'pool':
      return `CASE WHEN ${r}.route = '${col}' THEN 1 ELSE 0 END`;
    default:
      return `CASE WHEN ${score} = ${col.slice(2)} THEN 1 ELSE 0 END`; // fb1 … fb5
  }
}

/** The analytics_facts row of a ticket, in FACT_COLS order. */
export function factExprs(d: Dialect, r: string): string[] {
  const x = dims(r);
  return [
    `CASE WHEN ${r}.id % ${SAMPLE_EVERY} = 0 THEN 1 ELSE 0 END`,
    `${r}.created_at`,
    `${r}.id`,
    x.devCenter,
    x.category,
    x.route,
    x.agent,
    x.resolvedBy,
    x.resS(d),
    x.frtS(d),
  ];
}
