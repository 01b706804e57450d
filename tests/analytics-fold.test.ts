/**
 * The roll-up's two stages (triggers append to analytics_pending, the fold job adds it into the roll-ups) under
 * concurrency: ticket writers and two folds at once still give roll-ups equal to a rebuild, nothing counted twice
 * or lost; on MariaDB a fold neither waits for nor counts a ticket whose transaction is still open. Runs on SQLite,
 * and on MariaDB when DATABASE_URL says mysql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes, type Transaction } from 'sequelize';
import { createTestDb, testDialect, type TestDb } from './support/db.js';
import { ANALYTICS_TABLES, PENDING_TABLE, rebuildAnalytics } from '../server/analytics/rollup.js';
import { foldAnalytics } from '../server/analytics/fold.js';

const CATS = ['Hardware / Device', 'Networking & Connectivity', 'Software / Applications'] as const;

describe(`analytics fold (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  let requesterId = 0;
  beforeAll(async () => {
    db = await createTestDb();
    requesterId = (await db.models.Requester.create({ email: 'f@x.test', name: 'F', devCenter: 'Pune' })).id;
  });
  afterAll(async () => db?.cleanup());

  const ticket = (i: number, transaction?: Transaction) =>
    db.models.Ticket.create(
      {
        ref: null,
        subject: `T${i}`,
        description: 'd',
        channel: 'api',
        status: 'open',
        severity: 'low',
        urgency: 'low',
        category: CATS[i % CATS.length]!,
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool',
        assigneeId: null,
        requesterId,
        devCenter: i % 2 ? 'Pune' : 'Austin',
        classifier: null,
        confidence: null,
      },
      { transaction },
    );
  const count = async (sql: string) =>
    Number((await db.sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT }))[0]?.n ?? 0);
  const snapshot = () =>
    Promise.all(
      ANALYTICS_TABLES.map(async (table) =>
        (await db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table}`, { type: QueryTypes.SELECT }))
          .filter((r) => r.tickets === undefined || Number(r.tickets) !== 0)
          .map((r) => JSON.stringify(Object.values(r).map(String)))
          .sort(),
      ),
    );

  it('counts every change once with writers and two folds running at the same time', async () => {
    let writing = true;
    const folder = async () => {
      let n = 0;
      while (writing) n += await foldAnalytics(db.sequelize, 7); // small batches: many rounds meet the writers
      return n;
    };
    const folds = [folder(), folder()];
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = w; i < 120; i += 6) {
          const t = await db.sequelize.transaction(async (transaction) => ticket(i, transaction));
          if (i % 3 === 0) await t.update({ route: 'it_team', firstResponseAt: new Date() });
        }
      }),
    );
    writing = false;
    const folded = (await Promise.all(folds)).reduce((a, b) => a + b, 0) + (await foldAnalytics(db.sequelize));
    expect(folded).toBe(120 + 2 * 40); // one row per new ticket, two per changed one
    expect(await count(`SELECT COUNT(*) n FROM ${PENDING_TABLE}`)).toBe(0);
    expect(await count('SELECT SUM(tickets) n FROM analytics_daily')).toBe(120);
    const before = await snapshot();
    await rebuildAnalytics(db.sequelize);
    expect(await snapshot()).toEqual(before);
  });

  it.skipIf(testDialect !== 'mysql')(
    'neither waits for nor counts a ticket whose transaction is still open (MariaDB)',
    async () => {
      const open = await db.sequelize.transaction();
      const total = await count('SELECT SUM(tickets) n FROM analytics_daily');
      try {
        // Committed rows on both sides of the open one: a fold that read the row after each of its own would wait.
        await ticket(1000);
        await ticket(1001, open);
        await ticket(1002);
        const t0 = performance.now();
        expect(await foldAnalytics(db.sequelize)).toBe(2);
        expect(performance.now() - t0).toBeLessThan(2000); // InnoDB would wait 50 s for a lock
        await open.commit();
      } catch (err) {
        await open.rollback();
        throw err;
      }
      expect(await foldAnalytics(db.sequelize)).toBe(1);
      expect(await count('SELECT SUM(tickets) n FROM analytics_daily')).toBe(total + 3);
    },
  );
});
