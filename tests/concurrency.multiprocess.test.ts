/**
 * Issue 12, item 1: fifty widget posts at once, every one from a new requester, split over two server processes on
 * one database (MariaDB when DATABASE_URL says so, else one SQLite file). Before the fix, upsertRequester read the
 * missing requester FOR UPDATE, InnoDB took a gap lock, two such transactions deadlocked on their inserts, and the
 * statement retry ran the rest outside the transaction: about two in three posts answered 500. Now: no errors,
 * every ticket exactly once, every requester once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { QueryTypes, Sequelize } from 'sequelize';
import { childEnv, startChildServer, type ChildServer } from './support/child.js';
import { freshDatabaseUrl, testDialect } from './support/db.js';

const N = 50;
const ISSUES = [
  'My VPN drops every ten minutes since this morning.',
  'The printer on floor 3 says paper jam but there is no paper stuck.',
  'Outlook keeps asking for my password.',
  'I need access to the finance share.',
  'My laptop fan is very loud and it gets hot.',
];

describe(`${N} concurrent widget posts from new requesters, two processes (${testDialect})`, () => {
  let db: { url: string; drop(): Promise<void> };
  let sql: Sequelize;
  let env: Record<string, string> = {};
  const procs: ChildServer[] = [];

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    // Info level: the retried transactions are logged, and counted below.
    env = childEnv({ DATABASE_URL: db.url, INCIDENT_MIN_TICKETS: '0', LOG_LEVEL: 'info' });
    // One after the other: both migrate the same database, and the first must finish before the second checks.
    procs.push(await startChildServer(env));
    procs.push(await startChildServer(env));
    sql = new Sequelize(db.url, { logging: false, ...(testDialect === 'mysql' ? { timezone: '+00:00' } : {}) });
  }, 180_000);
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await sql?.close();
    await db?.drop();
    if (env.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  const q = <T extends object>(s: string) => sql.query<T>(s, { type: QueryTypes.SELECT });

  it('answers every post 201; every ticket and every requester exists exactly once', async () => {
    const run = Date.now().toString(36);
    const email = (i: number) => `new.${run}.${i}@corp.example`;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const r = await fetch(`${procs[i % 2]!.url}/api/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Person ${i}`, email: email(i), issue: `${ISSUES[i % ISSUES.length]} (#${i})` }),
          signal: AbortSignal.timeout(60_000),
        });
        return { i, status: r.status, body: (await r.json().catch(() => null)) as { ref?: string } | null };
      }),
    );
    const failed = results.filter((r) => r.status !== 201);
    const retried = procs.map((p) => p.output().split('transaction retried after a lock conflict').length - 1);
    console.info(`${N} posts in ${Date.now() - started} ms; transactions retried after a lock conflict: ${retried}`);
    expect(
      failed.map((r) => `#${r.i}: ${r.status} ${JSON.stringify(r.body)}`),
      `${failed.length} of ${N} posts failed\n${procs.map((p) => p.output().slice(-3000)).join('\n---\n')}`,
    ).toEqual([]);

    const ours = `JOIN requesters r ON r.id = t.requester_id WHERE r.email LIKE 'new.${run}.%'`;
    const tickets = await q<{ ref: string; email: string; status: string }>(
      `SELECT t.ref, r.email, t.status FROM tickets t ${ours}`,
    );
    expect(tickets).toHaveLength(N);
    // Each post's ticket, once, under the ref it was answered with, with its own requester.
    expect(new Set(tickets.map((t) => t.ref))).toEqual(new Set(results.map((r) => r.body!.ref)));
    expect(new Set(tickets.map((t) => t.email)).size).toBe(N);
    expect(tickets.every((t) => t.status !== 'new')).toBe(true); // all triaged
    const requesters = await q<{ n: number }>(
      `SELECT COUNT(*) AS n FROM requesters WHERE email LIKE 'new.${run}.%' GROUP BY email`,
    );
    expect(requesters.map((r) => Number(r.n))).toEqual(Array(N).fill(1));
    // One first message and one 'created' audit event per ticket: no half-done or doubled writes.
    const [m] = await q<{ n: number }>(
      `SELECT COUNT(*) AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id ${ours} ` +
        "AND m.author_kind = 'requester'",
    );
    expect(Number(m!.n)).toBe(N);
    const [a] = await q<{ n: number }>(
      `SELECT COUNT(*) AS n FROM audit_events e JOIN tickets t ON t.id = e.ticket_id ${ours} AND e.action = 'created'`,
    );
    expect(Number(a!.n)).toBe(N);
  }, 120_000);
});
