/**
 * kill -9 of the sending process in the middle of a backlog: the other server process takes the outbox over after
 * the lease and the dead process's claims expire, every mail arrives, and the only second copies are mails the dead
 * process handed to SMTP in its last moments, before it marked them sent (the sends in flight and those of one
 * marking UPDATE), each under its one stored Message-ID. Two real server processes on one database (SQLite or MariaDB).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createDatabase } from '../server/db/database.js';
import { initModels, type Models } from '../server/db/models.js';
import { childEnv, startChildServer, type ChildServer } from './support/child.js';
import { freshDatabaseUrl, testDialect } from './support/db.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { until } from './support/wait.js';
import type { Sequelize } from 'sequelize';
import { queuedMail } from './support/outbox.js';

const N = 600;
const messageIdOf = (raw: Buffer) => /^Message-ID:\s*<([^>\r\n]+)>/im.exec(raw.toString('latin1'))?.[1] ?? '';

describe(`kill -9 of the sending process (${testDialect})`, () => {
  let db: Awaited<ReturnType<typeof freshDatabaseUrl>>;
  let sql: Sequelize;
  let models: Models;
  let sink: SmtpSink;
  const procs: ChildServer[] = [];

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    // 10 ms per message over two connections: the backlog takes a few seconds, long enough to die in the middle.
    sink = await startSmtpServer({ delayMs: 10 });
    const env = childEnv({ DATABASE_URL: db.url, SMTP_URL: sink.url, LEASE_SECONDS: '2', SMTP_CONNECTIONS: '2' });
    procs.push(await startChildServer(env)); // the first migrates; the second finds the schema current
    procs.push(await startChildServer(env));
    sql = createDatabase(db.url);
    models = initModels(sql);
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await sql?.close();
    await sink?.stop();
    await db?.drop();
  });

  it('every mail arrives; second copies only of what was in flight, under the same Message-ID', async () => {
    await models.OutboxMail.bulkCreate(Array.from({ length: N }, (_, i) => queuedMail('crash', i)));
    await sink.waitFor(100, 30_000);
    const lease = await models.Lease.findByPk('job:outbox');
    const victim = procs.find((p) => lease?.holder.includes(`:${p.pid}:`));
    expect(victim, `lease holder ${lease?.holder}`).toBeDefined();
    await victim!.kill9();
    const killedAt = sink.messages.length;
    expect(killedAt, 'killed before the backlog was through').toBeLessThan(N);

    await until(async () => (await models.OutboxMail.count({ where: { status: 'sent' } })) === N, 60_000, 'all sent');
    const seen = new Map<string, number>();
    for (const m of sink.messages) seen.set(messageIdOf(m.raw), (seen.get(messageIdOf(m.raw)) ?? 0) + 1);
    expect(seen.size).toBe(N);
    const twice = [...seen.values()].filter((c) => c > 1);
    expect(twice.every((c) => c === 2)).toBe(true);
    // The two sends in flight plus those of one marking UPDATE (~150 mails/s here), with room for a slow machine.
    expect(twice.length).toBeLessThanOrEqual(20);
    const survivor = procs.find((p) => p !== victim)!;
    expect((await models.Lease.findByPk('job:outbox'))?.holder).toContain(`:${survivor.pid}:`);
    console.log(`kill -9 after ${killedAt} of ${N} mails: ${twice.length} sent twice (same Message-ID)`);
  }, 120_000);
});
