/** Replies by email: threading, intent (closing / still broken), reopen window, agents answering by email. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

describe('email replies', () => {
  let s: TestServer;
  let now = new Date();
  beforeAll(async () => {
    // Intent and agents' email replies need the trusted server's DMARC verdict (issue 11, item 5).
    s = await startTestServer(
      { REOPEN_WINDOW_DAYS: '14', MAIL_TRUSTED_AUTHSERV_ID: 'mx.corp.example' },
      { jobs: false, clock: () => now },
    );
  });
  afterAll(async () => s?.stop());

  const post = async (raw: string) => (await s.inbound(raw)).json();
  // Every mail passed DMARC at our receiving server (its Authentication-Results header), as real mail would.
  const mail = (o: { id: string; from?: string; subject: string; body: string; inReplyTo?: string; to?: string }) =>
    `Authentication-Results: mx.corp.example; dmarc=pass header.from=${/@([^>\s]+)/.exec(o.from ?? '@corp.example')![1]}\r\n` +
    `From: ${o.from ?? 'Hana <hana@corp.example>'}\r\nTo: ${o.to ?? 'it@helpdesk.localhost'}\r\nSubject: ${o.subject}\r\nMessage-ID: <${o.id}>\r\n` +
    (o.inReplyTo ? `In-Reply-To: <${o.inReplyTo}>\r\nReferences: <${o.inReplyTo}>\r\n` : '') +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${o.body}\r\n`;
  const aiAnswer = async (ticketId: number) =>
    (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId, kind: 'ai_answer' } }))!;

  it('hands an AI-answered ticket to the IT team when the requester says it still does not work', async () => {
    const a = await post(
      mail({ id: 'r1@corp.example', subject: 'calendar', body: 'How can I share my calendar with my team?' }),
    );
    const t0 = (await s.hd.db.models.Ticket.findByPk(a.ticketId))!;
    expect(t0.route).toBe('ai');
    const ans = await aiAnswer(t0.id);
    const r = await post(
      mail({
        id: 'r2@corp.example',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'Still not working, the Share button is greyed out.\n\nOn Mon, IT wrote:\n> This looks like',
      }),
    );
    expect(r).toMatchObject({ status: 'commented', ticketId: t0.id });
    const t = (await s.hd.db.models.Ticket.findByPk(t0.id))!;
    expect(t.route).toBe('it_team');
    expect(t.status).toBe('open');
    const agent = (await s.hd.db.models.Agent.findByPk(t.assigneeId!))!;
    expect(agent.kind).toBe('human');
    expect(
      await s.hd.db.models.OutboxMail.count({ where: { ticketId: t.id, kind: 'assignment', toAddr: agent.email } }),
    ).toBe(1);
  });

  it("posts an agent's emailed reply to the ticket and sends it to the requester", async () => {
    const t = (await s.hd.db.models.Ticket.findOne({ where: { subject: 'calendar' } }))!;
    const agent = (await s.hd.db.models.Agent.findByPk(t.assigneeId!))!;
    const note = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id, kind: 'assignment' } }))!;
    const r = await post(
      mail({
        id: 'r3@corp.example',
        from: `${agent.name} <${agent.email}>`,
        subject: `Re: ${note.subject}`,
        inReplyTo: note.emailMessageId,
        body: 'Your calendar was shared read-only by policy; I changed it. Try again?',
      }),
    );
    expect(r.status).toBe('commented');
    const m = (await s.hd.db.models.Message.findOne({ where: { ticketId: t.id, authorKind: 'agent' } }))!;
    expect(m.text).toContain('changed it');
    const out = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id, kind: 'agent_reply' } }))!;
    expect(out.toAddr).toBe('hana@corp.example');
    expect((await s.hd.db.models.Ticket.findByPk(t.id))!.status).toBe('waiting_on_user');
  });

  it('threads by the reply token and by the subject tag only for people on the ticket', async () => {
    const t = (await s.hd.db.models.Ticket.findOne({ where: { subject: 'calendar' } }))!;
    const reply = s.hd.ids.replyAddress(t.id);
    expect(
      (
        await post(
          mail({ id: 'r4@corp.example', to: reply, subject: 'one more thing', body: 'Also my phone calendar.' }),
        )
      ).ticketId,
    ).toBe(t.id);
    expect(
      (await post(mail({ id: 'r5@corp.example', subject: `[${t.ref}] hello`, body: 'Same topic.' }))).ticketId,
    ).toBe(t.id);
    const stranger = await post(
      mail({
        id: 'r6@corp.example',
        from: 'Eve <eve@elsewhere.example>',
        subject: `[${t.ref}] let me in`,
        body: 'Add me to this ticket.',
      }),
    );
    expect(stranger.status).toBe('created');
    expect(stranger.ticketId).not.toBe(t.id);
  });

  it('resolves on a closing reply, reopens within the window, and opens a linked ticket after it', async () => {
    const a = await post(
      mail({
        id: 'c1@corp.example',
        subject: 'Outlook question',
        body: 'How do I set an automatic out of office reply in Outlook?',
      }),
    );
    const ans = await aiAnswer(a.ticketId);
    await post(
      mail({
        id: 'c2@corp.example',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'Thanks, that fixed it!',
      }),
    );
    expect((await s.hd.db.models.Ticket.findByPk(a.ticketId))!.status).toBe('resolved');
    await s.hd.tickets.close(a.ticketId, 'requester:hana@corp.example');
    now = new Date(now.getTime() + 3 * 86400_000);
    await post(
      mail({
        id: 'c3@corp.example',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'It stopped again after the update.',
      }),
    );
    const reopened = (await s.hd.db.models.Ticket.findByPk(a.ticketId))!;
    expect(reopened.status).toBe('open');
    await s.hd.tickets.resolve(a.ticketId, 'Re-applied the rule.', 'agent:7');
    await s.hd.tickets.close(a.ticketId, 'agent:7');
    now = new Date(now.getTime() + 30 * 86400_000);
    const late = await post(
      mail({
        id: 'c4@corp.example',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'Back again, months later.',
      }),
    );
    expect(late.status).toBe('created');
    expect((await s.hd.db.models.Ticket.findByPk(late.ticketId))!.parentTicketId).toBe(a.ticketId);
  });
});
