/**
 * The analytics roll-up, kept by database triggers so every writer (this process, another process, the demo
 * seeder, a bulk import) keeps it right without going through the ticket service:
 *
 * - analytics_daily / analytics_monthly: exact counts and sums per (UTC creation day or month, development
 *   centre, category, route, AI agent, resolved by). A year reads 12 monthly slices plus the days of at most two
 *   partial months, a few thousand rows instead of a million tickets (or ~90k daily rows).
 * - analytics_days: per (day, centre, category) counts for the over-time series.
 * - analytics_facts: one narrow row per ticket, clustered by (sampled, created_at) for medians, which cannot
 *   be summed: short ranges read every row, long ones only the 1-in-SAMPLE_EVERY sampled rows.
 * - analytics_pending: the triggers do not touch the three roll-ups above; they append each change as a row of
 *   signed deltas here, which no two writers share, and the fold job (fold.ts) adds those into the roll-ups in
 *   batches. Readers add the rows not folded yet, so a figure is exact whether the job ran a moment ago or not.
 *
 * The SQL differs per dialect only in date arithmetic, the upsert clause and trigger syntax (rollup-sql.ts).
 */
import type { Sequelize } from 'sequelize';
import { dialectOf, type Dialect } from '../db/database.js';
import { transaction as tx } from '../db/tx.js';
import {
  dayOf,
  dims,
  FACT_COLS,
  factExprs,
  monthOf,
  PENDING_COLS,
  PENDING_TABLE,
  ROLLUPS,
  SUMS,
  ticketVal,
  type Rollup,
} from './rollup-sql.js';

export { SAMPLE_EVERY, PENDING_TABLE, dayOf, dims, secondsBetween } from './rollup-sql.js';

export const keyExprs = (d: Dialect, t: Rollup, r: string) => {
  const x = dims(r);
  const when = t.time === 'day' ? dayOf(d, `${r}.created_at`) : monthOf(d, `${r}.created_at`);
  return t.key.length === 3
    ? [when, x.devCenter, x.category]
    : [when, x.devCenter, x.category, x.route, x.agent, x.resolvedBy];
};

export function upsertTail(d: Dialect, t: Rollup) {
  if (d === 'sqlite')
    return `ON CONFLICT(${t.key.join(', ')}) DO UPDATE SET ${t.sums.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  // Qualified: in INSERT … SELECT FROM tickets, `escalated` would otherwise be ambiguous.
  return `ON DUPLICATE KEY UPDATE ${t.sums.map((c) => `${t.table}.${c} = ${t.table}.${c} + VALUES(${c})`).join(', ')}`;
}

export const cols = (t: Rollup) => [...t.key, ...t.sums].join(', ');
const fbOf = (r: string) => `(SELECT f.score FROM feedback f WHERE f.ticket_id = ${r}.id)`;

/** Adds (sign 1) or removes (sign -1) one ticket row's contribution to every roll-up, feedback included. */
function ticketDeltas(d: Dialect, r: 'NEW' | 'OLD', sign: 1 | -1): string[] {
  return ROLLUPS.map(
    (t) =>
      `INSERT INTO ${t.table} (${cols(t)}) VALUES (${[...keyExprs(d, t, r), ...t.sums.map((c) => `${sign} * (${ticketVal(d, c, r, fbOf(r))})`)].join(', ')}) ${upsertTail(d, t)}`,
  );
}

/** Adds or removes one feedback row's score under its ticket's keys. */
function feedbackDeltas(d: Dialect, f: 'NEW' | 'OLD', sign: 1 | -1): string[] {
  return ROLLUPS.filter((t) => t.sums.includes('fb1')).map((t) => {
    const vals = t.sums.map((c) =>
      c.startsWith('fb') ? `${sign} * (CASE WHEN ${f}.score = ${c.slice(2)} THEN 1 ELSE 0 END)` : '0',
    );
    return `INSERT INTO ${t.table} (${cols(t)}) SELECT ${[...keyExprs(d, t, 't'), ...vals].join(', ')} FROM tickets t WHERE t.id = ${f}.ticket_id ${upsertTail(d, t)}`;
  });
}

/**
 * A ticket image as the SELECT of one analytics_pending row: (NEW, 1) adds the ticket, (OLD, -1) takes it out. Its
 * feedback is joined once, not looked up again for each of fb1 … fb5.
 */
function pendingRow(d: Dialect, r: 'NEW' | 'OLD', sign: 1 | -1): string {
  const x = dims(r);
  const f = `f_${r.toLowerCase()}`;
  const sums = SUMS.map((c) => `${sign} * (${ticketVal(d, c, r, `${f}.score`)})`);
  const vals = [dayOf(d, `${r}.created_at`), x.devCenter, x.category, x.route, x.agent, x.resolvedBy, ...sums];
  return `SELECT ${vals.join(', ')} FROM (SELECT 1 AS one) o_${f} LEFT JOIN feedback ${f} ON ${f}.ticket_id = ${r}.id`;
}
const pendingInsert = (...rows: string[]) =>
  `INSERT INTO ${PENDING_TABLE} (${PENDING_COLS.join(', ')}) ${rows.join(' UNION ALL ')}`;

/** One feedback row's score as a pending row under its ticket's keys. */
function pendingFeedback(d: Dialect, f: 'NEW' | 'OLD', sign: 1 | -1): string {
  const x = dims('t');
  const sums = SUMS.map((c) =>
    c.startsWith('fb') ? `${sign} * (CASE WHEN ${f}.score = ${c.slice(2)} THEN 1 ELSE 0 END)` : '0',
  );
  const vals = [dayOf(d, 't.created_at'), x.devCenter, x.category, x.route, x.agent, x.resolvedBy, ...sums];
  return `INSERT INTO ${PENDING_TABLE} (${PENDING_COLS.join(', ')})
    SELECT ${vals.join(', ')} FROM tickets t WHERE t.id = ${f}.ticket_id`;
}

/**
 * Where the triggers put a change. 'rollups' (migration 0004 up to 0020) upserts the roll-up rows themselves: every
 * ticket of a day and category updates the same few rows, so concurrent writers queue behind each other's row
 * locks on MySQL, and each ticket pays three keyed upserts. 'pending' appends one row to analytics_pending, which
 * no two writers share; the fold job (fold.ts) adds those rows into the roll-ups in batches, and readers add the
 * rows not folded yet, so the figures stay exact at every moment.
 */
export type Via = 'pending' | 'rollups';

function changes(d: Dialect, via: Via) {
  if (via === 'rollups') {
    const add = ticketDeltas(d, 'NEW', 1),
      sub = ticketDeltas(d, 'OLD', -1);
    return {
      add,
      sub,
      move: [...sub, ...add],
      fbAdd: feedbackDeltas(d, 'NEW', 1),
      fbSub: feedbackDeltas(d, 'OLD', -1),
    };
  }
  return {
    add: [pendingInsert(pendingRow(d, 'NEW', 1))],
    sub: [pendingInsert(pendingRow(d, 'OLD', -1))],
    move: [pendingInsert(pendingRow(d, 'OLD', -1), pendingRow(d, 'NEW', 1))],
    fbAdd: [pendingFeedback(d, 'NEW', 1)],
    fbSub: [pendingFeedback(d, 'OLD', -1)],
  };
}

const WATCHED = [
  'created_at',
  'dev_center',
  'category',
  'route',
  'assignee_id',
  'resolved_by',
  'resolved_at',
  'first_response_at',
  'escalated',
];

/** CREATE TRIGGER statements that keep the roll-ups (or their pending rows) and facts in step with the tickets. */
export function triggerStatements(d: Dialect, via: Via = 'pending'): string[] {
  // REPLACE: the unique ticket_id makes it delete the ticket's previous fact row first.
  const replace = `${d === 'sqlite' ? 'INSERT OR REPLACE' : 'REPLACE'} INTO analytics_facts (${FACT_COLS.join(', ')}) SELECT ${factExprs(d, 'NEW').join(', ')}`;
  // Not on MySQL, though: REPLACE takes a next-key lock on the unique ticket_id past the new ticket, which every
  // other ticket being inserted waits for. A new ticket has no fact row yet; a changed one changes its own.
  const factExpr = factExprs(d, 'NEW');
  const fresh =
    d === 'mysql' && via === 'pending'
      ? `INSERT IGNORE INTO analytics_facts (${FACT_COLS.join(', ')}) VALUES (${factExpr.join(', ')})`
      : replace;
  const changedFact =
    d === 'mysql' && via === 'pending'
      ? `UPDATE analytics_facts SET ${FACT_COLS.map((c, i) => `${c} = ${factExpr[i]}`).join(', ')}
         WHERE ticket_id = NEW.id`
      : replace;
  const unfact = 'DELETE FROM analytics_facts WHERE ticket_id = OLD.id';
  const body = (xs: string[]) => xs.map((x) => `${x};`).join(' ');
  const { add, sub, move, fbAdd, fbSub } = changes(d, via);
  if (d === 'sqlite') {
    return [
      `CREATE TRIGGER analytics_tickets_ai AFTER INSERT ON tickets BEGIN ${body([...add, fresh])} END`,
      `CREATE TRIGGER analytics_tickets_au AFTER UPDATE OF ${WATCHED.join(', ')} ON tickets BEGIN ${body([...move, changedFact])} END`,
      `CREATE TRIGGER analytics_tickets_ad AFTER DELETE ON tickets BEGIN ${body([...sub, unfact])} END`,
      `CREATE TRIGGER analytics_feedback_ai AFTER INSERT ON feedback BEGIN ${body(fbAdd)} END`,
      `CREATE TRIGGER analytics_feedback_au AFTER UPDATE OF score, ticket_id ON feedback BEGIN ${body([...fbSub, ...fbAdd])} END`,
      `CREATE TRIGGER analytics_feedback_ad AFTER DELETE ON feedback BEGIN ${body(fbSub)} END`,
    ];
  }
  // MySQL has no UPDATE OF: compare the watched columns with the NULL-safe <=> instead.
  const changed = WATCHED.map((c) => `NOT (OLD.${c} <=> NEW.${c})`).join(' OR ');
  return [
    `CREATE TRIGGER analytics_tickets_ai AFTER INSERT ON tickets FOR EACH ROW BEGIN ${body([...add, fresh])} END`,
    `CREATE TRIGGER analytics_tickets_au AFTER UPDATE ON tickets FOR EACH ROW BEGIN IF ${changed} THEN ${body([...move, changedFact])} END IF; END`,
    `CREATE TRIGGER analytics_tickets_ad AFTER DELETE ON tickets FOR EACH ROW BEGIN ${body([...sub, unfact])} END`,
    `CREATE TRIGGER analytics_feedback_ai AFTER INSERT ON feedback FOR EACH ROW BEGIN ${body(fbAdd)} END`,
    `CREATE TRIGGER analytics_feedback_au AFTER UPDATE ON feedback FOR EACH ROW BEGIN ${body([...fbSub, ...fbAdd])} END`,
    `CREATE TRIGGER analytics_feedback_ad AFTER DELETE ON feedback FOR EACH ROW BEGIN ${body(fbSub)} END`,
  ];
}

export const TRIGGERS = [
  'analytics_tickets_ai',
  'analytics_tickets_au',
  'analytics_tickets_ad',
  'analytics_feedback_ai',
  'analytics_feedback_au',
  'analytics_feedback_ad',
];
/** The roll-ups and the facts (migration 0004's tables; analytics_pending came with 0020). */
export const ANALYTICS_TABLES = [...ROLLUPS.map((t) => t.table), 'analytics_facts'];

/**
 * Recomputes every roll-up and the facts from tickets and feedback (after the migration, a bulk import, or to
 * repair); the pending deltas are dropped with them, as the rebuild already counts what they held. `pending`
 * false: analytics_pending does not exist yet (migration 0004).
 */
export async function rebuildAnalytics(sequelize: Sequelize, opts: { pending?: boolean } = {}): Promise<void> {
  const d = dialectOf(sequelize);
  const tables = opts.pending === false ? ANALYTICS_TABLES : [...ANALYTICS_TABLES, PENDING_TABLE];
  await tx(sequelize, async (transaction) => {
    for (const t of tables) await sequelize.query(`DELETE FROM ${t}`, { transaction });
    for (const t of ROLLUPS) {
      const groups = t.key.map((_, i) => i + 1).join(', ');
      await sequelize.query(
        `INSERT INTO ${t.table} (${cols(t)}) SELECT ${[...keyExprs(d, t, 't'), ...t.sums.map((c) => `SUM(${ticketVal(d, c, 't', 'f.score')})`)].join(', ')}
         FROM tickets t LEFT JOIN feedback f ON f.ticket_id = t.id GROUP BY ${groups}`,
        { transaction },
      );
    }
    await sequelize.query(
      `INSERT INTO analytics_facts (${FACT_COLS.join(', ')}) SELECT ${factExprs(d, 't').join(', ')} FROM tickets t WHERE 1 = 1`,
      { transaction },
    );
  });
}
