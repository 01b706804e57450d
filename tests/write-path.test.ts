/**
 * The write path (issue 12): how many statements one widget ticket costs at the driver, group commit keeping each
 * ticket its own failure, and the idempotency key. Runs on SQLite and, with DATABASE_URL=mysql://…, on MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastSql } from '../server/db/fast-sql.js';
import { testDialect } from './support/db.js';
import { startTestServer, type TestResponse, type TestServer } from './support/server.js';
import { countStatements } from './support/statements.js';

let s: TestServer;
let fast: FastSql;
beforeAll(async () => {
  // The bench's setting: the widget's rate limiter (its own room, two statements per request) off.
  s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  fast = s.hd.db.fast!;
});
afterAll(() => s?.stop());

const post = (json: Record<string, unknown>) => s.api('/api/tickets', { method: 'POST', json });
const OUTLOOK = 'How do I set an automatic out of office reply in Outlook?';
const DOCK = 'My laptop docking station stopped charging the laptop since this morning.';

describe('one widget ticket at the driver', () => {
  for (const [route, issue, sqlite, mysql] of [
    ['ai', OUTLOOK, 8, 11],
    ['pool', DOCK, 8, 11],
  ] as const) {
    it(`costs at most ${testDialect === 'sqlite' ? sqlite : mysql} data statements on the ${route} route (${testDialect})`, async () => {
      const ticket = { name: 'Wendy Warm', email: `warm-${route}@corp.example`, devCenter: 'Pune', issue };
      // Warm: the requester exists, the statements are prepared, the roster (read once a second) is fresh.
      expect((await post(ticket)).status).toBe(201);
      // The roster's reload (once a second, not per ticket) may still land in a run on a busy machine: the fewest
      // of three runs counts.
      let best: { count: ReturnType<typeof countStatements>; r: TestResponse; tx: number } | null = null;
      for (let i = 0; i < 3; i++) {
        await s.hd.tickets.roster();
        const tx = fast.counts.transactions;
        const count = countStatements();
        const r = await post(ticket);
        count.stop();
        if (!best || count.data.length < best.count.data.length) best = { count, r, tx: fast.counts.transactions - tx };
      }
      const { count, r, tx } = best!;
      const body = await r.json();
      expect(r.status).toBe(201);
      expect(body.route).toBe(route);
      expect(body.ref).toBe(`IT-${1000 + body.id}`);
      if (route === 'ai') expect(body.answer).toMatch(/out of office|Automatic Replies/i);
      // One transaction of the fast path, no read of what it wrote.
      expect(tx).toBe(1);
      expect(count.data.length, count.data.join('\n')).toBeLessThanOrEqual(testDialect === 'sqlite' ? sqlite : mysql);
      // BEGIN and COMMIT (a ticket alone in its transaction needs no savepoint).
      expect(count.all.length - count.data.length).toBe(2);
      // What the two-transaction path wrote, written once: messages, audit trail, outbox.
      const { Message, AuditEvent, OutboxMail, Ticket } = s.hd.db.models;
      const t = await Ticket.findByPk(body.id);
      expect(t!.status).toBe(route === 'ai' ? 'waiting_on_user' : 'open');
      expect((await Message.findAll({ where: { ticketId: body.id } })).map((m) => m.authorKind)).toEqual(
        route === 'ai' ? ['requester', 'ai'] : ['requester'],
      );
      expect(
        (await AuditEvent.findAll({ where: { ticketId: body.id }, order: [['id', 'ASC']] })).map((a) => a.action),
      ).toEqual(route === 'ai' ? ['created', 'triaged', 'ai_answered'] : ['created', 'triaged']);
      const mails = await OutboxMail.findAll({ where: { ticketId: body.id } });
      expect(mails.map((m) => [m.kind, m.status])).toEqual([[route === 'ai' ? 'ai_answer' : 'received', 'queued']]);
      expect(mails[0]!.headers['X-Helpdesk-Ticket']).toBe(body.ref);
    });
  }
});

describe('group commit', () => {
  it.runIf(testDialect === 'sqlite')(
    'shares one transaction among callers, each failing alone with its own error',
    async () => {
      await fast.group((q) => q.run('CREATE TABLE IF NOT EXISTS gc_probe (k TEXT PRIMARY KEY)'));
      const tx = fast.counts.transactions;
      const insert = (k: string) => fast.group((q) => q.run('INSERT INTO gc_probe (k) VALUES (?)', [k]));
      const results = await Promise.allSettled([insert('a'), insert('b'), insert('a'), insert('c')]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[2] as PromiseRejectedResult).reason.code)).toMatch(/SQLITE_CONSTRAINT/);
      expect(fast.counts.transactions).toBe(tx + 1);
      expect((await fast.read<{ k: string }>('SELECT k FROM gc_probe ORDER BY k')).map((r) => r.k)).toEqual([
        'a',
        'b',
        'c',
      ]);
    },
  );

  it('keeps a burst of widget tickets apart: every one created once, with its own ref', async () => {
    const tx = fast.counts.transactions;
    const posts = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post({
          name: `Burst ${i}`,
          email: `burst${i}@corp.example`,
          devCenter: 'Lisbon',
          issue: i % 2 ? OUTLOOK : DOCK,
        }),
      ),
    );
    const bodies = await Promise.all(posts.map((p) => p.json()));
    expect(
      posts.map((p) => p.status).filter((x) => x !== 201),
      JSON.stringify(bodies.find((b) => !b.ref)),
    ).toEqual([]);
    expect(new Set(bodies.map((b) => b.ref)).size).toBe(30);
    // On SQLite they share transactions (fewer than one each); on MySQL each has its own.
    const used = fast.counts.transactions - tx;
    if (testDialect === 'sqlite') expect(used).toBeLessThan(30);
    else expect(used).toBe(30);
  });
});

describe('idempotency key', () => {
  it('returns the ticket the first attempt created, also when both arrive at once', async () => {
    const svc = s.hd.tickets;
    const input = { name: 'Ida', email: 'ida@corp.example', issue: DOCK, channel: 'widget' as const };
    const [a, b] = await Promise.all([
      svc.create({ ...input, idempotencyKey: 'key-1' }),
      svc.create({ ...input, idempotencyKey: 'key-1' }),
    ]);
    const c = await svc.create({ ...input, idempotencyKey: 'key-1' });
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect(await s.hd.db.models.Ticket.count({ where: { idempotencyKey: 'key-1' } })).toBe(1);
    expect((await svc.create({ ...input, idempotencyKey: 'key-2' })).id).not.toBe(a.id);
  });
});
