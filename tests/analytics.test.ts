/**
 * Analytics correctness: fixture tickets go in through the models (creates, updates, reopenings, feedback
 * changes, a delete, so the roll-up triggers are exercised), and every figure of the summary is compared with
 * values computed here independently from the fixture list. Also filters, the sampled medians, the CSV export,
 * access control and the SSE stream. Runs on SQLite, and on MariaDB when DATABASE_URL says mysql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDb, type TestDb } from './support/db.js';
import { createApp } from '../server/http/app.js';
import { silentLogger } from '../server/log.js';
import { createLinkSigner } from '../server/http/signed-links.js';
import { createAnalyticsQueries } from '../server/analytics/queries.js';
import { createAnalyticsEvents } from '../server/analytics/events.js';
import { createAnalyticsLinks, type AnalyticsLinks } from '../server/analytics/links.js';
import { analyticsRoutes } from '../server/analytics/routes.js';
import { ANALYTICS_TABLES, PENDING_TABLE, rebuildAnalytics } from '../server/analytics/rollup.js';
import { foldAnalytics } from '../server/analytics/fold.js';
import type { Summary } from '../server/analytics/summary.js';

interface Fx {
  id: number;
  created: number;
  devCenter: string | null;
  category: string;
  route: 'ai' | 'it_team' | 'pool' | null;
  assigneeId: number | null;
  resolvedBy: 'ai' | 'it_team' | 'suggestion' | null;
  resolvedAt: number | null;
  frtAt: number | null;
  escalated: boolean;
  score: number | null;
}

const H = 3_600_000;
const BASE = Date.parse('2024-05-01T00:00:00Z');
const CATS = ['Hardware / Device', 'Networking & Connectivity', 'Software / Applications'] as const;
const DCS = ['Pune', 'Austin', 'Kraków', null];
const ADMIN = 'analytics-admin-token-0123456789';
let seed = 7;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

// ---- the independent computation -------------------------------------------------------------------------
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length ? (s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) : null;
};
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const resH = (t: Fx) => (t.resolvedAt! - t.created) / H;
const frtH = (t: Fx) => (t.frtAt! - t.created) / H;
function expectTime(
  actual: { count: number; avgHours: number | null; medianHours: number | null },
  hours: number[],
  medianOver = hours,
) {
  expect(actual.count).toBe(hours.length);
  if (!hours.length) return expect(actual.avgHours).toBeNull();
  expect(actual.avgHours).toBeCloseTo(avg(hours)!, 2);
  expect(actual.medianHours).toBeCloseTo(med(medianOver)!, 2);
}

function check(
  s: Summary,
  all: Fx[],
  f: { from: string; to: string; devCenter?: string; category?: string },
  deflections: { at: number; dc: string; cat: string }[],
  sampled = false,
) {
  const lo = Date.parse(`${f.from}T00:00:00Z`),
    hi = Date.parse(`${f.to}T00:00:00Z`) + 24 * H;
  const ts = all.filter(
    (t) =>
      t.created >= lo &&
      t.created < hi &&
      (!f.devCenter || (t.devCenter ?? '') === f.devCenter) &&
      (!f.category || t.category === f.category),
  );
  const forMedian = (xs: Fx[]) => (sampled ? xs.filter((t) => t.id % 32 === 0) : xs);
  const resolved = ts.filter((t) => t.resolvedAt != null);
  const defl = deflections.filter(
    (d) => d.at >= lo && d.at < hi && (!f.devCenter || d.dc === f.devCenter) && (!f.category || d.cat === f.category),
  );
  expect(s.medians).toBe(sampled ? 'sampled' : 'exact');
  expect(s.totals).toEqual({
    tickets: ts.length,
    resolved: resolved.length,
    open: ts.length - resolved.length,
    escalated: ts.filter((t) => t.escalated).length,
    feedback: ts.filter((t) => t.score).length,
    deflections: defl.length,
  });
  expect(s.distribution).toEqual({
    ai: ts.filter((t) => t.route === 'ai').length,
    itTeam: ts.filter((t) => t.route === 'it_team').length,
    pool: ts.filter((t) => t.route === 'pool').length,
    untriaged: ts.filter((t) => !t.route).length,
  });
  const byAi = resolved.filter((t) => t.resolvedBy === 'ai'),
    byIt = resolved.filter((t) => t.resolvedBy === 'it_team');
  const bySuggestion = resolved.filter((t) => t.resolvedBy === 'suggestion');
  expect(s.resolvedBy).toEqual({ ai: byAi.length, itTeam: byIt.length, suggestion: bySuggestion.length });
  expect(s.feedback.counts).toEqual(
    [1, 2, 3, 4, 5].map((score) => ({ score, count: ts.filter((t) => t.score === score).length })),
  );
  const scores = ts.filter((t) => t.score).map((t) => t.score!);
  expect(s.feedback.average ?? null).toBeCloseTo(avg(scores) ?? 0, 2);
  expectTime(s.resolutionTime.overall, resolved.map(resH), forMedian(resolved).map(resH));
  expectTime(s.resolutionTime.itTeam, byIt.map(resH), forMedian(byIt).map(resH));
  const agents = [...new Set(byAi.map((t) => t.assigneeId!))];
  expect(s.resolutionTime.aiAgents.map((a) => a.agentId).sort()).toEqual(agents.sort());
  for (const a of s.resolutionTime.aiAgents) {
    const mine = byAi.filter((t) => t.assigneeId === a.agentId);
    expect(a.agent).toBe(`AI ${CATS[a.agentId - 1]}`);
    if (!sampled) expectTime(a, mine.map(resH));
  }
  const responded = ts.filter((t) => t.frtAt != null);
  expectTime(s.firstResponse, responded.map(frtH), forMedian(responded).map(frtH));
  for (const r of s.firstResponse.byRoute) {
    const mine = responded.filter((t) => (t.route ?? '') === r.route);
    expectTime(r, mine.map(frtH), forMedian(mine).map(frtH));
  }
  const centres = [...new Set(ts.map((t) => t.devCenter ?? ''))].sort((a, b) => a.localeCompare(b));
  expect(s.devCenters.map((c) => c.devCenter)).toEqual(centres);
  for (const c of s.devCenters) {
    const mine = ts.filter((t) => (t.devCenter ?? '') === c.devCenter);
    const done = mine.filter((t) => t.resolvedAt != null);
    expect(c).toMatchObject({
      tickets: mine.length,
      resolved: done.length,
      open: mine.length - done.length,
      escalated: mine.filter((t) => t.escalated).length,
    });
    expect(c.byCategory).toEqual(
      Object.fromEntries(CATS.map((k) => [k, mine.filter((t) => t.category === k).length]).filter(([, n]) => n)),
    );
    expectTime(c.resolution, done.map(resH), forMedian(done).map(resH));
  }
  expect(s.overTime.length).toBe(Math.round((hi - lo) / (24 * H)));
  for (const d of s.overTime) {
    const mine = ts.filter((t) => day(t.created) === d.day);
    expect(d).toEqual({
      day: d.day,
      created: mine.length,
      resolved: mine.filter((t) => t.resolvedAt != null).length,
      escalated: mine.filter((t) => t.escalated).length,
      ai: mine.filter((t) => t.route === 'ai').length,
      itTeam: mine.filter((t) => t.route === 'it_team').length,
      pool: mine.filter((t) => t.route === 'pool').length,
      deflections: defl.filter((x) => day(x.at) === d.day).length,
    });
  }
  expect(s.escalations.count).toBe(ts.filter((t) => t.escalated).length);
}

// ---- fixtures --------------------------------------------------------------------------------------------
describe('analytics', () => {
  let db: TestDb;
  const fx: Fx[] = [];
  const deflections: { at: number; dc: string; cat: string }[] = [];
  const events = createAnalyticsEvents();
  const signer = createLinkSigner('analytics-test-secret-0123456789');
  let app: ReturnType<typeof createApp>;
  let links: AnalyticsLinks;
  const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
  const admin = { authorization: `Bearer ${ADMIN}` };

  beforeAll(async () => {
    db = await createTestDb();
    const m = db.models;
    for (const [i, cat] of CATS.entries())
      await m.Agent.create({
        id: i + 1,
        name: `AI ${cat}`,
        email: `ai${i}@x.test`,
        kind: 'ai',
        category: cat,
        skills: [cat],
        role: 'agent',
      });
    const human = await m.Agent.create({
      name: 'Ines',
      email: 'ines@x.test',
      kind: 'human',
      category: null,
      skills: [...CATS],
      role: 'agent',
    });
    const req = await m.Requester.create({ email: 'r@x.test', name: 'R', devCenter: null });
    for (let i = 0; i < 140; i++) {
      const created = BASE + Math.floor(rnd() * 12 * 24 * 3600) * 1000;
      const category = pick(CATS);
      const route = pick(['ai', 'ai', 'it_team', 'pool', null] as const);
      const assigneeId = route === 'ai' ? CATS.indexOf(category) + 1 : route === 'it_team' ? human.id : null;
      const done = route != null && rnd() < 0.7;
      // Every 7th person-held ticket was solved by the article its acknowledgment suggested (counted apart).
      const resolvedBy = done
        ? route === 'ai' && rnd() < 0.8
          ? 'ai'
          : route !== 'ai' && i % 7 === 0
            ? 'suggestion'
            : 'it_team'
        : null;
      const t: Omit<Fx, 'id'> = {
        created,
        devCenter: pick(DCS),
        category,
        route,
        assigneeId,
        resolvedBy,
        resolvedAt: done ? created + Math.floor(rnd() * 50 * 3600) * 1000 : null,
        frtAt: route && rnd() < 0.8 ? created + Math.floor(rnd() * 5 * 3600) * 1000 : null,
        escalated: rnd() < 0.15,
        score: done && rnd() < 0.6 ? 1 + Math.floor(rnd() * 5) : null,
      };
      const staged = i % 2 === 0; // half arrive untriaged and are updated later, like real tickets
      const row = await m.Ticket.create(
        {
          ref: null,
          subject: `T${i}`,
          description: 'd',
          channel: 'api',
          status: done ? 'resolved' : 'open',
          severity: 'low',
          urgency: 'low',
          category: staged ? 'Security & Compliance' : category,
          sentiment: null,
          intent: null,
          summary: null,
          route: (staged ? null : route) as never,
          assigneeId: staged ? null : assigneeId,
          requesterId: req.id,
          devCenter: t.devCenter,
          classifier: null,
          confidence: null,
          escalated: staged ? false : t.escalated,
          resolvedBy: staged ? null : resolvedBy,
          resolvedAt: staged || !t.resolvedAt ? null : new Date(t.resolvedAt),
          firstResponseAt: staged || !t.frtAt ? null : new Date(t.frtAt),
          createdAt: new Date(created),
          updatedAt: new Date(created),
        },
        { silent: true },
      );
      // The fold job runs now and then: the later changes of some tickets then take out what a fold already added.
      if (i % 40 === 20) await foldAnalytics(db.sequelize);
      if (staged)
        await row.update({
          category,
          route,
          assigneeId,
          escalated: t.escalated,
          resolvedBy,
          resolvedAt: t.resolvedAt ? new Date(t.resolvedAt) : null,
          firstResponseAt: t.frtAt ? new Date(t.frtAt) : null,
        });
      if (t.score) {
        const fb = await m.Feedback.create({
          ticketId: row.id,
          score: i % 3 === 0 ? 6 - t.score : t.score,
          comment: null,
        });
        if (i % 3 === 0) await fb.update({ score: t.score }); // a later choice replaces an earlier one
      }
      if (i % 17 === 0 && t.resolvedAt) {
        // reopened: resolved_by stays, resolved_at goes
        await row.update({ resolvedAt: null });
        t.resolvedAt = null;
        t.score && (await m.Feedback.destroy({ where: { ticketId: row.id } }));
        t.score = null;
      }
      fx.push({ ...t, id: row.id });
    }
    const gone = await m.Ticket.create(
      {
        ref: null,
        subject: 'x',
        description: 'd',
        channel: 'api',
        status: 'open',
        severity: 'low',
        urgency: 'low',
        category: 'Hardware / Device',
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool',
        assigneeId: null,
        requesterId: req.id,
        devCenter: 'Pune',
        classifier: null,
        confidence: null,
        createdAt: new Date(BASE),
        updatedAt: new Date(BASE),
      },
      { silent: true },
    );
    await gone.destroy();
    const kb = await Promise.all(
      CATS.map((c) =>
        m.KbEntry.create({
          title: c,
          query: c,
          resolution: 'r',
          category: c,
          severity: null,
          urgency: null,
          issue: null,
          source: 'template',
          sourceTicketId: null,
          searchText: c,
        }),
      ),
    );
    for (let i = 0; i < 25; i++) {
      const at = BASE + Math.floor(rnd() * 12 * 24 * 3600) * 1000,
        k = pick(kb),
        dc = pick(['Pune', 'Austin']);
      await m.Deflection.create(
        { kbEntryId: k.id, query: 'q', devCenter: dc, email: null, createdAt: new Date(at), updatedAt: new Date(at) },
        { silent: true },
      );
      deflections.push({ at, dc, cat: k.category });
    }
    const queries = createAnalyticsQueries({ sequelize: db.sequelize });
    links = createAnalyticsLinks({ sequelize: db.sequelize, clock: () => new Date() });
    app = createApp({
      log: silentLogger,
      health: async () => ({ ok: true }),
      mounts: [
        {
          path: '/',
          app: analyticsRoutes({
            queries,
            events,
            links,
            adminToken: ADMIN,
            clock: () => new Date(),
            log: silentLogger,
            debounceMs: 50,
            session: async (c) => (c.req.header('x-test-session') === 'manager' ? 'session:test' : null),
          }),
        },
      ],
    });
  });
  afterAll(async () => db?.cleanup());

  const summary = async (q: string) => {
    const r = await get(`/api/analytics/summary?${q}`, admin);
    expect(r.status).toBe(200);
    return (await r.json()) as Summary;
  };

  it('agrees with the tickets for the whole range', async () => {
    check(await summary('from=2024-05-01&to=2024-05-12'), fx, { from: '2024-05-01', to: '2024-05-12' }, deflections);
  });

  it('agrees under every filter', async () => {
    for (const f of [
      { from: '2024-05-03', to: '2024-05-07' },
      { from: '2024-04-25', to: '2024-05-12', devCenter: 'Pune' },
      { from: '2024-05-01', to: '2024-05-12', category: 'Networking & Connectivity' },
      { from: '2024-05-02', to: '2024-05-10', devCenter: 'Kraków', category: 'Software / Applications' },
      { from: '2024-06-01', to: '2024-06-03' },
      // Whole months come from the monthly roll-up, the ends from the daily one.
      { from: '2024-05-01', to: '2024-05-31' },
      { from: '2024-04-20', to: '2024-06-05', devCenter: 'Austin' },
      { from: '2024-03-01', to: '2024-06-30', category: 'Hardware / Device' },
    ]) {
      check(await summary(new URLSearchParams(f as Record<string, string>).toString()), fx, f, deflections);
    }
  });

  it('takes medians from the 1-in-32 sample beyond the exact limit; counts and averages stay exact', async () => {
    const s = await createAnalyticsQueries({ sequelize: db.sequelize, exactLimit: 0 }).summary({
      from: '2024-05-01',
      to: '2024-05-12',
    });
    check(s, fx, { from: '2024-05-01', to: '2024-05-12' }, deflections, true);
  });

  it('gives the same figures once every pending change is folded, and leaves none behind', async () => {
    const f = { from: '2024-04-20', to: '2024-06-05' }; // whole May from the monthly roll-up
    const pending = async () =>
      Number(
        (
          await db.sequelize.query<{ n: number }>(`SELECT COUNT(*) n FROM ${PENDING_TABLE}`, {
            type: QueryTypes.SELECT,
          })
        )[0]!.n,
      );
    expect(await pending()).toBeGreaterThan(0);
    const before = await summary(new URLSearchParams(f).toString());
    expect(await foldAnalytics(db.sequelize)).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    const after = await summary(new URLSearchParams(f).toString());
    expect({ ...after, generatedAt: null }).toEqual({ ...before, generatedAt: null });
    check(after, fx, f, deflections);
  });

  it('keeps the trigger-maintained roll-ups equal to a rebuild from scratch', async () => {
    await foldAnalytics(db.sequelize);
    const snapshot = async () =>
      Promise.all(
        ANALYTICS_TABLES.map(async (table) => {
          const rows = await db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table}`, {
            type: QueryTypes.SELECT,
          });
          // Triggers leave zeroed rows behind when a ticket moves to another key; a rebuild does not create them.
          return rows
            .filter((r) => r.tickets === undefined || Number(r.tickets) !== 0)
            .map((r) => JSON.stringify(Object.values(r).map(String)))
            .sort();
        }),
      );
    const before = await snapshot();
    expect(before.every((t) => t.length > 0)).toBe(true);
    await rebuildAnalytics(db.sequelize);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects bad filters with field errors', async () => {
    const r = await get('/api/analytics/summary?from=2024-05-09&to=2024-05-01', admin);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { fields: Record<string, string> } }).error.fields.from).toBeTruthy();
    expect((await get('/api/analytics/summary?from=yesterday', admin)).status).toBe(400);
  });

  it('exports the tickets behind the numbers as CSV', async () => {
    const r = await get('/api/analytics/export.csv?from=2024-05-01&to=2024-05-12&devCenter=Pune', admin);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = (await r.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'ref,created_at,dev_center,category,severity,urgency,route,assignee,status,resolved_by,escalated,first_response_at,resolved_at,first_response_hours,resolution_hours,feedback_score',
    );
    const mine = fx.filter((t) => t.devCenter === 'Pune');
    expect(lines.length - 1).toBe(mine.length);
    const first = [...mine].sort((a, b) => a.created - b.created || a.id - b.id)[0]!;
    const cells = lines[1]!.split(',');
    expect(cells[1]).toBe(new Date(first.created).toISOString());
    expect(cells[2]).toBe('Pune');
    expect(cells[14]).toBe(first.resolvedAt ? String(Math.round(resH(first) * 1000) / 1000) : '');
    expect(cells[15]).toBe(first.score ? String(first.score) : '');
  });

  it('lets in the admin token, a read-only link and a manager session; nobody else', async () => {
    const link = (await links.create({ label: 'test', days: 1, createdBy: 'test' })).token;
    expect((await get('/api/analytics/summary')).status).toBe(401);
    expect((await get('/api/analytics/summary')).headers.get('content-type')).toContain('application/json');
    expect((await get('/api/analytics/summary', { authorization: 'Bearer wrong-wrong-wrong' })).status).toBe(401);
    expect((await get('/api/analytics/summary?token=not.valid')).status).toBe(401);
    expect((await get(`/api/analytics/summary?token=${signer.sign({ t: 0, a: 'view' }, 1)}`)).status).toBe(401);
    // A signed token of the old kind has no server-side id, so it could not be revoked: it opens nothing.
    const unrevocable = signer.sign({ t: 0, a: 'analytics' }, 1);
    expect((await get(`/api/analytics/summary?token=${encodeURIComponent(unrevocable)}`)).status).toBe(401);
    // A read-only link is not valid for the per-ticket CSV; the admin token and a session are.
    const csv = await get(`/api/analytics/export.csv?token=${encodeURIComponent(link)}`);
    expect(csv.status).toBe(403);
    expect((await csv.json()) as unknown).toMatchObject({ error: { code: 'forbidden' } });
    expect((await get('/api/analytics/export.csv', { 'x-test-session': 'manager' })).status).toBe(200);
    expect((await get(`/api/analytics/summary?token=${encodeURIComponent(link)}`)).status).toBe(200);
    expect((await get('/api/analytics/summary', { 'x-test-session': 'manager' })).status).toBe(200);
    const page = await get('/analytics');
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Sign-in required');
    const ok = await get(`/analytics?token=${encodeURIComponent(link)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('id="chart-resolved-by"');
    const minted = await app.request('/api/analytics/links?days=7', { method: 'POST', headers: admin });
    expect(minted.status).toBe(201);
    expect(
      (
        await get(
          `/api/analytics/summary?token=${encodeURIComponent(((await minted.json()) as { token: string }).token)}`,
        )
      ).status,
    ).toBe(200);
  });

  it('streams a fresh summary soon after a ticket change', async () => {
    const r = await get('/api/analytics/stream?from=2024-05-01&to=2024-05-12', admin);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const reader = r.body!.getReader();
    let buf = '';
    const next = async () => {
      for (;;) {
        const end = buf.indexOf('\n\n');
        if (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) return JSON.parse(data.slice(6)) as { reason: string; summary: Summary };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += new TextDecoder().decode(value);
      }
    };
    const first = await next();
    expect(first.reason).toBe('initial');
    const t = await db.models.Ticket.create(
      {
        ref: null,
        subject: 'live',
        description: 'd',
        channel: 'api',
        status: 'open',
        severity: 'low',
        urgency: 'low',
        category: 'Hardware / Device',
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool',
        assigneeId: null,
        requesterId: 1,
        devCenter: 'Pune',
        classifier: null,
        confidence: null,
        createdAt: new Date(BASE + H),
        updatedAt: new Date(BASE + H),
      },
      { silent: true },
    );
    const started = Date.now();
    events.publish(t, 'created');
    const live = await next();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(live.reason).toBe('change');
    expect(live.summary.totals.tickets).toBe(first.summary.totals.tickets + 1);
    await reader.cancel();
    await t.destroy();
  });
});
