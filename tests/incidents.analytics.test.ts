/**
 * The major-incident figures of the analytics summary, as tests/analytics.test.ts checks the ticket figures:
 * fixture incidents and children go in through the models, and every figure is compared with values computed here
 * independently from the fixture list, for the whole range, a centre, a category and a range that cuts some off.
 * Runs on SQLite, and on MariaDB when DATABASE_URL says mysql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsQueries } from '../server/analytics/queries.js';
import { initIncidentModels } from '../server/incidents/models.js';
import { createTestDb, type TestDb } from './support/db.js';

const MIN = 60_000;
const BASE = Date.parse('2026-02-01T00:00:00Z');
const CATS = ['Networking & Connectivity', 'Collaboration Tools'] as const;
const CENTRES = ['Pune', 'Austin', null] as const; // null: not local to one centre

interface Fx {
  id: number;
  detected: number;
  first: number;
  resolved: number | null;
  status: 'open' | 'resolved' | 'merged';
  devCenter: string | null;
  category: string;
  children: { email: string }[];
}

let seed = 11;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length ? (s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) : null;
};
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function expected(all: Fx[], f: { from: string; to: string; devCenter?: string; category?: string }) {
  const lo = Date.parse(`${f.from}T00:00:00Z`);
  const hi = Date.parse(`${f.to}T00:00:00Z`) + 24 * 60 * MIN;
  const xs = all.filter(
    (i) =>
      i.status !== 'merged' &&
      i.detected >= lo &&
      i.detected < hi &&
      (f.devCenter === undefined || (i.devCenter ?? '') === f.devCenter) &&
      (!f.category || i.category === f.category),
  );
  const hours = (ms: number) => ms / 3_600_000;
  const stat = (ys: Fx[], k: 'detect' | 'resolve') => {
    const v = ys
      .filter((i) => k === 'detect' || i.status === 'resolved')
      .map((i) => hours((k === 'detect' ? i.detected : i.resolved!) - i.first));
    return { count: v.length, avg: avg(v), median: med(v) };
  };
  const centres = [...new Set(xs.map((i) => i.devCenter ?? ''))].sort();
  return {
    total: xs.length,
    open: xs.filter((i) => i.status === 'open').length,
    resolved: xs.filter((i) => i.status === 'resolved').length,
    people: new Set(xs.flatMap((i) => i.children.map((c) => c.email))).size,
    tickets: xs.reduce((a, i) => a + i.children.length, 0),
    detect: stat(xs, 'detect'),
    resolve: stat(xs, 'resolve'),
    days: new Map(xs.map((i) => [day(i.detected), xs.filter((j) => day(j.detected) === day(i.detected)).length])),
    centres: centres.map((c) => {
      const ys = xs.filter((i) => (i.devCenter ?? '') === c);
      return {
        devCenter: c,
        incidents: ys.length,
        people: new Set(ys.flatMap((i) => i.children.map((k) => k.email))).size,
        tickets: ys.reduce((a, i) => a + i.children.length, 0),
        detect: stat(ys, 'detect'),
        resolve: stat(ys, 'resolve'),
      };
    }),
  };
}

describe('analytics: major incidents', () => {
  let db: TestDb;
  const fx: Fx[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    const { Incident, IncidentLink } = initIncidentModels(db.sequelize);
    const { Requester, Ticket } = db.models;
    let ticketNo = 0;
    for (let n = 0; n < 40; n++) {
      const detected = BASE + Math.floor(rnd() * 28 * 24 * 60) * MIN;
      const first = detected - Math.floor(1 + rnd() * 25) * MIN;
      const status = pick(['open', 'resolved', 'resolved', 'merged'] as const);
      const resolved = status === 'resolved' ? detected + Math.floor(5 + rnd() * 600) * MIN : null;
      const devCenter = pick(CENTRES);
      const category = pick(CATS);
      const i = await Incident.create({
        ref: null,
        title: `incident ${n}`,
        category,
        devCenter,
        scope: devCenter ? 'centre' : 'global',
        issue: null,
        openKey: null,
        status,
        severity: 'high',
        assigneeId: null,
        profile: { n: 0, terms: {} },
        firstTicketAt: new Date(first),
        resolvedAt: resolved ? new Date(resolved) : null,
        createdAt: new Date(detected),
      });
      await i.update({ ref: `MI-${i.id}` });
      const children: { email: string }[] = [];
      for (let k = 0, m = 2 + Math.floor(rnd() * 6); k < m; k++) {
        // A small pool of people, so some are affected by several incidents (counted once overall).
        const email = `person${Math.floor(rnd() * 60)}@corp.example`;
        const r =
          (await Requester.findOne({ where: { email } })) ??
          (await Requester.create({ email, name: email, devCenter }));
        const t = await Ticket.create({
          ref: `IT-X${++ticketNo}`,
          subject: 's',
          description: 'd',
          channel: 'widget',
          status: 'open',
          severity: 'high',
          urgency: 'high',
          category,
          sentiment: null,
          intent: null,
          summary: null,
          route: 'it_team',
          assigneeId: null,
          requesterId: r.id,
          devCenter,
          classifier: 'local',
          confidence: 1,
          createdAt: new Date(first + k * MIN),
        });
        await IncidentLink.create({
          incidentId: i.id,
          ticketId: t.id,
          ticketRef: t.ref!,
          requesterEmail: email,
          requesterName: null,
          devCenter,
          channel: 'widget',
          how: 'detected',
          ticketCreatedAt: new Date(first + k * MIN),
          linkedBy: 'system',
        });
        children.push({ email });
      }
      fx.push({ id: i.id, detected, first, resolved, status, devCenter, category, children });
    }
  }, 120_000);
  afterAll(async () => db?.cleanup());

  const check = async (f: { from: string; to: string; devCenter?: string; category?: string }) => {
    const s = await createAnalyticsQueries({ sequelize: db.sequelize }).summary(f);
    const e = expected(fx, f);
    const m = s.incidents;
    expect({ total: m.total, open: m.open, resolved: m.resolved }).toEqual({
      total: e.total,
      open: e.open,
      resolved: e.resolved,
    });
    expect(m.peopleAffected).toBe(e.people);
    expect(m.ticketsAbsorbed).toBe(e.tickets);
    const time = (a: { count: number; avgHours: number | null; medianHours: number | null }, b: typeof e.detect) => {
      expect(a.count).toBe(b.count);
      if (!b.count) return expect(a.avgHours).toBeNull();
      expect(a.avgHours).toBeCloseTo(b.avg!, 2);
      expect(a.medianHours).toBeCloseTo(b.median!, 2);
    };
    time(m.detection, e.detect);
    time(m.resolution, e.resolve);
    for (const d of m.overTime) expect(d.opened, d.day).toBe(e.days.get(d.day) ?? 0);
    expect(m.overTime.reduce((a, d) => a + d.opened, 0)).toBe(e.total);
    expect(m.devCenters.map((c) => c.devCenter)).toEqual(e.centres.map((c) => c.devCenter));
    for (const [k, c] of m.devCenters.entries()) {
      const x = e.centres[k]!;
      expect([c.incidents, c.peopleAffected, c.ticketsAbsorbed]).toEqual([x.incidents, x.people, x.tickets]);
      time(c.detection, x.detect);
      time(c.resolution, x.resolve);
    }
    return e;
  };

  it('counts every incident detected in the range, its people, its tickets and its times', async () => {
    const e = await check({ from: '2026-02-01', to: '2026-02-28' });
    expect(e.total).toBeGreaterThan(20);
    expect(e.centres.map((c) => c.devCenter)).toEqual(['', 'Austin', 'Pune']);
  });
  it("by centre (the incident's own; one not local to a centre is under '' in the breakdown)", async () => {
    await check({ from: '2026-02-01', to: '2026-02-28', devCenter: 'Pune' });
    await check({ from: '2026-02-01', to: '2026-02-28', devCenter: 'Austin' });
  });
  it('by category and over a range that cuts some off', async () => {
    await check({ from: '2026-02-01', to: '2026-02-28', category: 'Collaboration Tools' });
    await check({ from: '2026-02-08', to: '2026-02-14' });
  });
});
