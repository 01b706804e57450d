/**
 * The claim, deterministically: two connections to one database (two pools, as two server processes have), the
 * first transaction decides to open an incident and has not committed; the second, about the same problem, must
 * wait for it and then join what it opened, not open a second one. On SQLite the second transaction's BEGIN
 * IMMEDIATE waits; on MariaDB the category row's lock does (without it the second would read the old rows and
 * open again). The unique open key is checked too: a second open incident for the same problem is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sequelize, Transaction } from 'sequelize';
import { createDatabase } from '../db/database.js';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { loadIncidentIssues, loadIssuePhrasings } from '../seeds.js';
import { createIncidents, type Incidents } from './incidents.js';
import { initIncidentModels } from './models.js';
import { createWords } from './words.js';

describe(`the detection claim (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  let other: Sequelize;
  const words = createWords(loadIssuePhrasings());
  const make = (sequelize: Sequelize) =>
    createIncidents({
      models: initIncidentModels(sequelize),
      traits: loadIncidentIssues(),
      words,
      issues: () => [],
      config: { windowMinutes: 30, minTickets: 3 },
      clock: () => new Date(),
    });
  let a: Incidents;
  let b: Incidents;
  const ids: number[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    other = createDatabase(db.url);
    a = make(db.sequelize);
    b = make(other);
    const { Requester, Ticket } = db.models;
    for (let i = 0; i < 4; i++) {
      const r = await Requester.create({ email: `p${i}@corp.example`, name: `P ${i}`, devCenter: 'Pune' });
      const t = await Ticket.create({
        ref: `IT-${i}`,
        subject: 'vpn',
        description: 'vpn down',
        channel: 'widget',
        status: 'open',
        severity: 'medium',
        urgency: 'medium',
        category: 'Networking & Connectivity',
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool',
        assigneeId: null,
        requesterId: r.id,
        devCenter: 'Pune',
        classifier: 'local',
        confidence: 0.9,
      });
      ids.push(t.id);
    }
  });
  afterAll(async () => {
    await other?.close();
    await db?.cleanup();
  });

  const signal = (x: Incidents, i: number) =>
    x.signal({
      ticketId: ids[i]!,
      requesterEmail: `p${i}@corp.example`,
      category: 'Networking & Connectivity',
      devCenter: 'Pune',
      text: 'The VPN will not connect, GlobalProtect says the gateway is not responding.',
      issue: { name: 'vpn-cant-connect', strength: 3 },
      runnerUp: { name: 'vpn-drops', strength: 1.5 },
      createdAt: new Date(),
    });
  const child = (i: number) => ({
    ticketId: ids[i]!,
    ticketRef: `IT-${i}`,
    requesterEmail: `p${i}@corp.example`,
    requesterName: `P ${i}`,
    devCenter: 'Pune',
    channel: 'widget',
    ticketCreatedAt: new Date(),
    how: 'detected' as const,
    linkedBy: 'system',
  });

  it('makes a concurrent second decision wait for the first, which it then joins', async () => {
    for (const i of [0, 1]) await db.sequelize.transaction((t) => a.detection.record(t, signal(a, i), null));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opened = 0;
    const first = db.sequelize.transaction(async (t: Transaction) => {
      const d = await a.detection.detect(t, signal(a, 2));
      expect(d.kind).toBe('open');
      if (d.kind !== 'open') return;
      const i = await a.open(t, d.draft, {
        assigneeId: null,
        severity: 'high',
        children: [0, 1, 2].map(child),
        actor: 'system',
      });
      opened = i!.id;
      await a.detection.record(t, signal(a, 2), i!.id);
      await gate;
    });
    // Let the first transaction take the claim before the second starts.
    await new Promise((r) => setTimeout(r, 200));
    let second: string | null = null;
    const secondDone = other.transaction(async (t: Transaction) => {
      const d = await b.detection.detect(t, signal(b, 3));
      second = d.kind === 'join' ? `join ${d.incidentId}` : d.kind;
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(second).toBeNull();
    release();
    await first;
    await secondDone;
    expect(second).toBe(`join ${opened}`);
  });

  it('refuses a second open incident for the same problem by its unique key', async () => {
    const d = await db.sequelize.transaction((t) => a.detection.detect(t, signal(a, 3)));
    expect(d.kind).toBe('join');
    const draft = {
      title: 'x',
      category: 'Networking & Connectivity',
      devCenter: 'Pune',
      scope: 'centre' as const,
      issue: 'vpn-cant-connect',
      openKey: 'Networking & Connectivity|Pune|vpn-cant-connect',
      profile: { n: 0, terms: {} },
      firstTicketAt: new Date(),
    };
    const again = await db.sequelize.transaction((t) =>
      a.open(t, draft, { assigneeId: null, severity: 'high', children: [], actor: 'test' }),
    );
    expect(again).toBeNull();
    expect(await db.sequelize.models.Incident!.count()).toBe(1);
  });
});
