/** GET /metrics: Prometheus text format, admin token only, figures that match the database. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { renderMetrics } from '../server/ops/metrics.js';
import { startTestServer, type TestServer } from './support/server.js';
import { parseProm } from './support/prom.js';

describe('metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('escapes label values and help text', () => {
    const text = renderMetrics([
      {
        name: 'x',
        help: 'a\\b\nc',
        type: 'gauge',
        samples: [
          { labels: { v: 'q"\\\n' }, value: 1 },
          { labels: { v: null }, value: NaN },
        ],
      },
    ]);
    expect(text).toBe('# HELP x a\\\\b\\nc\n# TYPE x gauge\nx{v="q\\"\\\\\\n"} 1\nx{v="none"} NaN\n');
    expect(parseProm(text).size).toBe(2);
  });

  it('needs the admin token', async () => {
    const r = await s.api('/metrics');
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('unauthorized');
  });

  it('counts tickets, inbound mail, intake lag, outbox and leases from the database', async () => {
    for (const issue of ['My VPN drops every ten minutes.', 'Printer on floor 3 is jammed.']) {
      expect(
        (await s.api('/api/tickets', { method: 'POST', json: { name: 'Ann', email: 'ann@corp.example', issue } }))
          .status,
      ).toBe(201);
    }
    const raw =
      'From: Bo <bo@corp.example>\r\nSubject: laptop\r\nMessage-ID: <m-1@corp.example>\r\n\r\nMy laptop will not boot.\r\n';
    expect((await s.api('/api/inbound/email', { method: 'POST', admin: true, body: raw })).status).toBe(202);
    expect(
      (await s.api('/api/inbound/email', { method: 'POST', admin: true, body: 'Subject: no sender\r\n\r\nx\r\n' }))
        .status,
    ).toBe(422);
    // A row left 'received' 90 s ago (a crash after storing) is the intake lag.
    const stale = await s.hd.db.models.InboundEmail.create({
      dedupeKey: 'stale@x',
      messageId: 'stale@x',
      source: 'webhook',
      raw: Buffer.from('x'),
      size: 1,
      status: 'received',
      reason: null,
      ticketId: null,
    });
    await s.hd.db.sequelize.query('UPDATE inbound_emails SET created_at = ? WHERE id = ?', {
      replacements: [new Date(Date.now() - 90_000), stale.id],
    });
    await s.hd.leases.acquire('job:outbox', 30_000);

    const r = await s.api('/metrics', { admin: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const m = parseProm(await r.text());
    const widget = [...m]
      .filter(([k]) => k.startsWith('helpdesk_tickets{channel="widget"'))
      .reduce((a, [, v]) => a + v, 0);
    expect(widget).toBe(2);
    expect(
      [...m].some(
        ([k, v]) =>
          k.startsWith('helpdesk_tickets{channel="email",route="') && k.includes('classifier="local') && v === 1,
      ),
    ).toBe(true);
    expect(m.get('helpdesk_inbound_emails{status="processed"}')).toBe(1);
    expect(m.get('helpdesk_inbound_emails{status="failed"}')).toBe(1);
    expect(m.get('helpdesk_failures{kind="inbound_failed"}')).toBe(1);
    expect(m.get('helpdesk_failures{kind="outbox_dead"}')).toBe(0);
    expect(m.get('helpdesk_intake_lag_seconds')).toBeGreaterThanOrEqual(89);
    expect(m.get('helpdesk_outbox_depth')).toBe(await s.hd.db.models.OutboxMail.count({ where: { status: 'queued' } }));
    expect(m.get('helpdesk_outbox_depth')).toBeGreaterThan(0);
    expect(m.get('helpdesk_lease_held{name="job:outbox"}')).toBe(1);
    expect(m.get('helpdesk_lease_held{name="imap"}')).toBe(0);
    expect(m.get('helpdesk_imap_state{state="off"}')).toBe(1);
    expect(m.get('helpdesk_database_up')).toBe(1);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });
});
