/**
 * Issue 11, item 11 (the low ones): ids are safe integers or 404 on every route that takes one; every page carries a
 * CSP; /t/ and sign-in tokens never reach the logs; the SQLite file is 0600; deflections are limited and, like
 * tickets, name only known development centres; and two fixed bugs stay fixed (the feedback audit's `previous`,
 * the AI answer's In-Reply-To). Runs on SQLite, and on MariaDB when DATABASE_URL says mysql.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../server/db/database.js';
import { migrateUp } from '../server/db/migrate.js';
import { errorHandler } from '../server/http/errors.js';
import { signInAs } from './support/console.js';
import { testDialect } from './support/db.js';
import { startTestServer, type TestServer } from './support/server.js';

const BAD_IDS = ['1e400', '99999999999999999999', '9007199254740993', '-1', '0', '1.5', '0x10', 'abc'];

/** A logger whose lines the test can read. */
function memoryLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), text: () => lines.join('') };
}

describe('hardening (item 11)', () => {
  let s: TestServer;
  const logs = memoryLog();
  let ticket: { id: number; ref: string; requesterToken: string };

  beforeAll(async () => {
    s = await startTestServer({ DEFLECTION_RATE_LIMIT: '4', WIDGET_RATE_LIMIT: '0' }, { jobs: false, log: logs.log });
    ticket = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: {
          name: 'Hana',
          email: 'hana@corp.example',
          devCenter: 'Pune',
          issue: 'How do I set an automatic out of office reply in Outlook?',
        },
      })
    ).json();
  });
  afterAll(async () => s?.stop());

  it('answers 404, never a 5xx, for ids that are not safe integers, on every route that takes one', async () => {
    const admin = await signInAs(s, 'admin@corp.example');
    const adminApi = { authorization: `Bearer test-admin-token-0123456789` };
    for (const id of BAD_IDS) {
      const checks: [string, Promise<Response>][] = [
        [`GET /api/kb/entries/${id}`, fetch(`${s.url}/api/kb/entries/${id}`)],
        [`GET /kb/${id}`, fetch(`${s.url}/kb/${id}`)],
        [`GET /dev/outbox/${id}`, fetch(`${s.url}/dev/outbox/${id}`, { headers: adminApi })],
        [`GET /api/tickets/IT-${id}`, fetch(`${s.url}/api/tickets/IT-${id}`, { headers: adminApi })],
        [`GET /api/tickets/${id}`, fetch(`${s.url}/api/tickets/${id}`, { headers: adminApi })],
        [
          `GET /api/my/tickets/${id}`,
          fetch(`${s.url}/api/my/tickets/${id}`, { headers: { authorization: `Bearer ${ticket.requesterToken}` } }),
        ],
        [`GET /console/attachments/${id}`, admin.req(`/console/attachments/${id}`)],
        [`GET /console/tickets/${id}`, admin.req(`/console/tickets/${id}`)],
        [`POST /console/kb/${id}`, admin.req(`/console/kb/${id}`, { method: 'POST', form: { _csrf: admin.csrf } })],
        [
          `POST /console/admin/agents/${id}`,
          admin.req(`/console/admin/agents/${id}`, { method: 'POST', form: { _csrf: admin.csrf, role: 'agent' } }),
        ],
        [
          `POST /console/admin/outbox/${id}/retry`,
          admin.req(`/console/admin/outbox/${id}/retry`, { method: 'POST', form: { _csrf: admin.csrf } }),
        ],
        [
          `POST /console/admin/outbox/${id}/discard`,
          admin.req(`/console/admin/outbox/${id}/discard`, { method: 'POST', form: { _csrf: admin.csrf } }),
        ],
        [
          `POST /console/admin/inbound/${id}/retry`,
          admin.req(`/console/admin/inbound/${id}/retry`, { method: 'POST', form: { _csrf: admin.csrf } }),
        ],
        [
          `DELETE /api/analytics/links/${id}`,
          fetch(`${s.url}/api/analytics/links/${id}`, { method: 'DELETE', headers: adminApi }),
        ],
      ];
      for (const [what, p] of checks) {
        const r = await p;
        expect(r.status, `${what} → ${r.status}`).toBe(404);
      }
      // Paging and limits are numbers too: clamped, not passed to SQL.
      expect((await admin.req(`/console/queues/all?page=${id}`)).status, `page=${id}`).toBe(200);
      expect((await fetch(`${s.url}/api/kb/search?q=vpn&limit=${id}`)).status, `limit=${id}`).toBeLessThan(500);
    }
  }, 60_000);

  it('sends a Content-Security-Policy with every page, error and 404 pages included', async () => {
    const pages = [
      '/',
      '/kb',
      '/kb?q=vpn',
      '/kb/999999',
      '/analytics',
      '/dev/outbox',
      '/nowhere',
      '/t/not.a-token',
      '/t/not.a-token/close',
      '/console/login',
      '/console/login/no-such-token',
    ];
    for (const p of pages) {
      const r = await fetch(s.url + p, { headers: { accept: 'text/html' } });
      expect(r.headers.get('content-type'), p).toContain('text/html');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, `${p} (${r.status})`).toMatch(/default-src 'none'/);
      expect(csp, p).toMatch(/frame-ancestors '(none|self)'/);
      // No page may run inline script unless it is nonce'd.
      expect(csp, p).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    }
    expect((await fetch(`${s.url}/`)).headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('never writes a /t/ or sign-in token into the logs, only the route pattern', async () => {
    const token = s.hd.signer.sign({ t: ticket.id, a: 'ticket', e: 'hana@corp.example' });
    const signInToken = 'Zm9yZ2VkLXNpZ24taW4tdG9rZW4tZm9yLWxvZ3MtMTIzNDU2';
    const q = s.hd.db.sequelize.getQueryInterface();
    // A database fault on the page behind each token: the kind of error that is logged.
    await q.renameTable('requesters', 'requesters_away');
    await q.renameTable('login_tokens', 'login_tokens_away');
    try {
      expect((await fetch(`${s.url}/t/${token}`)).status).toBe(500);
      expect((await fetch(`${s.url}/t/${token}/close`)).status).toBe(500);
      expect((await fetch(`${s.url}/console/login/${signInToken}`)).status).toBe(500);
    } finally {
      await q.renameTable('requesters_away', 'requesters');
      await q.renameTable('login_tokens_away', 'login_tokens');
    }
    const text = logs.text();
    expect(text).toContain('requester page failed');
    expect(text).toContain('console page failed');
    expect(text).toContain('/t/:token');
    expect(text).toContain('/login/:token');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[0]!);
    expect(text).not.toContain(signInToken);
    // The app-wide handler, for routes without a pattern of their own, cuts token-like segments out.
    const seen = memoryLog();
    const app = new Hono();
    app.onError(errorHandler(seen.log));
    app.get('/t/*', () => {
      throw new Error('boom');
    });
    app.get('/x/*', () => {
      throw new Error('boom');
    });
    expect((await app.request(`/t/${token}/close`)).status).toBe(500);
    expect((await app.request(`/x/${signInToken}`)).status).toBe(500);
    expect(seen.text()).not.toContain(token.split('.')[0]!);
    expect(seen.text()).not.toContain(signInToken);
    expect(seen.text()).toContain('/t/:token/close');
  });

  it('accepts only known development centres for tickets and deflections, and limits deflections', async () => {
    const make = (devCenter: string) =>
      s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Z', email: 'z@corp.example', devCenter, issue: 'My screen flickers.' },
      });
    const bad = await make('Narnia <b>HQ</b>');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.devCenter).toContain('Pune');
    const ok = await (await make('  pune ')).json();
    expect((await s.hd.db.models.Ticket.findByPk(ok.id))!.devCenter).toBe('Pune');
    expect(await s.hd.tickets.reads.devCenters()).not.toContain('Narnia <b>HQ</b>');

    const hit = (await (await s.api('/api/kb/search?q=vpn')).json()).results[0];
    expect(hit?.id).toBeGreaterThan(0);
    const deflect = (devCenter?: string) =>
      s.api('/api/kb/deflections', { method: 'POST', json: { kbEntryId: hit.id, query: 'vpn', devCenter } });
    const refused = await deflect('Atlantis');
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.fields.devCenter).toBeTruthy();
    const stored = await deflect('kraków');
    expect(stored.status).toBe(201);
    const row = await s.hd.db.models.Deflection.findByPk((await stored.json()).id);
    expect(row!.devCenter).toBe('Kraków');
    // DEFLECTION_RATE_LIMIT=4 per network address and hour (the refused one counted too).
    expect((await deflect()).status).toBe(201);
    expect((await deflect()).status).toBe(201);
    const over = await deflect();
    expect(over.status).toBe(429);
    expect((await over.json()).error.code).toBe('rate_limited');
    expect(await s.hd.db.models.Deflection.count()).toBe(3);
  });

  it('records the old score as `previous` in the feedback audit', async () => {
    const auth = { authorization: `Bearer ${ticket.requesterToken}` };
    for (const score of [4, 2, 2])
      expect(
        (await s.api(`/api/my/tickets/${ticket.ref}/feedback`, { method: 'POST', headers: auth, json: { score } }))
          .status,
      ).toBe(200);
    const events = await s.hd.db.models.AuditEvent.findAll({
      where: { ticketId: ticket.id, action: 'feedback' },
      order: [['id', 'ASC']],
    });
    expect(events.map((e) => (e.data as { score: number; previous: number | null }).previous)).toEqual([null, 4, 2]);
    expect(events.map((e) => (e.data as { score: number }).score)).toEqual([4, 2, 2]);
  });

  it("threads the AI answer under the requester's message, never under its own Message-ID", async () => {
    const r = await s.api('/api/inbound/email', {
      method: 'POST',
      admin: true,
      headers: { 'content-type': 'message/rfc822' },
      body:
        'From: Ola <ola@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: calendar\r\n' +
        'Message-ID: <irt-1@corp.example>\r\n\r\nHow can I share my calendar with my team?\r\n',
    });
    const { ticketId } = await r.json();
    const answer = await s.hd.db.models.OutboxMail.findOne({ where: { ticketId, kind: 'ai_answer' } });
    expect(answer).not.toBeNull();
    expect(answer!.headers['In-Reply-To']).toBe('<irt-1@corp.example>');
    expect(answer!.headers['In-Reply-To']).not.toBe(`<${answer!.emailMessageId}>`);
    expect(answer!.headers.References).toContain('<irt-1@corp.example>');
  });
});

describe.runIf(testDialect === 'sqlite')('the SQLite file', () => {
  it('is created 0600, and so are its -wal and -shm files', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hd-mode-')), 'helpdesk.sqlite');
    const prev = process.umask(0o022);
    const sequelize = createDatabase(`sqlite:${file}`);
    try {
      await migrateUp(sequelize);
      await sequelize.query(
        "INSERT INTO requesters (email, name, created_at, updated_at) VALUES ('m@corp.example', 'M', '2026-01-01', '2026-01-01')",
      );
      for (const f of [file, `${file}-wal`, `${file}-shm`])
        expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
    } finally {
      process.umask(prev);
      await sequelize.close();
    }
  });
});
