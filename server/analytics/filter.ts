/** The analytics filter: parsing from a query string, defaults, and the SQL conditions shared by every query. */
import { z } from 'zod';
import { AppError } from '../errors.js';

/** Tickets created on days from..to (inclusive, UTC, YYYY-MM-DD), optionally one development centre and category. */
export interface AnalyticsFilter {
  from: string;
  to: string;
  devCenter?: string;
  category?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 3 * 366;
export const DEFAULT_DAYS = 90;

const schema = z.object({
  from: z.string().regex(DAY, 'must be YYYY-MM-DD').optional(),
  to: z.string().regex(DAY, 'must be YYYY-MM-DD').optional(),
  devCenter: z.string().trim().max(100).optional(),
  category: z.string().trim().max(60).optional(),
});

/** 'YYYY-MM-DD' of a Date in UTC. */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** The UTC midnight that starts a day. */
export const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);
/** The UTC midnight after a day (exclusive upper bound). */
export const dayEnd = (day: string) => new Date(dayStart(day).getTime() + 86_400_000);

/** Parses ?from=&to=&devCenter=&category=; by default the DEFAULT_DAYS days up to today. Throws validation_failed. */
export function parseFilter(query: Record<string, string | undefined>, now: Date): AnalyticsFilter {
  const r = schema.safeParse(query);
  const fields: Record<string, string> = {};
  if (!r.success) for (const i of r.error.issues) fields[i.path.join('.')] ??= i.message;
  const q = r.success ? r.data : {};
  const to = q.to ?? isoDay(now);
  const from = q.from ?? isoDay(new Date(dayStart(to).getTime() - (DEFAULT_DAYS - 1) * 86_400_000));
  if (!r.success || Number.isNaN(dayStart(from).getTime()) || Number.isNaN(dayStart(to).getTime())) {
    if (!Object.keys(fields).length) fields.from = 'not a date';
  } else if (from > to) fields.from = 'must not be after to';
  else if ((dayStart(to).getTime() - dayStart(from).getTime()) / 86_400_000 > MAX_DAYS)
    fields.from = `the range is limited to ${MAX_DAYS} days`;
  if (Object.keys(fields).length)
    throw new AppError('validation_failed', `Invalid ${Object.keys(fields).join(', ')}.`, { fields });
  return {
    from,
    to,
    ...(q.devCenter ? { devCenter: q.devCenter } : {}),
    ...(q.category ? { category: q.category } : {}),
  };
}

/** The filter as a query string (for links and the SSE URL). */
export function filterQuery(f: AnalyticsFilter): string {
  const p = new URLSearchParams({ from: f.from, to: f.to });
  if (f.devCenter) p.set('devCenter', f.devCenter);
  if (f.category) p.set('category', f.category);
  return p.toString();
}

/**
 * WHERE conditions and replacements for a table with created_at/dev_center/category columns (alias `a`).
 * The bounds are Date objects so Sequelize formats them per dialect (UTC text on SQLite, DATETIME on MySQL).
 */
export function ticketWhere(f: AnalyticsFilter, a: string, nullAsEmpty = false) {
  const col = (c: string) => (nullAsEmpty ? `COALESCE(${a}.${c}, '')` : `${a}.${c}`);
  const parts = [`${a}.created_at >= :fromTs`, `${a}.created_at < :toTs`];
  if (f.devCenter) parts.push(`${col('dev_center')} = :devCenter`);
  if (f.category) parts.push(`${col('category')} = :category`);
  return {
    sql: parts.join(' AND '),
    replacements: {
      fromTs: dayStart(f.from),
      toTs: dayEnd(f.to),
      devCenter: f.devCenter ?? '',
      category: f.category ?? '',
    },
  };
}
