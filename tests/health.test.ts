/**
 * Probes for an orchestrator: /livez answers while the process runs, /readyz only when the database answers and
 * every migration is applied; /healthz keeps its shape and signs in to SMTP at most once per 30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('health probes', () => {
  let smtp: SmtpSink;
  let s: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({ SMTP_URL: smtp.url }, { jobs: false });
  });
  afterAll(async () => {
    await s?.stop().catch(() => undefined);
    await smtp?.stop();
  });

  it('/healthz keeps its shape and signs in to SMTP once for many probes', async () => {
    const before = smtp.connections();
    const bodies = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.api('/healthz');
      expect(r.status).toBe(200);
      bodies.push(await r.json());
    }
    expect(bodies[0]).toMatchObject({
      ok: true,
      database: 'up',
      imap: { state: 'off' },
      smtp: { transport: 'smtp', up: true },
      outboxDepth: 0,
    });
    expect(smtp.connections() - before).toBe(1);
  });

  it('/readyz is 503 while a migration is pending, 200 once the schema is current', async () => {
    const ready = await s.api('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, database: 'up', pendingMigrations: [] });
    const qi = s.hd.db.sequelize.getQueryInterface();
    // As if a newer release's migration had not run yet on this database.
    await qi.bulkDelete('schema_migrations', { name: '0005-kb-issue-index' });
    try {
      const r = await s.api('/readyz');
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ok: false, database: 'up', pendingMigrations: ['0005-kb-issue-index'] });
    } finally {
      await qi.bulkInsert('schema_migrations', [{ name: '0005-kb-issue-index' }]);
    }
    expect((await s.api('/readyz')).status).toBe(200);
  });

  it('/livez answers while the database is gone; /readyz and /healthz say 503', async () => {
    await s.hd.db.sequelize.close();
    const live = await s.api('/livez');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true });
    const ready = await s.api('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, database: 'down' });
    expect((await s.api('/healthz')).status).toBe(503);
  });
});
