import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

describe('escalation after ESCALATION_HOURS (fake clock)', () => {
  let s: TestServer;
  let now = new Date();
  beforeAll(async () => {
    s = await startTestServer({ ESCALATION_HOURS: '24' }, { jobs: false, clock: () => now });
  });
  afterAll(async () => s?.stop());

  const create = async (issue: string) =>
    (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Lee', email: 'lee@corp.example', devCenter: 'Kraków', issue },
      })
    ).json();

  it('escalates unresolved tickets once, moves AI and pool tickets to a skilled IT team member, and emails them', async () => {
    const ai = await create('How can I share my calendar with my team?');
    const fixed = await create('How do I set an automatic out of office reply in Outlook?');
    await s.hd.tickets.resolve(fixed.ref, 'Done via File › Automatic Replies.', 'agent:1');
    expect(ai.route).toBe('ai');

    now = new Date(now.getTime() + 23 * 3600_000);
    expect(await s.hd.tickets.escalateOverdue()).toBe(0);

    now = new Date(now.getTime() + 2 * 3600_000);
    expect(await s.hd.tickets.escalateOverdue()).toBe(1);
    const t = (await s.hd.db.models.Ticket.findByPk(ai.id))!;
    expect(t.escalated).toBe(true);
    expect(t.escalatedAt?.toISOString()).toBe(now.toISOString());
    expect(t.route).toBe('it_team');
    const agent = (await s.hd.db.models.Agent.findByPk(t.assigneeId!))!;
    expect(agent.kind).toBe('human');
    expect(agent.skills).toContain('Collaboration Tools');
    const mails = await s.hd.db.models.OutboxMail.findAll({ where: { ticketId: ai.id, kind: 'escalation' } });
    expect(mails.map((m) => m.toAddr)).toEqual([agent.email]);

    // Idempotent: a second sweep (another process, a restart) changes nothing and sends nothing.
    expect(await s.hd.tickets.escalateOverdue()).toBe(0);
    expect(await s.hd.db.models.OutboxMail.count({ where: { kind: 'escalation' } })).toBe(1);
    const events = await s.hd.db.models.AuditEvent.findAll({ where: { ticketId: ai.id, action: 'escalate' } });
    expect(events).toHaveLength(1);
    expect(await s.hd.db.models.Ticket.count({ where: { id: fixed.id, escalated: true } })).toBe(0);
  });
});
