/**
 * Issue 11, item 8: live analytics streams cannot be multiplied into blocked server time. A session or link holds at
 * most a few streams; streams with one filter share one summary computation per change and one refresh timer;
 * read-only links have a server-side id and revoking one closes its streams. Runs on SQLite, and on MariaDB when
 * DATABASE_URL says mysql.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsEvents } from '../server/analytics/events.js';
import { createAnalyticsLinks, type AnalyticsLinks } from '../server/analytics/links.js';
import { createAnalyticsQueries, type AnalyticsQueries } from '../server/analytics/queries.js';
import { analyticsRoutes } from '../server/analytics/routes.js';
import { createApp } from '../server/http/app.js';
import { silentLogger } from '../server/log.js';
import { createTestDb, type TestDb } from './support/db.js';

const ADMIN = 'streams-admin-token-0123456789';
const RANGE = 'from=2024-05-01&to=2024-05-31';
const BASE = Date.parse('2024-05-01T00:00:00Z');
const CATS = ['Hardware / Device', 'Networking & Connectivity', 'Software / Applications'] as const;

interface Reader {
  events: { reason: string; raw: string }[];
  ended: Promise<void>;
  cancel(): Promise<void>;
}

/** Reads an SSE response in the background, keeping every `summary` event. */
function readSse(r: Response): Reader {
  const reader = r.body!.getReader();
  const events: Reader['events'] = [];
  const dec = new TextDecoder();
  let buf = '';
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push({ reason: JSON.parse(data.slice(6)).reason, raw: data });
      }
    }
  })();
  return { events, ended, cancel: () => reader.cancel().catch(() => undefined) };
}

const until = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('analytics streams', () => {
  let db: TestDb;
  let links: AnalyticsLinks;
  let queries: AnalyticsQueries;
  let computations = 0;
  const events = createAnalyticsEvents();

  /** An app over the real queries, counting how often a summary is computed. */
  const makeApp = (o: { refreshMs?: number } = {}) =>
    createApp({
      log: silentLogger,
      health: async () => ({ ok: true }),
      mounts: [
        {
          path: '/',
          app: analyticsRoutes({
            queries: {
              ...queries,
              summary: (f) => {
                computations++;
                return queries.summary(f);
              },
            },
            events,
            links,
            adminToken: ADMIN,
            clock: () => new Date(),
            log: silentLogger,
            debounceMs: 50,
            refreshMs: o.refreshMs ?? 60_000,
          }),
        },
      ],
    });

  beforeAll(async () => {
    db = await createTestDb();
    const m = db.models;
    const req = await m.Requester.create({ email: 'r@corp.example', name: 'R', devCenter: 'Pune' });
    await m.Ticket.bulkCreate(
      Array.from({ length: 300 }, (_, i) => ({
        ref: `IT-${5000 + i}`,
        subject: `t${i}`,
        description: 'd',
        channel: 'api' as const,
        status: (i % 3 ? 'closed' : 'open') as 'closed' | 'open',
        severity: 'low' as const,
        urgency: 'low' as const,
        category: CATS[i % 3]!,
        sentiment: null,
        intent: null,
        summary: null,
        route: (['ai', 'it_team', 'pool'] as const)[i % 3]!,
        assigneeId: null,
        requesterId: req.id,
        devCenter: ['Pune', 'Austin', 'Lisbon'][i % 3]!,
        classifier: null,
        confidence: null,
        createdAt: new Date(BASE + i * 7_200_000),
        updatedAt: new Date(BASE + i * 7_200_000),
      })),
    );
    links = createAnalyticsLinks({ sequelize: db.sequelize, clock: () => new Date() });
    queries = createAnalyticsQueries({ sequelize: db.sequelize });
  });
  afterAll(async () => db?.cleanup());

  it('lets one link hold only a few streams: 400 on one link, 3 live, the rest a clear 429', async () => {
    const app = makeApp();
    const { token } = await links.create({ label: 'wallboard', days: 1, createdBy: 'test' });
    const answers = await Promise.all(
      Array.from({ length: 400 }, () => app.request(`/api/analytics/stream?${RANGE}&token=${token}`)),
    );
    const live = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status !== 200);
    expect(live).toHaveLength(3);
    expect(new Set(refused.map((r) => r.status))).toEqual(new Set([429]));
    expect(await refused[0]!.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.any(String) } });
    const readers = live.map(readSse);
    await until('the initial summaries', () => readers.every((r) => r.events.length === 1));

    // A ticket change now costs one computation and no noticeable blocked time.
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    computations = 0;
    events.publish({ id: 1, createdAt: new Date(BASE + 3_600_000) }, 'updated');
    await until('the change', () => readers.every((r) => r.events.some((e) => e.reason === 'change')));
    delay.disable();
    expect(computations).toBe(1);
    expect(delay.max / 1e6).toBeLessThan(200);

    // Closing a tab frees its place.
    await readers[0]!.cancel();
    await readers[0]!.ended;
    let again: Response | null = null;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      again = await app.request(`/api/analytics/stream?${RANGE}&token=${token}`);
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again!.status).toBe(200);
    const fourth = readSse(again!);
    await until('its initial summary', () => fourth.events.length === 1);
    for (const r of [...readers.slice(1), fourth]) await r.cancel();
  });

  it('shares one computation per change and one refresh per filter among 180 streams', async () => {
    const app = makeApp({ refreshMs: 400 });
    const open = async (filter: string) => {
      const { token } = await links.create({ label: 'screen', days: 1, createdBy: 'test' });
      const r = await app.request(`/api/analytics/stream?${filter}&token=${token}`);
      expect(r.status).toBe(200);
      return readSse(r);
    };
    const a: Reader[] = [];
    const b: Reader[] = [];
    for (let i = 0; i < 120; i++) a.push(await open(RANGE));
    for (let i = 0; i < 60; i++) b.push(await open(`${RANGE}&devCenter=Pune`));
    const all = [...a, ...b];
    await until('the initial summaries', () => all.every((r) => r.events.length >= 1));

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    computations = 0;
    const seen = all.map((r) => r.events.length);
    events.publish({ id: 2, createdAt: new Date(BASE + 7_200_000) }, 'updated');
    await until('the change on every stream', () =>
      all.every((r, i) => r.events.slice(seen[i]).some((e) => e.reason === 'change')),
    );
    const changeCost = computations;
    // Two refresh periods more: one computation per filter each, not one per stream.
    computations = 0;
    await new Promise((r) => setTimeout(r, 1000));
    delay.disable();
    const refreshCost = computations;
    console.info(
      `180 streams, 2 filters: ${changeCost} computations for a change, ${refreshCost} in 1 s of 400 ms refreshes, ` +
        `event loop blocked at most ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    expect(changeCost).toBe(2);
    expect(refreshCost).toBeLessThanOrEqual(6);
    expect(delay.max / 1e6).toBeLessThan(200);
    // Every stream of a filter got the very same bytes.
    const changeOf = (r: Reader) => r.events.find((e, i) => i > 0 && e.reason === 'change')!.raw;
    expect(new Set(a.map(changeOf)).size).toBe(1);
    expect(new Set(b.map(changeOf)).size).toBe(1);
    await Promise.all(all.map((r) => r.cancel()));
  });

  it('revokes a link: its open streams close and it opens nothing more', async () => {
    const app = makeApp();
    const { id, token } = await links.create({ label: 'leaked', days: 30, createdBy: 'test' });
    const r = await app.request(`/api/analytics/stream?${RANGE}&token=${token}`);
    expect(r.status).toBe(200);
    const s = readSse(r);
    await until('the initial summary', () => s.events.length === 1);
    const del = await app.request(`/api/analytics/links/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(del.status).toBe(204);
    const closed = await Promise.race([s.ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    expect(closed).toBe(true);
    expect((await app.request(`/api/analytics/summary?token=${token}`)).status).toBe(401);
    expect((await app.request(`/analytics?token=${token}`)).status).toBe(401);
    const listed = await app.request('/api/analytics/links', { headers: { authorization: `Bearer ${ADMIN}` } });
    const row = ((await listed.json()) as { links: { id: number; state: string; revokedBy: string }[] }).links.find(
      (l) => l.id === id,
    );
    expect(row).toMatchObject({ state: 'revoked', revokedBy: 'admin-api' });
    // Ids are safe integers or 404; a link cannot be revoked twice; only the admin token manages links.
    for (const bad of ['1e400', '99999999999999999999', '-1', '0x10'])
      expect(
        (
          await app.request(`/api/analytics/links/${bad}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${ADMIN}` },
          })
        ).status,
      ).toBe(404);
    expect(
      (
        await app.request(`/api/analytics/links/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).status,
    ).toBe(404);
    expect((await app.request(`/api/analytics/links/${id}?token=${token}`, { method: 'DELETE' })).status).toBe(401);
  });
});
