/**
 * The requester-visible thread on a ticket that HAS an internal note: the requester's view (widget API, requester
 * pages) leaves the note out, the admin view keeps it. On a real database (SQLite, or MariaDB with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { createTicketReads } from './reads.js';
import { requesterView, ticketDetail } from './view.js';

describe('what the requester sees of a thread', () => {
  let db: TestDb;
  let ticketId = 0;
  beforeAll(async () => {
    db = await createTestDb();
    const { Requester, Ticket, Message } = db.models;
    const ann = await Requester.create({ email: 'ann@corp.example', name: 'Ann', devCenter: null });
    const t = await Ticket.create({
      ref: 'T-1',
      subject: 'VPN drops',
      description: 'The VPN drops every hour.',
      channel: 'widget',
      status: 'open',
      severity: 'low',
      urgency: 'low',
      category: 'Networking & Connectivity',
      sentiment: null,
      intent: null,
      summary: null,
      route: 'pool',
      assigneeId: null,
      requesterId: ann.id,
      devCenter: null,
      classifier: null,
      confidence: null,
    });
    ticketId = t.id;
    const msg = (authorKind: 'requester' | 'agent', text: string, internal: boolean) =>
      Message.create({
        ticketId: t.id,
        authorKind,
        authorAgentId: null,
        authorEmail: null,
        internal,
        text,
        html: null,
        fullText: null,
        emailMessageId: null,
        inReplyTo: null,
        references: null,
        inboundEmailId: null,
      });
    await msg('requester', 'The VPN drops every hour.', false);
    await msg('agent', 'Internal: her laptop is on the old client, upgrade first.', true);
    await msg('agent', 'Could you tell us which version of the client you run?', false);
  }, 60_000);
  afterAll(async () => db?.cleanup());

  it('leaves internal notes out of the requester view and keeps them in the admin view', async () => {
    const reads = createTicketReads({ models: db.models });
    const ticket = (await reads.find(ticketId))!;
    const full = await ticketDetail(reads, ticket, { internal: true });
    expect(full.messages.map((m) => [m.internal, m.text.slice(0, 12)])).toEqual([
      [false, 'The VPN drop'],
      [true, 'Internal: he'],
      [false, 'Could you te'],
    ]);
    const seen = await requesterView(reads, ticket);
    expect(seen.messages.map((m) => m.text)).toEqual([
      'The VPN drops every hour.',
      'Could you tell us which version of the client you run?',
    ]);
    expect(JSON.stringify(seen)).not.toContain('old client');
    // Nor the triage details and the audit trail.
    expect(seen).not.toHaveProperty('triage');
    expect(seen).not.toHaveProperty('events');
    expect(seen).not.toHaveProperty('classifier');
    expect(seen).not.toHaveProperty('confidence');
  });
});
