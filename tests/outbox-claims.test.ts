/**
 * The outbox sends every mail once across processes: rows are claimed before they are sent, a dead sender's claim
 * expires and its mail goes again with the same Message-ID, a live claim is left alone, and a batch slower than the
 * lease keeps both the job lease and its claims. Two helpdesks on one database (SQLite file or MariaDB), one real
 * SMTP server that counts what arrives by Message-ID.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Op } from 'sequelize';
import { MAX_ATTEMPTS } from '../server/mail/outbound/outbox-rules.js';
import { queuedMail as row } from './support/outbox.js';
import { startSmtpServer, type SinkMessage, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { testDialect } from './support/db.js';
import { sleep, until } from './support/wait.js';

const messageIdOf = (m: SinkMessage) => /^Message-ID:\s*<([^>\r\n]+)>/im.exec(m.raw.toString('latin1'))?.[1] ?? '';

/** How often each Message-ID arrived. */
function arrivals(sink: SmtpSink): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of sink.messages) seen.set(messageIdOf(m), (seen.get(messageIdOf(m)) ?? 0) + 1);
  return seen;
}

async function pair(sink: SmtpSink, env: Record<string, string> = {}, jobs = false): Promise<[TestServer, TestServer]> {
  const a = await startTestServer({ SMTP_URL: sink.url, ...env }, { jobs });
  const b = await startTestServer({ SMTP_URL: sink.url, DATABASE_URL: a.hd.config.databaseUrl, ...env }, { jobs });
  return [a, b];
}

describe(`outbox claims across two senders (${testDialect})`, () => {
  let sink: SmtpSink;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    sink = await startSmtpServer();
    [a, b] = await pair(sink, { SMTP_CONNECTIONS: '3' });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await sink?.stop();
  });

  it('two senders draining one backlog at the same time send every mail exactly once', async () => {
    const n = 300;
    await a.hd.db.models.OutboxMail.bulkCreate(Array.from({ length: n }, (_, i) => row('drain', i)));
    // Small batches, so the two runs interleave claim after claim instead of one taking everything.
    const runs = await Promise.all([
      a.hd.deliverOutbox({ limit: 10 }),
      b.hd.deliverOutbox({ limit: 10 }),
      a.hd.deliverOutbox({ limit: 10 }), // a second run in the same process is refused while the first goes on
    ]);
    await sink.waitFor(n);
    await sleep(200); // a double would arrive about now
    const seen = arrivals(sink);
    expect([...seen.keys()].filter((k) => k.startsWith('drain-')).length).toBe(n);
    expect([...seen.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(runs[0]!.sent + runs[1]!.sent).toBe(n);
    expect(runs[2]!.sent).toBe(0);
    // Both really sent: without claims they would have picked the same rows.
    expect(runs[0]!.sent).toBeGreaterThan(0);
    expect(runs[1]!.sent).toBeGreaterThan(0);
    const rows = await a.hd.db.models.OutboxMail.findAll({ where: { kind: 'notice' } });
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.claimedBy === null)).toBe(true);
  });

  it("re-sends a dead sender's mail once its claim has expired, with the same Message-ID; a live claim is left alone", async () => {
    const { OutboxMail } = a.hd.db.models;
    const before = sink.messages.length;
    const [dead, live] = await OutboxMail.bulkCreate([
      row('claimed', 1, { claimedBy: 'crashed-host:4242:abc#7', claimedUntil: new Date(Date.now() - 1) }),
      row('claimed', 2, { claimedBy: 'busy-host:4343:def#9', claimedUntil: new Date(Date.now() + 60_000) }),
    ]);
    const run = await b.hd.deliverOutbox();
    expect(run).toEqual({ sent: 1, failed: 0 });
    await sink.waitFor(before + 1);
    await sleep(200);
    expect(sink.messages.slice(before).map(messageIdOf)).toEqual(['claimed-1@helpdesk.localhost']);
    await dead!.reload();
    expect(dead).toMatchObject({ status: 'sent', attempts: 1, claimedBy: null });
    await live!.reload();
    expect(live).toMatchObject({ status: 'queued', attempts: 0, claimedBy: 'busy-host:4343:def#9' });

    // The busy sender dies: after its claim runs out, the mail goes (once), under the Message-ID it was queued with.
    await live!.update({ claimedUntil: new Date(Date.now() - 1) });
    await Promise.all([a.hd.deliverOutbox(), b.hd.deliverOutbox()]);
    await sink.waitFor(before + 2);
    await sleep(200);
    expect(sink.messages.slice(before).map(messageIdOf)).toEqual([
      'claimed-1@helpdesk.localhost',
      'claimed-2@helpdesk.localhost',
    ]);
  });

  it('a failed send keeps its backoff and frees the claim, and goes when SMTP is back; a mail not due waits', async () => {
    const { OutboxMail } = a.hd.db.models;
    const later = await OutboxMail.create(row('later', 1, { nextAttemptAt: new Date(Date.now() + 60_000) }));
    await sink.down();
    try {
      const failing = await OutboxMail.create(row('outage', 1));
      const last = await OutboxMail.create(row('outage', 2, { attempts: MAX_ATTEMPTS - 1 }));
      const more = await OutboxMail.bulkCreate([3, 4, 5].map((i) => row('outage', i)));
      // Three go out at once over the pool's three connections and fail; the connection failure ends the run, so
      // the last two are not tried: free again at once, no attempt counted. The one at its last attempt is dead.
      const run = await a.hd.deliverOutbox();
      expect(run).toEqual({ sent: 0, failed: 3 });
      for (const r of more) await r.reload();
      expect(more.map((r) => [r.attempts, r.status, r.claimedBy])).toEqual([
        [1, 'queued', null],
        [0, 'queued', null],
        [0, 'queued', null],
      ]);
      await last.reload();
      expect(last).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS, claimedBy: null }); // the dead letter
      await failing.reload();
      expect(failing.status).toBe('queued');
      expect(failing.attempts).toBe(1);
      expect(failing.claimedBy).toBeNull();
      expect(failing.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 3_000); // the first backoff is 5 s
      // Back up: the pool opens new connections, and the mail goes once its backoff is over.
      await sink.start();
      const before = sink.messages.length;
      await failing.update({ nextAttemptAt: new Date() });
      expect(await a.hd.deliverOutbox()).toEqual({ sent: 3, failed: 0 });
      await sink.waitFor(before + 3);
      expect(sink.messages.slice(before).map(messageIdOf).sort()).toEqual(
        [1, 4, 5].map((i) => `outage-${i}@helpdesk.localhost`),
      );
      await failing.reload();
      expect(failing).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    } finally {
      await sink.start();
    }
    await later.reload();
    expect(later).toMatchObject({ status: 'queued', claimedBy: null, attempts: 0 });
  });
});

describe(`a batch slower than the lease (${testDialect})`, () => {
  let sink: SmtpSink;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    // One connection and 700 ms per message: six mails take over 4 s, twice LEASE_SECONDS.
    sink = await startSmtpServer({ delayMs: 700 });
    servers = await pair(sink, { LEASE_SECONDS: '2', SMTP_CONNECTIONS: '1' });
  });
  afterAll(async () => {
    for (const s of servers.reverse()) await s.stop();
    await sink?.stop();
  });

  it('keeps the job lease and its claims: the other process sends none of its mails again', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const { OutboxMail, Lease } = a.hd.db.models;
    const n = 6;
    await OutboxMail.bulkCreate(Array.from({ length: n }, (_, i) => row('slow', i)));
    a.hd.startJobs();
    b.hd.startJobs();
    // Once one process's job has claimed the batch, the other is the one that must not send.
    await until(
      async () => (await OutboxMail.count({ where: { claimedBy: { [Op.ne]: null } } })) === n,
      5_000,
      'claims',
    );
    const holders = new Set<string>();
    let other = { sent: 0, failed: 0 };
    const t0 = Date.now();
    // Meanwhile the other process also tries to send directly, past the lease: only the claims stop it.
    while (sink.messages.length < n && Date.now() - t0 < 20_000) {
      const lease = await Lease.findByPk('job:outbox');
      if (lease) holders.add(lease.holder);
      const sender = lease?.holder === a.hd.leases.holder ? b : a;
      const r = await sender.hd.deliverOutbox();
      other = { sent: other.sent + r.sent, failed: other.failed + r.failed };
      await sleep(250);
    }
    await until(async () => sink.messages.length >= n, 5_000, `${n} mails`);
    expect(Date.now() - t0).toBeGreaterThan(2 * 2000); // the batch really outlived the lease
    await sleep(1000);
    const seen = arrivals(sink);
    expect(seen.size).toBe(n);
    expect([...seen.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(holders.size).toBe(1);
    expect(other).toEqual({ sent: 0, failed: 0 });
  });
});
