/**
 * Failure drills with real processes: the server is killed with -9 in the middle of a 1,000-email intake, and a
 * MariaDB under a running server is killed and restarted. (Dovecot restarts and SMTP outages: email.e2e.test.ts;
 * OpenAI errors and timeouts: openai.test.ts.)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createDatabase } from '../server/db/database.js';
import { need } from './support/availability.js';
import { childEnv, startChildServer, type ChildServer } from './support/child.js';
import { freshDatabaseUrl, testDialect } from './support/db.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './support/dovecot.js';
import { mariadbAvailable, startPrivateMariadb, type PrivateMariadb } from './support/mariadb.js';
import { startTestServer, TEST_ADMIN_TOKEN } from './support/server.js';
import { parseProm } from './support/prom.js';
import { sleep, until as waitUntil } from './support/wait.js';
/** Slower polling: these waits watch child processes and a big backlog. */
const until = <T>(fn: () => Promise<T | null | undefined | false>, ms: number, what: string) =>
  waitUntil(fn, ms, what, 250);

const N = 1000;
const ISSUES = [
  'My laptop does not connect to the VPN since this morning.',
  'The printer on floor 3 jams on every page.',
  'I forgot my password and I am locked out.',
  'Outlook keeps asking for my password.',
  'Please install Visio on my machine.',
  'The Wi-Fi in meeting room B drops every few minutes.',
];

/** Message i of the drill: in each group of four, three new tickets from one requester and a reply to the second. */
function drillMail(i: number): string {
  const g = Math.floor(i / 4);
  const from = `User ${g} <user${g}@corp.example>`;
  const head = `From: ${from}\r\nTo: it@helpdesk.localhost\r\nMessage-ID: <drill-${i}@corp.example>\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n`;
  if (i % 4 === 3) {
    // Threads to the requester's own first mail (In-Reply-To of their Message-ID, as a client does on "reply all").
    const to = `drill-${i - 2}@corp.example`;
    return `${head}Subject: Re: request ${i - 2}\r\nIn-Reply-To: <${to}>\r\nReferences: <${to}>\r\n\r\nAny news on this? It still happens.\r\n`;
  }
  return `${head}Subject: request ${i}\r\n\r\n${ISSUES[i % ISSUES.length]} (case ${i})\r\n`;
}

describe.runIf(need('Dovecot', dovecotAvailable(), 'apt-get install dovecot-imapd'))(
  'kill -9 during the intake of 1,000 emails',
  () => {
    let imap: Dovecot;
    let db: { url: string; drop(): Promise<void> };
    let sql: Sequelize;
    let server: ChildServer | null = null;
    let env: Record<string, string> = {};

    beforeAll(async () => {
      imap = await startDovecot();
      db = await freshDatabaseUrl();
      sql = createDatabase(db.url);
      // One connection, one APPEND after another: a backlog of 1,000 waiting before the server starts.
      const c = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: false,
        auth: { user: imap.user, pass: imap.password },
        logger: false,
      });
      await c.connect();
      for (let i = 0; i < N; i++) await c.append('INBOX', Buffer.from(drillMail(i)));
      await c.logout();
    }, 120_000);
    afterAll(async () => {
      await server?.kill9();
      if (env.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
      await sql?.close();
      await db?.drop();
      await imap?.stop();
    });

    const count = async (q: string) => Number((await sql.query<{ n: number }>(q, { type: QueryTypes.SELECT }))[0]!.n);
    const mailboxCounts = async () => {
      const c = new ImapFlow({
        host: imap.host,
        port: imap.port,
        secure: false,
        auth: { user: imap.user, pass: imap.password },
        logger: false,
      });
      await c.connect();
      try {
        const n = async (box: string) => {
          const st = await c.status(box, { messages: true }).catch(() => null);
          return st ? (st.messages ?? 0) : 0;
        };
        return { inbox: await n('INBOX'), processed: await n('Processed'), failed: await n('Failed') };
      } finally {
        await c.logout().catch(() => c.close());
      }
    };

    it('after a restart every email is exactly one ticket or comment: none lost, none doubled', async () => {
      const t0 = Date.now();
      // Short leases so the restarted process takes the IMAP reader over from the dead one within seconds.
      env = childEnv({ DATABASE_URL: db.url, IMAP_URL: imap.url, LEASE_SECONDS: '3', IMAP_POLL_SECONDS: '2' });
      server = await startChildServer(env);
      const done = "SELECT COUNT(*) AS n FROM inbound_emails WHERE status <> 'received'";
      const atKill = await until(
        async () => {
          const n = await count(done);
          return n >= 300 ? n : null;
        },
        120_000,
        '300 processed emails',
      );
      await server.kill9();
      const killedAt = Date.now();
      server = await startChildServer(env);
      const restartedIn = Date.now() - killedAt;
      await until(async () => (await count(done)) > atKill + 5, 30_000, 'intake to resume after the restart');
      const resumedIn = Date.now() - killedAt;
      await until(
        async () => {
          const box = await mailboxCounts();
          const received = await count("SELECT COUNT(*) AS n FROM inbound_emails WHERE status = 'received'");
          const fresh = await count("SELECT COUNT(*) AS n FROM tickets WHERE status = 'new'");
          return box.inbox === 0 && received === 0 && fresh === 0;
        },
        150_000,
        'an empty inbox, no row left received and no ticket left new',
      );
      console.info(
        `kill -9 drill (${testDialect}): killed at ${atKill}/${N} processed, restarted in ${restartedIn} ms, intake resumed ${resumedIn} ms after the kill, all done in ${Date.now() - t0} ms`,
      );

      const inbound = await sql.query<{ k: string; n: number }>(
        'SELECT dedupe_key AS k, COUNT(*) AS n FROM inbound_emails GROUP BY dedupe_key',
        { type: QueryTypes.SELECT },
      );
      const messages = await sql.query<{ id: string; ticketId: number; kind: string }>(
        "SELECT m.email_message_id AS id, m.ticket_id AS ticketId, CASE WHEN t.description = m.text THEN 'ticket' ELSE 'comment' END AS kind FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.email_message_id LIKE 'drill-%'",
        { type: QueryTypes.SELECT },
      );
      const byId = new Map(messages.map((m) => [m.id, m]));
      const statuses = await sql.query<{ status: string; n: number }>(
        'SELECT status, COUNT(*) AS n FROM inbound_emails GROUP BY status',
        { type: QueryTypes.SELECT },
      );
      expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['processed', N]]);
      expect(inbound).toHaveLength(N);
      expect(inbound.every((r) => Number(r.n) === 1)).toBe(true);
      expect(messages).toHaveLength(N); // a unique index on messages.email_message_id: one message per email
      for (let i = 0; i < N; i++) {
        const m = byId.get(`drill-${i}@corp.example`);
        expect(m, `drill-${i}`).toBeDefined();
        if (i % 4 === 3) {
          // A reply is a comment on the ticket of the mail it answers, not a ticket of its own.
          expect(m!.ticketId, `reply drill-${i}`).toBe(byId.get(`drill-${i - 2}@corp.example`)!.ticketId);
        } else expect(m!.kind, `drill-${i}`).toBe('ticket');
      }
      expect(await count("SELECT COUNT(*) AS n FROM tickets WHERE channel = 'email'")).toBe(N * 0.75);
      // Every ticket was triaged (a reply must not carry a ticket past triage after a crash).
      expect(await count('SELECT COUNT(*) AS n FROM tickets WHERE classifier IS NULL')).toBe(0);
      const box = await mailboxCounts();
      expect(box.processed + box.failed).toBe(N);
      expect(box.inbox).toBe(0);
    }, 300_000);
  },
);

describe.runIf(need('mariadbd', mariadbAvailable(), 'apt-get install mariadb-server'))(
  'MariaDB restart under a running server',
  () => {
    let mdb: PrivateMariadb;
    let server: ChildServer | null = null;
    let env: Record<string, string> = {};
    beforeAll(async () => {
      mdb = await startPrivateMariadb();
      await mdb.createDatabase('hd');
      env = childEnv({ DATABASE_URL: mdb.url('hd'), LEASE_SECONDS: '3' });
      server = await startChildServer(env);
    }, 120_000);
    afterAll(async () => {
      await server?.kill9();
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
      await mdb?.destroy();
    });

    const post = (n: number) =>
      fetch(server!.url + '/api/tickets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(30_000),
        body: JSON.stringify({
          name: 'Ann',
          email: `ann${n}@corp.example`,
          issue: `My VPN drops every ten minutes (${n}).`,
        }),
      });

    it('recovers by itself: 5xx and database down while it is gone, tickets again once it is back', async () => {
      expect((await post(0)).status).toBe(201);
      await mdb.kill9();
      const health = await until<{ database: string }>(
        async () => {
          const r = await fetch(server!.url + '/healthz', { signal: AbortSignal.timeout(30_000) });
          return r.status === 503 ? ((await r.json()) as { database: string }) : null;
        },
        30_000,
        '/healthz to report the database down',
      );
      expect(health.database).toBe('down');
      // While it is gone a request fails fast and says so (503 unavailable), and the jobs keep failing for a while.
      const asked = Date.now();
      const during = await post(1);
      const failedInMs = Date.now() - asked;
      expect(during.status).toBe(503);
      expect(((await during.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect(failedInMs).toBeLessThan(20_000);
      // /metrics still answers (process figures), saying the database is down.
      const m = await fetch(server!.url + '/metrics', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(m.status).toBe(200);
      expect(parseProm(await m.text()).get('helpdesk_database_up')).toBe(0);
      await sleep(3000);

      await mdb.start();
      const back = Date.now();
      let attempts = 0;
      await until(
        async () => ++attempts && (await post(100 + attempts)).status === 201,
        20_000,
        'POST /api/tickets to succeed again',
      );
      const recoveredMs = Date.now() - back;
      console.info(
        `MariaDB restart: a request while it was down failed in ${failedInMs} ms; POST /api/tickets succeeded ${recoveredMs} ms after the database was back (${attempts} attempt(s))`,
      );
      expect(recoveredMs).toBeLessThan(10_000);
      expect(server!.proc.exitCode).toBeNull(); // the same process, never restarted
      expect((await fetch(server!.url + '/healthz')).status).toBe(200);
    }, 120_000);
  },
);

describe('a crash between storing a ticket and triaging it', () => {
  it('is repaired when the mail comes again, so a quick reply cannot leave the ticket untriaged', async () => {
    const s = await startTestServer({}, { jobs: false });
    try {
      const raw = Buffer.from(drillMail(1));
      // What a kill -9 after the first transaction leaves: the inbound row 'received', the ticket 'new'.
      const row = await s.hd.db.models.InboundEmail.create({
        dedupeKey: 'drill-1@corp.example',
        messageId: 'drill-1@corp.example',
        source: 'imap',
        raw,
        size: raw.length,
        status: 'received',
        reason: null,
        ticketId: null,
      });
      const stored = await s.hd.tickets.storeUntriaged({
        name: 'User 0',
        email: 'user0@corp.example',
        subject: 'request 1',
        issue: 'The printer on floor 3 jams on every page. (case 1)',
        channel: 'email',
        mail: {
          messageId: 'drill-1@corp.example',
          inReplyTo: null,
          references: [],
          html: null,
          fullText: null,
          inboundEmailId: row.id,
          attachments: [],
        },
      });
      // IMAP delivers it again after the restart, and the requester's reply follows at once.
      expect((await s.hd.intake.receive(raw, 'imap')).status).toBe('duplicate');
      expect((await s.hd.intake.receive(Buffer.from(drillMail(3)), 'imap')).status).toBe('commented');
      const t = (await s.hd.db.models.Ticket.findByPk(stored.id))!;
      expect(t.classifier).toBeTruthy();
      expect(t.status).not.toBe('new');
      expect(
        await s.hd.db.models.OutboxMail.count({
          where: { ticketId: t.id, toAddr: 'user0@corp.example', kind: ['received', 'ai_answer'] },
        }),
      ).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
