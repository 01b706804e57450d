/**
 * Major-incident figures for the analytics summary, read with SQL from the incidents room's tables (incidents,
 * incident_links). Like the ticket figures they count a cohort: the incidents detected in the range (their own
 * centre and category for the filters; one not local to a centre has the centre ''). A merged incident is not
 * counted: its children are counted in the one it went into. Durations are whole seconds from SQL, shown in hours.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf } from '../db/database.js';
import { dayStart, isoDay, ticketWhere, type AnalyticsFilter } from './filter.js';
import { median } from './medians.js';
import { dayOf, secondsBetween } from './rollup-sql.js';

/** Duration figures in hours, as in the summary (summary.ts imports this file, so the shape is restated here). */
export interface TimeStats {
  count: number;
  avgHours: number | null;
  medianHours: number | null;
}

export interface IncidentCentre {
  /** '' for incidents not local to one centre (SSO, email, a business system). */
  devCenter: string;
  incidents: number;
  peopleAffected: number;
  ticketsAbsorbed: number;
  detection: TimeStats;
  resolution: TimeStats;
}

export interface IncidentFigures {
  total: number;
  open: number;
  resolved: number;
  /** Distinct requesters among the children (someone in two incidents counts once). */
  peopleAffected: number;
  /** Child tickets: handled as part of an incident, not one by one. */
  ticketsAbsorbed: number;
  /** From the first ticket to the detection. */
  detection: TimeStats;
  /** From the first ticket to the resolution (resolved incidents). */
  resolution: TimeStats;
  overTime: { day: string; opened: number }[];
  devCenters: IncidentCentre[];
}

interface Row {
  dc: string;
  status: string;
  detect_s: number | string | null;
  resolve_s: number | string | null;
  tickets: number | string;
}

const hours = (s: number | null) => (s == null ? null : Math.round(s / 3.6) / 1000);
function stats(seconds: number[]): TimeStats {
  const sum = seconds.reduce((a, b) => a + b, 0);
  return {
    count: seconds.length,
    avgHours: seconds.length ? hours(sum / seconds.length) : null,
    medianHours: hours(median(seconds)),
  };
}
const num = (v: unknown) => Number(v) || 0;
function daysOf(f: AnalyticsFilter): string[] {
  const out: string[] = [];
  for (let t = dayStart(f.from).getTime(), end = dayStart(f.to).getTime(); t <= end; t += 86_400_000)
    out.push(isoDay(new Date(t)));
  return out;
}

/** The incident figures for a filter. */
export async function incidentFigures(sequelize: Sequelize, f: AnalyticsFilter): Promise<IncidentFigures> {
  const d = dialectOf(sequelize);
  const w = ticketWhere(f, 'i', true);
  const where = `${w.sql} AND i.status <> 'merged'`;
  const select = <T extends object>(sql: string) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements: w.replacements });
  const [rows, people, days] = await Promise.all([
    select<Row>(
      `SELECT COALESCE(i.dev_center, '') AS dc, i.status,
         ${secondsBetween(d, 'i.first_ticket_at', 'i.created_at')} AS detect_s,
         ${secondsBetween(d, 'i.first_ticket_at', 'i.resolved_at')} AS resolve_s,
         (SELECT COUNT(*) FROM incident_links l WHERE l.incident_id = i.id) AS tickets
       FROM incidents i WHERE ${where}`,
    ),
    select<{ dc: string | null; n: number | string }>(
      `SELECT COALESCE(i.dev_center, '') AS dc, COUNT(DISTINCT l.requester_email) AS n
       FROM incidents i JOIN incident_links l ON l.incident_id = i.id WHERE ${where} GROUP BY COALESCE(i.dev_center, '')`,
    ),
    select<{ day: string | Date; n: number | string }>(
      `SELECT ${dayOf(d, 'i.created_at')} AS day, COUNT(*) AS n FROM incidents i WHERE ${where} GROUP BY 1`,
    ),
  ]);
  const [all] = await select<{ n: number | string }>(
    `SELECT COUNT(DISTINCT l.requester_email) AS n FROM incidents i JOIN incident_links l ON l.incident_id = i.id WHERE ${where}`,
  );
  const peopleBy = new Map(people.map((p) => [p.dc ?? '', num(p.n)]));
  const centres = new Map<string, Row[]>();
  for (const r of rows) centres.set(r.dc, [...(centres.get(r.dc) ?? []), r]);
  const durations = (rs: Row[], k: 'detect_s' | 'resolve_s') =>
    rs.filter((r) => r[k] != null && (k === 'detect_s' || r.status === 'resolved')).map((r) => Math.max(0, num(r[k])));
  const byDay = new Map(
    days.map((r) => [r.day instanceof Date ? r.day.toISOString().slice(0, 10) : String(r.day).slice(0, 10), num(r.n)]),
  );
  return {
    total: rows.length,
    open: rows.filter((r) => r.status === 'open').length,
    resolved: rows.filter((r) => r.status === 'resolved').length,
    peopleAffected: num(all?.n),
    ticketsAbsorbed: rows.reduce((a, r) => a + num(r.tickets), 0),
    detection: stats(durations(rows, 'detect_s')),
    resolution: stats(durations(rows, 'resolve_s')),
    overTime: daysOf(f).map((day) => ({ day, opened: byDay.get(day) ?? 0 })),
    devCenters: [...centres.entries()]
      .map(([devCenter, rs]) => ({
        devCenter,
        incidents: rs.length,
        peopleAffected: peopleBy.get(devCenter) ?? 0,
        ticketsAbsorbed: rs.reduce((a, r) => a + num(r.tickets), 0),
        detection: stats(durations(rs, 'detect_s')),
        resolution: stats(durations(rs, 'resolve_s')),
      }))
      .sort((a, b) => a.devCenter.localeCompare(b.devCenter)),
  };
}
