/**
 * Issue 11, item 10: limits an abuser cannot sidestep. Addresses are counted without case and +tag (the widget limit
 * and the outbox's cap on automatic mail); X-Forwarded-For counts only from TRUSTED_PROXIES, IPv6 by /64; counters
 * live in the database, so they hold across processes and restarts; the widget and automatic mail serve only
 * ALLOWED_REQUESTER_DOMAINS. Runs on SQLite, and on MariaDB when DATABASE_URL says mysql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, domainAllowed } from '../server/domain/address.js';
import { createClientIp } from '../server/http/client-ip.js';
import { createDbStore } from '../server/http/rate-limits.js';
import { createTestDb, freshDatabaseUrl, type TestDb } from './support/db.js';
import { startTestServer, type TestServer } from './support/server.js';

const ticket = (email: string, extra: Record<string, unknown> = {}) => ({
  name: 'Vic Tim',
  email,
  issue: 'How can I share my calendar with my team?',
  ...extra,
});

describe('address keys and allowed domains', () => {
  it('counts case and +tags as one address', () => {
    for (const a of [
      'victim@corp.example',
      'Victim@Corp.Example',
      'victim+1@corp.example',
      ' VICTIM+x+y@corp.example. ',
    ])
      expect(addressKey(a)).toBe('victim@corp.example');
    expect(addressKey('Vic <victim+bomb@corp.example>')).toBe('victim@corp.example');
    expect(addressKey('+only@corp.example')).toBe('+only@corp.example');
    expect(addressKey('other@corp.example')).not.toBe(addressKey('victim@corp.example'));
  });

  it('allows listed domains, subdomains only when asked, and * for any', () => {
    expect(domainAllowed('a@corp.example', ['corp.example'])).toBe(true);
    expect(domainAllowed('a@CORP.example', ['corp.example'])).toBe(true);
    expect(domainAllowed('a@mx.corp.example', ['corp.example'])).toBe(false);
    expect(domainAllowed('a@mx.corp.example', ['*.corp.example'])).toBe(true);
    expect(domainAllowed('a@evilcorp.example', ['*.corp.example'])).toBe(false);
    expect(domainAllowed('a@corp.example.evil.test', ['corp.example'])).toBe(false);
    expect(domainAllowed('a@anything.test', ['*'])).toBe(true);
    expect(domainAllowed('no-at-sign', ['*'])).toBe(false);
  });
});

describe('client addresses behind proxies', () => {
  it('believes X-Forwarded-For only from a trusted proxy, hop by hop', () => {
    const none = createClientIp([]);
    const key = (ip: ReturnType<typeof none.address>) => ip?.toString();
    expect(key(none.address('10.0.0.5', '203.0.113.7'))).toBe('10.0.0.5');
    const proxied = createClientIp(['10.0.0.0/8', '::1']);
    expect(key(proxied.address('10.0.0.5', '203.0.113.7'))).toBe('203.0.113.7');
    // The client may prepend anything: only the hop the proxy added counts.
    expect(key(proxied.address('10.0.0.5', '1.1.1.1, 203.0.113.7'))).toBe('203.0.113.7');
    // Two trusted proxies in a row are skipped.
    expect(key(proxied.address('10.0.0.5', '198.51.100.9, 10.1.2.3'))).toBe('198.51.100.9');
    // An untrusted peer's header is ignored; garbage stops at the last trusted hop.
    expect(key(proxied.address('198.51.100.1', '203.0.113.7'))).toBe('198.51.100.1');
    expect(key(proxied.address('10.0.0.5', 'not-an-ip'))).toBe('10.0.0.5');
    expect(key(proxied.address('::ffff:10.0.0.5', '203.0.113.8'))).toBe('203.0.113.8');
    expect(key(proxied.address('::1', '2001:db8::1'))).toBe('2001:db8::1');
  });
});

describe('the database rate-limit store', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.cleanup());

  it('counts atomically under concurrency and per fixed window', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const store = createDbStore({ sequelize: db.sequelize, clock: () => new Date(now), name: 't' });
    store.init?.({ windowMs: 60_000 } as never);
    const hits = await Promise.all(Array.from({ length: 40 }, () => store.increment('k')));
    expect(hits.map((h) => h.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(hits[0]!.resetTime!.getTime()).toBe(Date.parse('2026-03-01T10:01:00Z'));
    expect((await store.increment('other')).totalHits).toBe(1);
    now += 60_000;
    expect((await store.increment('k')).totalHits).toBe(1);
    // Cheap enough for every widget POST: one statement per hit.
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await store.increment(`cost-${i % 20}`);
    const each = (performance.now() - t0) / 200;
    console.info(`rate-limit increment on ${db.dialect}: ${each.toFixed(2)} ms each`);
    expect(each).toBeLessThan(25);
  });
});

describe('widget limits over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '2', TRUSTED_PROXIES: '127.0.0.1' }, { jobs: false });
  });
  afterAll(async () => s?.stop());
  const post = (body: unknown, ip: string) =>
    s.api('/api/tickets', { method: 'POST', json: body, headers: { 'x-forwarded-for': ip } });

  it('limits one mailbox however its address is spelled', async () => {
    expect((await post(ticket('victim+1@corp.example'), '203.0.113.1')).status).toBe(201);
    expect((await post(ticket('Victim+2@corp.example'), '203.0.113.2')).status).toBe(201);
    const third = await post(ticket('VICTIM@corp.example'), '203.0.113.3');
    expect(third.status).toBe(429);
    expect((await third.json()).error.message).toContain('email address');
  });

  it('gives each client behind the trusted proxy its own bucket; IPv6 clients share their /64', async () => {
    for (const who of ['a', 'b'])
      expect((await post(ticket(`${who}1@corp.example`), '198.51.100.10')).status).toBe(201);
    const over = await post(ticket('c1@corp.example'), '198.51.100.10');
    expect(over.status).toBe(429);
    expect((await over.json()).error.message).toContain('network address');
    // Someone else behind the same proxy is not locked out.
    expect((await post(ticket('d1@corp.example'), '198.51.100.11')).status).toBe(201);
    expect((await post(ticket('e1@corp.example'), '2001:db8:1:2::10')).status).toBe(201);
    expect((await post(ticket('f1@corp.example'), '2001:db8:1:2:ffff::99')).status).toBe(201);
    expect((await post(ticket('g1@corp.example'), '2001:db8:1:2:abcd::1')).status).toBe(429);
    expect((await post(ticket('h1@corp.example'), '2001:db8:1:3::1')).status).toBe(201);
  });

  it('refuses an address outside ALLOWED_REQUESTER_DOMAINS with a clear 400 and stores nothing', async () => {
    const before = await s.hd.db.models.Ticket.count();
    const r = await post(
      ticket('someone@gmail.example', { subject: 'Your password expires: log in here' }),
      '192.0.2.1',
    );
    expect(r.status).toBe(400);
    const e = (await r.json()).error;
    expect(e.code).toBe('email_domain_not_allowed');
    expect(e.fields.email).toContain('@corp.example');
    expect(await s.hd.db.models.Ticket.count()).toBe(before);
    expect(await s.hd.db.models.OutboxMail.count({ where: { toAddr: 'someone@gmail.example' } })).toBe(0);
  });
});

describe('a spoofed X-Forwarded-For without TRUSTED_PROXIES', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '2' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('does not buy a fresh bucket', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        (
          await s.api('/api/tickets', {
            method: 'POST',
            json: ticket(`spoof${i}@corp.example`),
            headers: { 'x-forwarded-for': `203.0.113.${i}` },
          })
        ).status,
      );
    expect(codes).toEqual([201, 201, 429]);
  });
});

describe('limits that hold across processes and restarts', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl());
  });
  afterAll(async () => drop?.());

  it('shares one counter between two servers and keeps it after a restart', async () => {
    const env = { DATABASE_URL: url, WIDGET_RATE_LIMIT: '2' };
    const a = await startTestServer(env, { jobs: false });
    const b = await startTestServer(env, { jobs: false });
    const send = (srv: TestServer, email: string) =>
      srv.api('/api/tickets', { method: 'POST', json: ticket(email) }).then((r) => r.status);
    try {
      expect(await send(a, 'p1@corp.example')).toBe(201);
      expect(await send(b, 'p2@corp.example')).toBe(201);
      expect(await send(a, 'p3@corp.example')).toBe(429);
      expect(await send(b, 'p4@corp.example')).toBe(429);
    } finally {
      await a.stop();
      await b.stop();
    }
    const again = await startTestServer(env, { jobs: false });
    try {
      expect(await send(again, 'p5@corp.example')).toBe(429);
    } finally {
      await again.stop();
    }
  });
});

describe('automatic mail', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('caps automatic mail per mailbox, +tags included (no mail bombing)', async () => {
    for (let i = 0; i < 12; i++) {
      const r = await s.api('/api/tickets', { method: 'POST', json: ticket(`bomb+${i}@corp.example`) });
      expect(r.status).toBe(201);
    }
    const mails = await s.hd.db.models.OutboxMail.findAll({ where: { automatic: true } });
    const mine = mails.filter((m) => m.toAddr.startsWith('bomb+'));
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.filter((m) => m.status === 'queued')).toHaveLength(10);
    expect(mine.filter((m) => m.status === 'suppressed').length).toBe(mine.length - 10);
  });

  it('sends no automatic mail outside ALLOWED_REQUESTER_DOMAINS, even for tickets an integration opens', async () => {
    const r = await s.api('/api/tickets', { method: 'POST', admin: true, json: ticket('ext@partner.example') });
    expect(r.status).toBe(201);
    const mails = await s.hd.db.models.OutboxMail.findAll({ where: { toAddr: 'ext@partner.example' } });
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) {
      expect(m.status).toBe('suppressed');
      expect(m.lastError).toContain('ALLOWED_REQUESTER_DOMAINS');
    }
  });
});
