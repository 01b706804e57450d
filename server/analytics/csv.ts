/**
 * CSV export of the tickets behind the summary: the same filter (tickets created in the range), read in pages
 * by (created_at, id) — the order of the created_at index — so a year of tickets streams in constant memory and
 * each page starts where the last ended instead of rescanning with OFFSET.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf } from '../db/database.js';
import { dims } from './rollup.js';
import { ticketWhere, type AnalyticsFilter } from './filter.js';

const PAGE = 2000;
export const CSV_COLUMNS = [
  'ref',
  'created_at',
  'dev_center',
  'category',
  'severity',
  'urgency',
  'route',
  'assignee',
  'status',
  'resolved_by',
  'escalated',
  'first_response_at',
  'resolved_at',
  'first_response_hours',
  'resolution_hours',
  'feedback_score',
] as const;

/** One CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets never run it as a formula. */
export function csvField(v: unknown): string {
  if (v == null) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  // Of the characters that start a formula only '-' also starts a number: a negative number is kept as it is.
  if (/^[=+\-@\t\r]/.test(s) && !/^-\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (v: unknown) =>
  v == null
    ? null
    : v instanceof Date
      ? v.toISOString()
      : new Date(String(v).replace(' +00:00', 'Z').replace(' ', 'T')).toISOString();
const hours = (s: unknown) => (s == null ? null : Math.round(Number(s) / 3.6) / 1000);

/** Yields the CSV text (header first) page by page. */
export async function* exportCsv(sequelize: Sequelize, f: AnalyticsFilter): AsyncGenerator<string> {
  const d = dialectOf(sequelize);
  const x = dims('t');
  const w = ticketWhere(f, 't');
  yield CSV_COLUMNS.join(',') + '\r\n';
  let after: { at: unknown; id: number } | null = null;
  for (;;) {
    const rows: Record<string, unknown>[] = await sequelize.query<Record<string, unknown>>(
      `SELECT t.id, t.ref, t.created_at, t.dev_center, t.category, t.severity, t.urgency, t.route, a.name AS assignee, t.status, ${x.resolvedBy} AS resolved_by,
       t.escalated, t.first_response_at, t.resolved_at, ${x.frtS(d)} AS frt_s, ${x.resS(d)} AS res_s, f.score
       FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN feedback f ON f.ticket_id = t.id
       WHERE ${w.sql}${after ? ' AND (t.created_at > :at OR (t.created_at = :at AND t.id > :id))' : ''} ORDER BY t.created_at, t.id LIMIT ${PAGE}`,
      { type: QueryTypes.SELECT, replacements: { ...w.replacements, at: after?.at ?? null, id: after?.id ?? 0 } },
    );
    if (!rows.length) return;
    yield rows
      .map((r) =>
        [
          r.ref,
          iso(r.created_at),
          r.dev_center,
          r.category,
          r.severity,
          r.urgency,
          r.route,
          r.assignee,
          r.status,
          r.resolved_by || null,
          Number(r.escalated) ? 1 : 0,
          iso(r.first_response_at),
          iso(r.resolved_at),
          hours(r.frt_s),
          hours(r.res_s),
          r.score,
        ]
          .map(csvField)
          .join(','),
      )
      .join('\r\n') + '\r\n';
    const last: Record<string, unknown> = rows[rows.length - 1]!;
    // The raw value as read (text on SQLite, Date on MySQL) compares exactly with the column.
    after = { at: last.created_at, id: Number(last.id) };
    if (rows.length < PAGE) return;
  }
}
