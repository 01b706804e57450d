import { describe, it, expect, afterAll } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { createMigrator } from './migrate.js';

describe(`migrations (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  afterAll(async () => db?.cleanup());

  it('go up, all the way down, and up again', async () => {
    db = await createTestDb({ migrate: false });
    const m = createMigrator(db.sequelize);
    const all = (await m.pending()).map((x) => x.name);
    expect(all.length).toBeGreaterThanOrEqual(2);
    await m.up();
    const tables = async () => (await db.sequelize.getQueryInterface().showAllTables()).map(String);
    expect(await tables()).toEqual(
      expect.arrayContaining(['tickets', 'messages', 'outbox', 'kb_entries', 'audit_events']),
    );
    await m.down({ to: 0 });
    expect((await tables()).filter((t) => t !== 'schema_migrations')).toEqual([]);
    await m.up();
    expect((await m.executed()).map((x) => x.name)).toEqual(all);
  });

  it('add and drop later columns without losing the roll-up triggers on tickets and feedback', async () => {
    const m = createMigrator(db.sequelize);
    const triggers = async () =>
      db.dialect === 'sqlite'
        ? (
            (
              await db.sequelize.query(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('tickets', 'feedback') ORDER BY name",
              )
            )[0] as {
              name: string;
            }[]
          ).map((r) => r.name)
        : (
            (
              await db.sequelize.query(
                `SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS
                 WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE IN ('tickets', 'feedback') ORDER BY 1`,
              )
            )[0] as { name: string }[]
          ).map((r) => r.name);
    const before = await triggers();
    expect(before.length).toBeGreaterThan(0);
    await m.down({ to: '0006-ticket-requester-name' });
    expect(await triggers()).toEqual(before);
    const cols = Object.keys(await db.sequelize.getQueryInterface().describeTable('tickets'));
    expect(cols).not.toContain('requester_name');
    await m.up();
    expect(Object.keys(await db.sequelize.getQueryInterface().describeTable('tickets'))).toContain('requester_name');
    expect(await triggers()).toEqual(before);
  });

  it('enforce unique Message-IDs on messages', async () => {
    const { Requester, Ticket, Message } = db.models;
    const r = await Requester.create({ email: 'a@corp.example', name: 'A', devCenter: 'Pune' });
    const t = await Ticket.create({
      ref: 'IT-1',
      subject: 's',
      description: 'd',
      channel: 'api',
      status: 'open',
      severity: 'low',
      urgency: 'low',
      category: 'Hardware / Device',
      sentiment: null,
      intent: null,
      summary: null,
      route: 'pool',
      assigneeId: null,
      requesterId: r.id,
      devCenter: 'Pune',
      classifier: 'rules',
      confidence: 1,
    });
    const msg = {
      ticketId: t.id,
      authorKind: 'requester' as const,
      authorAgentId: null,
      authorEmail: null,
      text: 'x',
      html: null,
      fullText: null,
      emailMessageId: 'dup@x',
      inReplyTo: null,
      references: null,
      inboundEmailId: null,
    };
    await Message.create(msg);
    await expect(Message.create(msg)).rejects.toThrow();
  });
});
